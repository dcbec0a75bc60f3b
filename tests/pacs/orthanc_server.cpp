#include "orthanc_server.h"

#include "image/sha256.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace dpflow::test {
namespace fs = std::filesystem;
namespace {

// One HTTP/1.0 GET on 127.0.0.1:port; returns (status, body).
std::pair<int, std::string> httpGet(int port, const std::string& uri) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return {0, {}};
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return {0, {}};
    }
    const std::string request = "GET " + uri + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
        ::close(fd);
        return {0, {}};
    }
    std::string response;
    char buffer[65536];
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) response.append(buffer, static_cast<std::size_t>(n));
    ::close(fd);
    const auto header_end = response.find("\r\n\r\n");
    if (response.size() < 12 || header_end == std::string::npos) return {0, {}};
    return {std::stoi(response.substr(9, 3)), response.substr(header_end + 4)};
}

std::string tail(const fs::path& log) {
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    const std::string all = text.str();
    return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
}

}  // namespace

int freeLoopbackPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = 0;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
        if (fd >= 0) ::close(fd);
        throw std::runtime_error("no free loopback port");
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

OrthancServer::OrthancServer(std::string ae_title, fs::path dir) : ae_title_(std::move(ae_title)), dir_(std::move(dir)) {
    fs::create_directories(dir_ / "storage");
    dicom_port_ = freeLoopbackPort();
    http_port_ = freeLoopbackPort();
    const nlohmann::json config = {
        {"Name", ae_title_},
        {"StorageDirectory", (dir_ / "storage").string()},
        {"IndexDirectory", (dir_ / "storage").string()},
        {"DicomAet", ae_title_},
        {"DicomPort", dicom_port_},
        {"HttpPort", http_port_},
        {"RemoteAccessAllowed", false},
        {"AuthenticationEnabled", false},
        {"DicomCheckCalledAet", true},
        {"DicomAlwaysAllowEcho", true},
        {"DicomAlwaysAllowStore", true},
        {"DicomAlwaysAllowFind", true},
        {"DicomAlwaysAllowGet", true},
        {"DicomAlwaysAllowMove", false},
        {"DicomModalities", nlohmann::json::object()},
        {"Plugins", nlohmann::json::array()},
        {"StableAge", 1},
    };
    std::ofstream(dir_ / "orthanc.json") << config.dump(2);
    start();
}

OrthancServer::~OrthancServer() { stop(); }

void OrthancServer::start() {
    if (pid_ > 0) return;
    const std::string config = (dir_ / "orthanc.json").string();
    const std::string log = (dir_ / "orthanc.log").string();
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test process
        if (::getppid() != parent) ::_exit(1);
        const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (out >= 0) {
            ::dup2(out, 1);
            ::dup2(out, 2);
        }
        ::execlp("Orthanc", "Orthanc", config.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("Orthanc exited at start (is the orthanc package installed?):\n" + tail(log));
        }
        if (httpGet(http_port_, "/system").first == 200) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill();
    throw std::runtime_error("Orthanc did not answer on its REST port within 30 s:\n" + tail(log));
}

void OrthancServer::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill();
}

void OrthancServer::kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

std::string OrthancServer::restRaw(const std::string& uri) const {
    const auto [status, body] = httpGet(http_port_, uri);
    if (status != 200) throw std::runtime_error("Orthanc REST GET " + uri + " answered " + std::to_string(status));
    return body;
}

nlohmann::json OrthancServer::rest(const std::string& uri) const { return nlohmann::json::parse(restRaw(uri)); }

int OrthancServer::instanceCount() const { return rest("/statistics").at("CountInstances").get<int>(); }

std::string pixelDataHash(const fs::path& file) {
    DcmFileFormat format;
    if (format.loadFile(file.c_str()).bad()) return {};
    DcmElement* pixels = nullptr;
    if (format.getDataset()->findAndGetElement(DCM_PixelData, pixels).bad() || pixels == nullptr) return {};
    Uint8* bytes = nullptr;
    if (pixels->getUint8Array(bytes).good() && bytes != nullptr) return sha256Hex(bytes, pixels->getLength());
    Uint16* words = nullptr;  // OW pixel data
    if (pixels->getUint16Array(words).good() && words != nullptr) return sha256Hex(words, pixels->getLength());
    return {};
}

}  // namespace dpflow::test
