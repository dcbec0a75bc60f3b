#pragma once

#include <cstdint>
#include <string>

namespace dpflow {

enum class PhantomSex { female, male };
enum class AgeGroup { child, adult, senior };
/// Rare, identifying hardware: each is visible in every radiograph of its patient.
enum class Implant { none, pacemaker, sternal_wires, port };

const char* toString(PhantomSex sex);      ///< "F" / "M" (DICOM PatientSex)
const char* toString(AgeGroup group);      ///< "child" / "adult" / "senior"
const char* toString(Implant implant);     ///< "none" / "pacemaker" / "sternal_wires" / "port"

/// The patient's body, fixed for life: everything that makes two radiographs of one person
/// look alike. Lengths are millimetres in the patient frame (x toward the patient's left,
/// which is image right on a PA film; y toward the feet; z from front to back).
struct ThoraxShape {
    double body_scale = 1.0;          ///< overall size relative to an adult (a child is ~0.65)
    double chest_half_width = 150;    ///< outer chest wall at lung level
    double chest_half_depth = 100;    ///< front-to-back half thickness
    double shoulder_half_width = 178; ///< soft tissue over the shoulders
    double lung_half_width = 66;      ///< each lung, at its widest
    double lung_half_height = 150;    ///< from the lung centre to its apex
    double lung_centre_x = 76;        ///< distance of each lung centre from the midline
    double left_lung_ratio = 0.95;    ///< left lung width relative to the right
    double lung_base_exponent = 3.0;  ///< >2 gives the wide, flat lung base of a real chest
    double heart_half_width = 62;     ///< along the heart's long axis
    double heart_half_height = 52;
    double heart_angle_deg = 32;      ///< long axis tilt, apex down to the patient's left
    double heart_offset_x = 22;       ///< heart centre toward the patient's left
    double dome_level = 62;           ///< right diaphragm dome apex (y) at neutral inspiration
    double dome_left_drop = 16;       ///< left dome below the right one
    double rib_spacing = 25;          ///< vertical distance between posterior ribs
    double rib_drop = 82;             ///< how far a rib descends from its head to its front end
    double rib_drop_power = 1.7;      ///< rib curvature profile (higher: flatter posterior part)
    double rib_radius = 5.5;          ///< half height of a posterior rib
    double spine_curve_amplitude = 0; ///< lateral spine deviation (scoliosis), mm
    double spine_curve_phase = 0;     ///< where along the spine the curve peaks, radians
    double clavicle_rise = 18;        ///< how much the clavicle rises from sternum to shoulder
    double bone_density = 1.0;        ///< bone attenuation multiplier (lower with age)
    double breast_size = 0;           ///< 0 for none; ~1 an average adult female
    double trachea_offset = 0;        ///< lateral trachea position
    std::uint64_t vessel_seed = 0;    ///< the branching of the lung vessels
};

/// One synthetic patient: who they are (all names and numbers are invented) and their body.
/// Drawn once per patient from the study seed and never from an image's own draws.
struct PatientIdentity {
    int index = 0;                   ///< position in the study, 0-based
    std::string patient_id;          ///< e.g. "PX482913", unique within a study
    std::string given_name;          ///< uppercase ASCII
    std::string family_name;         ///< uppercase ASCII
    PhantomSex sex = PhantomSex::female;
    AgeGroup age_group = AgeGroup::adult;
    int age_years = 40;
    std::string birth_date;          ///< YYYYMMDD, consistent with age_years at the study date
    Implant implant = Implant::none;
    int implant_side = -1;           ///< -1 patient's right, +1 patient's left
    int text_corner = 0;             ///< 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right
    ThoraxShape shape;
};

/// The year of every synthetic study date; birth dates follow from it and the age.
constexpr int kPhantomStudyYear = 2024;

/// Draws patient `patient_index` of the study with seed `study_seed`. Deterministic; distinct
/// indices get distinct patient ids.
PatientIdentity drawPatientIdentity(std::uint64_t study_seed, int patient_index);

/// The line burned into the image corner: "FAMILY, GIVEN  ID PX482913".
std::string burnedInText(const PatientIdentity& patient);

}  // namespace dpflow
