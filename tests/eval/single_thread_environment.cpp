#include "flow/runtime.h"

#include <gtest/gtest.h>

namespace dpflow {
namespace {

// The tiny networks here gain nothing from threads, and CTest may run several suites at once on
// a small machine: one LibTorch thread (and one OpenBLAS thread) avoids oversubscription.
class SingleThreadEnvironment : public ::testing::Environment {
public:
    void SetUp() override { configureThreads(1); }
};

const ::testing::Environment* const kSingleThread = ::testing::AddGlobalTestEnvironment(new SingleThreadEnvironment);

}  // namespace
}  // namespace dpflow
