#pragma once

#include <stdexcept>

namespace dpflow {

/// Thrown when talking to a PACS fails as a whole (no association, a peer that cannot be
/// resolved, a refused query). The message names the peer and the reason in words a user can act
/// on, e.g. "CLINICAL@127.0.0.1:4242: association rejected: called AE title not recognised".
class PacsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace dpflow
