#pragma once

#include <string>

namespace dpflow {

/// Which deterministic slice of the inputs a run releases (`--shard i/N`): the whole input is
/// one shard 0/1. Shards of one release are run with identical settings, possibly on different
/// machines (Slurm array tasks, Kubernetes Indexed Job pods), and merged afterwards.
struct ReleaseShard {
    int index = 0;  ///< i, 0 <= i < count
    int count = 1;  ///< N >= 1

    /// "i/N".
    std::string text() const;
};

/// Parses "i/N". Throws std::invalid_argument unless both are integers with 0 <= i < N.
ReleaseShard parseReleaseShard(const std::string& text);

/// The shard (0..count-1) that releases a source: the first 8 bytes of SHA-256 of its ledger
/// key ("sop:<uid>" or "sha256:<file hash>") read big-endian, modulo `count`. Depends on the
/// image itself, not on its path or position in the manifest, so every machine agrees and the
/// same image always lands in the same shard. Throws std::invalid_argument for count < 1.
int shardOfSource(const std::string& ledger_key, int count);

}  // namespace dpflow
