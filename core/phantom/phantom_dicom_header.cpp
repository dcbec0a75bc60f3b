#include "phantom/phantom_dicom_header.h"

#include "phantom/phantom_random.h"

#include <cstdio>
#include <string>

namespace dpflow {
namespace {

constexpr const char* kInstitutions[] = {"SYNTHETIC GENERAL HOSPITAL", "PHANTOM VALLEY CLINIC",
                                         "ST. NOWHERE MEDICAL CENTER", "MOCK COUNTY INFIRMARY"};
constexpr const char* kPhysicians[] = {"HOUSE^GREGORY", "QUINN^MICHAELA", "KILDARE^JAMES", "GREY^MEREDITH",
                                       "WHO^THE^DR", "ZHIVAGO^YURI"};
constexpr const char* kStreets[] = {"ELM STREET", "MAPLE AVENUE", "HARBOR ROAD", "CEDAR LANE", "MILL WAY"};

std::string format(const char* pattern, long long a, long long b = 0, long long c = 0) {
    char text[64];
    std::snprintf(text, sizeof text, pattern, a, b, c);
    return text;
}

}  // namespace

std::string phantomUid(std::uint64_t high, std::uint64_t low) {
    unsigned __int128 value = (static_cast<unsigned __int128>(high) << 64) | low;
    std::string digits;
    do {
        digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(value % 10)));
        value /= 10;
    } while (value != 0);
    return "2.25." + digits;
}

DicomAttributes phantomDicomAttributes(std::uint64_t seed, const PhantomImageSpec& spec, double pixel_mm) {
    const PatientIdentity& p = spec.patient;
    PhantomRandom study(seed, PhantomStream::dicom, p.index);
    const std::string study_uid = phantomUid(study.next(), study.next());
    const std::string study_date = format("%04lld%02lld%02lld", kPhantomStudyYear, study.integer(1, 12), study.integer(1, 28));
    const std::string study_time = format("%02lld%02lld%02lld", study.integer(7, 19), study.integer(0, 59), study.integer(0, 59));
    const std::string accession = format("ACC%08lld", study.integer(0, 99999999));
    const std::string institution = kInstitutions[study.integer(0, 3)];
    const std::string physician = kPhysicians[study.integer(0, 5)];
    const std::string address = format("%lld ", study.integer(1, 400)) + kStreets[study.integer(0, 4)] + ", SYNTHVILLE";

    PhantomRandom image(seed, PhantomStream::dicom, p.index, spec.image_index);
    const std::string series_uid = phantomUid(image.next(), image.next());
    const std::string instance_uid = phantomUid(image.next(), image.next());
    const std::string spacing = format("%lld.%06lld", static_cast<long long>(pixel_mm),
                                       static_cast<long long>((pixel_mm - static_cast<long long>(pixel_mm)) * 1e6 + 0.5));

    return {
        {"PatientName", p.family_name + "^" + p.given_name},
        {"PatientID", p.patient_id},
        {"PatientBirthDate", p.birth_date},
        {"PatientSex", toString(p.sex)},
        {"PatientAge", format("%03lldY", p.age_years)},
        {"PatientAddress", address},
        {"StudyInstanceUID", study_uid},
        {"StudyDate", study_date},
        {"StudyTime", study_time},
        {"StudyID", format("%lld", p.index + 1)},
        {"AccessionNumber", accession},
        {"InstitutionName", institution},
        {"ReferringPhysicianName", physician},
        {"StudyDescription", "CHEST X-RAY (SYNTHETIC PHANTOM)"},
        {"SeriesInstanceUID", series_uid},
        {"SeriesNumber", format("%lld", spec.image_index + 1)},
        {"SeriesDate", study_date},
        {"SOPInstanceUID", instance_uid},
        {"InstanceNumber", "1"},
        {"Modality", spec.acquisition.computed_radiography ? "CR" : "DX"},
        {"BodyPartExamined", "CHEST"},
        {"ViewPosition", toString(spec.acquisition.view)},
        {"PatientOrientation", "L\\F"},
        {"ImagerPixelSpacing", spacing + "\\" + spacing},
        {"BurnedInAnnotation", "YES"},
        {"Manufacturer", "DP-FLOW STUDIO PHANTOM"},
        {"StationName", format("XR%02lld", study.integer(1, 20))},
    };
}

}  // namespace dpflow
