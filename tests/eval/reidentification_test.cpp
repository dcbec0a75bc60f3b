#include "eval/patient_embedding.h"
#include "eval/pixel_features.h"
#include "eval/reidentification.h"
#include "eval/reidentification_attack.h"
#include "eval_test_support.h"
#include "image/image_reader.h"
#include "image/manifest.h"
#include "phantom/phantom_study.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>

namespace dpflow {
namespace {

namespace fs = std::filesystem;

// A small phantom study, generated once for the suite: 16 patients x 3 images at 64 px.
const Manifest& phantomStudy() {
    static const Manifest manifest = [] {
        PhantomStudyOptions options;
        options.out_dir = fs::temp_directory_path() / ("dpflow_eval_reid_phantoms_" + std::to_string(getpid()));
        options.patients = 16;
        options.images_per_patient = 3;
        options.size = 64;
        options.seed = 11;
        options.pathology_rate = 0.5;
        return Manifest::read(generatePhantomStudy(options).manifest_path);
    }();
    return manifest;
}

std::vector<Image> readRows(const Manifest& manifest, const std::vector<std::size_t>& rows) {
    std::vector<Image> images;
    for (const auto row : rows) images.push_back(readImage(manifest.file(row)));
    return images;
}

IdentityFeatures pixelFeatures(const std::vector<Image>& images, const Manifest& manifest,
                               const std::vector<std::size_t>& rows) {
    IdentityFeatures result;
    for (size_t i = 0; i < images.size(); ++i) {
        result.features.push_back(normalisedPixelFeatures(images[i], 32));
        result.identities.push_back(manifest.value(rows[i], "patient_id"));
    }
    return result;
}

// Pure noise: 50 identities, two noise images each; nothing links them.
struct NoiseStudy {
    std::vector<Image> gallery, probes;
    std::vector<std::string> gallery_ids, probe_ids;
};

NoiseStudy noiseStudy(int size) {
    std::mt19937_64 rng(99);
    NoiseStudy study;
    for (int id = 0; id < 50; ++id) {
        study.gallery.push_back(test::noiseImage(size, rng));
        study.gallery_ids.push_back("p" + std::to_string(id));
        for (int k = 0; k < 2; ++k) {
            study.probes.push_back(test::noiseImage(size, rng));
            study.probe_ids.push_back("p" + std::to_string(id));
        }
    }
    return study;
}

// Hits of a guesser against 50 identities over 100 probes are Binomial(100, 0.02): mean 2,
// P(X >= 9) < 1e-3.
constexpr std::size_t kMaxChanceHits = 8;

TEST(Reidentification, MatcherFindsNoisyCopiesOfDistinctVectors) {
    IdentityFeatures gallery{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, {"a", "b", "c"}};
    IdentityFeatures probes{{{0.9f, 0.1f, 0}, {0.1f, 0.8f, 0.2f}, {0, 0.2f, 1.1f}, {1.2f, 0, 0.1f}}, {"a", "b", "c", "a"}};
    for (const auto similarity : {FeatureSimilarity::Cosine, FeatureSimilarity::Euclidean}) {
        const auto result = matchIdentities(gallery, probes, similarity);
        EXPECT_EQ(result.top1_hits, 4u);
        EXPECT_DOUBLE_EQ(result.top1_rate, 1.0);
        EXPECT_DOUBLE_EQ(result.chance_rate, 1.0 / 3.0);
        EXPECT_DOUBLE_EQ(result.verification.auc, 1.0);
        EXPECT_EQ(result.verification.positives, 4u);
        EXPECT_EQ(result.verification.negatives, 8u);
    }
}

TEST(Reidentification, AProbeWithNonFiniteFeaturesMatchesNobodyAndRanksBelowEveryRealScore) {
    // The flow's encoding of a privatized film can overflow: that probe cannot be matched.
    IdentityFeatures gallery{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, {"a", "b", "c"}};
    IdentityFeatures probes{{{0.9f, 0.1f, 0}, {NAN, 0.0f, 0.0f}, {0, 0.2f, 1.1f}}, {"a", "a", "c"}};
    for (const auto similarity : {FeatureSimilarity::Cosine, FeatureSimilarity::Euclidean}) {
        const auto result = matchIdentities(gallery, probes, similarity);
        EXPECT_EQ(result.top1_hits, 2u);
        EXPECT_TRUE(std::isfinite(result.verification.auc));
        EXPECT_LT(result.verification.auc, 1.0);  // its genuine pair scores below the impostors
    }
}

// Gallery a, b (disclosed stratum 0) and c, d (stratum 1); probes of a, a, a, b, b in stratum 0
// and c, c, d, d in stratum 1.
struct StratifiedStudy {
    IdentityFeatures gallery{{{1, 0.1f, 0}, {1, 0.3f, 0}, {0.1f, 1, 0}, {0.3f, 1, 0}}, {"a", "b", "c", "d"}};
    std::vector<std::string> probe_ids{"a", "a", "a", "b", "b", "c", "c", "d", "d"};
    DisclosedStrata strata{{0, 0, 1, 1}, {0, 0, 0, 0, 0, 1, 1, 1, 1}};
};

TEST(Reidentification, AGuessThatIgnoresTheFilmScoresItsChanceGivenTheDisclosedAttributes) {
    // Every probe of a stratum decodes to the same prototype, nearest to a (stratum 0) or to c
    // (stratum 1): the guesses depend on the disclosed attribute alone. They hit a's 3 and c's 2
    // probes, 5 of 9, far above 1 / 4; given the strata, a guess of a is right for 3 of stratum 0's
    // 5 probes and a guess of c for 2 of stratum 1's 4, so chance given them is also 5 / 9.
    const StratifiedStudy study;
    IdentityFeatures probes;
    for (std::size_t i = 0; i < study.probe_ids.size(); ++i)
        probes.features.push_back(study.strata.probes[i] == 0 ? std::vector<float>{1, 0, 0} : std::vector<float>{0, 1, 0});
    probes.identities = study.probe_ids;
    const auto result = matchIdentities(study.gallery, probes, FeatureSimilarity::Cosine, &study.strata);
    EXPECT_EQ(result.top1_hits, 5u);
    EXPECT_DOUBLE_EQ(result.chance_rate, 0.25);
    ASSERT_TRUE(result.chance_given_disclosed.has_value());
    EXPECT_NEAR(*result.chance_given_disclosed, 5.0 / 9.0, 1e-12);
    EXPECT_EQ(result.top1, (std::vector<std::size_t>{0, 0, 0, 0, 0, 2, 2, 2, 2}));
    // Over all pairs the disclosed stratum separates genuine from impostor pairs; for one gallery
    // entry among the probes of one stratum, every probe scores alike.
    EXPECT_GT(result.verification.auc, 0.75);
    ASSERT_TRUE(result.verification_within_disclosed.has_value());
    EXPECT_NEAR(result.verification_within_disclosed->auc, 0.5, 1e-12);
}

TEST(Reidentification, AnAttackerThatSeesThePatientStaysAboveItsChanceGivenTheDisclosedAttributes) {
    const StratifiedStudy study;
    IdentityFeatures probes;
    for (std::size_t i = 0; i < study.probe_ids.size(); ++i) {
        const std::size_t entry = static_cast<std::size_t>(study.probe_ids[i][0] - 'a');
        std::vector<float> copy = study.gallery.features[entry];
        copy[2] = 0.01f * static_cast<float>(i);  // a little noise of its own
        probes.features.push_back(copy);
    }
    probes.identities = study.probe_ids;
    const auto result = matchIdentities(study.gallery, probes, FeatureSimilarity::Cosine, &study.strata);
    EXPECT_EQ(result.top1_hits, 9u);
    // Each guess is right for its patient's share of the stratum: (3 x 3/5 + 2 x 2/5 + 4 x 2/4) / 9.
    EXPECT_NEAR(*result.chance_given_disclosed, (9.0 / 5.0 + 4.0 / 5.0 + 2.0) / 9.0, 1e-12);
    EXPECT_DOUBLE_EQ(result.verification_within_disclosed->auc, 1.0);
}

TEST(Reidentification, MatcherRejectsStrataOfTheWrongSize) {
    const StratifiedStudy study;
    IdentityFeatures probes{{{1, 0, 0}, {0, 1, 0}}, {"a", "c"}};
    EXPECT_THROW(matchIdentities(study.gallery, probes, FeatureSimilarity::Cosine, &study.strata), std::invalid_argument);
}

TEST(Reidentification, MatcherRejectsProbesOfUnknownIdentities) {
    IdentityFeatures gallery{{{1, 0}, {0, 1}}, {"a", "b"}};
    IdentityFeatures probes{{{1, 0}, {0, 1}}, {"a", "z"}};
    EXPECT_THROW(matchIdentities(gallery, probes), std::invalid_argument);
}

TEST(Reidentification, MatcherRejectsDuplicateGalleryIdentitiesAndUnequalLengths) {
    IdentityFeatures probes{{{1, 0}, {0, 1}}, {"a", "a"}};
    EXPECT_THROW(matchIdentities({{{1, 0}, {0, 1}}, {"a", "a"}}, probes), std::invalid_argument);
    EXPECT_THROW(matchIdentities({{{1, 0, 0}, {0, 1, 0}}, {"a", "b"}}, probes), std::invalid_argument);
}

TEST(Reidentification, IdentificationProtocolUsesTheFirstImageOfEachPatientAsGallery) {
    Manifest manifest({"file", "patient_id", "split"}, fs::temp_directory_path());
    manifest.addRow({"a0.png", "A", "test"});
    manifest.addRow({"b0.png", "B", "test"});
    manifest.addRow({"a1.png", "A", "test"});
    manifest.addRow({"c0.png", "C", "train"});
    manifest.addRow({"a2.png", "A", "test"});
    const auto protocol = identificationProtocol(manifest, "patient_id", "test");
    EXPECT_EQ(protocol.gallery_rows, (std::vector<std::size_t>{0, 1}));
    EXPECT_EQ(protocol.probe_rows, (std::vector<std::size_t>{2, 4}));
    const auto linkage = linkageProtocol(manifest, "patient_id", "test");
    EXPECT_EQ(linkage.probe_rows, linkage.gallery_rows);
    EXPECT_THROW(identificationProtocol(manifest, "subject", "test"), ManifestError);
    EXPECT_THROW(identificationProtocol(manifest, "patient_id", "train"), ManifestError);  // C has one image
}

TEST(Reidentification, PixelAttackerFindsPhantomPatientsFarAboveChance) {
    const auto& manifest = phantomStudy();
    const auto protocol = identificationProtocol(manifest, "patient_id", "");
    const auto gallery = pixelFeatures(readRows(manifest, protocol.gallery_rows), manifest, protocol.gallery_rows);
    const auto probes = pixelFeatures(readRows(manifest, protocol.probe_rows), manifest, protocol.probe_rows);
    const auto result = matchIdentities(gallery, probes);
    EXPECT_EQ(result.gallery_size, 16u);
    EXPECT_EQ(result.probes, 32u);
    EXPECT_GT(result.top1_rate, 5 * result.chance_rate);
    EXPECT_GT(result.verification.auc, 0.65);
}

TEST(Reidentification, PixelAttackerFallsToChanceOnPureNoise) {
    const auto study = noiseStudy(32);
    IdentityFeatures gallery, probes;
    for (const auto& image : study.gallery) gallery.features.push_back(normalisedPixelFeatures(image));
    for (const auto& image : study.probes) probes.features.push_back(normalisedPixelFeatures(image));
    gallery.identities = study.gallery_ids;
    probes.identities = study.probe_ids;
    const auto result = matchIdentities(gallery, probes);
    EXPECT_DOUBLE_EQ(result.chance_rate, 0.02);
    EXPECT_LE(result.top1_hits, kMaxChanceHits);
    EXPECT_NEAR(result.verification.auc, 0.5, 4 * result.verification.standard_error);
}

TEST(Reidentification, PixelFeaturesIgnoreBrightnessAndContrast) {
    std::mt19937_64 rng(5);
    const Image image = test::noiseImage(16, rng);
    Image brighter = image;
    for (auto& v : brighter.pixels) v = 0.5f * v + 0.3f;
    const auto a = normalisedPixelFeatures(image), b = normalisedPixelFeatures(brighter);
    for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-4);
    EXPECT_EQ(normalisedPixelFeatures(makeImage(8, 8, 0.4f)), std::vector<float>(64, 0.0f));
}

EmbeddingTrainOptions tinyEmbeddingOptions() {
    EmbeddingTrainOptions options;
    options.image_size = 32;
    options.base_channels = 4;
    options.embedding_dim = 16;
    options.steps = 150;
    options.patients_per_batch = 8;
    options.learning_rate = 3e-3;
    options.seed = 2;
    return options;
}

// The embedding attacker, trained on the study's train patients, tested on all of them.
struct TrainedEmbedding {
    PatientEmbedding model;
    std::vector<double> losses;
};

const TrainedEmbedding& trainedEmbedding() {
    static const TrainedEmbedding trained = [] {
        const auto& manifest = phantomStudy();
        const auto rows = manifest.rowsInSplit("train");
        std::vector<std::string> ids;
        for (const auto row : rows) ids.push_back(manifest.value(row, "patient_id"));
        std::vector<double> losses;
        auto model = PatientEmbedding::train(readRows(manifest, rows), ids, tinyEmbeddingOptions(), &losses);
        return TrainedEmbedding{std::move(model), std::move(losses)};
    }();
    return trained;
}

TEST(PatientEmbedding, ContrastiveTrainingLowersTheLoss) {
    const auto& losses = trainedEmbedding().losses;
    ASSERT_EQ(losses.size(), 150u);
    const double first = std::accumulate(losses.begin(), losses.begin() + 20, 0.0) / 20;
    const double last = std::accumulate(losses.end() - 20, losses.end(), 0.0) / 20;
    EXPECT_LT(last, 0.8 * first);
}

TEST(PatientEmbedding, EmbeddingAttackerFindsPhantomPatientsFarAboveChance) {
    const auto& manifest = phantomStudy();
    const auto protocol = identificationProtocol(manifest, "patient_id", "");
    const auto& model = trainedEmbedding().model;
    IdentityFeatures gallery{model.embed(readRows(manifest, protocol.gallery_rows)), {}};
    IdentityFeatures probes{model.embed(readRows(manifest, protocol.probe_rows)), {}};
    for (const auto row : protocol.gallery_rows) gallery.identities.push_back(manifest.value(row, "patient_id"));
    for (const auto row : protocol.probe_rows) probes.identities.push_back(manifest.value(row, "patient_id"));
    const auto result = matchIdentities(gallery, probes);
    EXPECT_GT(result.top1_rate, 5 * result.chance_rate);
    EXPECT_GT(result.verification.auc, 0.8);
}

TEST(PatientEmbedding, EmbeddingAttackerFallsToChanceOnPureNoise) {
    const auto study = noiseStudy(32);
    const auto& model = trainedEmbedding().model;
    const auto result = matchIdentities({model.embed(study.gallery), study.gallery_ids},
                                        {model.embed(study.probes), study.probe_ids});
    EXPECT_LE(result.top1_hits, kMaxChanceHits);
    EXPECT_NEAR(result.verification.auc, 0.5, 4 * result.verification.standard_error);
}

TEST(PatientEmbedding, ATrainingRunWritesACardWithItsStrengthOnHeldOutOriginals) {
    const auto folder = fs::temp_directory_path() / ("dpflow_eval_embedding_run_" + std::to_string(getpid()));
    fs::create_directories(folder);
    EmbeddingTrainingRun run;
    run.manifest = phantomStudy().baseDir() / "manifest.csv";
    run.splits = "train,val";
    run.evaluate_split = "test";
    run.output = folder / "attacker.safetensors";
    run.command_line = "dpflow reid-embedding (test)";
    EmbeddingTrainOptions options = tinyEmbeddingOptions();
    options.steps = 60;
    options.cross_acquisition_share = 0.5;
    trainEmbeddingOnManifest(run, options);
    std::ifstream in(embeddingCardPath(run.output));
    const auto card = nlohmann::json::parse(in);
    EXPECT_EQ(card.at("format"), "dpflow-reid-embedding-card");
    EXPECT_EQ(card.at("training").at("splits"), "train,val");
    EXPECT_EQ(card.at("training").at("command"), "dpflow reid-embedding (test)");
    const auto& strength = card.at("strength_on_originals");
    EXPECT_EQ(strength.at("split"), "test");
    for (const char* protocol : {"identification", "linkage"}) {
        const auto& figures = strength.at(protocol);
        EXPECT_LE(figures.at("top1_ci_low").get<double>(), figures.at("top1").get<double>()) << protocol;
        EXPECT_GE(figures.at("top1_ci_high").get<double>(), figures.at("top1").get<double>()) << protocol;
        EXPECT_GT(figures.at("chance").get<double>(), 0.0) << protocol;
        EXPECT_NE(figures.at("summary").get<std::string>().find("verification AUC"), std::string::npos) << protocol;
    }
    EXPECT_EQ(strength.at("linkage").at("top1").get<double>(), 1.0);  // an original is nearest to itself
    fs::remove_all(folder);
}

TEST(PatientEmbedding, RefusesToBeJudgedOnPatientsItWasTrainedOn) {
    EmbeddingTrainingRun run;
    run.manifest = phantomStudy().baseDir() / "manifest.csv";
    run.splits = "train,test";
    run.evaluate_split = "test";
    run.output = fs::temp_directory_path() / ("dpflow_eval_never_written_" + std::to_string(getpid()) + ".safetensors");
    EXPECT_THROW(trainEmbeddingOnManifest(run, tinyEmbeddingOptions()), std::invalid_argument);
    EXPECT_FALSE(fs::exists(run.output));
    EmbeddingTrainOptions options = tinyEmbeddingOptions();
    options.cross_acquisition_share = 1.5;
    run.splits = "train";
    EXPECT_THROW(trainEmbeddingOnManifest(run, options), std::invalid_argument);
}

TEST(PatientEmbedding, SaveAndLoadGiveBitExactEmbeddings) {
    const auto path = fs::temp_directory_path() / ("dpflow_eval_embedding_" + std::to_string(getpid()) + ".safetensors");
    const auto& model = trainedEmbedding().model;
    model.save(path);
    const auto loaded = PatientEmbedding::load(path);
    std::mt19937_64 rng(8);
    const std::vector<Image> images{test::noiseImage(32, rng), test::noiseImage(40, rng)};
    EXPECT_EQ(model.embed(images), loaded.embed(images));
    EXPECT_EQ(loaded.imageSize(), 32);
    {
        std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
        file.seekp(-3, std::ios::end);
        file.put('\x11');
    }
    EXPECT_THROW(PatientEmbedding::load(path), SafetensorsError);
}

}  // namespace
}  // namespace dpflow
