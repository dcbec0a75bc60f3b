#include "flow/flow_trainer.h"

#include "flow/model_io.h"
#include "image/sha256.h"
#include "training_fixture.h"

namespace dpflow {
namespace {

class FlowTrainerTest : public test::TrainingFixture {
protected:
    TrainOptions tinyOptions(const std::string& output) {
        TrainOptions o;
        o.manifest = dir_ / "manifest.csv";
        o.attributes = {"label"};
        o.architecture = test::tinyConfig(8, 2);
        o.fit = FitMode::Pad;
        o.output = dir_ / output;
        o.epochs = 4;
        o.batch_size = 8;
        o.learning_rate = 2e-3;
        o.warmup_steps = 4;
        o.threads = 1;
        o.seed = 7;
        return o;
    }
};

TEST_F(FlowTrainerTest, TrainingTinyModelLowersBitsPerDim) {
    const auto result = trainFlow(tinyOptions("m.safetensors"));
    ASSERT_EQ(result.epoch_bits_per_dim.size(), 4u);
    EXPECT_LT(result.epoch_bits_per_dim.back(), result.epoch_bits_per_dim.front() - 0.1);
    RecordProperty("bpd_first_epoch", std::to_string(result.epoch_bits_per_dim.front()));
    RecordProperty("bpd_last_epoch", std::to_string(result.epoch_bits_per_dim.back()));
}

TEST_F(FlowTrainerTest, CardRecordsDataHashEvaluationAndCalibration) {
    const auto card = trainFlow(tinyOptions("m.safetensors")).card;
    EXPECT_EQ(card.training_data_sha256.size(), 64u);
    EXPECT_EQ(card.training_images, 32);
    EXPECT_EQ(card.epochs, 4);
    ASSERT_TRUE(card.bits_per_dim_train && card.bits_per_dim_heldout);
    EXPECT_GT(*card.bits_per_dim_heldout, 0.0);
    EXPECT_EQ(card.calibration_images, 32);
    EXPECT_EQ(card.config.attributes.at(0).values, (std::vector<std::string>{"0", "1"}));
    const auto& counts = card.training_attribute_counts.at("label");
    EXPECT_EQ(counts.at("0") + counts.at("1"), 32);
    EXPECT_EQ(loadGlow(dir_ / "m.safetensors").card.training_attribute_counts, card.training_attribute_counts);
    const auto loaded = loadGlow(dir_ / "m.safetensors");
    EXPECT_TRUE((loaded.calibration_lo < loaded.calibration_hi).all().item<bool>());
    EXPECT_TRUE(std::filesystem::exists(dir_ / "m.json"));
}

TEST_F(FlowTrainerTest, HeldoutBitsPerDimIsMeasuredEveryRequestedEpoch) {
    auto o = tinyOptions("heldout.safetensors");
    o.heldout_every = 2;
    const auto result = trainFlow(o);
    ASSERT_EQ(result.heldout_bits_per_dim.size(), 2u);
    EXPECT_EQ(result.heldout_bits_per_dim[0].first, 2);
    EXPECT_EQ(result.heldout_bits_per_dim[1].first, 4);
    EXPECT_GT(result.heldout_bits_per_dim[1].second, 0.0);
}

TEST_F(FlowTrainerTest, AugmentedTrainingStillLearns) {
    auto o = tinyOptions("augmented.safetensors");
    o.augmentation = TrainingAugmentation{1.0, 0.05, 0.1};
    o.weight_decay = 1e-5;
    const auto result = trainFlow(o);
    EXPECT_LT(result.epoch_bits_per_dim.back(), result.epoch_bits_per_dim.front() - 0.1);
}

TEST_F(FlowTrainerTest, NotesAreRecordedAndKeptWhenAResumeGivesNone) {
    auto first = tinyOptions("notes.safetensors");
    first.epochs = 1;
    first.notes = "trained on a test machine";
    trainFlow(first);
    auto resumed = tinyOptions("notes.safetensors");
    resumed.epochs = 2;
    resumed.resume = true;
    const auto card = trainFlow(resumed).card;
    EXPECT_EQ(card.notes, "trained on a test machine");
    EXPECT_EQ(loadGlow(dir_ / "notes.safetensors").card.notes, "trained on a test machine");
}

TEST_F(FlowTrainerTest, ResumedTrainingMatchesUninterruptedTraining) {
    trainFlow(tinyOptions("full.safetensors"));
    auto first_half = tinyOptions("split.safetensors");
    first_half.epochs = 2;
    trainFlow(first_half);
    auto second_half = tinyOptions("split.safetensors");
    second_half.resume = true;
    trainFlow(second_half);
    const auto full = loadGlow(dir_ / "full.safetensors");
    const auto split = loadGlow(dir_ / "split.safetensors");
    const auto reference = full.glow->named_parameters();
    for (const auto& item : split.glow->named_parameters()) {
        EXPECT_LT((item.value() - reference[item.key()]).abs().max().item<double>(), 1e-5) << item.key();
    }
}

TEST_F(FlowTrainerTest, ATimeLimitStopsAtAnEpochBoundaryWithACheckpointToResumeFrom) {
    auto limited = tinyOptions("limited.safetensors");
    limited.checkpoint_every = 10;             // the stop writes its own checkpoint
    limited.time_limit_minutes = 1e-9;         // any epoch overruns it
    const auto result = trainFlow(limited);
    EXPECT_TRUE(result.stopped_by_time_limit);
    EXPECT_EQ(result.epoch_bits_per_dim.size(), 1u);
    EXPECT_EQ(result.card.epochs, 1);
    EXPECT_GT(result.training_seconds, 0.0);
    EXPECT_TRUE(std::filesystem::exists(dir_ / "limited.safetensors"));  // evaluated and calibrated all the same

    auto resumed = tinyOptions("limited.safetensors");
    resumed.resume = true;
    const auto rest = trainFlow(resumed);
    EXPECT_FALSE(rest.stopped_by_time_limit);
    EXPECT_EQ(rest.epoch_bits_per_dim.size(), 3u);  // epochs 2 to 4
    EXPECT_EQ(rest.card.epochs, 4);
}

TEST_F(FlowTrainerTest, InitialisingFromAModelStartsFromItsWeightsWithAnotherPixelSpaceAndCouplingBound) {
    auto source = tinyOptions("source.safetensors");
    source.epochs = 1;
    trainFlow(source);
    auto moved = tinyOptions("moved.safetensors");
    moved.epochs = 0;  // no step: the weights must be the source's
    moved.architecture.pixel_logit_alpha = 0.05;
    moved.architecture.coupling_min_scale = 1.0;  // additive couplings: the scale outputs are unused, not removed
    moved.init_from = dir_ / "source.safetensors";
    const auto card = trainFlow(moved).card;
    EXPECT_EQ(card.config.pixel_logit_alpha, 0.05);
    EXPECT_EQ(card.config.coupling_min_scale, 1.0);
    EXPECT_EQ(card.initialised_from,
              "source.safetensors (SHA-256 " + sha256OfFile(dir_ / "source.safetensors") + ", 1 epochs)");
    const auto reloaded = loadGlow(dir_ / "moved.safetensors");
    EXPECT_EQ(reloaded.card.initialised_from, card.initialised_from);
    const auto from = loadGlow(dir_ / "source.safetensors");
    auto reference = from.glow->named_parameters();
    for (const auto& item : reloaded.glow->named_parameters())
        EXPECT_TRUE(torch::equal(item.value(), reference[item.key()])) << item.key();
    auto reference_buffers = from.glow->named_buffers();
    for (const auto& item : reloaded.glow->named_buffers())
        EXPECT_TRUE(torch::equal(item.value(), reference_buffers[item.key()])) << item.key();
}

TEST_F(FlowTrainerTest, InitialisingFromAModelOfAnotherArchitectureIsRefused) {
    auto source = tinyOptions("source.safetensors");
    source.epochs = 1;
    trainFlow(source);
    auto wider = tinyOptions("wider.safetensors");
    wider.architecture.hidden_channels *= 2;
    wider.init_from = dir_ / "source.safetensors";
    try {
        trainFlow(wider);
        FAIL() << "a wider architecture was initialised from a narrower model";
    } catch (const TrainingError& e) {
        EXPECT_NE(std::string(e.what()).find("only --pixel-logit and --coupling-min-scale may differ"), std::string::npos) << e.what();
    }
    auto both = tinyOptions("source.safetensors");
    both.init_from = dir_ / "source.safetensors";
    both.resume = true;
    EXPECT_THROW(trainFlow(both), TrainingError);
}

TEST_F(FlowTrainerTest, MissingTrainSplitIsReported) {
    auto options = tinyOptions("m.safetensors");
    options.train_split = "nonexistent";
    EXPECT_THROW(trainFlow(options), TrainingError);
}

TEST_F(FlowTrainerTest, ResumeWithoutCheckpointIsReported) {
    auto options = tinyOptions("m.safetensors");
    options.resume = true;
    EXPECT_THROW(trainFlow(options), TrainingError);
}

}  // namespace
}  // namespace dpflow
