#include "flow/model_io.h"

#include "flow_test_support.h"

#include <filesystem>
#include <fstream>

namespace dpflow {
namespace {

using test::conditionBatch;
using test::FlowTest;
using test::randomizeGlow;
using test::tinyConfig;

class ModelIoTest : public FlowTest {
protected:
    void SetUp() override {
        FlowTest::SetUp();
        dir_ = std::filesystem::temp_directory_path() / ("dpflow_model_io_" + std::to_string(::getpid()) + "_" +
                                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
        model_.glow = Glow(tinyConfig(8, 2));
        randomizeGlow(model_.glow);
        model_.card.config = model_.glow->config();
        model_.card.training_data = "random test data";
        model_.card.calibration_set = "random";
        model_.card.calibration_images = 3;
        model_.calibration_lo = -torch::rand({64}) - 1.0;
        model_.calibration_hi = torch::rand({64}) + 1.0;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    SafetensorsFile stored() { return glowToSafetensors(model_.glow, model_.card, model_.calibration_lo, model_.calibration_hi); }

    void expectLoadFails(const SafetensorsFile& file, const std::string& fragment) {
        try {
            glowFromSafetensors(file, "model.safetensors");
            FAIL() << "loaded a model that should fail with: " << fragment;
        } catch (const SafetensorsError& e) {
            EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
        }
    }

    std::filesystem::path dir_;
    StoredGlow model_;
};

TEST_F(ModelIoTest, SaveThenLoadIsBitExact) {
    const auto path = dir_ / "m.safetensors";
    saveGlow(path, model_);
    auto loaded = loadGlow(path);
    const auto original = model_.glow->named_parameters();
    for (const auto& item : loaded.glow->named_parameters()) {
        EXPECT_TRUE(torch::equal(item.value(), original[item.key()])) << item.key();
    }
    EXPECT_TRUE(torch::equal(loaded.calibration_lo, model_.calibration_lo));
    const auto x = torch::rand({2, 1, 8, 8}) - 0.5;
    const auto cond = conditionBatch(model_.card.config, 2, 1);
    model_.glow->eval();
    EXPECT_TRUE(torch::equal(loaded.glow->encode(x, cond).u, model_.glow->encode(x, cond).u));
    EXPECT_TRUE(std::filesystem::exists(dir_ / "m.json"));
}

TEST_F(ModelIoTest, LoadedActNormStaysInitialisedInTrainingMode) {
    auto loaded = glowFromSafetensors(stored(), "mem");
    loaded.glow->train();
    const auto before = loaded.glow->named_parameters()["levels.0.steps.0.actnorm.loc"].clone();
    loaded.glow->encode(torch::rand({4, 1, 8, 8}), conditionBatch(model_.card.config, 4, 0));
    EXPECT_TRUE(torch::equal(loaded.glow->named_parameters()["levels.0.steps.0.actnorm.loc"], before));
}

TEST_F(ModelIoTest, TensorNamesFollowModuleTree) {
    const auto file = stored();
    EXPECT_TRUE(file.tensors.count("levels.0.steps.1.coupling.net.0.weight"));
    EXPECT_TRUE(file.tensors.count("levels.0.steps.0.actnorm.initialized"));
    EXPECT_EQ(file.tensors.at("levels.0.steps.0.actnorm.initialized").dtype, SafetensorsDtype::U8);
    EXPECT_TRUE(file.tensors.count("levels.1.prior.base"));
    EXPECT_TRUE(file.tensors.count("calibration.hi"));
}

TEST_F(ModelIoTest, MissingTensorIsRejected) {
    auto file = stored();
    file.tensors.erase("levels.1.steps.0.invconv.lower");
    expectLoadFails(file, "missing tensor 'levels.1.steps.0.invconv.lower'");
}

TEST_F(ModelIoTest, ShapeMismatchIsRejected) {
    auto file = stored();
    auto& t = file.tensors.at("levels.0.steps.0.coupling.net.2.bias");
    t.shape = {8};
    t.data.resize(32);
    expectLoadFails(file, "has shape [8]");
}

TEST_F(ModelIoTest, DtypeMismatchIsRejected) {
    auto file = stored();
    auto& t = file.tensors.at("levels.0.steps.0.actnorm.logs");
    t.dtype = SafetensorsDtype::F64;
    t.data.resize(t.data.size() * 2);
    expectLoadFails(file, "has dtype F64");
}

TEST_F(ModelIoTest, UnexpectedTensorIsRejected) {
    auto file = stored();
    file.tensors["levels.9.extra"] = file.tensors.at("calibration.lo");
    expectLoadFails(file, "unexpected tensor 'levels.9.extra'");
}

TEST_F(ModelIoTest, FileWithoutModelCardIsRejected) {
    auto file = stored();
    file.metadata.erase("model_card");
    expectLoadFails(file, "no model card");
}

TEST_F(ModelIoTest, TruncatedFileIsRejectedWithItsName) {
    const auto path = dir_ / "t.safetensors";
    saveGlow(path, model_, false);
    std::filesystem::resize_file(path, std::filesystem::file_size(path) - 100);
    try {
        loadGlow(path);
        FAIL();
    } catch (const SafetensorsError& e) {
        EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace dpflow
