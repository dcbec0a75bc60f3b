#include "image/deidentification_profile.h"

#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <map>
#include <string>

namespace dpflow {
namespace {

using A = DeidentificationAction;
using UidMap = std::map<std::string, std::string>;

// Rows sorted by (group, element) for binary search. Generated from PS3.15 Table E.1-1
// (Basic Profile column) with the tags of DCMTK's data dictionary.
const std::vector<DeidentificationRule> kRules = {
        {0x0000, 0x1001, "RequestedSOPInstanceUID", A::NewUid},
        {0x0004, 0x1511, "ReferencedSOPInstanceUIDInFile", A::NewUid},
        {0x0008, 0x0012, "InstanceCreationDate", A::Remove},
        {0x0008, 0x0013, "InstanceCreationTime", A::Remove},
        {0x0008, 0x0014, "InstanceCreatorUID", A::NewUid},
        {0x0008, 0x0018, "SOPInstanceUID", A::NewUid},
        {0x0008, 0x0020, "StudyDate", A::Zero},
        {0x0008, 0x0021, "SeriesDate", A::Remove},
        {0x0008, 0x0022, "AcquisitionDate", A::Remove},
        {0x0008, 0x0023, "ContentDate", A::Zero},
        {0x0008, 0x0024, "OverlayDate", A::Remove},
        {0x0008, 0x0025, "CurveDate", A::Remove},
        {0x0008, 0x002A, "AcquisitionDateTime", A::Remove},
        {0x0008, 0x0030, "StudyTime", A::Zero},
        {0x0008, 0x0031, "SeriesTime", A::Remove},
        {0x0008, 0x0032, "AcquisitionTime", A::Remove},
        {0x0008, 0x0033, "ContentTime", A::Zero},
        {0x0008, 0x0034, "OverlayTime", A::Remove},
        {0x0008, 0x0035, "CurveTime", A::Remove},
        {0x0008, 0x0050, "AccessionNumber", A::Zero},
        {0x0008, 0x0058, "FailedSOPInstanceUIDList", A::NewUid},
        {0x0008, 0x0080, "InstitutionName", A::Remove},
        {0x0008, 0x0081, "InstitutionAddress", A::Remove},
        {0x0008, 0x0082, "InstitutionCodeSequence", A::Remove},
        {0x0008, 0x0090, "ReferringPhysicianName", A::Zero},
        {0x0008, 0x0092, "ReferringPhysicianAddress", A::Remove},
        {0x0008, 0x0094, "ReferringPhysicianTelephoneNumbers", A::Remove},
        {0x0008, 0x0096, "ReferringPhysicianIdentificationSequence", A::Remove},
        {0x0008, 0x010D, "ContextGroupExtensionCreatorUID", A::NewUid},
        {0x0008, 0x0201, "TimezoneOffsetFromUTC", A::Remove},
        {0x0008, 0x1010, "StationName", A::Remove},
        {0x0008, 0x1030, "StudyDescription", A::Remove},
        {0x0008, 0x103E, "SeriesDescription", A::Remove},
        {0x0008, 0x1040, "InstitutionalDepartmentName", A::Remove},
        {0x0008, 0x1048, "PhysiciansOfRecord", A::Remove},
        {0x0008, 0x1049, "PhysiciansOfRecordIdentificationSequence", A::Remove},
        {0x0008, 0x1050, "PerformingPhysicianName", A::Remove},
        {0x0008, 0x1052, "PerformingPhysicianIdentificationSequence", A::Remove},
        {0x0008, 0x1060, "NameOfPhysiciansReadingStudy", A::Remove},
        {0x0008, 0x1062, "PhysiciansReadingStudyIdentificationSequence", A::Remove},
        {0x0008, 0x1070, "OperatorsName", A::Remove},
        {0x0008, 0x1072, "OperatorIdentificationSequence", A::Remove},
        {0x0008, 0x1080, "AdmittingDiagnosesDescription", A::Remove},
        {0x0008, 0x1084, "AdmittingDiagnosesCodeSequence", A::Remove},
        {0x0008, 0x1110, "ReferencedStudySequence", A::Remove},
        {0x0008, 0x1111, "ReferencedPerformedProcedureStepSequence", A::Remove},
        {0x0008, 0x1120, "ReferencedPatientSequence", A::Remove},
        {0x0008, 0x1140, "ReferencedImageSequence", A::Remove},
        {0x0008, 0x1155, "ReferencedSOPInstanceUID", A::NewUid},
        {0x0008, 0x1195, "TransactionUID", A::NewUid},
        {0x0008, 0x2112, "SourceImageSequence", A::Remove},
        {0x0008, 0x3010, "IrradiationEventUID", A::NewUid},
        {0x0008, 0x4000, "IdentifyingComments", A::Remove},
        {0x0008, 0x9123, "CreatorVersionUID", A::NewUid},
        {0x0010, 0x0010, "PatientName", A::Zero},
        {0x0010, 0x0020, "PatientID", A::Zero},
        {0x0010, 0x0021, "IssuerOfPatientID", A::Remove},
        {0x0010, 0x0030, "PatientBirthDate", A::Zero},
        {0x0010, 0x0032, "PatientBirthTime", A::Remove},
        {0x0010, 0x0040, "PatientSex", A::Zero},
        {0x0010, 0x0050, "PatientInsurancePlanCodeSequence", A::Remove},
        {0x0010, 0x0101, "PatientPrimaryLanguageCodeSequence", A::Remove},
        {0x0010, 0x0102, "PatientPrimaryLanguageModifierCodeSequence", A::Remove},
        {0x0010, 0x1000, "OtherPatientIDs", A::Remove},
        {0x0010, 0x1001, "OtherPatientNames", A::Remove},
        {0x0010, 0x1002, "OtherPatientIDsSequence", A::Remove},
        {0x0010, 0x1005, "PatientBirthName", A::Remove},
        {0x0010, 0x1010, "PatientAge", A::Remove},
        {0x0010, 0x1020, "PatientSize", A::Remove},
        {0x0010, 0x1030, "PatientWeight", A::Remove},
        {0x0010, 0x1040, "PatientAddress", A::Remove},
        {0x0010, 0x1050, "InsurancePlanIdentification", A::Remove},
        {0x0010, 0x1060, "PatientMotherBirthName", A::Remove},
        {0x0010, 0x1080, "MilitaryRank", A::Remove},
        {0x0010, 0x1081, "BranchOfService", A::Remove},
        {0x0010, 0x1090, "MedicalRecordLocator", A::Remove},
        {0x0010, 0x2000, "MedicalAlerts", A::Remove},
        {0x0010, 0x2110, "Allergies", A::Remove},
        {0x0010, 0x2150, "CountryOfResidence", A::Remove},
        {0x0010, 0x2152, "RegionOfResidence", A::Remove},
        {0x0010, 0x2154, "PatientTelephoneNumbers", A::Remove},
        {0x0010, 0x2160, "EthnicGroup", A::Remove},
        {0x0010, 0x2180, "Occupation", A::Remove},
        {0x0010, 0x21A0, "SmokingStatus", A::Remove},
        {0x0010, 0x21B0, "AdditionalPatientHistory", A::Remove},
        {0x0010, 0x21C0, "PregnancyStatus", A::Remove},
        {0x0010, 0x21D0, "LastMenstrualDate", A::Remove},
        {0x0010, 0x21F0, "PatientReligiousPreference", A::Remove},
        {0x0010, 0x2203, "PatientSexNeutered", A::Remove},
        {0x0010, 0x2297, "ResponsiblePerson", A::Remove},
        {0x0010, 0x2299, "ResponsibleOrganization", A::Remove},
        {0x0010, 0x4000, "PatientComments", A::Remove},
        {0x0018, 0x0010, "ContrastBolusAgent", A::Zero},
        {0x0018, 0x1000, "DeviceSerialNumber", A::Remove},
        {0x0018, 0x1002, "DeviceUID", A::NewUid},
        {0x0018, 0x1004, "PlateID", A::Remove},
        {0x0018, 0x1005, "GeneratorID", A::Remove},
        {0x0018, 0x1007, "CassetteID", A::Remove},
        {0x0018, 0x1008, "GantryID", A::Remove},
        {0x0018, 0x1030, "ProtocolName", A::Remove},
        {0x0018, 0x1400, "AcquisitionDeviceProcessingDescription", A::Remove},
        {0x0018, 0x4000, "AcquisitionComments", A::Remove},
        {0x0018, 0x700A, "DetectorID", A::Remove},
        {0x0018, 0x9424, "AcquisitionProtocolDescription", A::Remove},
        {0x0018, 0xA003, "ContributionDescription", A::Remove},
        {0x0020, 0x000D, "StudyInstanceUID", A::NewUid},
        {0x0020, 0x000E, "SeriesInstanceUID", A::NewUid},
        {0x0020, 0x0010, "StudyID", A::Zero},
        {0x0020, 0x0052, "FrameOfReferenceUID", A::NewUid},
        {0x0020, 0x0200, "SynchronizationFrameOfReferenceUID", A::NewUid},
        {0x0020, 0x3401, "ModifyingDeviceID", A::Remove},
        {0x0020, 0x3404, "ModifyingDeviceManufacturer", A::Remove},
        {0x0020, 0x3406, "ModifiedImageDescription", A::Remove},
        {0x0020, 0x4000, "ImageComments", A::Remove},
        {0x0020, 0x9158, "FrameComments", A::Remove},
        {0x0020, 0x9161, "ConcatenationUID", A::NewUid},
        {0x0020, 0x9164, "DimensionOrganizationUID", A::NewUid},
        {0x0028, 0x1214, "LargePaletteColorLookupTableUID", A::NewUid},
        {0x0028, 0x4000, "ImagePresentationComments", A::Remove},
        {0x0032, 0x0012, "StudyIDIssuer", A::Remove},
        {0x0032, 0x1020, "ScheduledStudyLocation", A::Remove},
        {0x0032, 0x1021, "ScheduledStudyLocationAETitle", A::Remove},
        {0x0032, 0x1030, "ReasonForStudy", A::Remove},
        {0x0032, 0x1032, "RequestingPhysician", A::Remove},
        {0x0032, 0x1033, "RequestingService", A::Remove},
        {0x0032, 0x1060, "RequestedProcedureDescription", A::Remove},
        {0x0032, 0x1070, "RequestedContrastAgent", A::Remove},
        {0x0032, 0x4000, "StudyComments", A::Remove},
        {0x0038, 0x0004, "ReferencedPatientAliasSequence", A::Remove},
        {0x0038, 0x0010, "AdmissionID", A::Remove},
        {0x0038, 0x0011, "IssuerOfAdmissionID", A::Remove},
        {0x0038, 0x001E, "ScheduledPatientInstitutionResidence", A::Remove},
        {0x0038, 0x0020, "AdmittingDate", A::Remove},
        {0x0038, 0x0021, "AdmittingTime", A::Remove},
        {0x0038, 0x0040, "DischargeDiagnosisDescription", A::Remove},
        {0x0038, 0x0050, "SpecialNeeds", A::Remove},
        {0x0038, 0x0060, "ServiceEpisodeID", A::Remove},
        {0x0038, 0x0061, "IssuerOfServiceEpisodeID", A::Remove},
        {0x0038, 0x0062, "ServiceEpisodeDescription", A::Remove},
        {0x0038, 0x0300, "CurrentPatientLocation", A::Remove},
        {0x0038, 0x0400, "PatientInstitutionResidence", A::Remove},
        {0x0038, 0x0500, "PatientState", A::Remove},
        {0x0038, 0x4000, "VisitComments", A::Remove},
        {0x0040, 0x0001, "ScheduledStationAETitle", A::Remove},
        {0x0040, 0x0002, "ScheduledProcedureStepStartDate", A::Remove},
        {0x0040, 0x0003, "ScheduledProcedureStepStartTime", A::Remove},
        {0x0040, 0x0004, "ScheduledProcedureStepEndDate", A::Remove},
        {0x0040, 0x0005, "ScheduledProcedureStepEndTime", A::Remove},
        {0x0040, 0x0006, "ScheduledPerformingPhysicianName", A::Remove},
        {0x0040, 0x0007, "ScheduledProcedureStepDescription", A::Remove},
        {0x0040, 0x0009, "ScheduledProcedureStepID", A::Remove},
        {0x0040, 0x000B, "ScheduledPerformingPhysicianIdentificationSequence", A::Remove},
        {0x0040, 0x0010, "ScheduledStationName", A::Remove},
        {0x0040, 0x0011, "ScheduledProcedureStepLocation", A::Remove},
        {0x0040, 0x0012, "PreMedication", A::Remove},
        {0x0040, 0x0241, "PerformedStationAETitle", A::Remove},
        {0x0040, 0x0242, "PerformedStationName", A::Remove},
        {0x0040, 0x0243, "PerformedLocation", A::Remove},
        {0x0040, 0x0244, "PerformedProcedureStepStartDate", A::Remove},
        {0x0040, 0x0245, "PerformedProcedureStepStartTime", A::Remove},
        {0x0040, 0x0253, "PerformedProcedureStepID", A::Remove},
        {0x0040, 0x0254, "PerformedProcedureStepDescription", A::Remove},
        {0x0040, 0x0275, "RequestAttributesSequence", A::Remove},
        {0x0040, 0x0280, "CommentsOnThePerformedProcedureStep", A::Remove},
        {0x0040, 0x0555, "AcquisitionContextSequence", A::Remove},
        {0x0040, 0x1001, "RequestedProcedureID", A::Remove},
        {0x0040, 0x1004, "PatientTransportArrangements", A::Remove},
        {0x0040, 0x1005, "RequestedProcedureLocation", A::Remove},
        {0x0040, 0x1010, "NamesOfIntendedRecipientsOfResults", A::Remove},
        {0x0040, 0x1011, "IntendedRecipientsOfResultsIdentificationSequence", A::Remove},
        {0x0040, 0x1101, "PersonIdentificationCodeSequence", A::Remove},
        {0x0040, 0x1102, "PersonAddress", A::Remove},
        {0x0040, 0x1103, "PersonTelephoneNumbers", A::Remove},
        {0x0040, 0x1400, "RequestedProcedureComments", A::Remove},
        {0x0040, 0x2001, "ReasonForTheImagingServiceRequest", A::Remove},
        {0x0040, 0x2008, "OrderEnteredBy", A::Remove},
        {0x0040, 0x2009, "OrderEntererLocation", A::Remove},
        {0x0040, 0x2010, "OrderCallbackPhoneNumber", A::Remove},
        {0x0040, 0x2016, "PlacerOrderNumberImagingServiceRequest", A::Zero},
        {0x0040, 0x2017, "FillerOrderNumberImagingServiceRequest", A::Zero},
        {0x0040, 0x2400, "ImagingServiceRequestComments", A::Remove},
        {0x0040, 0x3001, "ConfidentialityConstraintOnPatientDataDescription", A::Remove},
        {0x0040, 0x4025, "ScheduledStationNameCodeSequence", A::Remove},
        {0x0040, 0x4027, "ScheduledStationGeographicLocationCodeSequence", A::Remove},
        {0x0040, 0x4028, "PerformedStationNameCodeSequence", A::Remove},
        {0x0040, 0x4030, "PerformedStationGeographicLocationCodeSequence", A::Remove},
        {0x0040, 0x4034, "ScheduledHumanPerformersSequence", A::Remove},
        {0x0040, 0x4035, "ActualHumanPerformersSequence", A::Remove},
        {0x0040, 0x4036, "HumanPerformerOrganization", A::Remove},
        {0x0040, 0x4037, "HumanPerformerName", A::Remove},
        {0x0040, 0xA027, "VerifyingOrganization", A::Remove},
        {0x0040, 0xA073, "VerifyingObserverSequence", A::Remove},
        {0x0040, 0xA075, "VerifyingObserverName", A::Dummy},
        {0x0040, 0xA078, "AuthorObserverSequence", A::Remove},
        {0x0040, 0xA07A, "ParticipantSequence", A::Remove},
        {0x0040, 0xA07C, "CustodialOrganizationSequence", A::Remove},
        {0x0040, 0xA088, "VerifyingObserverIdentificationCodeSequence", A::Zero},
        {0x0040, 0xA123, "PersonName", A::Dummy},
        {0x0040, 0xA124, "UID", A::NewUid},
        {0x0040, 0xA730, "ContentSequence", A::Remove},
        {0x0040, 0xDB0C, "TemplateExtensionOrganizationUID", A::NewUid},
        {0x0040, 0xDB0D, "TemplateExtensionCreatorUID", A::NewUid},
        {0x0070, 0x0001, "GraphicAnnotationSequence", A::Remove},
        {0x0070, 0x0084, "ContentCreatorName", A::Zero},
        {0x0070, 0x0086, "ContentCreatorIdentificationCodeSequence", A::Remove},
        {0x0070, 0x031A, "FiducialUID", A::NewUid},
        {0x0088, 0x0140, "StorageMediaFileSetUID", A::NewUid},
        {0x0088, 0x0200, "IconImageSequence", A::Remove},
        {0x0088, 0x0904, "TopicTitle", A::Remove},
        {0x0088, 0x0906, "TopicSubject", A::Remove},
        {0x0088, 0x0910, "TopicAuthor", A::Remove},
        {0x0088, 0x0912, "TopicKeywords", A::Remove},
        {0x0400, 0x0100, "DigitalSignatureUID", A::Remove},
        {0x0400, 0x0402, "ReferencedDigitalSignatureSequence", A::Remove},
        {0x0400, 0x0403, "ReferencedSOPInstanceMACSequence", A::Remove},
        {0x0400, 0x0404, "MAC", A::Remove},
        {0x0400, 0x0550, "ModifiedAttributesSequence", A::Remove},
        {0x0400, 0x0561, "OriginalAttributesSequence", A::Remove},
        {0x2030, 0x0020, "TextString", A::Remove},
        {0x3006, 0x0024, "ReferencedFrameOfReferenceUID", A::NewUid},
        {0x3006, 0x00C2, "RelatedFrameOfReferenceUID", A::NewUid},
        {0x300A, 0x0013, "DoseReferenceUID", A::NewUid},
        {0x300E, 0x0008, "ReviewerName", A::Remove},
        {0x4000, 0x4000, "TextComments", A::Remove},
        {0x4008, 0x0042, "ResultsIDIssuer", A::Remove},
        {0x4008, 0x0102, "InterpretationRecorder", A::Remove},
        {0x4008, 0x010A, "InterpretationTranscriber", A::Remove},
        {0x4008, 0x010B, "InterpretationText", A::Remove},
        {0x4008, 0x010C, "InterpretationAuthor", A::Remove},
        {0x4008, 0x0111, "InterpretationApproverSequence", A::Remove},
        {0x4008, 0x0114, "PhysicianApprovingInterpretation", A::Remove},
        {0x4008, 0x0115, "InterpretationDiagnosisDescription", A::Remove},
        {0x4008, 0x0118, "ResultsDistributionListSequence", A::Remove},
        {0x4008, 0x0119, "DistributionName", A::Remove},
        {0x4008, 0x011A, "DistributionAddress", A::Remove},
        {0x4008, 0x0202, "InterpretationIDIssuer", A::Remove},
        {0x4008, 0x0300, "Impressions", A::Remove},
        {0x4008, 0x4000, "ResultsComments", A::Remove},
        {0xFFFA, 0xFFFA, "DigitalSignaturesSequence", A::Remove},
};

const DeidentificationRule* findRule(const DcmTagKey& tag) {
    const auto it = std::lower_bound(kRules.begin(), kRules.end(), tag, [](const DeidentificationRule& rule,
                                                                          const DcmTagKey& key) {
        return rule.group < key.getGroup() || (rule.group == key.getGroup() && rule.element < key.getElement());
    });
    if (it != kRules.end() && it->group == tag.getGroup() && it->element == tag.getElement()) {
        return &*it;
    }
    return nullptr;
}

bool isCurveOrOverlay(Uint16 group) {
    return (group >= 0x5000 && group <= 0x50FF) || (group >= 0x6000 && group <= 0x60FF);
}

std::string newUid() {
    char uid[100];
    return dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT);
}

// Replaces every value of a UI element by a new UID, consistently within the file.
void replaceUids(DcmElement& element, UidMap& uids) {
    OFString all;
    std::string replaced;
    for (unsigned long i = 0; i < element.getVM(); ++i) {
        OFString old;
        if (element.getOFString(old, i).bad()) {
            continue;
        }
        auto [it, inserted] = uids.try_emplace(old.c_str());
        if (inserted) {
            it->second = newUid();
        }
        replaced += (replaced.empty() ? "" : "\\") + it->second;
    }
    element.putString(replaced.c_str());
}

// A value of the element's VR that identifies nobody.
const char* dummyValue(DcmEVR vr) {
    switch (vr) {
    case EVR_DA: return "19000101";
    case EVR_TM: return "000000";
    case EVR_DT: return "19000101000000";
    case EVR_AS: return "000Y";
    case EVR_DS:
    case EVR_IS:
    case EVR_US:
    case EVR_SS:
    case EVR_UL:
    case EVR_SL: return "0";
    default: return "ANONYMIZED";
    }
}

void applyTo(DcmItem& item, UidMap& uids) {
    for (unsigned long n = item.card(); n > 0; --n) {
        DcmElement* element = item.getElement(n - 1);
        const DcmTagKey tag = element->getTag();
        if (tag.isPrivate() || isCurveOrOverlay(tag.getGroup())) {
            delete item.remove(n - 1);
            continue;
        }
        if (const DeidentificationRule* rule = findRule(tag)) {
            switch (rule->action) {
            case A::Remove:
                delete item.remove(n - 1);
                continue;
            case A::Zero:
                element->clear();
                break;
            case A::Dummy:
                element->putString(dummyValue(element->ident()));
                break;
            case A::NewUid:
                replaceUids(*element, uids);
                break;
            case A::Keep:
                break;
            }
        }
        if (auto* sequence = dynamic_cast<DcmSequenceOfItems*>(element)) {
            for (unsigned long i = 0; i < sequence->card(); ++i) {
                applyTo(*sequence->getItem(i), uids);
            }
        }
    }
}

}  // namespace

const std::vector<DeidentificationRule>& basicProfileRules() { return kRules; }

void applyBasicProfile(DcmItem& dataset) {
    UidMap uids;
    applyTo(dataset, uids);
}

}  // namespace dpflow
