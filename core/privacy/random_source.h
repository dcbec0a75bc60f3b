#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dpflow {

/// Where random bits come from. Everything written to disk draws from SystemRandomSource (the
/// operating system's CSPRNG); SeededTestRandomSource exists only so tests are repeatable, and
/// anything produced with it must be stamped NOT PRIVATE (isPrivate() says which).
class RandomSource {
public:
    virtual ~RandomSource() = default;

    /// Fills `size` bytes with uniformly random bits.
    virtual void fill(std::uint8_t* bytes, std::size_t size) = 0;

    /// True only for a cryptographically secure source fit for a release.
    virtual bool isPrivate() const = 0;

    /// A short name recorded in release records, e.g. "getrandom" or "seeded-test (NOT PRIVATE)".
    virtual std::string name() const = 0;

    /// 64 uniformly random bits.
    std::uint64_t nextUint64();
};

/// A standard normal value (Box-Muller on two 53-bit uniforms). For draws that do not depend on
/// any private value (the prior of a latent group given no budget), where exactness of the tails
/// protects nothing; never for noise that hides a value.
double standardNormal(RandomSource& source);

/// The kernel's CSPRNG through getrandom(2), read in blocks to keep system calls rare.
/// Throws std::runtime_error if the kernel refuses (never falls back to a weaker source).
class SystemRandomSource final : public RandomSource {
public:
    void fill(std::uint8_t* bytes, std::size_t size) override;
    bool isPrivate() const override { return true; }
    std::string name() const override { return "getrandom"; }

private:
    std::vector<std::uint8_t> buffer_ = std::vector<std::uint8_t>(4096);
    std::size_t available_ = 0;
};

/// A repeatable generator (SplitMix64) for tests only. Never a release source: isPrivate() is
/// false and its name says NOT PRIVATE, so records and files made with it carry that stamp.
class SeededTestRandomSource final : public RandomSource {
public:
    explicit SeededTestRandomSource(std::uint64_t seed) : state_(seed) {}
    void fill(std::uint8_t* bytes, std::size_t size) override;
    bool isPrivate() const override { return false; }
    std::string name() const override { return "seeded-test (NOT PRIVATE)"; }

private:
    std::uint64_t state_;
};

}  // namespace dpflow
