#include "flow/cpu_glow.h"

#include "flow/pixel_logit.h"

#include <oneapi/dnnl/dnnl.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

namespace dpflow {
namespace {

constexpr float kMaxActivation = static_cast<float>(AffineCouplingImpl::kMaxActivation);
constexpr float kMinInverseScale = static_cast<float>(AffineCouplingImpl::kMinInverseScale);
constexpr double kMaxPriorLogScale = GlowImpl::kMaxPriorLogScale;
constexpr std::int64_t kParallelWork = 32768;  // elements below which a pass stays on one thread

/// A level's s x s maps as the decoder keeps them: each channel zero-padded to (s+2) x (s+2),
/// so that the 3x3 neighbour (dy, dx) of grid position p is at p + dy * stride + dx. A
/// convolution's output lives on the grid: s rows of stride() positions, the last two of each
/// row outside the image.
struct Geometry {
    int s = 0;
    std::int64_t stride() const { return s + 2; }
    std::int64_t padded() const { return stride() * stride(); }  // floats per padded channel
    std::int64_t grid() const { return s * stride(); }           // positions of a conv output
    std::int64_t interior() const { return stride() + 1; }      // padded index of pixel (0, 0)
    std::int64_t pad(int y, int x) const { return (y + 1) * stride() + x + 1; }
};

/// Floats a padded buffer of `channels` needs: a conv reads up to two past the last channel.
std::int64_t paddedFloats(const Geometry& g, int channels) { return g.padded() * channels + 16; }

void gemm(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda, const float* b,
          std::int64_t ldb, float* c, std::int64_t ldc) {
    const dnnl_status_t status = dnnl_sgemm('N', 'N', m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
    if (status != dnnl_success) throw std::runtime_error("oneDNN sgemm failed with status " + std::to_string(status));
}

template <class Body>
void forEach(int count, std::int64_t work_each, int threads, Body&& body) {
    if (threads > 1 && count > 1 && count * work_each >= kParallelWork) {
#pragma omp parallel for num_threads(threads) schedule(static)
        for (int i = 0; i < count; ++i) body(i);
    } else {
        for (int i = 0; i < count; ++i) body(i);
    }
}

std::vector<double> toDoubles(const torch::Tensor& t) {
    const auto c = t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
    return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

std::vector<float> toFloats(const torch::Tensor& t) {
    const auto c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

float sigmoid(float v) { return 1.0f / (1.0f + std::exp(-v)); }

/// Which rows dy of a 3x3 kernel fall inside the image for output row y of s rows.
bool tapInside(int y, int d, int s) { return y + d - 1 >= 0 && y + d - 1 < s; }

/// The border class of a row or column: 0 the first, 2 the last, 1 any other; and a row of
/// each class (the first row is both first and last when s is 1).
int borderClass(int y, int s) { return y == 0 ? 0 : (y == s - 1 ? 2 : 1); }
int representative(int border_class, int s) { return border_class == 0 ? 0 : (border_class == 2 ? s - 1 : std::min(1, s - 1)); }

}  // namespace

struct CpuGlow::Conv3x3 {
    int in = 0, out = 0;
    bool gather = false;     // im2col (in <= out), else all 9 taps' weights stacked
    std::vector<float> a;    // gather: [out][in * 9]; stacked: [9 * out][in]
    std::vector<float> bias;  // [out]

    /// `weight` [out, in, 3, 3], each output row scaled by `scale` (undefined: 1).
    Conv3x3(const torch::Tensor& weight, const torch::Tensor& bias_tensor, const torch::Tensor& scale) {
        out = static_cast<int>(weight.size(0));
        in = static_cast<int>(weight.size(1));
        gather = in <= out;
        auto w = weight.detach().to(torch::kCPU, torch::kFloat64);
        auto b = bias_tensor.defined() ? bias_tensor.detach().to(torch::kCPU, torch::kFloat64) : torch::zeros({out}, torch::kFloat64);
        if (scale.defined()) {
            const auto sc = scale.detach().to(torch::kCPU, torch::kFloat64).view({out});
            w = w * sc.view({out, 1, 1, 1});
            b = b * sc;
        }
        a = gather ? toFloats(w.reshape({out, in * 9})) : toFloats(w.permute({2, 3, 0, 1}).reshape({9 * out, in}));
        bias = toFloats(b);
    }
    Conv3x3() = default;

    /// Columns of the stacked taps' product for `positions` output positions on rows of `stride`.
    static std::int64_t stackedColumns(std::int64_t positions, std::int64_t stride) { return positions + 2 * stride + 2; }

    std::int64_t scratchFloats(std::int64_t positions, std::int64_t stride) const {
        return gather ? 9 * in * positions : 9 * out * stackedColumns(positions, stride);
    }
    std::int64_t multiplyAdds(std::int64_t positions, std::int64_t stride) const {
        return static_cast<std::int64_t>(9) * in * out * (gather ? positions : stackedColumns(positions, stride));
    }

    /// out [out][out_ld] = conv(in) without the bias, for `positions` grid positions: `in` is a
    /// padded map of rows of `stride` (channel stride `in_stride`) starting at the row above the
    /// first output row, so tap (dy, dx) of output position q is in[q + dy * stride + dx].
    void run(const float* input, std::int64_t in_stride, std::int64_t positions, float* output, std::int64_t out_ld,
             std::int64_t stride, float* scratch, int threads) const {
        const auto tap = [stride](int k) { return (k / 3) * stride + k % 3; };
        if (gather) {
            forEach(in * 9, positions, threads, [&](int row) {
                std::memcpy(scratch + row * positions, input + (row / 9) * in_stride + tap(row % 9), sizeof(float) * positions);
            });
            gemm(out, positions, in * 9, a.data(), in * 9, scratch, positions, output, out_ld);
            return;
        }
        // The product's last columns serve only positions outside the image; past the input
        // channel's end (a whole level's map) they are left as they were.
        const std::int64_t columns = stackedColumns(positions, stride);
        gemm(9 * out, std::min(columns, in_stride), in, a.data(), in, input, in_stride, scratch, columns);
        forEach(out, 9 * positions, threads, [&](int o) {
            float* dst = output + o * out_ld;
            const float* first = scratch + static_cast<std::int64_t>(o) * columns;
            std::copy(first, first + positions, dst);
            for (int k = 1; k < 9; ++k) {
                const float* src = scratch + (static_cast<std::int64_t>(k) * out + o) * columns + tap(k);
                for (std::int64_t q = 0; q < positions; ++q) dst[q] += src[q];
            }
        });
    }
};

struct CpuGlow::Step {
    Conv3x3 first;                   // the data half's channels only; bias and cond in the tables
    std::vector<double> first_cond;  // [hidden][cond_dim][3][3]
    std::vector<double> first_bias;  // [hidden]
    std::vector<float> middle, middle_bias;  // [hidden][hidden], [hidden]
    Conv3x3 output;                          // (shift, raw), ZeroConv2d's exp(3 logs) folded in
    std::vector<float> inverse, inverse_bias;  // ActNorm and 1x1 inverted: [C][C], [C]
    std::vector<float> forward, forward_shift;  // ActNorm then 1x1, A (x + loc): [C][C], [C]
    float min_scale = 0.0f;
};

struct CpuGlow::Level {
    size_t index = 0;  // in levels_, the bottom level first
    Geometry g;
    int channels = 0;
    int hidden = 0;
    bool top = false;
    std::int64_t latent_offset = 0;
    Conv3x3 prior;                   // split levels: kept half -> (mean, logsd), scale folded in
    std::vector<double> prior_cond;  // [2 * latent channels][cond_dim], the prior's linear map
    std::vector<double> top_base;    // top level: [2C][s * s]
    std::vector<Step> steps;
    std::vector<float> buffers[2];  // the flow's state, padded, [C][padded]; ping-pong
    int current = 0;
    std::vector<float> prior_grid;

    float* state() { return buffers[current].data(); }
    const float* state() const { return buffers[current].data(); }
};

/// One thread's buffers for a tile of a step: the coupling network's hidden maps and output, and
/// im2col columns or stacked taps.
struct CpuGlow::Workspace {
    std::vector<float> scratch, hidden_grid, hidden_padded, coupling_grid;

    explicit Workspace(const std::int64_t (&floats)[4])
        : scratch(static_cast<size_t>(floats[0] + 16)), hidden_grid(static_cast<size_t>(floats[1] + 16)),
          hidden_padded(static_cast<size_t>(floats[2] + 16)), coupling_grid(static_cast<size_t>(floats[3] + 16)) {}
};

/// Where a tile of output rows [y0, y1) reads and writes. The first two convolutions run on the
/// rows [ya, yb): one more on each side inside the image, the 3x3 output convolution's halo.
struct CpuGlow::Tile {
    int y0 = 0, y1 = 0, ya = 0, yb = 0;
    Tile(int first, int end, int s) : y0(first), y1(end), ya(std::max(0, first - 1)), yb(std::min(s, end + 1)) {}
    std::int64_t hiddenPositions(std::int64_t stride) const { return (yb - ya) * stride; }
    std::int64_t ownPositions(std::int64_t stride) const { return (y1 - y0) * stride; }
    /// Channel stride of the tile's padded hidden map: rows y0 - 1 .. y1 of the image, and the
    /// two floats the stacked taps read past the end.
    std::int64_t paddedHiddenStride(std::int64_t stride) const { return (y1 - y0 + 2) * stride + 2; }
};

struct CpuGlow::ConditionTables {
    // Per level, per step: [hidden][3][3] bias plus the one-hot channels' contribution, by the
    // border class of the row and of the column.
    std::vector<std::vector<std::vector<float>>> first;
    std::vector<std::vector<float>> prior_bias;  // split levels: [C] (mean, logsd)
    std::vector<std::vector<float>> top_mean, top_scale;  // top level: [C][s * s]
    std::vector<std::vector<float>> top_inverse_sd;       // top level: exp(-logsd), [C][s * s]
};

CpuGlow::CpuGlow(GlowImpl& glow, int tiles) : config_(glow.config()), layout_(glow.layout()), tiles_(tiles) {
    torch::NoGradGuard no_grad;
    const int cond_dim = config_.conditionDim();
    std::int64_t scratch = 0;
    int size = config_.image_size;
    for (size_t i = 0; i < glow.levels->size(); ++i) {
        auto& module = *glow.levels[i]->as<GlowLevelImpl>();
        const auto& block = layout_.levels[i];
        auto level = std::make_unique<Level>();
        level->index = i;
        level->g.s = size / 2;
        level->top = module.top;
        level->channels = module.top ? block.channels : 2 * block.channels;
        level->hidden = config_.hidden_channels;
        level->latent_offset = block.offset;
        const Geometry& g = level->g;
        const int c = level->channels;
        if (module.top) {
            level->top_base = toDoubles(module.prior->base.view({2 * c, g.s * g.s}));
        } else {
            auto& conv = *module.prior->conv;
            level->prior = Conv3x3(conv.weight, conv.bias, torch::exp(conv.logs * 3.0));
            scratch = std::max(scratch, level->prior.scratchFloats(g.grid(), g.stride()));
            multiply_adds_ += level->prior.multiplyAdds(g.grid(), g.stride());
            level->prior_grid.assign(static_cast<size_t>(c * g.grid()), 0.0f);
        }
        if (module.prior->cond) level->prior_cond = toDoubles(module.prior->cond->weight);
        for (const auto& step_module : *module.steps) {
            auto& flow_step = *step_module->as<FlowStepImpl>();
            auto& coupling = *flow_step.coupling;
            Step step;
            const auto& first = coupling.firstConv();
            step.first = Conv3x3(first.weight.narrow(1, 0, c / 2), torch::Tensor(), torch::Tensor());
            step.first_cond = toDoubles(first.weight.narrow(1, c / 2, cond_dim));
            step.first_bias = toDoubles(first.bias);
            const auto& middle = coupling.middleConv();
            step.middle = toFloats(middle.weight.view({level->hidden, level->hidden}));
            step.middle_bias = toFloats(middle.bias);
            const auto& output = coupling.outputConv();
            step.output = Conv3x3(output.weight, output.bias, torch::exp(output.logs * 3.0));
            const auto [inverse, inverse_bias] = flow_step.foldedInverse();
            step.inverse = toFloats(inverse);
            step.inverse_bias = toFloats(inverse_bias);
            const auto [forward, forward_shift] = flow_step.foldedForward();
            step.forward = toFloats(forward);
            step.forward_shift = toFloats(forward_shift);
            step.min_scale = static_cast<float>(coupling.minScale());
            level->steps.push_back(std::move(step));
        }
        // Workspaces for the largest tile: the whole level, or fewer rows and their halo.
        const std::int64_t hidden = level->hidden, stride = g.stride();
        const std::int64_t most_hidden = (g.s + 2) * stride, most_own = g.grid();
        for (const Step& step : level->steps) {
            workspace_floats_[0] = std::max({workspace_floats_[0], step.first.scratchFloats(most_hidden, stride),
                                             step.output.scratchFloats(most_own, stride)});
            multiply_adds_ += step.first.multiplyAdds(g.grid(), stride) + hidden * hidden * g.grid() +
                              step.output.multiplyAdds(g.grid(), stride) + static_cast<std::int64_t>(c) * c * g.grid();
        }
        workspace_floats_[1] = std::max(workspace_floats_[1], hidden * most_hidden);
        workspace_floats_[2] = std::max(workspace_floats_[2], hidden * ((g.s + 2) * stride + 2));
        workspace_floats_[3] = std::max(workspace_floats_[3], static_cast<std::int64_t>(c) * most_own);
        for (auto& buffer : level->buffers) buffer.assign(static_cast<size_t>(paddedFloats(g, c)), 0.0f);
        levels_.push_back(std::move(level));
        size /= 2;
    }
    scratch_.assign(static_cast<size_t>(scratch + 16), 0.0f);
}

CpuGlow::~CpuGlow() = default;

const CpuGlow::ConditionTables& CpuGlow::tablesFor(const std::vector<float>& cond) {
    if (auto found = tables_.find(cond); found != tables_.end()) return *found->second;
    if (tables_.size() >= 256) tables_.clear();  // every attribute combination of any shipped model fits
    const int cond_dim = config_.conditionDim();
    auto tables = std::make_unique<ConditionTables>();
    for (const auto& level : levels_) {
        const int s = level->g.s, c = level->channels, hidden = level->hidden;
        // The prior's linear map of the attributes: one value per stats channel.
        const int stats = level->top ? 2 * c : c;
        std::vector<double> linear(static_cast<size_t>(stats), 0.0);
        for (int o = 0; o < stats && !level->prior_cond.empty(); ++o) {
            for (int a = 0; a < cond_dim; ++a) linear[o] += level->prior_cond[o * cond_dim + a] * cond[a];
        }
        if (level->top) {
            const size_t n = static_cast<size_t>(c * s * s);
            std::vector<float> mean(n), scale(n), inverse_sd(n);
            for (int ch = 0; ch < c; ++ch) {
                for (int i = 0; i < s * s; ++i) {
                    mean[ch * s * s + i] = static_cast<float>(level->top_base[ch * s * s + i] + linear[ch]);
                    const double logsd = level->top_base[(c + ch) * s * s + i] + linear[c + ch];
                    scale[ch * s * s + i] = static_cast<float>(std::exp(std::min(logsd, kMaxPriorLogScale)));
                    inverse_sd[ch * s * s + i] = static_cast<float>(std::exp(-logsd));
                }
            }
            tables->top_mean.push_back(std::move(mean));
            tables->top_scale.push_back(std::move(scale));
            tables->top_inverse_sd.push_back(std::move(inverse_sd));
            tables->prior_bias.emplace_back();
        } else {
            std::vector<float> bias(static_cast<size_t>(c));
            for (int o = 0; o < c; ++o) bias[o] = level->prior.bias[o] + static_cast<float>(linear[o]);
            tables->prior_bias.push_back(std::move(bias));
            tables->top_mean.emplace_back();
            tables->top_scale.emplace_back();
            tables->top_inverse_sd.emplace_back();
        }
        std::vector<std::vector<float>> per_step;
        for (const auto& step : level->steps) {
            std::vector<float> table(static_cast<size_t>(hidden * 9));
            for (int o = 0; o < hidden; ++o) {
                for (int rc = 0; rc < 3; ++rc) {
                    for (int cc = 0; cc < 3; ++cc) {
                        const int y = representative(rc, s), x = representative(cc, s);
                        double sum = step.first_bias[o];
                        for (int a = 0; a < cond_dim; ++a) {
                            if (cond[a] == 0.0f) continue;
                            for (int dy = 0; dy < 3; ++dy) {
                                for (int dx = 0; dx < 3; ++dx) {
                                    if (tapInside(y, dy, s) && tapInside(x, dx, s)) {
                                        sum += cond[a] * step.first_cond[((o * cond_dim + a) * 3 + dy) * 3 + dx];
                                    }
                                }
                            }
                        }
                        table[o * 9 + rc * 3 + cc] = static_cast<float>(sum);
                    }
                }
            }
            per_step.push_back(std::move(table));
        }
        tables->first.push_back(std::move(per_step));
    }
    return *tables_.emplace(cond, std::move(tables)).first->second;
}

void CpuGlow::decodePrior(Level& level, const ConditionTables& tables, const float* u, int threads) {
    const Geometry& g = level.g;
    const int s = g.s, c = level.channels;
    const size_t level_index = level.index;
    float* state = level.state();
    const float* ui = u + level.latent_offset;
    if (level.top) {
        const auto& mean = tables.top_mean[level_index];
        const auto& scale = tables.top_scale[level_index];
        forEach(c, s * s, threads, [&](int ch) {
            for (int y = 0; y < s; ++y) {
                float* row = state + ch * g.padded() + g.pad(y, 0);
                const std::int64_t i = (static_cast<std::int64_t>(ch) * s + y) * s;
                for (int x = 0; x < s; ++x) {
                    row[x] = std::clamp(mean[i + x] + scale[i + x] * ui[i + x], -kMaxActivation, kMaxActivation);
                }
            }
        });
        return;
    }
    const int half = c / 2;
    level.prior.run(state, g.padded(), g.grid(), level.prior_grid.data(), g.grid(), g.stride(), scratch_.data(), threads);
    const auto& bias = tables.prior_bias[level_index];
    forEach(half, s * s, threads, [&](int ch) {
        const float* mean_row = level.prior_grid.data() + ch * g.grid();
        const float* logsd_row = level.prior_grid.data() + (half + ch) * g.grid();
        for (int y = 0; y < s; ++y) {
            float* row = state + (half + ch) * g.padded() + g.pad(y, 0);
            const float* u_row = ui + (static_cast<std::int64_t>(ch) * s + y) * s;
            for (int x = 0; x < s; ++x) {
                const std::int64_t p = y * g.stride() + x;
                const float mean = mean_row[p] + bias[ch];
                const float logsd = logsd_row[p] + bias[half + ch];
                const float sd = std::exp(std::min(logsd, static_cast<float>(kMaxPriorLogScale)));
                row[x] = std::clamp(mean + sd * u_row[x], -kMaxActivation, kMaxActivation);
            }
        }
    });
}

template <class TileBody>
void CpuGlow::forEachTile(const Level& level, int threads, TileBody&& body) {
    const int s = level.g.s;
    const int wanted = std::clamp(tiles_ > 0 ? tiles_ : threads, 1, s);
    const int rows = (s + wanted - 1) / wanted;
    const int tiles = (s + rows - 1) / rows;
    // Tiles are independent within a coupling: each reads the state's first half (and its own
    // rows of the second), and writes its own rows of the second half and of the other buffer.
    // So a coupling is one parallel region of single-threaded tiles (rather than a team at every
    // pass), at the price of the first two convolutions recomputing one row above and below each.
    if (tiles > 1 && threads > 1) {
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
        for (int t = 0; t < tiles; ++t) body(Tile(t * rows, std::min(s, (t + 1) * rows), s), workspaces_[omp_get_thread_num()], 1);
    } else {
        for (int t = 0; t < tiles; ++t) body(Tile(t * rows, std::min(s, (t + 1) * rows), s), workspaces_[0], threads);
    }
}

void CpuGlow::invertStep(Level& level, int k, const ConditionTables& tables, int threads) {
    const Step& step = level.steps[static_cast<size_t>(k)];
    const auto& table = tables.first[level.index][static_cast<size_t>(k)];
    forEachTile(level, threads, [&](const Tile& tile, Workspace& w, int tile_threads) {
        invertTile(level, step, table, tile, w, tile_threads);
    });
    level.current = 1 - level.current;
}

void CpuGlow::couplingNetwork(const Level& level, const Step& step, const std::vector<float>& table, const Tile& tile,
                              const float* state, Workspace& w, int threads) const {
    const Geometry& g = level.g;
    const int s = g.s, hidden = level.hidden;
    const std::int64_t padded = g.padded(), stride = g.stride();
    const std::int64_t gh = tile.hiddenPositions(stride), gt = tile.ownPositions(stride);
    const std::int64_t hp_stride = tile.paddedHiddenStride(stride);
    float* hidden_grid = w.hidden_grid.data();
    float* hidden_padded = w.hidden_padded.data();
    float* coupling = w.coupling_grid.data();

    // Coupling network, first convolution on rows [ya, yb): data half, then bias and attributes
    // by border class, ReLU.
    step.first.run(state + tile.ya * stride, padded, gh, hidden_grid, gh, stride, w.scratch.data(), threads);
    forEach(hidden, gh, threads, [&](int o) {
        const float* t = table.data() + o * 9;
        for (int y = tile.ya; y < tile.yb; ++y) {
            float* row = hidden_grid + o * gh + (y - tile.ya) * stride;
            const float* tr = t + borderClass(y, s) * 3;  // first, inner, last column
            const float inner = tr[1];
            row[0] = std::max(row[0] + tr[0], 0.0f);
            for (int x = 1; x < s - 1; ++x) row[x] = std::max(row[x] + inner, 0.0f);
            if (s > 1) row[s - 1] = std::max(row[s - 1] + tr[2], 0.0f);
            row[s] = 0.0f;
            row[s + 1] = 0.0f;
        }
    });
    // Middle 1x1 convolution into the tile's padded map (image rows y0 - 1 .. y1); rows outside
    // the image are zero padding.
    float* first_row = hidden_padded + (tile.ya - tile.y0 + 1) * stride + 1;
    gemm(hidden, gh, hidden, step.middle.data(), hidden, hidden_grid, gh, first_row, hp_stride);
    forEach(hidden, gh, threads, [&](int o) {
        float* map = hidden_padded + o * hp_stride;
        const float b = step.middle_bias[o];
        // The workspace served other tiles and levels before: every border is written here.
        if (tile.ya == tile.y0) std::fill(map, map + stride, 0.0f);
        for (int y = tile.ya; y < tile.yb; ++y) {
            float* row = map + (y - tile.y0 + 1) * stride + 1;
            row[-1] = 0.0f;  // left border
            for (int x = 0; x < s; ++x) row[x] = std::max(row[x] + b, 0.0f);
            row[s] = 0.0f;  // right border
        }
        if (tile.yb == tile.y1) std::fill(map + (tile.y1 - tile.y0 + 1) * stride, map + hp_stride, 0.0f);
        map[hp_stride - 2] = 0.0f;  // the two floats past the last row
        map[hp_stride - 1] = 0.0f;
    });
    // Output convolution on the tile's own rows: (shift, raw), without their bias.
    step.output.run(hidden_padded, hp_stride, gt, coupling, gt, stride, w.scratch.data(), threads);
}

/// Runs the coupling network on `tile` and calls element(changed, kept, shift, scale) for each
/// pixel of the tile's rows: `changed` the state's second-half value, `kept` the first-half
/// value of the same channel offset, (shift, scale) the coupling's affine there.
template <class Element>
void CpuGlow::forEachCoupledPixel(const Level& level, const Step& step, const std::vector<float>& table, const Tile& tile,
                                  float* state, Workspace& w, int threads, Element&& element) const {
    couplingNetwork(level, step, table, tile, state, w, threads);
    const Geometry& g = level.g;
    const int s = g.s, half = level.channels / 2;
    const std::int64_t padded = g.padded(), stride = g.stride(), gt = tile.ownPositions(stride);
    const float* coupling = w.coupling_grid.data();
    const float m = step.min_scale;
    forEach(half, gt, threads, [&](int o) {
        const float* shift_row = coupling + o * gt;
        const float* raw_row = coupling + (half + o) * gt;
        const float shift_bias = step.output.bias[o], raw_bias = step.output.bias[half + o];
        for (int y = tile.y0; y < tile.y1; ++y) {
            float* kept = state + o * padded + g.pad(y, 0);
            float* changed = state + (half + o) * padded + g.pad(y, 0);
            for (int x = 0; x < s; ++x) {
                const std::int64_t q = (y - tile.y0) * stride + x;
                const float scale = m + (1.0f - m) * sigmoid(raw_row[q] + raw_bias + 2.0f);
                element(changed[x], kept[x], shift_row[q] + shift_bias, scale);
            }
        }
    });
}

void CpuGlow::invertTile(Level& level, const Step& step, const std::vector<float>& table, const Tile& tile, Workspace& w,
                            int threads) {
    const Geometry& g = level.g;
    const int s = g.s, c = level.channels;
    const std::int64_t padded = g.padded(), stride = g.stride();
    const std::int64_t gt = tile.ownPositions(stride);
    float* state = level.state();
    forEachCoupledPixel(level, step, table, tile, state, w, threads, [](float& changed, float& kept, float shift, float scale) {
        changed = std::clamp(changed / std::max(scale, kMinInverseScale) - shift, -kMaxActivation, kMaxActivation);
        // Neighbouring tiles read the kept half; written only where the bound bites (saturated
        // decodes far from the data), never in a decode of data.
        if (std::abs(kept) > kMaxActivation) kept = std::clamp(kept, -kMaxActivation, kMaxActivation);
    });
    // ActNorm and the 1x1 convolution inverted: one affine map of the tile's rows into the
    // other buffer.
    float* next = level.buffers[1 - level.current].data();
    const std::int64_t offset = g.interior() + tile.y0 * stride;
    gemm(c, gt, c, step.inverse.data(), c, state + offset, padded, next + offset, padded);
    forEach(c, gt, threads, [&](int o) {
        const float b = step.inverse_bias[o];
        for (int y = tile.y0; y < tile.y1; ++y) {
            float* row = next + o * padded + g.pad(y, 0);
            for (int x = 0; x < s; ++x) row[x] += b;
            row[s] = 0.0f;
            row[s + 1] = 0.0f;
        }
    });
}

void CpuGlow::unsqueezeInto(const Level& level, float* out, bool to_image) {
    const Geometry& g = level.g;
    const int s = g.s, out_channels = level.channels / 4;
    const Geometry up{2 * s};
    const float* state = level.state();
    for (int c = 0; c < out_channels; ++c) {
        for (int y = 0; y < s; ++y) {
            for (int x = 0; x < s; ++x) {
                for (int dy = 0; dy < 2; ++dy) {
                    for (int dx = 0; dx < 2; ++dx) {
                        const float v = state[(c * 4 + dy * 2 + dx) * g.padded() + g.pad(y, x)];
                        if (to_image) {
                            out[(static_cast<std::int64_t>(c) * 2 * s + 2 * y + dy) * 2 * s + 2 * x + dx] = v;
                        } else {
                            out[c * up.padded() + up.pad(2 * y + dy, 2 * x + dx)] = v;
                        }
                    }
                }
            }
        }
    }
}

void CpuGlow::decode(const float* u, const std::vector<float>& cond, float* x, int threads) {
    requireCondition(cond);
    threads = std::max(threads, 1);
    const int previous = omp_get_max_threads();
    omp_set_num_threads(threads);  // oneDNN's sgemm takes its team size from here
    const ConditionTables& tables = tablesFor(cond);
    prepareWorkspaces(threads);
    for (int i = static_cast<int>(levels_.size()) - 1; i >= 0; --i) {
        Level& level = *levels_[static_cast<size_t>(i)];
        decodePrior(level, tables, u, threads);
        for (int k = static_cast<int>(level.steps.size()) - 1; k >= 0; --k) invertStep(level, k, tables, threads);
        if (i == 0) {
            unsqueezeInto(level, x, true);
            const PixelLogit pixels{config_.pixel_logit_alpha};
            if (pixels.enabled()) {
                for (std::int64_t p = 0; p < config_.latentDim(); ++p) x[p] = pixels.fromFlow(x[p]);
            }
        } else {
            unsqueezeInto(level, levels_[static_cast<size_t>(i - 1)]->state(), false);
        }
    }
    omp_set_num_threads(previous);
}

void CpuGlow::prepareWorkspaces(int threads) {
    while (static_cast<int>(workspaces_.size()) < threads) workspaces_.emplace_back(workspace_floats_);
}

void CpuGlow::forwardStep(Level& level, int k, const ConditionTables& tables, int threads) {
    const Step& step = level.steps[static_cast<size_t>(k)];
    const auto& table = tables.first[level.index][static_cast<size_t>(k)];
    const Geometry& g = level.g;
    const int s = g.s, c = level.channels;
    const std::int64_t padded = g.padded();
    // ActNorm and the 1x1 convolution, A (x + loc), for the whole level into the other buffer
    // (the coupling network of a tile reads its neighbours' rows of the result). The shift goes
    // into this buffer's interior, which is not read again.
    float* state = level.state();
    float* next = level.buffers[1 - level.current].data();
    forEach(c, g.grid(), threads, [&](int o) {
        const float loc = step.forward_shift[o];
        for (int y = 0; y < s; ++y) {
            float* row = state + o * padded + g.pad(y, 0);
            for (int x = 0; x < s; ++x) row[x] += loc;
        }
    });
    gemm(c, g.grid(), c, step.forward.data(), c, state + g.interior(), padded, next + g.interior(), padded);
    forEach(c, g.grid(), threads, [&](int o) {
        for (int y = 0; y < s; ++y) {
            float* row = next + o * padded + g.pad(y, 0);
            row[s] = 0.0f;
            row[s + 1] = 0.0f;
        }
    });
    level.current = 1 - level.current;
    // The coupling, in tiles as in invertStep: y_b = (x_b + shift) * scale.
    forEachTile(level, threads, [&](const Tile& tile, Workspace& w, int tile_threads) {
        forEachCoupledPixel(level, step, table, tile, level.state(), w, tile_threads,
                            [](float& changed, float&, float shift, float scale) { changed = (changed + shift) * scale; });
    });
}

void CpuGlow::encodePrior(Level& level, const ConditionTables& tables, float* u, int threads) {
    const Geometry& g = level.g;
    const int s = g.s, c = level.channels;
    const float* state = level.state();
    float* ui = u + level.latent_offset;
    if (level.top) {
        const auto& mean = tables.top_mean[level.index];
        const auto& inverse_sd = tables.top_inverse_sd[level.index];
        forEach(c, s * s, threads, [&](int ch) {
            for (int y = 0; y < s; ++y) {
                const float* row = state + ch * g.padded() + g.pad(y, 0);
                const std::int64_t i = (static_cast<std::int64_t>(ch) * s + y) * s;
                for (int x = 0; x < s; ++x) ui[i + x] = (row[x] - mean[i + x]) * inverse_sd[i + x];
            }
        });
        return;
    }
    const int half = c / 2;
    level.prior.run(state, g.padded(), g.grid(), level.prior_grid.data(), g.grid(), g.stride(), scratch_.data(), threads);
    const auto& bias = tables.prior_bias[level.index];
    forEach(half, s * s, threads, [&](int ch) {
        const float* mean_row = level.prior_grid.data() + ch * g.grid();
        const float* logsd_row = level.prior_grid.data() + (half + ch) * g.grid();
        for (int y = 0; y < s; ++y) {
            const float* row = state + (half + ch) * g.padded() + g.pad(y, 0);
            float* u_row = ui + (static_cast<std::int64_t>(ch) * s + y) * s;
            for (int x = 0; x < s; ++x) {
                const std::int64_t p = y * g.stride() + x;
                u_row[x] = (row[x] - (mean_row[p] + bias[ch])) * std::exp(-(logsd_row[p] + bias[half + ch]));
            }
        }
    });
}

void CpuGlow::squeezeFrom(Level& level, const float* below, bool from_image) {
    const Geometry& g = level.g;
    const int s = g.s, in_channels = level.channels / 4;
    const Geometry down{2 * s};
    const PixelLogit pixels{config_.pixel_logit_alpha};  // the flow's first layer, on the image
    float* state = level.state();
    for (int c = 0; c < in_channels; ++c) {
        for (int y = 0; y < s; ++y) {
            for (int x = 0; x < s; ++x) {
                for (int dy = 0; dy < 2; ++dy) {
                    for (int dx = 0; dx < 2; ++dx) {
                        state[(c * 4 + dy * 2 + dx) * g.padded() + g.pad(y, x)] =
                            from_image ? pixels.toFlow(below[(static_cast<std::int64_t>(c) * 2 * s + 2 * y + dy) * 2 * s + 2 * x + dx])
                                       : below[c * down.padded() + down.pad(2 * y + dy, 2 * x + dx)];
                    }
                }
            }
        }
    }
}

void CpuGlow::encode(const float* x, const std::vector<float>& cond, float* u, int threads) {
    requireCondition(cond);
    threads = std::max(threads, 1);
    const int previous = omp_get_max_threads();
    omp_set_num_threads(threads);
    const ConditionTables& tables = tablesFor(cond);
    prepareWorkspaces(threads);
    for (size_t i = 0; i < levels_.size(); ++i) {
        Level& level = *levels_[i];
        squeezeFrom(level, i == 0 ? x : levels_[i - 1]->state(), i == 0);
        for (int k = 0; k < static_cast<int>(level.steps.size()); ++k) forwardStep(level, k, tables, threads);
        encodePrior(level, tables, u, threads);
    }
    omp_set_num_threads(previous);
}

void CpuGlow::requireCondition(const std::vector<float>& cond) const {
    if (static_cast<int>(cond.size()) != config_.conditionDim()) {
        throw std::invalid_argument("CpuGlow: condition vector of " + std::to_string(cond.size()) + " values, the model needs " +
                                    std::to_string(config_.conditionDim()));
    }
}

}  // namespace dpflow
