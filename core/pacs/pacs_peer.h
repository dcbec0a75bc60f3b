#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace dpflow {

/// A DICOM application entity on the network: what an association is opened to.
struct PacsPeer {
    std::string ae_title;  ///< the peer's AE title (called AE title), 1-16 characters
    std::string host;      ///< host name or address
    int port = 0;          ///< TCP port, 1-65535

    /// "AET@HOST:PORT", the form the command line takes.
    std::string describe() const;
};

/// Our own AE title when none is given.
inline constexpr const char* kDefaultAeTitle = "DPFLOW";

/// Parses "AET@HOST:PORT". Throws std::invalid_argument naming the text and what is wrong
/// (missing '@' or ':', a port out of range, an AE title longer than 16 characters or with
/// a backslash or control character).
PacsPeer parsePeer(const std::string& text);

/// Checks an AE title of our own (the calling AE title) by the same rule. Throws
/// std::invalid_argument.
void requireValidAeTitle(const std::string& ae_title);

/// The peers file: a JSON object from a name to "AET@HOST:PORT", e.g.
/// {"clinical": "CLINICAL@pacs.hospital.org:104"}. A missing file has no peers. Throws
/// std::invalid_argument naming the file on bad JSON or a bad entry.
std::map<std::string, PacsPeer> readPeersFile(const std::filesystem::path& path);

/// $XDG_CONFIG_HOME/dpflow/peers.json, else $HOME/.config/dpflow/peers.json.
std::filesystem::path defaultPeersFile();

/// `text` as a peer: "AET@HOST:PORT", or a name from `peers_file`. Throws
/// std::invalid_argument saying which, when it is neither.
PacsPeer resolvePeer(const std::string& text, const std::filesystem::path& peers_file);

}  // namespace dpflow
