#include "phantom/patient_identity.h"

#include "phantom/phantom_random.h"

#include <cstdio>
#include <iterator>

namespace dpflow {
namespace {

constexpr const char* kFemaleNames[] = {
    "ANNA", "BEATRIZ", "CLARA", "DANA", "ELENA", "FATIMA", "GRETA", "HANNA", "IRIS", "JUNE",
    "KAI", "LENA", "MAYA", "NORA", "OLGA", "PRIYA", "ROSA", "SOFIA", "TESSA", "UMA", "VERA", "YUKI"};
constexpr const char* kMaleNames[] = {
    "AARON", "BRUNO", "CARLOS", "DMITRI", "EMIL", "FELIX", "GUSTAV", "HUGO", "IVAN", "JONAS",
    "KENJI", "LUCA", "MARCO", "NILS", "OSCAR", "PAVEL", "RAFAEL", "SAMIR", "TOMAS", "VIKTOR", "YUSUF"};
constexpr const char* kFamilyNames[] = {
    "ABERNATHY", "BALDINI", "CASTELLANO", "DVORAK", "ELLISON", "FONTAINE", "GRUBER", "HALVORSEN",
    "IBARRA", "JANSSEN", "KOWALSKI", "LINDQVIST", "MORETTI", "NAKAMURA", "OKAFOR", "PETROV",
    "QUINTERO", "RASMUSSEN", "SANTOS", "TANAKA", "UDALL", "VASQUEZ", "WINTERBOTTOM", "XIMENES",
    "YILMAZ", "ZIEGLER", "BRENNAN", "DUPONT", "FALK", "HOLLOWAY", "KRAUSE", "MENDOZA"};

template <typename T, std::size_t N>
const T& pick(PhantomRandom& random, const T (&items)[N]) {
    return items[random.integer(0, static_cast<int>(N) - 1)];
}

// Mean anatomy by age group, varied per patient: children are smaller with relatively larger
// hearts and fainter bones; seniors have flatter domes, denser-looking hearts and thinner bone.
ThoraxShape drawShape(PhantomRandom& random, PhantomSex sex, AgeGroup group) {
    ThoraxShape s;
    const double scale = group == AgeGroup::child ? random.uniform(0.56, 0.72)
                                                  : random.uniform(0.93, 1.07) * (sex == PhantomSex::male ? 1.04 : 0.97);
    const double habitus = random.uniform(0.86, 1.18);  // slim .. broad
    s.body_scale = scale;
    s.chest_half_width = 150 * scale * habitus;
    s.chest_half_depth = 100 * scale * random.uniform(0.85, 1.2) * (0.7 + 0.3 * habitus);
    s.shoulder_half_width = s.chest_half_width * random.uniform(1.12, 1.24);
    s.lung_half_width = 64 * scale * random.uniform(0.9, 1.1) * (0.8 + 0.2 * habitus);
    s.lung_half_height = 150 * scale * random.uniform(0.9, 1.08);
    s.lung_centre_x = s.lung_half_width + 12 * scale * random.uniform(0.8, 1.3);
    s.left_lung_ratio = random.uniform(0.88, 1.0);
    s.lung_base_exponent = random.uniform(2.5, 3.6);
    const double heart = random.uniform(0.86, 1.16) * (group == AgeGroup::child ? 1.12 : 1.0) *
                         (group == AgeGroup::senior ? 1.06 : 1.0);
    s.heart_half_width = 62 * scale * heart;
    s.heart_half_height = 50 * scale * heart * random.uniform(0.9, 1.1);
    s.heart_angle_deg = random.uniform(22, 42);
    s.heart_offset_x = 20 * scale * random.uniform(0.6, 1.4);
    s.dome_level = 62 * scale + random.normal() * 8 * scale;
    s.dome_left_drop = random.uniform(6, 24) * scale;
    s.rib_spacing = 25 * scale * random.uniform(0.9, 1.1);
    s.rib_drop = 82 * scale * random.uniform(0.85, 1.15);
    s.rib_drop_power = random.uniform(1.4, 2.1);
    s.rib_radius = 5.6 * scale * random.uniform(0.88, 1.12);
    s.spine_curve_amplitude = random.chance(0.12) ? random.uniform(8, 18) * (random.chance(0.5) ? 1 : -1)
                                                  : random.normal() * 2.5;
    s.spine_curve_phase = random.uniform(0, 3.14159);
    s.clavicle_rise = random.uniform(5, 30) * scale;
    s.bone_density = (group == AgeGroup::child ? 0.7 : group == AgeGroup::senior ? 0.78 : 1.0) *
                     random.uniform(0.9, 1.1);
    s.breast_size = (sex == PhantomSex::female && group != AgeGroup::child) ? random.uniform(0.55, 1.35) : 0.0;
    s.trachea_offset = random.normal() * 3 * scale;
    s.vessel_seed = random.next();
    return s;
}

}  // namespace

const char* toString(PhantomSex sex) { return sex == PhantomSex::female ? "F" : "M"; }

const char* toString(AgeGroup group) {
    switch (group) {
        case AgeGroup::child: return "child";
        case AgeGroup::adult: return "adult";
        case AgeGroup::senior: return "senior";
    }
    return "adult";
}

const char* toString(Implant implant) {
    switch (implant) {
        case Implant::none: return "none";
        case Implant::pacemaker: return "pacemaker";
        case Implant::sternal_wires: return "sternal_wires";
        case Implant::port: return "port";
    }
    return "none";
}

PatientIdentity drawPatientIdentity(std::uint64_t study_seed, int patient_index) {
    PhantomRandom random(study_seed, PhantomStream::identity, patient_index);
    PatientIdentity p;
    p.index = patient_index;

    // A bijection on 0..999999 (617381 is coprime to 10^6) keeps ids unique within a study.
    const auto offset = static_cast<long long>(PhantomRandom(study_seed, PhantomStream::identity, -1).next() % 1000000);
    const long long number = (static_cast<long long>(patient_index) * 617381 + offset) % 1000000;
    char id[16];
    std::snprintf(id, sizeof id, "PX%06lld", number);
    p.patient_id = id;

    p.sex = random.chance(0.5) ? PhantomSex::female : PhantomSex::male;
    const double age_draw = random.uniform();
    p.age_group = age_draw < 0.2 ? AgeGroup::child : age_draw < 0.7 ? AgeGroup::adult : AgeGroup::senior;
    p.age_years = p.age_group == AgeGroup::child ? random.integer(3, 12)
                  : p.age_group == AgeGroup::adult ? random.integer(18, 64)
                                                   : random.integer(65, 92);
    char birth[16];
    std::snprintf(birth, sizeof birth, "%04d%02d%02d", kPhantomStudyYear - p.age_years - 1,
                  random.integer(1, 12), random.integer(1, 28));
    p.birth_date = birth;
    p.given_name = p.sex == PhantomSex::female ? pick(random, kFemaleNames) : pick(random, kMaleNames);
    p.family_name = pick(random, kFamilyNames);

    const double implant_draw = random.uniform();
    if (p.age_group != AgeGroup::child) {
        const double older = p.age_group == AgeGroup::senior ? 2.0 : 1.0;
        if (implant_draw < 0.05 * older) p.implant = Implant::pacemaker;
        else if (implant_draw < 0.09 * older) p.implant = Implant::sternal_wires;
        else if (implant_draw < 0.12 * older) p.implant = Implant::port;
    }
    p.implant_side = random.chance(0.8) ? 1 : -1;  // pacemakers mostly sit on the left
    p.text_corner = random.integer(0, 3);
    p.shape = drawShape(random, p.sex, p.age_group);
    return p;
}

std::string burnedInText(const PatientIdentity& patient) {
    return patient.family_name + ", " + patient.given_name + "  ID " + patient.patient_id;
}

}  // namespace dpflow
