#include "privacy/budget_ledger.h"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

namespace dpflow {
namespace {

std::filesystem::path freshLedgerPath(const std::string& name) {
    auto path = std::filesystem::temp_directory_path() / ("dpflow_ledger_" + name + "_" + std::to_string(::getpid()) + ".jsonl");
    std::filesystem::remove(path);
    return path;
}

LedgerEntry release(const std::string& key, double eps_latent, double eps_sex = 0.0) {
    LedgerEntry entry;
    entry.source_key = key;
    entry.mechanism = "dpglow";
    entry.epsilon_latent = eps_latent;
    if (eps_sex > 0) entry.epsilon_attributes["sex"] = eps_sex;
    entry.epsilon_total = eps_latent + eps_sex;
    entry.randomness = "getrandom";
    entry.output = key + ".png";
    return entry;
}

TEST(BudgetLedger, ReleasesOfTheSameImageCompose) {
    BudgetLedger ledger(freshLedgerPath("compose"));
    ledger.append(release("sha256:aa", 2.0, 0.5));
    const BudgetCheck second = ledger.append(release("sha256:aa", 1.0));
    EXPECT_DOUBLE_EQ(second.spent_before, 2.5);
    EXPECT_DOUBLE_EQ(second.spent_after, 3.5);
    EXPECT_DOUBLE_EQ(ledger.spent("sha256:aa"), 3.5);
    EXPECT_DOUBLE_EQ(ledger.spent("sha256:bb"), 0.0);
}

TEST(BudgetLedger, WarnsWhenAReleaseWouldPassThePerImageLimit) {
    BudgetLedger ledger(freshLedgerPath("limit"), 3.0);
    EXPECT_FALSE(ledger.append(release("sop:1.2.3", 2.0)).exceeds_limit);
    const BudgetCheck check = ledger.check("sop:1.2.3", 1.5);
    EXPECT_TRUE(check.exceeds_limit);
    EXPECT_NE(check.warning.find("3.5"), std::string::npos) << check.warning;
    EXPECT_FALSE(ledger.check("sop:1.2.3", 1.0).exceeds_limit);  // exactly at the limit is allowed
}

TEST(BudgetLedger, SurvivesReopeningWithEveryField) {
    const auto path = freshLedgerPath("reopen");
    {
        BudgetLedger ledger(path);
        ledger.append(release("sha256:aa", 2.0, 0.5));
    }
    BudgetLedger reopened(path);
    ASSERT_EQ(reopened.entries().size(), 1u);
    const LedgerEntry& entry = reopened.entries()[0];
    EXPECT_EQ(entry.mechanism, "dpglow");
    EXPECT_DOUBLE_EQ(entry.epsilon_attributes.at("sex"), 0.5);
    EXPECT_FALSE(entry.time_utc.empty());
    EXPECT_DOUBLE_EQ(reopened.spent("sha256:aa"), 2.5);
}

TEST(BudgetLedger, IgnoresAndReportsATornLastLineThenAppendsCleanly) {
    const auto path = freshLedgerPath("torn");
    {
        BudgetLedger ledger(path);
        ledger.append(release("sha256:aa", 1.0));
    }
    std::ofstream(path, std::ios::app) << R"({"source":"sha256:aa","mechan)";
    BudgetLedger damaged(path);
    EXPECT_EQ(damaged.entries().size(), 1u);
    ASSERT_EQ(damaged.loadWarnings().size(), 1u);
    damaged.append(release("sha256:aa", 1.0));
    BudgetLedger reopened(path);
    EXPECT_EQ(reopened.entries().size(), 2u);
    EXPECT_DOUBLE_EQ(reopened.spent("sha256:aa"), 2.0);
}

TEST(BudgetLedger, RefusesALedgerDamagedInTheMiddle) {
    const auto path = freshLedgerPath("middle");
    std::ofstream(path) << "{not json}\n" << "{}\n";
    EXPECT_THROW(BudgetLedger{path}, std::runtime_error);
}

TEST(BudgetLedger, AKilledWriterLeavesAValidLedger) {
    const auto path = freshLedgerPath("killed");
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        BudgetLedger ledger(path);
        for (int i = 0; i < 100000; ++i) ledger.append(release("sha256:" + std::to_string(i % 7), 0.25));
        ::_exit(0);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);

    BudgetLedger survivor(path);  // must not throw: every complete line is a valid entry
    EXPECT_GT(survivor.entries().size(), 0u);
    double total = 0;
    for (const auto& entry : survivor.entries()) total += entry.epsilon_total;
    EXPECT_DOUBLE_EQ(total, 0.25 * survivor.entries().size());
}

}  // namespace
}  // namespace dpflow
