#include "phantom/pathology.h"

#include "phantom/lung_geometry.h"
#include "phantom/phantom_random.h"

#include <cmath>
#include <stdexcept>

namespace dpflow {
namespace {

constexpr const char* kZoneNames[] = {"upper", "middle", "lower"};

// Lesions are placed in the lung of a neutral breath; the renderer's lung at another breath
// moves by a few millimetres, which is what real lesions do as well.
Consolidation drawConsolidation(PhantomRandom& random, const ThoraxShape& shape) {
    Consolidation c;
    c.present = true;
    c.severity = random.uniform(0.1, 1.0);
    c.side = random.chance(0.55) ? -1 : 1;
    c.zone = random.chance(0.55) ? 2 : random.integer(0, 1);
    const LungGeometry lung = lungGeometry(shape, c.side, 0.0);
    const double top = lung.apex_y + 0.12 * (lung.dome_y - lung.apex_y);
    const double zone_height = (lung.dome_y + 15 * shape.body_scale - top) / 3;
    const double cy = top + zone_height * (c.zone + random.uniform(0.3, 0.7));
    const double cx = lung.centre_x + c.side * lung.half_width * random.uniform(-0.05, 0.45);
    c.density = 0.25 + 0.6 * c.severity;
    const double extent = shape.body_scale * (18 + 32 * c.severity);
    const int puffs = 6 + static_cast<int>(10 * c.severity);
    for (int i = 0; i < puffs; ++i) {
        OpacityBlob blob;
        blob.x = cx + random.normal() * extent * 0.6;
        blob.y = cy + random.normal() * extent * 0.5;
        blob.sigma = shape.body_scale * random.uniform(7, 16);
        blob.weight = random.uniform(0.5, 1.0);
        c.blobs.push_back(blob);
    }
    return c;
}

std::vector<Nodule> drawNodules(PhantomRandom& random, const ThoraxShape& shape) {
    std::vector<Nodule> nodules(static_cast<std::size_t>(random.integer(1, 3)));
    for (Nodule& n : nodules) {
        const int side = random.chance(0.5) ? -1 : 1;
        const LungGeometry lung = lungGeometry(shape, side, 0.0);
        n.radius = shape.body_scale * random.uniform(4, 11);
        n.x = lung.centre_x + side * lung.half_width * random.uniform(-0.2, 0.6);
        n.y = lung.apex_y + (lung.dome_y - lung.apex_y) * random.uniform(0.2, 0.75);
        n.z = lung.centre_z + lung.half_depth * random.uniform(-0.4, 0.4);
    }
    return nodules;
}

}  // namespace

std::string Pathology::summary() const {
    std::string text;
    auto add = [&text](const char* finding) { text += (text.empty() ? "" : "+") + std::string(finding); };
    if (consolidation.present) add("consolidation");
    if (effusion.present) add("effusion");
    if (!nodules.empty()) add("nodule");
    return text.empty() ? "normal" : text;
}

std::string Pathology::consolidationZone() const {
    if (!consolidation.present) return {};
    return std::string(consolidation.side < 0 ? "right_" : "left_") + kZoneNames[consolidation.zone];
}

Pathology drawPathology(std::uint64_t study_seed, const PatientIdentity& patient, int image_index,
                        double pathology_rate) {
    if (!(pathology_rate >= 0.0 && pathology_rate <= 1.0))
        throw std::invalid_argument("the pathology rate must be between 0 and 1, got " +
                                    std::to_string(pathology_rate));
    Pathology p;
    PhantomRandom random(study_seed, PhantomStream::pathology, patient.index, image_index);
    if (random.chance(pathology_rate)) p.consolidation = drawConsolidation(random, patient.shape);
    if (random.chance(0.3 * pathology_rate)) {
        p.effusion.present = true;
        p.effusion.side = random.chance(0.5) ? -1 : 1;
        p.effusion.height_mm = patient.shape.body_scale * random.uniform(12, 55);
    }
    PhantomRandom nodule_random(study_seed, PhantomStream::nodules, patient.index);
    if (nodule_random.chance(0.4 * pathology_rate)) p.nodules = drawNodules(nodule_random, patient.shape);
    return p;
}

}  // namespace dpflow
