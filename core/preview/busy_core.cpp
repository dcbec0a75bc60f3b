#include "preview/busy_core.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace dpflow {

BusyCore::BusyCore() {
    child_ = fork();
    if (child_ < 0) throw std::runtime_error(std::string("cannot start the busy process: ") + std::strerror(errno));
    if (child_ == 0) {
        // The child touches nothing of the parent's (it may hold locks of threads that do not
        // exist here): it spins until killed.
        volatile unsigned long spin = 0;
        for (;;) spin = spin + 1;
    }
}

BusyCore::~BusyCore() {
    kill(child_, SIGKILL);
    waitpid(child_, nullptr, 0);
}

}  // namespace dpflow
