#pragma once

#include "pacs/pacs_peer.h"
#include "pacs/pacs_query.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace dpflow {

/// What one association is negotiated for; each proposes only the presentation contexts it needs.
enum class PacsService {
    verification,     ///< C-ECHO
    query_retrieve,   ///< C-FIND (Patient and Study Root) and C-GET, with our storage SCP role for
                      ///< the radiograph storage classes in each transfer syntax we read
    storage,          ///< C-STORE of the SOP class / transfer syntax pairs given
};

/// A SOP class in one transfer syntax, as a file to be stored holds it.
struct StorageSyntax {
    std::string sop_class_uid;
    std::string transfer_syntax_uid;
    bool operator<(const StorageSyntax& other) const {
        return sop_class_uid != other.sop_class_uid ? sop_class_uid < other.sop_class_uid
                                                    : transfer_syntax_uid < other.transfer_syntax_uid;
    }
};

/// How one instance went.
struct InstanceOutcome {
    bool ok = false;
    std::string reason;  ///< why not, in words (a DIMSE status, a refused context, a broken association)
};

/// An open DICOM association with one peer (DCMTK dcmnet DcmSCU). Opening it does the whole
/// negotiation and throws PacsError naming the peer and the reason when that fails: connection
/// refused, unknown host, rejected (e.g. the called AE title is not the peer's), no accepted
/// context, timeout. Closed (released, or aborted after a failure) by the destructor.
class PacsConnection {
public:
    PacsConnection(const PacsPeer& peer, const std::string& our_ae_title, PacsService service,
                   const std::vector<StorageSyntax>& storage_syntaxes = {});
    ~PacsConnection();
    PacsConnection(const PacsConnection&) = delete;
    PacsConnection& operator=(const PacsConnection&) = delete;

    const PacsPeer& peer() const;

    /// C-ECHO. Throws PacsError unless the peer answers success.
    void echo();

    /// C-FIND at `level` with `keys`; each match carries returnedKeywords(level) where the peer
    /// filled them. Throws PacsError on a failed query.
    std::vector<QueryMatch> find(QueryLevel level, const std::vector<QueryKey>& keys);

    /// C-GET of one instance (image level). What the peer sends is written to `destination`
    /// whole or not at all (a partial file beside it, flushed, renamed; mode 0600), only if it
    /// is the instance asked for. The association breaking throws PacsError; a refusal of this
    /// instance is an outcome.
    InstanceOutcome getInstance(const std::string& study_uid, const std::string& series_uid,
                                const std::string& sop_instance_uid, const std::filesystem::path& destination);

    /// C-STORE of one DICOM file, whose SOP class and transfer syntax must be among the
    /// storage syntaxes this association was opened with. Success and warning statuses count as
    /// stored. The association breaking throws PacsError.
    InstanceOutcome store(const std::filesystem::path& file);

    /// Whether the association is still up (false after the peer went away).
    bool connected() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// The SOP class and transfer syntax of a DICOM file, from its meta header. Throws PacsError
/// naming the file when it is not DICOM.
StorageSyntax storageSyntaxOf(const std::filesystem::path& file);

/// Whether a C-GET asks the peer for instances of this SOP class: the radiograph storage classes
/// (CR, DX for presentation and for processing, Secondary Capture). Others (structured reports,
/// presentation states) are not images of a film and are skipped.
bool isRetrievableClass(const std::string& sop_class_uid);

/// Whether `uid` is a syntactically valid UID (digits and dots, 1-64 characters, no empty or
/// leading-zero component): only such UIDs are used as file names in a cache.
bool isValidUid(const std::string& uid);

}  // namespace dpflow
