#pragma once

// The GLOW compiled for the CPU, both ways: decode is what the studio's slider runs at every
// move, encode what selecting a film runs once. Each does what GlowImpl does (decode with the same
// bounds), in one pass over preallocated buffers:
// - every convolution is one oneDNN sgemm (AVX-512 where the CPU has it, whatever BLAS LibTorch
//   loaded), on activations kept zero-padded so that a 3x3 tap is a contiguous offset: 3x3 from
//   few channels gathers its 9 taps (im2col), 3x3 to few channels multiplies all 9 taps' weights
//   at once and adds the shifted products;
// - the attributes' constant one-hot channels are never convolved: their contribution to each
//   coupling's first convolution depends only on which taps fall inside the image, so it is a
//   small table per attribute set (9 border classes per output channel), added with the bias;
// - ZeroConv2d's output scale is folded into its weights, ActNorm and the 1x1 convolution into
//   one affine map each way (FlowStepImpl::foldedInverse and foldedForward, in float64);
// - on several threads each coupling runs as independent tiles of rows (one parallel region);
// - no LibTorch dispatch and no allocation per call.
// Internal to core/flow; FlowModel uses it for every encode and decode on the CPU. Not
// thread-safe: one call at a time per instance (FlowModel serialises its calls).

#include "flow/glow.h"

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

namespace dpflow {

class CpuGlow {
public:
    /// Packs the weights of `glow` (float32, on the CPU). Later changes to `glow` are not seen.
    /// Each step runs in `tiles` bands of rows (at most one per row); 0: one per decode thread.
    explicit CpuGlow(GlowImpl& glow, int tiles = 0);
    ~CpuGlow();
    CpuGlow(const CpuGlow&) = delete;
    CpuGlow& operator=(const CpuGlow&) = delete;

    /// Model-space image x (image_size^2 values, before fromModelSpace) of one latent `u`
    /// (layout().total values) under the condition vector `cond` (conditionDim() values, the
    /// one-hot attributes), using `threads` threads.
    void decode(const float* u, const std::vector<float>& cond, float* x, int threads);

    /// Standardised latent u (layout().total values) of one model-space image `x`: the inverse
    /// of decode, what GlowImpl::encode gives as `u` (without the log-density).
    void encode(const float* x, const std::vector<float>& cond, float* u, int threads);

    /// Multiply-adds one decode on one thread executes (the cond channels' convolutions are not
    /// among them; each further tile recomputes two rows of the first two convolutions).
    std::int64_t multiplyAdds() const { return multiply_adds_; }

    struct Conv3x3;
    struct Step;
    struct Level;
    struct Workspace;
    struct Tile;
    struct ConditionTables;

private:
    const ConditionTables& tablesFor(const std::vector<float>& cond);
    void requireCondition(const std::vector<float>& cond) const;
    void prepareWorkspaces(int threads);
    template <class Element>
    void forEachCoupledPixel(const Level& level, const Step& step, const std::vector<float>& table, const Tile& tile,
                             float* state, Workspace& w, int threads, Element&& element) const;
    void couplingNetwork(const Level& level, const Step& step, const std::vector<float>& table, const Tile& tile,
                         const float* state, Workspace& w, int threads) const;
    void forwardStep(Level& level, int step, const ConditionTables& tables, int threads);
    void encodePrior(Level& level, const ConditionTables& tables, float* u, int threads);
    void squeezeFrom(Level& level, const float* below, bool from_image);
    void decodePrior(Level& level, const ConditionTables& tables, const float* u, int threads);
    /// Runs `body(tile, workspace, threads)` for the row tiles of `level` on `threads` threads.
    template <class TileBody>
    void forEachTile(const Level& level, int threads, TileBody&& body);
    void invertStep(Level& level, int step, const ConditionTables& tables, int threads);
    void invertTile(Level& level, const Step& step, const std::vector<float>& table, const Tile& tile, Workspace& w,
                    int threads);
    void unsqueezeInto(const Level& level, float* out, bool to_image);

    FlowConfig config_;
    LatentLayout layout_;
    std::vector<std::unique_ptr<Level>> levels_;
    std::map<std::vector<float>, std::unique_ptr<ConditionTables>> tables_;
    std::vector<float> scratch_;  // the priors' im2col columns or stacked taps
    std::vector<Workspace> workspaces_;  // one per thread of the widest team so far
    std::int64_t workspace_floats_[4] = {0, 0, 0, 0};  // scratch, hidden grid, padded hidden, coupling
    std::int64_t multiply_adds_ = 0;
    int tiles_ = 0;
};

}  // namespace dpflow
