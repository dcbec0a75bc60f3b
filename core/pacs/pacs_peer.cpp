#include "pacs/pacs_peer.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace dpflow {
namespace {

std::string aeTitleProblem(const std::string& ae_title) {
    if (ae_title.empty()) return "the AE title is empty";
    if (ae_title.size() > 16) return "the AE title '" + ae_title + "' is longer than 16 characters";
    for (const char c : ae_title) {
        if (c == '\\' || static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) {
            return "the AE title '" + ae_title + "' has a backslash or a character outside printable ASCII";
        }
    }
    if (ae_title.find_first_not_of(' ') == std::string::npos) return "the AE title is only spaces";
    return {};
}

}  // namespace

std::string PacsPeer::describe() const { return ae_title + "@" + host + ":" + std::to_string(port); }

void requireValidAeTitle(const std::string& ae_title) {
    const std::string problem = aeTitleProblem(ae_title);
    if (!problem.empty()) throw std::invalid_argument(problem);
}

PacsPeer parsePeer(const std::string& text) {
    const auto at = text.find('@');
    const auto colon = text.rfind(':');
    if (at == std::string::npos || colon == std::string::npos || colon < at) {
        throw std::invalid_argument("peer '" + text + "' is not of the form AET@HOST:PORT");
    }
    PacsPeer peer;
    peer.ae_title = text.substr(0, at);
    peer.host = text.substr(at + 1, colon - at - 1);
    const std::string port = text.substr(colon + 1);
    const std::string problem = aeTitleProblem(peer.ae_title);
    if (!problem.empty()) throw std::invalid_argument("peer '" + text + "': " + problem);
    if (peer.host.empty()) throw std::invalid_argument("peer '" + text + "' has no host");
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(port) < 1 || std::stoi(port) > 65535) {
        throw std::invalid_argument("peer '" + text + "': the port '" + port + "' is not a number from 1 to 65535");
    }
    peer.port = std::stoi(port);
    return peer;
}

std::map<std::string, PacsPeer> readPeersFile(const std::filesystem::path& path) {
    std::map<std::string, PacsPeer> peers;
    std::ifstream in(path);
    if (!in) return peers;
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument(path.string() + ": not JSON (" + e.what() + ")");
    }
    if (!j.is_object()) throw std::invalid_argument(path.string() + ": expected an object from peer names to AET@HOST:PORT");
    for (const auto& [name, value] : j.items()) {
        if (!value.is_string()) throw std::invalid_argument(path.string() + ": peer '" + name + "' is not a string");
        try {
            peers.emplace(name, parsePeer(value.get<std::string>()));
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(path.string() + ": " + e.what());
        }
    }
    return peers;
}

std::filesystem::path defaultPeersFile() {
    if (const char* config = std::getenv("XDG_CONFIG_HOME"); config != nullptr && *config != '\0') {
        return std::filesystem::path(config) / "dpflow" / "peers.json";
    }
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home != nullptr ? home : ".") / ".config" / "dpflow" / "peers.json";
}

PacsPeer resolvePeer(const std::string& text, const std::filesystem::path& peers_file) {
    if (text.find('@') != std::string::npos) return parsePeer(text);
    const auto peers = readPeersFile(peers_file);
    const auto it = peers.find(text);
    if (it == peers.end()) {
        throw std::invalid_argument("peer '" + text + "' is neither AET@HOST:PORT nor a name in " + peers_file.string());
    }
    return it->second;
}

}  // namespace dpflow
