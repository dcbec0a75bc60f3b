#include "training_fixture.h"
#include "../support/command_runner.h"

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

namespace dpflow {
namespace {

using CommandResult = test::CommandRun;

CommandResult run(const std::string& arguments) { return test::runDpflow(arguments); }

class FlowCliTest : public test::TrainingFixture {
protected:
    CommandResult train(const std::string& extra = "") {
        return run("train --manifest " + (dir_ / "manifest.csv").string() + " --out " + (dir_ / "m.safetensors").string() +
                   " --attributes label --size 8 --fit pad --levels 2 --steps 2 --hidden 16 --epochs 1 --batch 8 --threads 1 " +
                   extra);
    }
};

TEST_F(FlowCliTest, TrainThenModelInfoThenRoundtrip) {
    const auto trained = train();
    ASSERT_EQ(trained.status, 0) << trained.output;
    EXPECT_NE(trained.output.find("bits/dim"), std::string::npos) << trained.output;
    EXPECT_NE(trained.output.find("ETA"), std::string::npos) << trained.output;

    const auto info = run("model-info --threads 1 " + (dir_ / "m.safetensors").string());
    ASSERT_EQ(info.status, 0) << info.output;
    EXPECT_NE(info.output.find("\"data_sha256\""), std::string::npos) << info.output;
    EXPECT_NE(info.output.find("dpflow train --manifest"), std::string::npos) << info.output;

    const auto roundtrip = run("roundtrip --threads 1 " + (dir_ / "m.safetensors").string() + " " + (dir_ / "png/img_0.png").string() +
                               " " + (dir_ / "png/img_1.png").string() + " --attr label=1");
    ASSERT_EQ(roundtrip.status, 0) << roundtrip.output;
    const auto pos = roundtrip.output.find("overall: max ");
    ASSERT_NE(pos, std::string::npos) << roundtrip.output;
    EXPECT_LT(std::stod(roundtrip.output.substr(pos + 13)), 1e-4) << roundtrip.output;
}

TEST_F(FlowCliTest, AModelTrainedWithThePixelLogitLayerRecordsItAndRoundTrips) {
    const auto trained = train("--pixel-logit 0.05");
    ASSERT_EQ(trained.status, 0) << trained.output;
    const auto info = run("model-info --threads 1 " + (dir_ / "m.safetensors").string());
    EXPECT_NE(info.output.find("\"pixel_logit_alpha\": 0.05"), std::string::npos) << info.output;
    const auto roundtrip = run("roundtrip --threads 1 " + (dir_ / "m.safetensors").string() + " " + (dir_ / "png/img_0.png").string() +
                               " --attr label=1");
    ASSERT_EQ(roundtrip.status, 0) << roundtrip.output;
    const auto pos = roundtrip.output.find("overall: max ");
    ASSERT_NE(pos, std::string::npos) << roundtrip.output;
    EXPECT_LT(std::stod(roundtrip.output.substr(pos + 13)), 1e-4) << roundtrip.output;
    EXPECT_NE(train("--pixel-logit 0.5").status, 0) << "alpha must stay below 0.5";
}

TEST_F(FlowCliTest, TrainingCanStartFromAModelAndMoveItToAnotherPixelSpace) {
    ASSERT_EQ(train().status, 0);
    std::filesystem::rename(dir_ / "m.safetensors", dir_ / "source.safetensors");
    const auto source = (dir_ / "source.safetensors").string();
    const auto moved = train("--pixel-logit 0.02 --init-from " + source);
    ASSERT_EQ(moved.status, 0) << moved.output;
    const auto info = run("model-info --threads 1 " + (dir_ / "m.safetensors").string());
    EXPECT_NE(info.output.find("\"initialised_from\": \"source.safetensors (SHA-256 "), std::string::npos) << info.output;
    EXPECT_NE(info.output.find("\"pixel_logit_alpha\": 0.02"), std::string::npos) << info.output;
    const auto other = train("--bits 7 --init-from " + source);
    EXPECT_NE(other.status, 0);
    EXPECT_NE(other.output.find("only --pixel-logit and --coupling-min-scale may differ"), std::string::npos) << other.output;
    EXPECT_NE(train("--resume --init-from " + source).status, 0) << "--init-from starts a run, --resume continues one";
}

TEST_F(FlowCliTest, RoundtripOfAManifestSplitUsesEachRowsAttributes) {
    ASSERT_EQ(train("--notes 'a test model'").status, 0);
    const auto roundtrip = run("roundtrip --threads 1 " + (dir_ / "m.safetensors").string() + " --manifest " +
                               (dir_ / "manifest.csv").string() + " --split val --max-images 5");
    ASSERT_EQ(roundtrip.status, 0) << roundtrip.output;
    EXPECT_NE(roundtrip.output.find("img_36.png"), std::string::npos) << roundtrip.output;
    EXPECT_EQ(roundtrip.output.find("img_37.png"), std::string::npos) << "more than --max-images rows checked";
    const auto pos = roundtrip.output.find("overall: max ");
    ASSERT_NE(pos, std::string::npos) << roundtrip.output;
    EXPECT_LT(std::stod(roundtrip.output.substr(pos + 13)), 1e-4) << roundtrip.output;
    const auto info = run("model-info --threads 1 " + (dir_ / "m.safetensors").string());
    EXPECT_NE(info.output.find("\"notes\": \"a test model\""), std::string::npos) << info.output;

    const auto before = run("roundtrip --threads 1 " + (dir_ / "m.safetensors").string() + " --manifest " +
                            (dir_ / "manifest.csv").string() + " --split val --max-images 2");
    const auto annotated = run("model-info --threads 1 " + (dir_ / "m.safetensors").string() + " --set-notes 'trained twice'");
    EXPECT_NE(annotated.output.find("\"notes\": \"trained twice\""), std::string::npos) << annotated.output;
    const auto after = run("roundtrip --threads 1 " + (dir_ / "m.safetensors").string() + " --manifest " +
                           (dir_ / "manifest.csv").string() + " --split val --max-images 2");
    EXPECT_EQ(before.output, after.output) << "setting notes must keep the weights";
}

TEST_F(FlowCliTest, ModelInfoOnCorruptFileFailsWithMessage) {
    const auto path = dir_ / "bad.safetensors";
    std::ofstream(path) << "not a model";
    const auto info = run("model-info " + path.string());
    EXPECT_EQ(info.status, 1);
    EXPECT_NE(info.output.find("bad.safetensors"), std::string::npos) << info.output;
}

TEST_F(FlowCliTest, UnknownAttributeColumnFailsTraining) {
    const auto result = run("train --manifest " + (dir_ / "manifest.csv").string() + " --out " +
                            (dir_ / "m.safetensors").string() + " --attributes sex --size 8 --levels 2 --epochs 1");
    EXPECT_EQ(result.status, 1);
    EXPECT_NE(result.output.find("sex"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace dpflow
