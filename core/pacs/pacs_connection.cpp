#include "pacs/pacs_connection.h"

#include "image/dicom_codecs.h"
#include "image/transfer_syntax.h"
#include "pacs/pacs_error.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/diutil.h>
#include <dcmtk/dcmnet/dimse.h>
#include <dcmtk/dcmnet/scu.h>

#include <fcntl.h>
#include <unistd.h>

#include <set>
#include <sstream>

namespace dpflow {
namespace {

// The radiograph storage classes a chest film comes in, which C-GET lets the peer send us.
const char* const kRadiographClasses[] = {UID_ComputedRadiographyImageStorage, UID_DigitalXRayImageStorageForPresentation,
                                          UID_DigitalXRayImageStorageForProcessing, UID_SecondaryCaptureImageStorage};

}  // namespace

bool isRetrievableClass(const std::string& sop_class_uid) {
    for (const char* uid : kRadiographClasses) {
        if (sop_class_uid == uid) return true;
    }
    return false;
}

namespace {

constexpr Uint16 kStatusSuccess = 0x0000;

bool isPending(Uint16 status) { return status == 0xFF00 || status == 0xFF01; }
bool isWarning(Uint16 status) { return status == 0x0001 || (status & 0xF000) == 0xB000; }

std::string hexStatus(Uint16 status) {
    char text[16];
    std::snprintf(text, sizeof text, "0x%04X", status);
    return text;
}

// The innermost reasons of a DCMTK condition chain ("TCP Initialization Error: Connection
// refused", "Association Rejected"), not DCMTK's module codes.
std::string reasonOf(const OFCondition& condition) {
    OFString dump;
    DimseCondition::dump(dump, condition);
    std::istringstream lines(dump.c_str());
    std::string line, reasons;
    while (std::getline(lines, line)) {
        // Lines look like "0006:031c TCP Initialization Error: Connection refused".
        const auto space = line.find(' ');
        if (space != std::string::npos && space == 9 && line[4] == ':') line = line.substr(space + 1);
        if (line.empty()) continue;
        reasons += (reasons.empty() ? "" : ": ") + line;
    }
    return reasons.empty() ? condition.text() : reasons;
}

DcmTagKey tagOf(const std::string& keyword) {
    DcmTag tag;
    if (DcmTag::findTagFromName(keyword.c_str(), tag).bad()) throw PacsError("no DICOM element is named '" + keyword + "'");
    return tag.getXTag();
}

// A DcmSCU that writes each instance a C-GET brings to the file it was asked for, atomically.
class RetrievingScu : public DcmSCU {
public:
    std::string expected_sop_uid;
    std::filesystem::path destination;
    bool written = false;
    std::string write_error;

protected:
    OFCondition handleSTORERequest(const T_ASC_PresentationContextID, DcmDataset* incoming, OFBool& continue_session,
                                   Uint16& status) override {
        continue_session = OFTrue;
        std::unique_ptr<DcmDataset> dataset(incoming);  // ours to delete
        if (!dataset) {
            status = 0xC000;
            return DIMSE_NULLKEY;
        }
        OFString sop_uid;
        dataset->findAndGetOFString(DCM_SOPInstanceUID, sop_uid);
        if (expected_sop_uid != sop_uid.c_str() || written) {
            status = 0xC000;  // not what was asked for: refused, never cached under another name
            write_error = "the peer sent instance " + std::string(sop_uid.c_str()) + " instead";
            return EC_Normal;
        }
        // Named per process: two retrieves into one cache never write the same partial file.
        const auto partial = destination.parent_path() /
                             ("." + destination.filename().string() + "." + std::to_string(::getpid()) + ".partial");
        DcmFileFormat file(dataset.get());
        const OFCondition saved = file.saveFile(partial.c_str(), EXS_Unknown);
        int fd = saved.good() ? ::open(partial.c_str(), O_RDONLY) : -1;
        const bool synced = fd >= 0 && ::fchmod(fd, 0600) == 0 && ::fsync(fd) == 0;
        if (fd >= 0) ::close(fd);
        std::error_code ec;
        if (synced) std::filesystem::rename(partial, destination, ec);
        if (!synced || ec) {
            std::filesystem::remove(partial, ec);
            write_error = "could not write " + destination.string() + (saved.bad() ? ": " + std::string(saved.text()) : "");
            status = 0xA700;  // out of resources
            return EC_Normal;
        }
        written = true;
        status = kStatusSuccess;
        return EC_Normal;
    }
};

}  // namespace

struct PacsConnection::Impl {
    PacsPeer peer;
    RetrievingScu scu;
    std::string where() const { return peer.describe(); }
    bool broken = false;  ///< the association failed: abort it, do not release it
    [[noreturn]] void fail(const std::string& what, const OFCondition& condition) {
        broken = true;
        throw PacsError(where() + ": " + what + ": " + reasonOf(condition));
    }
};

PacsConnection::PacsConnection(const PacsPeer& peer, const std::string& our_ae_title, PacsService service,
                               const std::vector<StorageSyntax>& storage_syntaxes)
    : impl_(std::make_unique<Impl>()) {
    requireValidAeTitle(our_ae_title);
    prepareDcmtk();  // DCMTK's own log is off: what went wrong is in the PacsError, with DCMTK's reason
    impl_->peer = peer;
    DcmSCU& scu = impl_->scu;
    scu.setAETitle(our_ae_title.c_str());
    scu.setPeerAETitle(peer.ae_title.c_str());
    scu.setPeerHostName(peer.host.c_str());
    scu.setPeerPort(static_cast<Uint16>(peer.port));
    scu.setConnectionTimeout(10);
    scu.setACSETimeout(30);
    scu.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    scu.setDIMSETimeout(60);
    scu.setStorageMode(DCMSCU_STORAGE_DISK);  // handleSTORERequest above does the writing
    const OFList<OFString> explicit_first = {UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax};
    switch (service) {
        case PacsService::verification:
            scu.addPresentationContext(UID_VerificationSOPClass, explicit_first);
            break;
        case PacsService::query_retrieve:
            scu.addPresentationContext(UID_FINDStudyRootQueryRetrieveInformationModel, explicit_first);
            scu.addPresentationContext(UID_FINDPatientRootQueryRetrieveInformationModel, explicit_first);
            scu.addPresentationContext(UID_GETStudyRootQueryRetrieveInformationModel, explicit_first);
            // Every transfer syntax the image reader decodes, each in its own presentation context, so
            // the peer can send an instance in the syntax it holds it in (no transcoding).
            for (const char* sop_class : kRadiographClasses) {
                for (const auto& syntax : decodableTransferSyntaxUids()) {
                    scu.addPresentationContext(sop_class, OFList<OFString>{syntax.c_str()}, ASC_SC_ROLE_SCP);
                }
            }
            break;
        case PacsService::storage: {
            const std::set<StorageSyntax> distinct(storage_syntaxes.begin(), storage_syntaxes.end());
            if (distinct.empty()) throw PacsError(impl_->where() + ": nothing to store");
            if (distinct.size() > 127) throw PacsError(impl_->where() + ": more than 127 SOP class / transfer syntax pairs in one push");
            for (const auto& s : distinct) {
                scu.addPresentationContext(s.sop_class_uid.c_str(), OFList<OFString>{s.transfer_syntax_uid.c_str()});
            }
            break;
        }
    }
    OFCondition condition = scu.initNetwork();
    if (condition.bad()) impl_->fail("cannot set up the network", condition);
    condition = scu.negotiateAssociation();
    if (condition == NET_EC_NoAcceptablePresentationContexts) {
        throw PacsError(impl_->where() + ": the association was accepted but none of the services asked for");
    }
    if (condition.bad() && std::string(reasonOf(condition)).find("Rejected") != std::string::npos) {
        throw PacsError(impl_->where() + ": association rejected by the peer (is its AE title '" + peer.ae_title +
                        "', and does it accept calls from '" + our_ae_title + "'?)");
    }
    if (condition.bad()) impl_->fail("no association", condition);
}

PacsConnection::~PacsConnection() {
    if (!impl_->scu.isConnected()) return;
    if (impl_->broken) {
        impl_->scu.abortAssociation();
    } else {
        impl_->scu.releaseAssociation();
    }
}

const PacsPeer& PacsConnection::peer() const { return impl_->peer; }

bool PacsConnection::connected() const { return impl_->scu.isConnected() && !impl_->broken; }

void PacsConnection::echo() {
    const auto id = impl_->scu.findPresentationContextID(UID_VerificationSOPClass, "");
    if (id == 0) throw PacsError(impl_->where() + ": the peer accepted no verification context");
    const OFCondition condition = impl_->scu.sendECHORequest(id);
    if (condition.bad()) impl_->fail("C-ECHO failed", condition);
}

std::vector<QueryMatch> PacsConnection::find(QueryLevel level, const std::vector<QueryKey>& keys) {
    const char* model = level == QueryLevel::patient ? UID_FINDPatientRootQueryRetrieveInformationModel
                                                     : UID_FINDStudyRootQueryRetrieveInformationModel;
    const auto id = impl_->scu.findPresentationContextID(model, "");
    if (id == 0) throw PacsError(impl_->where() + ": the peer accepted no C-FIND context for the " + toString(level) + " level");
    DcmDataset query;
    const char* level_value = level == QueryLevel::patient ? "PATIENT"
                              : level == QueryLevel::study ? "STUDY"
                              : level == QueryLevel::series ? "SERIES"
                                                            : "IMAGE";
    query.putAndInsertString(DCM_QueryRetrieveLevel, level_value);
    for (const auto& keyword : returnedKeywords(level)) query.insertEmptyElement(tagOf(keyword));
    for (const auto& key : keys) {
        // At study level a study's modalities are in ModalitiesInStudy.
        const std::string keyword = key.keyword == "Modality" && level == QueryLevel::study ? "ModalitiesInStudy" : key.keyword;
        query.putAndInsertString(tagOf(keyword), key.value.c_str());
    }
    OFList<QRResponse*> responses;
    const OFCondition condition = impl_->scu.sendFINDRequest(id, &query, &responses);
    std::vector<QueryMatch> matches;
    Uint16 final_status = kStatusSuccess;
    for (QRResponse* response : responses) {
        if (isPending(response->m_status) && response->m_dataset != nullptr) {
            QueryMatch match;
            for (const auto& keyword : returnedKeywords(level)) {
                OFString value;
                if (response->m_dataset->findAndGetOFStringArray(tagOf(keyword), value).good() && !value.empty()) {
                    match[keyword] = value.c_str();
                }
            }
            matches.push_back(std::move(match));
        } else if (!isPending(response->m_status)) {
            final_status = response->m_status;
        }
        delete response;
    }
    if (condition.bad()) impl_->fail("C-FIND failed", condition);
    if (final_status != kStatusSuccess && !isWarning(final_status)) {
        throw PacsError(impl_->where() + ": C-FIND refused with status " + hexStatus(final_status));
    }
    return matches;
}

InstanceOutcome PacsConnection::getInstance(const std::string& study_uid, const std::string& series_uid,
                                            const std::string& sop_instance_uid, const std::filesystem::path& destination) {
    RetrievingScu& scu = impl_->scu;
    const auto id = scu.findPresentationContextID(UID_GETStudyRootQueryRetrieveInformationModel, "");
    if (id == 0) throw PacsError(impl_->where() + ": the peer accepted no C-GET context");
    DcmDataset query;
    query.putAndInsertString(DCM_QueryRetrieveLevel, "IMAGE");
    query.putAndInsertString(DCM_StudyInstanceUID, study_uid.c_str());
    query.putAndInsertString(DCM_SeriesInstanceUID, series_uid.c_str());
    query.putAndInsertString(DCM_SOPInstanceUID, sop_instance_uid.c_str());
    scu.expected_sop_uid = sop_instance_uid;
    scu.destination = destination;
    scu.written = false;
    scu.write_error.clear();
    OFList<RetrieveResponse*> responses;
    const OFCondition condition = scu.sendCGETRequest(id, &query, &responses);
    Uint16 final_status = kStatusSuccess;
    for (RetrieveResponse* response : responses) {
        if (!isPending(response->m_status)) final_status = response->m_status;
        delete response;
    }
    // A refusal of this instance comes back as a status; a bad condition means the association
    // itself failed (the peer went away mid-transfer), and nothing more can be asked on it.
    if (condition.bad()) impl_->fail("C-GET of " + sop_instance_uid + " broke off", condition);
    if (scu.written) return {true, {}};
    if (!scu.write_error.empty()) return {false, scu.write_error};
    return {false, "the peer sent nothing (C-GET status " + hexStatus(final_status) + ")"};
}

InstanceOutcome PacsConnection::store(const std::filesystem::path& file) {
    const StorageSyntax syntax = storageSyntaxOf(file);
    DcmSCU& scu = impl_->scu;
    const auto id = scu.findPresentationContextID(syntax.sop_class_uid.c_str(), syntax.transfer_syntax_uid.c_str());
    if (id == 0) {
        const char* name = dcmFindNameOfUID(syntax.sop_class_uid.c_str(), syntax.sop_class_uid.c_str());
        return {false, "the peer accepted no context for " + std::string(name) + " in transfer syntax " + syntax.transfer_syntax_uid};
    }
    Uint16 status = 0;
    const OFCondition condition = scu.sendSTORERequest(id, OFFilename(file.c_str()), nullptr, status);
    if (condition.bad()) impl_->fail("C-STORE of " + file.filename().string() + " broke off", condition);
    if (status == kStatusSuccess || isWarning(status)) return {true, {}};
    return {false, "C-STORE refused with status " + hexStatus(status)};
}

StorageSyntax storageSyntaxOf(const std::filesystem::path& file) {
    prepareDcmtk();
    DcmFileFormat format;
    const OFCondition loaded = format.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_metaOnly);
    if (loaded.bad()) throw PacsError(file.string() + ": not a DICOM file (" + std::string(loaded.text()) + ")");
    OFString sop_class, syntax;
    format.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPClassUID, sop_class);
    format.getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, syntax);
    if (sop_class.empty() || syntax.empty()) throw PacsError(file.string() + ": the meta header has no SOP class or transfer syntax");
    return {sop_class.c_str(), syntax.c_str()};
}

bool isValidUid(const std::string& uid) {
    if (uid.empty() || uid.size() > 64) return false;
    std::size_t start = 0;
    while (true) {
        const auto dot = uid.find('.', start);
        const std::string part = uid.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos) return false;
        if (part.size() > 1 && part[0] == '0') return false;
        if (dot == std::string::npos) return true;
        start = dot + 1;
    }
}

}  // namespace dpflow
