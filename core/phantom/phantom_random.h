#pragma once

#include <cstdint>

namespace dpflow {

/// Independent random streams of one phantom study. Each kind of draw has its own stream so
/// that, e.g., adding images to a patient never changes that patient's identity, and an image
/// re-rendered without its marker gets exactly the same noise.
enum class PhantomStream : std::uint64_t {
    identity = 1,     ///< per patient: anatomy, name, implants
    acquisition = 2,  ///< per image: positioning, exposure, view, marker
    pathology = 3,    ///< per image: consolidation, effusion
    nodules = 4,      ///< per patient: persistent nodules
    noise = 5,        ///< per image: quantum noise
    split = 6,        ///< per study: patient-level train/val/test assignment
    dicom = 7,        ///< per patient or image: UIDs, dates, accession numbers
};

/// A small, portable pseudo-random generator (xoshiro256**, seeded by SplitMix64) with its own
/// uniform and normal transforms. The standard library's distributions are not specified
/// bit-for-bit, so a study would not be byte-identical across compilers with them.
class PhantomRandom {
public:
    explicit PhantomRandom(std::uint64_t seed);

    /// The generator for one stream of one entity: (study seed, stream, patient, image).
    /// Use image = -1 for per-patient draws and patient = -1 for per-study draws.
    PhantomRandom(std::uint64_t study_seed, PhantomStream stream, int patient, int image = -1);

    std::uint64_t next();
    /// Uniform in [0, 1).
    double uniform();
    /// Uniform in [lo, hi).
    double uniform(double lo, double hi);
    /// Standard normal (Box-Muller).
    double normal();
    /// True with probability p.
    bool chance(double p);
    /// Uniform integer in [lo, hi], both inclusive.
    int integer(int lo, int hi);

private:
    std::uint64_t state_[4];
};

}  // namespace dpflow
