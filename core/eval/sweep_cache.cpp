#include "eval/sweep_cache.h"

#include "image/manifest.h"
#include "image/sha256.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <stdexcept>

namespace dpflow {

std::string sweepCacheKey(const SweepSettings& s, const SweepInputHashes& hashes) {
    // Every setting except where the inputs lie (their hashes stand for them), and eps as exact
    // bit patterns ("%a"): 1e5 and 100000.0000001 must not share an entry.
    nlohmann::ordered_json key = sweepSettingsToJson(s);
    for (const char* path : {"model", "classifier", "data", "embedding", "linkage_embedding", "allocations"}) key.erase(path);
    key["format"] = "dpflow-sweep-cache-key";
    key["version"] = 5;  // 4: results carry the figures given the disclosed attributes; 5: the score attacker
    key["embedding_sha256"] = hashes.embedding_sha256;
    key["linkage_embedding_sha256"] = hashes.linkage_embedding_sha256;
    key["model_sha256"] = hashes.model_sha256;
    key["classifier_sha256"] = hashes.classifier_sha256;
    key["data_sha256"] = hashes.data_sha256;
    key["allocation_sha256"] = hashes.allocation_sha256;
    nlohmann::ordered_json epsilons = nlohmann::ordered_json::array();
    for (double eps : s.epsilons) {
        char buffer[40];
        std::snprintf(buffer, sizeof buffer, "%a", eps);
        epsilons.push_back(buffer);
    }
    key["epsilons"] = epsilons;
    const std::string text = key.dump();
    return sha256Hex(text.data(), text.size());
}

std::string hashSweepData(const std::filesystem::path& manifest_path) {
    const Manifest manifest = Manifest::read(manifest_path);
    Sha256 hash;
    hash.updateWithFile(manifest_path);
    for (std::size_t row = 0; row < manifest.size(); ++row) {
        const std::string name = manifest.value(row, "file");
        const std::string digest = sha256OfFile(manifest.file(row));
        hash.update(name.data(), name.size() + 1);  // with its terminator: names cannot run together
        hash.update(digest.data(), digest.size());
    }
    return hash.hexDigest();
}

std::filesystem::path sweepCacheEntry(const std::filesystem::path& cache_dir, const std::string& key) {
    return cache_dir / ("sweep-" + key.substr(0, 16) + ".csv");
}

std::optional<SweepResults> findCachedSweep(const std::filesystem::path& cache_dir, const std::string& key) {
    const std::filesystem::path entry = sweepCacheEntry(cache_dir, key);
    std::error_code error;
    if (!std::filesystem::exists(entry, error) || !std::filesystem::exists(sweepJsonPath(entry), error))
        return std::nullopt;
    try {
        SweepResults results = readSweepResults(entry);
        if (results.cache_key != key) return std::nullopt;
        return results;
    } catch (const std::runtime_error&) {
        return std::nullopt;
    }
}

void storeCachedSweep(const std::filesystem::path& cache_dir, const SweepResults& results) {
    std::error_code error;
    std::filesystem::create_directories(cache_dir, error);
    if (error) throw std::runtime_error("cannot create the sweep cache " + cache_dir.string() + ": " + error.message());
    writeSweepResults(results, sweepCacheEntry(cache_dir, results.cache_key));
}

}  // namespace dpflow
