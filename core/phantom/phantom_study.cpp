#include "phantom/phantom_study.h"

#include "image/dicom_writer.h"
#include "image/manifest.h"
#include "image/png_io.h"
#include "phantom/phantom_dicom_header.h"
#include "phantom/phantom_random.h"
#include "phantom/thorax_anatomy.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <stdexcept>

namespace dpflow {
namespace {

std::string fixed(double value, int decimals = 3) {
    char text[48];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

const std::vector<std::string>& manifestColumns() {
    static const std::vector<std::string> columns = {
        "file", "patient_id", "image_index", "split", "label", "pathology", "consolidation", "effusion", "nodule",
        "severity", "consolidation_zone", "sex", "age_group", "age_years", "view", "modality", "implant",
        "marker_side", "mask_file", "text_x", "text_y", "text_w", "text_h", "marker_x", "marker_y", "marker_w",
        "marker_h", "inspiration", "rotation_deg", "shift_x_mm", "shift_y_mm", "scale", "photons_per_mm2",
        "pixel_spacing_mm", "patient_name"};
    return columns;
}

// A DICOM study also lists the identifiers its headers carry, so it can be joined back to its
// rows after a trip through a PACS (`dpflow pacs get --labels manifest.csv --join ...`).
const std::vector<std::string>& dicomIdentifierColumns() {
    static const std::vector<std::string> columns = {"accession_number", "study_instance_uid", "sop_instance_uid"};
    return columns;
}

std::vector<std::string> dicomIdentifiers(const DicomAttributes& attributes) {
    std::vector<std::string> values;
    for (const char* keyword : {"AccessionNumber", "StudyInstanceUID", "SOPInstanceUID"}) {
        const auto it = std::find_if(attributes.begin(), attributes.end(), [&](const auto& a) { return a.first == keyword; });
        values.push_back(it == attributes.end() ? "" : it->second);
    }
    return values;
}

std::vector<std::string> manifestRow(const PhantomImageSpec& spec, const RenderedRadiograph& rendered,
                                     const std::string& file, const std::string& mask_file, const std::string& split) {
    const Pathology& p = spec.pathology;
    const Acquisition& a = spec.acquisition;
    auto box = [](const PixelBox& b) {
        return std::vector<std::string>{std::to_string(b.x), std::to_string(b.y), std::to_string(b.width),
                                        std::to_string(b.height)};
    };
    std::vector<std::string> row = {
        file, spec.patient.patient_id, std::to_string(spec.image_index), split,
        p.consolidation.present ? "1" : "0", p.summary(), p.consolidation.present ? "1" : "0",
        p.effusion.present ? "1" : "0", p.nodules.empty() ? "0" : "1", fixed(p.consolidation.severity),
        p.consolidationZone(), toString(spec.patient.sex), toString(spec.patient.age_group),
        std::to_string(spec.patient.age_years), toString(a.view), a.computed_radiography ? "CR" : "DX",
        toString(spec.patient.implant), std::string(1, a.marker_side), mask_file};
    for (const auto& v : box(rendered.text_box)) row.push_back(v);
    for (const auto& v : box(rendered.marker_box)) row.push_back(v);
    for (double v : {a.inspiration, a.rotation_deg, a.shift_x_mm, a.shift_y_mm, a.scale}) row.push_back(fixed(v));
    row.push_back(fixed(a.photons_per_mm2, 0));
    row.push_back(fixed((*rendered.image.pixel_spacing_mm)[0], 6));
    row.push_back(spec.patient.family_name + "^" + spec.patient.given_name);
    return row;
}

Image maskImage(const RenderedRadiograph& rendered) {
    Image mask = makeImage(rendered.image.width, rendered.image.height);
    for (std::size_t i = 0; i < rendered.mask.size(); ++i) mask.pixels[i] = rendered.mask[i] / 255.0f;
    mask.stored_bits = 8;
    return mask;
}

}  // namespace

PhantomFormat parsePhantomFormat(const std::string& text) {
    if (text == "png") return PhantomFormat::png;
    if (text == "dcm" || text == "dicom") return PhantomFormat::dicom;
    throw std::invalid_argument("unknown phantom format \"" + text + "\": use png or dcm");
}

void validatePhantomStudyOptions(const PhantomStudyOptions& o) {
    auto require = [](bool ok, const std::string& message) {
        if (!ok) throw std::invalid_argument(message);
    };
    require(!o.out_dir.empty(), "an output folder is required");
    require(o.patients >= 1 && o.patients <= 100000,
            "the number of patients must be between 1 and 100000, got " + std::to_string(o.patients));
    require(o.images_per_patient >= 1 && o.images_per_patient <= 1000,
            "images per patient must be between 1 and 1000, got " + std::to_string(o.images_per_patient));
    require(o.size >= kMinPhantomSize && o.size <= kMaxPhantomSize,
            "the image size must be between " + std::to_string(kMinPhantomSize) + " and " +
                std::to_string(kMaxPhantomSize) + " pixels, got " + std::to_string(o.size));
    require(o.pathology_rate >= 0 && o.pathology_rate <= 1,
            "the pathology rate must be between 0 and 1, got " + fixed(o.pathology_rate));
}

PhantomImageSpec describePhantomImage(std::uint64_t seed, int patient_index, int image_index, double pathology_rate) {
    PhantomImageSpec spec;
    spec.patient = drawPatientIdentity(seed, patient_index);
    spec.acquisition = drawAcquisition(seed, spec.patient, image_index);
    spec.pathology = drawPathology(seed, spec.patient, image_index, pathology_rate);
    spec.image_index = image_index;
    spec.noise_seed = PhantomRandom(seed, PhantomStream::noise, patient_index, image_index).next();
    return spec;
}

RenderedRadiograph renderPhantomImage(const PhantomImageSpec& spec, const RenderOptions& options) {
    const ThoraxScene scene = buildThoraxScene(spec.patient, spec.acquisition, spec.pathology);
    return renderRadiograph(scene, spec.acquisition, burnedInText(spec.patient), spec.patient.text_corner,
                            spec.noise_seed, options);
}

std::vector<std::string> assignPatientSplits(std::uint64_t seed, int patients) {
    std::vector<std::uint64_t> keys(static_cast<std::size_t>(patients));
    for (int p = 0; p < patients; ++p) keys[p] = PhantomRandom(seed, PhantomStream::split, p).next();
    std::vector<int> order(static_cast<std::size_t>(patients));
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return keys[a] < keys[b]; });
    const int held_out = patients >= 3 ? std::max(1, static_cast<int>(std::lround(0.15 * patients))) : 0;
    std::vector<std::string> splits(static_cast<std::size_t>(patients), "train");
    for (int k = 0; k < held_out; ++k) {
        splits[order[patients - 1 - k]] = "test";
        splits[order[patients - 1 - held_out - k]] = "val";
    }
    return splits;
}

PhantomStudySummary generatePhantomStudy(const PhantomStudyOptions& options, const PhantomProgress& progress) {
    validatePhantomStudyOptions(options);
    const auto start = std::chrono::steady_clock::now();
    std::filesystem::create_directories(options.out_dir);
    std::vector<std::string> columns = manifestColumns();
    const bool dicom = options.format != PhantomFormat::png;
    if (dicom) columns.insert(columns.end(), dicomIdentifierColumns().begin(), dicomIdentifierColumns().end());
    Manifest manifest(columns, options.out_dir);
    const std::vector<std::string> splits = assignPatientSplits(options.seed, options.patients);
    RenderOptions render;
    render.size = options.size;
    const int total = options.patients * options.images_per_patient;
    int done = 0;
    for (int patient = 0; patient < options.patients; ++patient) {
        for (int image = 0; image < options.images_per_patient; ++image) {
            const PhantomImageSpec spec = describePhantomImage(options.seed, patient, image, options.pathology_rate);
            const RenderedRadiograph rendered = renderPhantomImage(spec, render);
            const std::string stem = spec.patient.patient_id + "_" + std::to_string(image);
            const std::string file = stem + (options.format == PhantomFormat::png ? ".png" : ".dcm");
            const std::string mask_file = stem + "_mask.png";
            std::vector<std::string> row = manifestRow(spec, rendered, file, mask_file, splits[patient]);
            if (!dicom) {
                writePng(rendered.image, options.out_dir / file, 16);
            } else {
                const DicomAttributes header = phantomDicomAttributes(options.seed, spec, (*rendered.image.pixel_spacing_mm)[0]);
                writeDicom(rendered.image, options.out_dir / file, 12, header);
                const auto identifiers = dicomIdentifiers(header);
                row.insert(row.end(), identifiers.begin(), identifiers.end());
            }
            writePng(maskImage(rendered), options.out_dir / mask_file, 8);
            manifest.addRow(std::move(row));
            if (progress) progress(++done, total);
        }
    }
    PhantomStudySummary summary;
    summary.manifest_path = options.out_dir / "manifest.csv";
    manifest.write(summary.manifest_path);
    summary.images = total;
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return summary;
}

}  // namespace dpflow
