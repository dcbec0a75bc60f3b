// Must not compile: a torch-only engine header is not for ui/ (see tests/layers/CMakeLists.txt).
#include "flow/glow.h"

int glowProbe() { return 0; }
