// The allocated mechanism end to end through the CLI on the tiny flow: `dpflow allocate` from
// the public split, the accounting it gives, a release under it, and the refusals that keep the
// allocation public.

#include "flow/flow_model.h"
#include "image/sha256.h"
#include "privacy/latent_allocation.h"
#include "../support/command_runner.h"
#include "privatizer_test_support.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace dpflow {
namespace {

namespace fs = std::filesystem;

class AllocatedCliTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = test::tinyFlowFiles().dir / ::testing::UnitTest::GetInstance()->current_test_info()->name();
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        // The tiny study with a patient column: two images per patient, train images 0-19 are public.
        const fs::path study = test::tinyFlowFiles().dir / "png";
        Manifest manifest({"file", "split", "label", "sex", "patient"}, dir_);
        for (int i = 0; i < 24; ++i)
            manifest.addRow({(study / ("img_" + std::to_string(i) + ".png")).string(), i < 20 ? "train" : "test",
                             std::to_string(i % 2), i % 3 ? "F" : "M", "P" + std::to_string(i / 2)});
        study_ = dir_ / "study.csv";
        manifest.write(study_);
        allocation_ = dir_ / "tiny.allocation.json";
    }

    test::CommandRun allocate(const std::string& extra) const {
        return test::runDpflow("allocate --model " + model() + " --data " + study_.string() +
                               " --label-column label --patient-column patient --threads 1 --out " + allocation_.string() + " " + extra);
    }
    std::string model() const { return test::tinyFlowFiles().model.string(); }
    std::string image(int i) const { return (test::tinyFlowFiles().dir / "png" / ("img_" + std::to_string(i) + ".png")).string(); }

    fs::path dir_, study_, allocation_;
};

TEST_F(AllocatedCliTest, AllocatesFromThePublicSplitAndExplainsThatEpsilonIsTheSumOfTheGroups) {
    const test::CommandRun made = allocate("");
    ASSERT_EQ(made.status, 0) << made.output;
    ASSERT_TRUE(fs::exists(allocation_));
    EXPECT_NE(made.output.find("from split train of"), std::string::npos) << made.output;
    EXPECT_NE(made.output.find("(20 images"), std::string::npos) << made.output;

    const test::CommandRun explain = test::runDpflow("privatize --explain --model " + model() + " --mechanism allocated --allocation " +
                                                     allocation_.string() + " --epsilon 1000 --keep label,sex");
    ASSERT_EQ(explain.status, 0) << explain.output;
    EXPECT_NE(explain.output.find("allocation: tiny.allocation.json (SHA-256 " + sha256OfFile(allocation_)), std::string::npos)
        << explain.output;
    EXPECT_NE(explain.output.find("level 1 channel 0"), std::string::npos) << explain.output;
    EXPECT_NE(explain.output.find("sum of eps_g over the budgeted groups: 1000\n"), std::string::npos) << explain.output;
    EXPECT_NE(explain.output.find("eps_total: eps_latent 1000 = 1000"), std::string::npos) << explain.output;
}

TEST_F(AllocatedCliTest, ACoarseAllocationDrawsTheFinerLevelsFromThePrior) {
    ASSERT_EQ(allocate("--scheme coarse --coarse-levels 1").status, 0);
    const test::CommandRun explain = test::runDpflow("privatize --explain --model " + model() + " --mechanism allocated --allocation " +
                                                     allocation_.string() + " --epsilon 50 --keep label,sex");
    ASSERT_EQ(explain.status, 0) << explain.output;
    EXPECT_NE(explain.output.find("level 1 channel 0      n    16: drawn from the prior"), std::string::npos) << explain.output;
    EXPECT_NE(explain.output.find("groups (32 elements) drawn from the prior"), std::string::npos) << explain.output;
}

TEST_F(AllocatedCliTest, ReleasesUnderTheAllocationAndRecordsItsHashAndEveryGroup) {
    ASSERT_EQ(allocate("").status, 0);
    const fs::path out = dir_ / "out";
    const test::CommandRun run = test::runDpflow("privatize --model " + model() + " --mechanism allocated --allocation " +
                                                 allocation_.string() + " --epsilon 1e4 --keep label,sex --attribute label=1 "
                                                 "--attribute sex=F --insecure-test-seed 3 --out " + out.string() + " " + image(21));
    ASSERT_EQ(run.status, 0) << run.output;
    std::ifstream in(out / "img_21_allocated_NOT-PRIVATE.json");
    ASSERT_TRUE(in) << run.output;
    const nlohmann::json record = nlohmann::json::parse(in);
    EXPECT_EQ(record["mechanism"], "allocated");
    EXPECT_EQ(record["allocation"]["sha256"], sha256OfFile(allocation_));
    EXPECT_TRUE(record["allocation"]["epsilon_is_sum_of_groups"].get<bool>());
    double sum = 0.0;
    for (const auto& group : record["allocation"]["groups"]) sum += group["epsilon"].get<double>();
    EXPECT_DOUBLE_EQ(sum, 1e4);
}

TEST_F(AllocatedCliTest, RefusesToReleaseAnImageTheAllocationWasComputedFrom) {
    ASSERT_EQ(allocate("").status, 0);
    const test::CommandRun run = test::runDpflow("privatize --model " + model() + " --mechanism allocated --allocation " +
                                                 allocation_.string() + " --epsilon 1e4 --keep label,sex --attribute label=1 "
                                                 "--attribute sex=F --insecure-test-seed 3 --out " + (dir_ / "out").string() +
                                                 " " + image(3));
    EXPECT_EQ(run.status, 1) << run.output;
    EXPECT_NE(run.output.find("one of the public images the allocation"), std::string::npos) << run.output;
}

TEST_F(AllocatedCliTest, RefusesToComputeAnAllocationFromTheTestSplit) {
    const test::CommandRun run = allocate("--splits train,test");
    EXPECT_NE(run.status, 0);
    EXPECT_NE(run.output.find("stands in for the private films"), std::string::npos) << run.output;
    EXPECT_FALSE(fs::exists(allocation_));
}

TEST_F(AllocatedCliTest, RefusesAnAllocationMadeForAnotherModel) {
    ASSERT_EQ(allocate("").status, 0);
    const test::CommandRun run = test::runDpflow("privatize --explain --model " + test::tinyFlowFiles().uncalibrated.string() +
                                                 " --mechanism allocated --allocation " + allocation_.string() +
                                                 " --epsilon 10 --keep label,sex");
    EXPECT_EQ(run.status, 2) << run.output;
}


// Every allocation shipped in models/ was computed for the weights beside it: a retrained model
// without a new allocation is refused at release, so it must not be shipped that way.
TEST(ShippedAllocations, EachFitsTheModelBesideIt) {
    int checked = 0;
    for (const auto& entry : fs::directory_iterator(fs::path(DPFLOW_SOURCE_DIR) / "models")) {
        const std::string name = entry.path().filename().string();
        const std::string suffix = ".allocation.json";
        if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
        const fs::path model = entry.path().parent_path() / (name.substr(0, name.size() - suffix.size()) + ".safetensors");
        ASSERT_TRUE(fs::exists(model)) << name << " has no model beside it";
        const LatentAllocation allocation = readLatentAllocation(entry.path());
        const FlowModel flow = FlowModel::load(model, "cpu");
        EXPECT_NO_THROW(validateLatentAllocation(allocation, static_cast<std::size_t>(flow.layout().total), sha256OfFile(model)))
            << name;
        EXPECT_FALSE(allocation.public_image_sha256.empty()) << name;
        ++checked;
    }
    EXPECT_GE(checked, 1) << "no allocation is shipped in models/";
}

}  // namespace
}  // namespace dpflow
