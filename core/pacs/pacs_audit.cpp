#include "pacs/pacs_audit.h"

#include "release/audit_trail.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace dpflow {
namespace fs = std::filesystem;

fs::path defaultPacsAuditFile() {
    if (const char* state = std::getenv("XDG_STATE_HOME"); state != nullptr && *state != '\0') {
        return fs::path(state) / "dpflow" / "pacs-audit.jsonl";
    }
    const char* home = std::getenv("HOME");
    return fs::path(home != nullptr ? home : ".") / ".local" / "state" / "dpflow" / "pacs-audit.jsonl";
}

void recordPacsEvent(const fs::path& audit_file, nlohmann::json event) {
    if (!audit_file.parent_path().empty() && !fs::exists(audit_file.parent_path())) {
        fs::create_directories(audit_file.parent_path());
        ::chmod(audit_file.parent_path().c_str(), 0700);
    }
    if (!fs::exists(audit_file)) {
        const int fd = ::open(audit_file.c_str(), O_WRONLY | O_CREAT, 0600);
        if (fd >= 0) ::close(fd);
    }
    appendAuditEvent(audit_file, std::move(event));
}

}  // namespace dpflow
