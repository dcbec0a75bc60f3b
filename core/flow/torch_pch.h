#pragma once
// Precompiled header for torch-using targets: LibTorch headers dominate compile time.
#include <torch/torch.h>
