#pragma once

// A real Orthanc PACS for the tests: started on loopback on free ports with a temporary
// configuration and storage, stopped when the object goes (and killed with the test process,
// whatever happens, through PR_SET_PDEATHSIG). No mock SCP anywhere.

#include "pacs/pacs_peer.h"

#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace dpflow::test {

class OrthancServer {
public:
    /// Starts Orthanc with AE title `ae_title`, its storage and log under `dir` (created).
    /// Throws std::runtime_error with the end of Orthanc's log when it does not come up in 30 s.
    OrthancServer(std::string ae_title, std::filesystem::path dir);
    ~OrthancServer();
    OrthancServer(const OrthancServer&) = delete;
    OrthancServer& operator=(const OrthancServer&) = delete;

    /// Stops it (SIGTERM, then SIGKILL after 10 s). Storage is kept.
    void stop();
    /// Kills it at once (SIGKILL), as a server that dies mid-transfer. Storage is kept.
    void kill();
    /// Starts it again on the same ports and storage.
    void start();
    bool running() const { return pid_ > 0; }

    /// Its DICOM address.
    PacsPeer peer() const { return {ae_title_, "127.0.0.1", dicom_port_}; }
    int httpPort() const { return http_port_; }

    /// GET on its REST API, parsed as JSON. Throws std::runtime_error on a non-200 answer.
    nlohmann::json rest(const std::string& uri) const;
    /// GET on its REST API, the raw body (e.g. /instances/ID/file).
    std::string restRaw(const std::string& uri) const;
    /// /statistics' CountInstances.
    int instanceCount() const;

private:
    std::string ae_title_;
    std::filesystem::path dir_;
    int dicom_port_ = 0;
    int http_port_ = 0;
    pid_t pid_ = -1;
};

/// A TCP port on 127.0.0.1 that nothing listens on right now (bound to port 0, then released).
int freeLoopbackPort();

/// SHA-256 of a DICOM file's PixelData value bytes; empty when it has none.
std::string pixelDataHash(const std::filesystem::path& file);

}  // namespace dpflow::test
