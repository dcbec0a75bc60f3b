#include "flow/glow_layers.h"

#include "flow_test_support.h"

namespace dpflow {
namespace {

using test::FlowTest;

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

void perturb(torch::nn::Module& module) {
    torch::NoGradGuard no_grad;
    for (auto& p : module.parameters()) p.add_(torch::randn_like(p) * 0.1);
}

TEST_F(FlowTest, SqueezeThenUnsqueezeIsIdentity) {
    const auto x = torch::randn({3, 2, 8, 6});
    const auto s = squeeze2(x);
    EXPECT_EQ(s.sizes().vec(), (std::vector<int64_t>{3, 8, 4, 3}));
    EXPECT_TRUE(torch::equal(unsqueeze2(s), x));
}

TEST_F(FlowTest, ActNormDataInitGivesZeroMeanUnitVariance) {
    ActNorm actnorm(4);
    actnorm->train();
    auto logdet = torch::zeros({16});
    const auto y = actnorm->forward(torch::randn({16, 4, 5, 5}) * 3.0 + 7.0, logdet);
    EXPECT_LT(y.mean({0, 2, 3}).abs().max().item<double>(), 1e-5);
    EXPECT_LT((y.std({0, 2, 3}, false) - 1.0).abs().max().item<double>(), 1e-4);
    EXPECT_EQ(actnorm->initialized.item<uint8_t>(), 1);
}

TEST_F(FlowTest, ActNormDoesNotReinitialiseOnceFlagged) {
    ActNorm actnorm(2);
    actnorm->train();
    auto logdet = torch::zeros({4});
    actnorm->forward(torch::randn({4, 2, 3, 3}), logdet);
    const auto loc = actnorm->loc.clone();
    actnorm->forward(torch::randn({4, 2, 3, 3}) + 10.0, logdet);
    EXPECT_TRUE(torch::equal(actnorm->loc, loc));
}

TEST_F(FlowTest, ActNormInverseRecoversInput) {
    ActNorm actnorm(3);
    perturb(*actnorm);
    auto logdet = torch::zeros({2});
    const auto x = torch::randn({2, 3, 4, 4});
    EXPECT_LT(maxAbsDiff(actnorm->inverse(actnorm->forward(x, logdet)), x), 1e-5);
}

TEST_F(FlowTest, InvConvInverseRecoversInputAndLogDetMatchesSlogdet) {
    InvConv1x1 conv(8);
    perturb(*conv);
    auto logdet = torch::zeros({2});
    const auto x = torch::randn({2, 8, 3, 5});
    const auto y = conv->forward(x, logdet);
    EXPECT_LT(maxAbsDiff(conv->inverse(y), x), 1e-5);
    const double expected = 15.0 * std::get<1>(torch::linalg_slogdet(conv->weight64())).item<double>();
    EXPECT_NEAR(logdet[0].item<double>(), expected, 1e-4);
}

TEST_F(FlowTest, CouplingInverseRecoversInputWithConditionUnboundedOrBounded) {
    for (const double bound : {0.0, 0.5}) {
        AffineCoupling coupling(4, 8, 3, bound);
        perturb(*coupling);
        auto logdet = torch::zeros({5});
        const auto x = torch::randn({5, 4, 6, 6});
        const auto cond = torch::eye(3).index_select(0, torch::tensor({0, 1, 2, 0, 1}));
        const auto y = coupling->forward(x, cond, logdet);
        EXPECT_GT(maxAbsDiff(y, x), 1e-2) << "bound " << bound;
        EXPECT_LT(maxAbsDiff(coupling->inverse(y, cond), x), 1e-5) << "bound " << bound;
    }
}

TEST_F(FlowTest, FreshCouplingScalesByConstantSigmoidTwo) {
    AffineCoupling coupling(2, 4, 0, 0.0);
    auto logdet = torch::zeros({1});
    const auto x = torch::randn({1, 2, 3, 3});
    const auto y = coupling->forward(x, torch::zeros({1, 0}), logdet);
    const double s = 1.0 / (1.0 + std::exp(-2.0));
    EXPECT_LT(maxAbsDiff(y.select(1, 1), x.select(1, 1) * s), 1e-6);
    EXPECT_NEAR(logdet.item<double>(), 9.0 * std::log(s), 1e-5);
}

// Makes the coupling network ask for a scale of (almost) zero everywhere, as a noised latent can
// make it do at decoding: the raw-scale half of the last convolution's bias is set very negative.
void askForZeroScale(AffineCouplingImpl& coupling) {
    torch::NoGradGuard no_grad;
    auto bias = coupling.net->named_parameters()["4.bias"];
    const auto half = bias.size(0) / 2;
    bias.slice(0, half).fill_(-60.0);
}

TEST_F(FlowTest, BoundedCouplingScaleStopsAtItsBoundWhenTheNetworkAsksForZero) {
    AffineCoupling coupling(2, 8, 0, 0.5);
    askForZeroScale(*coupling);
    auto logdet = torch::zeros({4});
    coupling->forward(torch::randn({4, 2, 4, 4}), torch::zeros({4, 0}), logdet);
    // logdet sums log(scale) over the 16 transformed values of each image.
    EXPECT_NEAR(logdet.min().item<double>(), 16.0 * std::log(0.5), 1e-4);
    EXPECT_NEAR(logdet.max().item<double>(), 16.0 * std::log(0.5), 1e-4);
}

TEST_F(FlowTest, BoundedCouplingInverseAmplifiesAPerturbationAtMostByOneOverTheBound) {
    const auto cond = torch::zeros({8, 0});
    const auto y = torch::randn({8, 2, 4, 4});
    const auto delta = torch::cat({torch::zeros({8, 1, 4, 4}), torch::randn({8, 1, 4, 4}) * 0.1}, 1);
    const auto amplification = [&](double bound) {
        AffineCoupling coupling(2, 8, 0, bound);
        askForZeroScale(*coupling);
        // The kept half is unchanged, so shift and scale are too: the change is delta / scale.
        const auto moved = coupling->inverse(y + delta, cond) - coupling->inverse(y, cond);
        return (moved.abs().sum() / delta.abs().sum()).item<double>();
    };
    EXPECT_NEAR(amplification(0.25), 4.0, 1e-3);
    EXPECT_NEAR(amplification(0.5), 2.0, 1e-3);
    EXPECT_GT(amplification(0.0), 1e5);  // unbounded: only the inverse's last-resort clamp stops it
}

TEST_F(FlowTest, CouplingBoundOfOneIsAdditive) {
    AffineCoupling coupling(2, 8, 0, 1.0);
    perturb(*coupling);
    auto logdet = torch::zeros({4});
    const auto x = torch::randn({4, 2, 3, 3});
    const auto y = coupling->forward(x, torch::zeros({4, 0}), logdet);
    EXPECT_EQ(logdet.abs().max().item<double>(), 0.0);
    EXPECT_LT(maxAbsDiff(coupling->inverse(y, torch::zeros({4, 0})), x), 1e-5);
}

TEST_F(FlowTest, FlowStepFusedInverseRecoversInput) {
    FlowStep step(4, 8, 2, 0.0);
    perturb(*step);
    auto logdet = torch::zeros({3});
    const auto x = torch::randn({3, 4, 4, 4});
    const auto cond = torch::eye(2).index_select(0, torch::tensor({0, 1, 1}));
    EXPECT_LT(maxAbsDiff(step->inverse(step->forward(x, cond, logdet), cond), x), 1e-5);
}

TEST_F(FlowTest, FlowStepInverseFollowsParameterChanges) {
    FlowStep step(4, 8, 0, 0.0);
    const auto cond = torch::zeros({2, 0});
    const auto x = torch::randn({2, 4, 4, 4});
    auto logdet = torch::zeros({2});
    step->inverse(step->forward(x, cond, logdet), cond);  // builds the cache
    perturb(*step);
    EXPECT_LT(maxAbsDiff(step->inverse(step->forward(x, cond, logdet), cond), x), 1e-5);
}

}  // namespace
}  // namespace dpflow
