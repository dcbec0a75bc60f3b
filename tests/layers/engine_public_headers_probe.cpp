// Must compile: the torch-free engine headers the studio builds on (see tests/layers/CMakeLists.txt).
#include "eval/studio_curve.h"
#include "eval/sweep_engine.h"
#include "eval/sweep_summary.h"
#include "flow/flow_model.h"
#include "preview/preview_session.h"
#include "preview/preview_worker.h"
#include "release/release_runner.h"

int publicHeadersProbe() { return dpflow::kStudioCurveMaxImages > 0 ? 1 : 0; }
