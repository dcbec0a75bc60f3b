#include "phantom/phantom_study.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <vector>

namespace dpflow {
namespace {

void expectSameShape(const ThoraxShape& a, const ThoraxShape& b) {
    EXPECT_EQ(a.body_scale, b.body_scale);
    EXPECT_EQ(a.chest_half_width, b.chest_half_width);
    EXPECT_EQ(a.lung_half_width, b.lung_half_width);
    EXPECT_EQ(a.lung_half_height, b.lung_half_height);
    EXPECT_EQ(a.heart_half_width, b.heart_half_width);
    EXPECT_EQ(a.heart_angle_deg, b.heart_angle_deg);
    EXPECT_EQ(a.rib_spacing, b.rib_spacing);
    EXPECT_EQ(a.rib_drop_power, b.rib_drop_power);
    EXPECT_EQ(a.spine_curve_amplitude, b.spine_curve_amplitude);
    EXPECT_EQ(a.bone_density, b.bone_density);
    EXPECT_EQ(a.breast_size, b.breast_size);
    EXPECT_EQ(a.vessel_seed, b.vessel_seed);
}

TEST(PatientIdentity, IsTheSameInEveryImageOfThePatient) {
    const PhantomImageSpec first = describePhantomImage(42, 3, 0, 0.3);
    const PhantomImageSpec third = describePhantomImage(42, 3, 2, 0.3);
    EXPECT_EQ(first.patient.patient_id, third.patient.patient_id);
    EXPECT_EQ(first.patient.family_name, third.patient.family_name);
    EXPECT_EQ(first.patient.implant, third.patient.implant);
    expectSameShape(first.patient.shape, third.patient.shape);
    // ... while the acquisition is the image's own.
    EXPECT_NE(first.acquisition.shift_x_mm, third.acquisition.shift_x_mm);
    EXPECT_NE(first.noise_seed, third.noise_seed);
}

TEST(PatientIdentity, DiffersBetweenPatientsAndSeeds) {
    const ThoraxShape a = drawPatientIdentity(42, 0).shape, b = drawPatientIdentity(42, 1).shape;
    const ThoraxShape c = drawPatientIdentity(43, 0).shape;
    EXPECT_NE(a.chest_half_width, b.chest_half_width);
    EXPECT_NE(a.chest_half_width, c.chest_half_width);
}

TEST(PatientIdentity, PatientIdsAreUniqueWithinAStudy) {
    std::set<std::string> ids;
    for (int p = 0; p < 2000; ++p) ids.insert(drawPatientIdentity(7, p).patient_id);
    EXPECT_EQ(ids.size(), 2000u);
}

TEST(PatientIdentity, BurnedInTextNamesThePatientAndId) {
    const PatientIdentity p = drawPatientIdentity(9, 4);
    const std::string text = burnedInText(p);
    EXPECT_NE(text.find(p.family_name), std::string::npos);
    EXPECT_NE(text.find(p.patient_id), std::string::npos);
}

TEST(PatientSplit, IsAboutSeventyFifteenFifteenByPatient) {
    const std::vector<std::string> splits = assignPatientSplits(5, 100);
    std::map<std::string, int> counts;
    for (const auto& s : splits) ++counts[s];
    EXPECT_EQ(counts["train"], 70);
    EXPECT_EQ(counts["val"], 15);
    EXPECT_EQ(counts["test"], 15);
    EXPECT_EQ(assignPatientSplits(5, 100), splits);
}

TEST(PatientSplit, SmallStudiesStillHaveValidationAndTestPatients) {
    const std::vector<std::string> splits = assignPatientSplits(1, 4);
    EXPECT_EQ(std::count(splits.begin(), splits.end(), "train"), 2);
    EXPECT_EQ(std::count(splits.begin(), splits.end(), "val"), 1);
    EXPECT_EQ(std::count(splits.begin(), splits.end(), "test"), 1);
}

std::vector<float> normalisedThumbnail(const Image& image, int side) {
    std::vector<float> v(static_cast<std::size_t>(side) * side, 0.0f);
    const int f = image.width / side;
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x) v[(y / f) * side + x / f] += image.at(x, y);
    double mean = 0, var = 0;
    for (float a : v) mean += a;
    mean /= v.size();
    for (float a : v) var += (a - mean) * (a - mean);
    const double sd = std::sqrt(var / v.size()) + 1e-9;
    for (float& a : v) a = static_cast<float>((a - mean) / sd);
    return v;
}

// Identity must be real signal: a nearest-neighbour matcher on normalised raw pixels, with one
// gallery image per patient, names the patient of other images far above chance.
TEST(PatientIdentity, NearestNeighbourOnPixelsReidentifiesPatientsFarAboveChance) {
    const int patients = 20, images = 3, side = 16;
    RenderOptions options;
    options.size = 64;
    std::vector<std::vector<std::vector<float>>> features(patients);
    for (int p = 0; p < patients; ++p)
        for (int i = 0; i < images; ++i)
            features[p].push_back(normalisedThumbnail(renderPhantomImage(describePhantomImage(3, p, i, 0.3), options).image, side));
    int correct = 0, probes = 0;
    for (int p = 0; p < patients; ++p)
        for (int i = 1; i < images; ++i, ++probes) {
            int best = -1;
            double best_distance = 1e300;
            for (int q = 0; q < patients; ++q) {
                double d = 0;
                for (std::size_t k = 0; k < features[q][0].size(); ++k) d += std::pow(features[p][i][k] - features[q][0][k], 2);
                if (d < best_distance) best_distance = d, best = q;
            }
            correct += best == p;
        }
    const double rate = static_cast<double>(correct) / probes, chance = 1.0 / patients;
    EXPECT_GT(rate, 3 * chance) << correct << "/" << probes;  // measured: 0.25 vs chance 0.05
}

}  // namespace
}  // namespace dpflow
