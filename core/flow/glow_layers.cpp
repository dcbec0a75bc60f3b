#include "flow/glow_layers.h"

namespace dpflow {
namespace {

// Spatial positions per sample: per-channel log-determinants count once per position.
double positions(const torch::Tensor& x) { return static_cast<double>(x.size(2) * x.size(3)); }

torch::Tensor conditionMap(const torch::Tensor& cond, const torch::Tensor& like) {
    return cond.view({cond.size(0), cond.size(1), 1, 1}).expand({like.size(0), cond.size(1), like.size(2), like.size(3)});
}

}  // namespace

torch::Tensor squeeze2(const torch::Tensor& x) {
    const auto b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    return x.view({b, c, h / 2, 2, w / 2, 2}).permute({0, 1, 3, 5, 2, 4}).reshape({b, c * 4, h / 2, w / 2});
}

torch::Tensor unsqueeze2(const torch::Tensor& x) {
    const auto b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    return x.view({b, c / 4, 2, 2, h, w}).permute({0, 1, 4, 2, 5, 3}).reshape({b, c / 4, h * 2, w * 2});
}

ActNormImpl::ActNormImpl(int channels) {
    loc = register_parameter("loc", torch::zeros({1, channels, 1, 1}));
    logs = register_parameter("logs", torch::zeros({1, channels, 1, 1}));
    initialized = register_buffer("initialized", torch::zeros({}, torch::kUInt8));
}

torch::Tensor ActNormImpl::forward(const torch::Tensor& x, torch::Tensor& logdet) {
    if (is_training() && initialized.item<uint8_t>() == 0) {
        torch::NoGradGuard no_grad;
        const auto mean = x.mean({0, 2, 3}, true);
        const auto std = x.std({0, 2, 3}, false, true);
        loc.copy_(-mean);
        logs.copy_(-torch::log(std + 1e-6));
        initialized.fill_(1);
    }
    logdet = logdet + positions(x) * logs.sum();
    return (x + loc) * torch::exp(logs);
}

torch::Tensor ActNormImpl::inverse(const torch::Tensor& y) { return y * torch::exp(-logs) - loc; }

InvConv1x1Impl::InvConv1x1Impl(int channels) {
    const auto q = std::get<0>(torch::linalg_qr(torch::randn({channels, channels}, torch::kFloat64)));
    const auto [p, l, u] = torch::linalg_lu(q);
    const auto s = torch::diagonal(u);
    perm = register_buffer("perm", p.to(torch::kFloat32));
    sign_s = register_buffer("sign_s", torch::sign(s).to(torch::kFloat32));
    lower = register_parameter("lower", torch::tril(l, -1).to(torch::kFloat32));
    upper = register_parameter("upper", torch::triu(u, 1).to(torch::kFloat32));
    log_s = register_parameter("log_s", torch::log(torch::abs(s)).to(torch::kFloat32));
}

torch::Tensor InvConv1x1Impl::weight64() const {
    const auto opts = torch::TensorOptions().dtype(torch::kFloat64).device(lower.device());
    const auto eye = torch::eye(lower.size(0), opts);
    const auto l = torch::tril(lower.to(torch::kFloat64), -1) + eye;
    const auto u = torch::triu(upper.to(torch::kFloat64), 1) +
                   torch::diag(sign_s.to(torch::kFloat64) * torch::exp(log_s.to(torch::kFloat64)));
    return perm.to(torch::kFloat64).matmul(l).matmul(u);
}

torch::Tensor InvConv1x1Impl::forward(const torch::Tensor& x, torch::Tensor& logdet) {
    // W is assembled in float64 (differentiably) so encode matches the float64 inverse used by
    // decode and by the Python reference to float32 rounding.
    const auto c = lower.size(0);
    logdet = logdet + positions(x) * log_s.sum();
    return torch::conv2d(x, weight64().to(x.scalar_type()).view({c, c, 1, 1}));
}

torch::Tensor InvConv1x1Impl::inverse(const torch::Tensor& y) {
    const auto c = lower.size(0);
    const auto inv = torch::inverse(weight64()).to(y.scalar_type());
    return torch::conv2d(y, inv.view({c, c, 1, 1}));
}

ZeroConv2dImpl::ZeroConv2dImpl(int in_channels, int out_channels) {
    weight = register_parameter("weight", torch::zeros({out_channels, in_channels, 3, 3}));
    bias = register_parameter("bias", torch::zeros({out_channels}));
    logs = register_parameter("logs", torch::zeros({1, out_channels, 1, 1}));
}

torch::Tensor ZeroConv2dImpl::forward(const torch::Tensor& x) {
    // GLOW multiplies by exp(3 * logs) so the scale can grow quickly from zero.
    return torch::conv2d(x, weight, bias, 1, 1) * torch::exp(logs * 3.0);
}

AffineCouplingImpl::AffineCouplingImpl(int channels, int hidden_channels, int cond_dim, double min_scale)
    : min_scale_(min_scale) {
    auto first = torch::nn::Conv2d(torch::nn::Conv2dOptions(channels / 2 + cond_dim, hidden_channels, 3).padding(1));
    auto middle = torch::nn::Conv2d(torch::nn::Conv2dOptions(hidden_channels, hidden_channels, 1));
    {
        torch::NoGradGuard no_grad;
        for (auto* conv : {&first, &middle}) {
            (*conv)->weight.normal_(0.0, 0.05);
            (*conv)->bias.zero_();
        }
    }
    net = register_module("net", torch::nn::Sequential(first, torch::nn::ReLU(), middle, torch::nn::ReLU(),
                                                       ZeroConv2d(hidden_channels, channels)));
}

std::pair<torch::Tensor, torch::Tensor> AffineCouplingImpl::shiftAndScale(const torch::Tensor& xa,
                                                                          const torch::Tensor& cond) {
    const auto input = cond.size(1) > 0 ? torch::cat({xa, conditionMap(cond, xa)}, 1) : xa;
    const auto h = net->forward(input);
    const auto parts = h.chunk(2, 1);
    return {parts[0], min_scale_ + (1.0 - min_scale_) * torch::sigmoid(parts[1] + 2.0)};  // exact sigmoid when m = 0
}

torch::Tensor AffineCouplingImpl::forward(const torch::Tensor& x, const torch::Tensor& cond, torch::Tensor& logdet) {
    const auto halves = x.chunk(2, 1);
    const auto [shift, scale] = shiftAndScale(halves[0], cond);
    logdet = logdet + torch::log(scale).flatten(1).sum(1);
    return torch::cat({halves[0], (halves[1] + shift) * scale}, 1);
}

torch::nn::Conv2dImpl& AffineCouplingImpl::firstConv() const { return *net->ptr(0)->as<torch::nn::Conv2dImpl>(); }
torch::nn::Conv2dImpl& AffineCouplingImpl::middleConv() const { return *net->ptr(2)->as<torch::nn::Conv2dImpl>(); }
ZeroConv2dImpl& AffineCouplingImpl::outputConv() const { return *net->ptr(4)->as<ZeroConv2dImpl>(); }

torch::Tensor AffineCouplingImpl::inverse(const torch::Tensor& y, const torch::Tensor& cond) {
    // Noised latents, or attributes changed at decoding, can lead far from the training data,
    // where the scale underflows and the division overflows to inf and then NaN through the
    // next 1x1 convolution. Bounding the divisor and the result keeps every decode finite
    // (saturated, not NaN). Both bounds are far outside what encoding real images produces
    // (scales stay above 1e-2, activations below 1e2), so exactness on data is unchanged.
    const auto halves = y.chunk(2, 1);
    const auto [shift, scale] = shiftAndScale(halves[0], cond);
    const auto restored = halves[1] / scale.clamp_min(kMinInverseScale) - shift;
    return torch::cat({halves[0], restored}, 1).clamp(-kMaxActivation, kMaxActivation);
}

FlowStepImpl::FlowStepImpl(int channels, int hidden_channels, int cond_dim, double min_coupling_scale) {
    actnorm = register_module("actnorm", ActNorm(channels));
    invconv = register_module("invconv", InvConv1x1(channels));
    coupling = register_module("coupling", AffineCoupling(channels, hidden_channels, cond_dim, min_coupling_scale));
}

torch::Tensor FlowStepImpl::forward(const torch::Tensor& x, const torch::Tensor& cond, torch::Tensor& logdet) {
    auto y = actnorm->forward(x, logdet);
    y = invconv->forward(y, logdet);
    return coupling->forward(y, cond, logdet);
}

std::pair<torch::Tensor, torch::Tensor> FlowStepImpl::foldedInverse() const {
    // (ActNorm then W)^-1 y = diag(exp(-logs)) W^-1 y - loc: one 1x1 convolution with bias.
    torch::NoGradGuard no_grad;
    const auto c = invconv->lower.size(0);
    const auto w_inv = torch::inverse(invconv->weight64());
    const auto row_scale = torch::exp(-actnorm->logs.to(torch::kFloat64)).view({c, 1});
    return {row_scale * w_inv, (-actnorm->loc).view({c}).to(torch::kFloat64)};
}

std::pair<torch::Tensor, torch::Tensor> FlowStepImpl::foldedForward() const {
    // W ((x + loc) exp(logs)) = (W diag(exp(logs))) (x + loc).
    torch::NoGradGuard no_grad;
    const auto c = invconv->lower.size(0);
    const auto a = invconv->weight64() * torch::exp(actnorm->logs.to(torch::kFloat64)).view({1, c});
    return {a, actnorm->loc.to(torch::kFloat64).view({c})};
}

std::vector<int64_t> FlowStepImpl::parameterVersions() const {
    std::vector<int64_t> versions;
    for (const auto* t : {&actnorm->loc, &actnorm->logs, &invconv->lower, &invconv->upper, &invconv->log_s,
                          &invconv->perm, &invconv->sign_s}) {
        versions.push_back(static_cast<int64_t>(t->_version()));
        versions.push_back(reinterpret_cast<int64_t>(t->unsafeGetTensorImpl()));
    }
    return versions;
}

torch::Tensor FlowStepImpl::inverse(const torch::Tensor& y, const torch::Tensor& cond) {
    const auto x = coupling->inverse(y, cond);
    auto versions = parameterVersions();
    if (!inverse_weight_.defined() || versions != cached_versions_ || inverse_weight_.device() != y.device()) {
        torch::NoGradGuard no_grad;
        const auto c = invconv->lower.size(0);
        const auto [weight, bias] = foldedInverse();
        inverse_weight_ = weight.to(y.scalar_type()).view({c, c, 1, 1}).contiguous();
        inverse_bias_ = bias.to(y.scalar_type()).contiguous();
        cached_versions_ = std::move(versions);
    }
    return torch::conv2d(x, inverse_weight_, inverse_bias_);
}

ConditionalPriorImpl::ConditionalPriorImpl(int in_channels, int latent_channels, int height, int width, int cond_dim) {
    if (in_channels > 0) {
        conv = register_module("conv", ZeroConv2d(in_channels, 2 * latent_channels));
    } else {
        base = register_parameter("base", torch::zeros({1, 2 * latent_channels, height, width}));
    }
    if (cond_dim > 0) {
        cond = register_module("cond", torch::nn::Linear(torch::nn::LinearOptions(cond_dim, 2 * latent_channels).bias(false)));
        torch::NoGradGuard no_grad;
        cond->weight.zero_();
    }
}

std::pair<torch::Tensor, torch::Tensor> ConditionalPriorImpl::forward(const torch::Tensor& h, const torch::Tensor& c,
                                                                      int64_t batch) {
    auto stats = conv ? conv->forward(h) : base.expand({batch, base.size(1), base.size(2), base.size(3)});
    if (cond) stats = stats + cond->forward(c).view({batch, -1, 1, 1});
    const auto parts = stats.chunk(2, 1);
    return {parts[0], parts[1]};
}

}  // namespace dpflow
