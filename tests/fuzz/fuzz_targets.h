#pragma once

// The entry points the fuzzers drive: one per parser that reads outside data. Each takes the
// bytes of one input, feeds them to the product's own reader as the product does, and returns
// 0. The errors a reader documents (a clear refusal of a bad file) are caught; anything else
// escapes: a crash, a sanitizer report, an exception of another type (std::bad_alloc from an
// allocation a header asked for, std::out_of_range from an unchecked index) is a finding.
//
// Built two ways (tests/fuzz/CMakeLists.txt): with DPFLOW_FUZZ (clang, libFuzzer, ASan, UBSan)
// each entry point becomes a fuzzer; in the ordinary build, dpflow_fuzz_replay runs every
// input of the seed corpus and of the findings through them as GoogleTest cases.

#include <cstddef>
#include <cstdint>

namespace dpflow::fuzz {

/// An image file as `dpflow info` reads it: PNG or DICOM by content, every transfer syntax.
int fuzzImage(const std::uint8_t* data, std::size_t size);
/// A manifest CSV.
int fuzzManifest(const std::uint8_t* data, std::size_t size);
/// A safetensors file (model weights, classifiers, attackers).
int fuzzSafetensors(const std::uint8_t* data, std::size_t size);
/// A model card (the JSON beside a model, and the one in its safetensors metadata).
int fuzzModelCard(const std::uint8_t* data, std::size_t size);
/// A release configuration JSON (`dpflow release --config`).
int fuzzReleaseConfig(const std::uint8_t* data, std::size_t size);
/// The budget ledger (JSON lines) that every release appends to and checks.
int fuzzLedger(const std::uint8_t* data, std::size_t size);
/// The release state that a resumed release reads back (JSON lines: progress, audit trail).
int fuzzReleaseState(const std::uint8_t* data, std::size_t size);
/// A release folder's certificate as `dpflow verify-release` reads it.
int fuzzCertificate(const std::uint8_t* data, std::size_t size);

/// A target by name, for the replay test and the fuzz driver.
struct FuzzTarget {
    const char* name;  ///< also the corpus folder's name: tests/fuzz/corpus/<name>, tests/fuzz/findings/<name>
    int (*run)(const std::uint8_t*, std::size_t);
};
inline constexpr FuzzTarget kFuzzTargets[] = {
    {"image", fuzzImage},
    {"manifest", fuzzManifest},
    {"safetensors", fuzzSafetensors},
    {"model_card", fuzzModelCard},
    {"release_config", fuzzReleaseConfig},
    {"ledger", fuzzLedger},
    {"release_state", fuzzReleaseState},
    {"certificate", fuzzCertificate},
};

}  // namespace dpflow::fuzz
