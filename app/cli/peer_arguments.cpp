#include "peer_arguments.h"

#include <CLI/CLI.hpp>

#include <stdexcept>

namespace dpflow::cli {

PacsPeer resolvePeerArgument(const std::string& peer, const std::string& peers_file, const std::string& aet,
                             const std::string& option) {
    try {
        requireValidAeTitle(aet);
        return resolvePeer(peer, peers_file);
    } catch (const std::invalid_argument& e) {
        throw CLI::ValidationError(option, e.what());
    }
}

}  // namespace dpflow::cli
