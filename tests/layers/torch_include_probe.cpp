// Must not compile: ui/ has no LibTorch include path (see tests/layers/CMakeLists.txt).
#include <torch/torch.h>

int torchProbe() { return static_cast<int>(torch::ones({1}).numel()); }
