#pragma once

#include "pacs/pacs_peer.h"

#include <string>

namespace dpflow::cli {

/// The peer a command line names (AET@HOST:PORT or a name from `peers_file`), with our own AE
/// title `aet` checked too. Throws CLI::ValidationError naming `option` (a usage error, exit 2).
PacsPeer resolvePeerArgument(const std::string& peer, const std::string& peers_file, const std::string& aet,
                             const std::string& option);

}  // namespace dpflow::cli
