#include "flow/flow_model.h"

#include "flow/decode_benchmark.h"
#include "flow/flow_trainer.h"
#include "training_fixture.h"

namespace dpflow {
namespace {

class FlowModelTest : public test::TrainingFixture {
protected:
    void SetUp() override {
        TrainingFixture::SetUp();
        TrainOptions o;
        o.manifest = dir_ / "manifest.csv";
        o.attributes = {"label"};
        o.architecture = test::tinyConfig(8, 2);
        o.fit = FitMode::Pad;
        o.output = dir_ / "m.safetensors";
        o.epochs = 1;
        o.batch_size = 8;
        o.threads = 1;
        trainFlow(o);
    }
};

TEST_F(FlowModelTest, EncodeDecodeRoundTripsPreparedImage) {
    const auto model = FlowModel::load(dir_ / "m.safetensors", "cpu");
    auto image = makeImage(6, 6);
    std::mt19937 rng(static_cast<unsigned>(seed_));
    for (auto& p : image.pixels) p = std::uniform_real_distribution<float>(0.0f, 1.0f)(rng);
    const auto pixels = model.prepare(image);
    ASSERT_EQ(pixels.size(), 64u);
    const auto u = model.encode(pixels, {{"label", "1"}});
    ASSERT_EQ(u.size(), 64u);
    const auto back = model.decode(u, {{"label", "1"}});
    for (size_t i = 0; i < pixels.size(); ++i) EXPECT_NEAR(back[i], pixels[i], 1e-4) << i;
}

TEST_F(FlowModelTest, BatchDecodeMatchesSingleDecode) {
    const auto model = FlowModel::load(dir_ / "m.safetensors", "cpu");
    std::vector<float> u(128);
    std::mt19937 rng(static_cast<unsigned>(seed_));
    for (auto& v : u) v = std::normal_distribution<float>()(rng);
    const auto batch = model.decodeBatch(u, {{{"label", "0"}}, {{"label", "1"}}});
    const auto second = model.decode(std::vector<float>(u.begin() + 64, u.end()), {{"label", "1"}});
    for (size_t i = 0; i < 64; ++i) EXPECT_NEAR(batch[64 + i], second[i], 1e-6);
}

TEST_F(FlowModelTest, CalibrationBoundsHaveLatentSize) {
    const auto model = FlowModel::load(dir_ / "m.safetensors", "cpu");
    ASSERT_TRUE(model.card().hasCalibration());
    EXPECT_EQ(model.calibrationLo().size(), 64u);
    EXPECT_EQ(model.calibrationHi().size(), 64u);
    EXPECT_EQ(model.layout().levels.size(), 2u);
}

TEST_F(FlowModelTest, WrongSizesAndUnknownAttributesAreRejected) {
    const auto model = FlowModel::load(dir_ / "m.safetensors", "cpu");
    EXPECT_THROW(model.encode(std::vector<float>(10, 0.5f), {{"label", "1"}}), std::invalid_argument);
    EXPECT_THROW(model.decode(std::vector<float>(64, 0.0f), {{"label", "7"}}), std::invalid_argument);
    EXPECT_THROW(model.decode(std::vector<float>(64, NAN), {{"label", "0"}}), std::invalid_argument);
}

TEST_F(FlowModelTest, DecodeLatencyIsMeasured) {
    const auto model = FlowModel::load(dir_ / "m.safetensors", "cpu");
    const auto timing = measureDecodeLatency(model, 5);
    EXPECT_EQ(timing.runs, 5);
    EXPECT_GT(timing.median_ms, 0.0);
    EXPECT_LE(timing.min_ms, timing.median_ms);
    EXPECT_LE(timing.median_ms, timing.max_ms);
}

}  // namespace
}  // namespace dpflow
