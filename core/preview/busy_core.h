#pragma once

// Another process that keeps one core busy while it lives: the "radiologist's workstation is
// never idle" condition of `dpflow bench --under-load`. A forked child that only spins, killed
// and reaped on destruction (also when the benchmark throws).

#include <sys/types.h>

namespace dpflow {

class BusyCore {
public:
    /// Starts the spinning child. Throws std::runtime_error when fork fails.
    BusyCore();
    ~BusyCore();
    BusyCore(const BusyCore&) = delete;
    BusyCore& operator=(const BusyCore&) = delete;

    pid_t pid() const { return child_; }

private:
    pid_t child_ = -1;
};

}  // namespace dpflow
