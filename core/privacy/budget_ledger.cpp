#include "privacy/budget_ledger.h"
#include "privacy/utc_time.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace dpflow {
namespace {

nlohmann::json toJson(const LedgerEntry& e) {
    return {{"source", e.source_key},         {"mechanism", e.mechanism},
            {"epsilon_latent", e.epsilon_latent}, {"epsilon_attributes", e.epsilon_attributes},
            {"epsilon_total", e.epsilon_total},   {"model_sha256", e.model_hash},
            {"randomness", e.randomness},         {"output", e.output},
            {"time_utc", e.time_utc}};
}

LedgerEntry fromJson(const nlohmann::json& j) {
    LedgerEntry e;
    e.source_key = j.at("source").get<std::string>();
    e.mechanism = j.at("mechanism").get<std::string>();
    e.epsilon_latent = j.at("epsilon_latent").get<double>();
    e.epsilon_attributes = j.at("epsilon_attributes").get<std::map<std::string, double>>();
    e.epsilon_total = j.at("epsilon_total").get<double>();
    e.model_hash = j.at("model_sha256").get<std::string>();
    e.randomness = j.at("randomness").get<std::string>();
    e.output = j.at("output").get<std::string>();
    e.time_utc = j.at("time_utc").get<std::string>();
    return e;
}


[[noreturn]] void throwIoError(const std::filesystem::path& path, const char* what) {
    throw std::runtime_error(path.string() + ": " + what + ": " + std::strerror(errno));
}

}  // namespace

BudgetLedger::BudgetLedger(std::filesystem::path path, double per_image_limit)
    : path_(std::move(path)), per_image_limit_(per_image_limit) {
    std::ifstream in(path_, std::ios::binary);
    if (!in) return;  // a new ledger
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();

    std::size_t start = 0, line_number = 0;
    while (start < text.size()) {
        ++line_number;
        const std::size_t end = text.find('\n', start);
        const bool complete = end != std::string::npos;
        const std::string line = text.substr(start, complete ? end - start : std::string::npos);
        start = complete ? end + 1 : text.size();
        if (line.empty()) continue;
        try {
            if (!complete) throw std::runtime_error("no line end");
            LedgerEntry entry = fromJson(nlohmann::json::parse(line));
            spent_[entry.source_key] += entry.epsilon_total;
            entries_.push_back(std::move(entry));
        } catch (const std::exception& error) {
            if (complete)
                throw std::runtime_error(path_.string() + ":" + std::to_string(line_number) +
                                         ": not a ledger entry (" + error.what() + "); the ledger is damaged");
            load_warnings_.push_back(path_.string() + ":" + std::to_string(line_number) +
                                     ": incomplete last line ignored (a write was interrupted)");
            torn_tail_offset_ = static_cast<long long>(text.size() - line.size());
        }
    }
}

double BudgetLedger::spent(const std::string& source_key) const {
    auto it = spent_.find(source_key);
    return it == spent_.end() ? 0.0 : it->second;
}

BudgetCheck BudgetLedger::check(const std::string& source_key, double epsilon_total) const {
    BudgetCheck result;
    result.spent_before = spent(source_key);
    result.spent_after = result.spent_before + epsilon_total;
    result.exceeds_limit = result.spent_after > per_image_limit_;
    if (result.exceeds_limit) {
        std::ostringstream warning;
        warning << source_key << ": this release brings the image's total epsilon to " << result.spent_after
                << ", above the per-image limit of " << per_image_limit_ << " (already released: "
                << result.spent_before << ")";
        result.warning = warning.str();
    }
    return result;
}

BudgetCheck BudgetLedger::append(LedgerEntry entry) {
    if (entry.time_utc.empty()) entry.time_utc = currentUtcTimestamp();
    const BudgetCheck result = check(entry.source_key, entry.epsilon_total);
    const std::string line = toJson(entry).dump() + "\n";

    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) throwIoError(path_, "cannot open the ledger for appending");
    // A torn line left by an interrupted write never became an entry: cut it off first, so the
    // new line does not fuse with it.
    const bool cut = torn_tail_offset_ < 0 || ::ftruncate(fd, torn_tail_offset_) == 0;
    const bool written = cut && ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    const bool durable = written && ::fsync(fd) == 0;
    const int saved_errno = errno;
    ::close(fd);
    errno = saved_errno;
    if (!durable) throwIoError(path_, cut ? "cannot write the ledger entry" : "cannot remove the incomplete last line");
    torn_tail_offset_ = -1;

    spent_[entry.source_key] += entry.epsilon_total;
    entries_.push_back(std::move(entry));
    return result;
}

}  // namespace dpflow
