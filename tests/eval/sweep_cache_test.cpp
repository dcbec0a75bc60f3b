#include "eval/sweep_cache.h"
#include "sweep_test_support.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

namespace dpflow {
namespace {

TEST(SweepCache, KeyIgnoresPathsButNotSettingsOrHashes) {
    const SweepResults results = test::exampleResults();
    const std::string key = sweepCacheKey(results.settings, results.hashes);
    EXPECT_EQ(key.size(), 64u);

    SweepSettings renamed = results.settings;
    renamed.model_path = "elsewhere/m.safetensors";
    renamed.data_path = "elsewhere/d.csv";
    EXPECT_EQ(sweepCacheKey(renamed, results.hashes), key);

    SweepSettings other_eps = results.settings;
    other_eps.epsilons.back() = std::nextafter(other_eps.epsilons.back(), 1e300);
    EXPECT_NE(sweepCacheKey(other_eps, results.hashes), key);

    SweepSettings other_seed = results.settings;
    other_seed.seed = 8;
    EXPECT_NE(sweepCacheKey(other_seed, results.hashes), key);

    SweepSettings other_decoding = results.settings;
    other_decoding.latent_decoding = "shrink";
    EXPECT_NE(sweepCacheKey(other_decoding, results.hashes), key);

    SweepInputHashes other_model = results.hashes;
    other_model.model_sha256 = "ab";
    EXPECT_NE(sweepCacheKey(results.settings, other_model), key);
}

TEST(SweepCache, StoredResultsAreFoundUnderTheirKeyOnly) {
    test::TemporaryFolder folder("dpflow-sweep-cache");
    SweepResults results = test::exampleResults();
    results.cache_key = sweepCacheKey(results.settings, results.hashes);
    storeCachedSweep(folder.path() / "cache", results);

    const std::optional<SweepResults> hit = findCachedSweep(folder.path() / "cache", results.cache_key);
    ASSERT_TRUE(hit.has_value());
    EXPECT_EQ(hit->rows.size(), results.rows.size());
    EXPECT_EQ(hit->rows[1].protocol_a->auc, results.rows[1].protocol_a->auc);

    SweepInputHashes changed_data = results.hashes;
    changed_data.data_sha256 = "cd";
    EXPECT_FALSE(findCachedSweep(folder.path() / "cache", sweepCacheKey(results.settings, changed_data)).has_value());
}

TEST(SweepCache, DamagedEntryIsAMiss) {
    test::TemporaryFolder folder("dpflow-sweep-damaged");
    SweepResults results = test::exampleResults();
    results.cache_key = sweepCacheKey(results.settings, results.hashes);
    storeCachedSweep(folder.path(), results);
    std::ofstream(sweepJsonPath(sweepCacheEntry(folder.path(), results.cache_key))) << "{ not json";
    EXPECT_FALSE(findCachedSweep(folder.path(), results.cache_key).has_value());
}

TEST(SweepCache, DataHashChangesWhenAnImageChangesAndTheManifestDoesNot) {
    test::TemporaryFolder folder("dpflow-sweep-datahash");
    std::ofstream(folder.path() / "a.png") << "first";
    std::ofstream(folder.path() / "manifest.csv") << "file,split\na.png,test\n";
    const std::string before = hashSweepData(folder.path() / "manifest.csv");
    EXPECT_EQ(before, hashSweepData(folder.path() / "manifest.csv"));
    std::ofstream(folder.path() / "a.png") << "second";
    EXPECT_NE(hashSweepData(folder.path() / "manifest.csv"), before);
}

}  // namespace
}  // namespace dpflow
