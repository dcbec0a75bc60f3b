#pragma once

#include "eval/sweep_results.h"

#include <filesystem>
#include <optional>
#include <string>

namespace dpflow {

/// Key of a sweep's figures: SHA-256 (hex) of the hashes of model, classifier and data and of
/// every setting that changes a figure (not the paths: the same files under another name give the
/// same figures). Equal keys mean the cached results answer the request exactly.
std::string sweepCacheKey(const SweepSettings& settings, const SweepInputHashes& hashes);

/// SHA-256 (hex) of a study: the manifest's bytes, then, for every row in manifest order, the row's
/// file name and the SHA-256 of its file. An edited image changes the key even when the manifest
/// does not. Throws std::runtime_error naming the file that cannot be read.
std::string hashSweepData(const std::filesystem::path& manifest);

/// The results CSV a cache entry occupies: <cache_dir>/sweep-<first 16 hex digits of key>.csv
/// (its JSON beside it).
std::filesystem::path sweepCacheEntry(const std::filesystem::path& cache_dir, const std::string& key);

/// The cached results for `key`, or nothing when there is no entry, or the entry is unreadable or
/// carries another key (a damaged or colliding entry is a miss, recomputed and overwritten).
std::optional<SweepResults> findCachedSweep(const std::filesystem::path& cache_dir, const std::string& key);

/// Stores `results` under results.cache_key (creating `cache_dir`). Throws std::runtime_error when
/// the directory or the files cannot be written.
void storeCachedSweep(const std::filesystem::path& cache_dir, const SweepResults& results);

}  // namespace dpflow
