#include "phantom/acquisition.h"

#include "phantom/phantom_random.h"

namespace dpflow {

const char* toString(ViewPosition view) { return view == ViewPosition::pa ? "PA" : "AP"; }

Acquisition drawAcquisition(std::uint64_t study_seed, const PatientIdentity& patient, int image_index) {
    PhantomRandom random(study_seed, PhantomStream::acquisition, patient.index, image_index);
    Acquisition a;
    // Bedside (AP) films are the minority; children are more often imaged AP.
    a.view = random.chance(patient.age_group == AgeGroup::child ? 0.45 : 0.25) ? ViewPosition::ap
                                                                                : ViewPosition::pa;
    a.computed_radiography = random.chance(0.4);
    a.field_of_view_mm = 410 * patient.shape.body_scale * random.uniform(0.97, 1.06);
    a.shift_x_mm = random.normal() * 0.025 * a.field_of_view_mm;
    a.shift_y_mm = random.normal() * 0.025 * a.field_of_view_mm;
    a.rotation_deg = random.normal() * 2.0;
    a.scale = random.uniform(0.95, 1.05) * (a.view == ViewPosition::ap ? 1.04 : 1.0);
    a.inspiration = random.uniform(-1, 1) * (a.view == ViewPosition::ap ? 1.0 : 0.7) -
                    (a.view == ViewPosition::ap ? 0.3 : 0.0);
    a.photons_per_mm2 = 9000 * random.uniform(0.4, 2.0);
    a.scatter_fraction = random.uniform(0.25, 0.7);
    a.detector_blur_mm = random.uniform(0.3, 0.6) * (a.computed_radiography ? 1.4 : 1.0);
    a.tone_gamma = random.uniform(0.8, 1.25);
    a.edge_enhancement = random.uniform(0.3, 0.9);
    a.gastric_bubble = random.chance(0.8) ? random.uniform(0.5, 1.4) : 0.0;
    // The marker sits at the side it names: the patient's left is image right on both views
    // as displayed, high in the field but at a technologist-dependent spot.
    a.marker_side = random.chance(0.8) ? 'L' : 'R';
    a.marker_u = a.marker_side == 'L' ? random.uniform(0.78, 0.9) : random.uniform(0.05, 0.17);
    a.marker_v = random.uniform(0.12, 0.35);
    return a;
}

}  // namespace dpflow
