#pragma once

#include "phantom/acquisition.h"
#include "phantom/pathology.h"
#include "phantom/patient_identity.h"
#include "phantom/radiograph_renderer.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace dpflow {

enum class PhantomFormat { png, dicom };

/// Parses "png" or "dcm" (also "dicom"). Throws std::invalid_argument for anything else.
PhantomFormat parsePhantomFormat(const std::string& text);

/// What `generatePhantomStudy` makes.
struct PhantomStudyOptions {
    std::filesystem::path out_dir;    ///< created if missing; existing files of the same name are replaced
    int patients = 4;                 ///< 1..100000
    int images_per_patient = 3;       ///< 1..1000
    int size = 256;                   ///< kMinPhantomSize..kMaxPhantomSize
    std::uint64_t seed = 1;           ///< same seed, same bytes
    PhantomFormat format = PhantomFormat::png;  ///< 16-bit PNG or 12-bit DICOM (with a full patient header)
    double pathology_rate = 0.3;      ///< chance of a consolidation per image, 0..1 (see pathology.h)
};

/// Throws std::invalid_argument naming the first option out of range.
void validatePhantomStudyOptions(const PhantomStudyOptions& options);

/// Everything drawn for one image of a study: enough to render it again.
struct PhantomImageSpec {
    PatientIdentity patient;
    Acquisition acquisition;
    Pathology pathology;
    int image_index = 0;
    std::uint64_t noise_seed = 0;
};

/// The draws for image `image_index` of patient `patient_index` of a study with `seed`.
PhantomImageSpec describePhantomImage(std::uint64_t seed, int patient_index, int image_index, double pathology_rate);

/// Renders one described image (see radiograph_renderer.h for the options).
RenderedRadiograph renderPhantomImage(const PhantomImageSpec& spec, const RenderOptions& options);

/// Patient-level split: "train", "val" or "test" for each of `patients`, about 70/15/15 by a
/// seeded shuffle (with at least one val and one test patient from 3 patients up), so that no
/// person appears in two splits.
std::vector<std::string> assignPatientSplits(std::uint64_t seed, int patients);

/// What a generation run did.
struct PhantomStudySummary {
    int images = 0;
    double seconds = 0;                    ///< wall time of rendering and writing
    std::filesystem::path manifest_path;   ///< <out_dir>/manifest.csv
    double imagesPerSecond() const { return seconds > 0 ? images / seconds : 0.0; }
};

/// Called after each image with (images done, images in total).
using PhantomProgress = std::function<void(int, int)>;

/// Writes a study: per image <patient_id>_<index>.png|.dcm and <patient_id>_<index>_mask.png
/// (8-bit, values from pathology.h), and manifest.csv with one row per image: file,
/// patient_id, image_index, split, label (1 = consolidation), the findings and severity,
/// sex, age, view, implant, marker side, mask_file, the text and marker boxes (pixels) and
/// the acquisition parameters. Throws std::invalid_argument for bad options and
/// ImageError / ManifestError / std::filesystem::filesystem_error when writing fails.
PhantomStudySummary generatePhantomStudy(const PhantomStudyOptions& options, const PhantomProgress& progress = {});

}  // namespace dpflow
