// How `dpflow` reads its command line, for every subcommand: options take their own values
// only (a list is comma-separated or the option repeated), inputs stand anywhere on the line,
// and `--` ends the options. Parsing stops once the line is read: no subcommand's work runs.

#include "commands.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

namespace dpflow::cli {
namespace {

namespace fs = std::filesystem;

// Files the options' checks look for (existing file, existing folder).
struct Files {
    fs::path folder = fs::temp_directory_path() / ("dpflow-cli-line-" + std::to_string(::getpid()));
    std::string model = (fs::path(DPFLOW_SOURCE_DIR) / "models" / "pneumoniamnist-glow32.safetensors").string();
    std::string manifest;
    Files() {
        fs::create_directories(folder);
        manifest = (folder / "manifest.csv").string();
        std::ofstream(manifest) << "file,split,label\n";
    }
    ~Files() { fs::remove_all(folder); }
};

const Files& files() {
    static const Files instance;
    return instance;
}

// Thrown once the line is read, before any subcommand's work would run.
struct LineRead {};

// Every subcommand registered as `dpflow` does, its line read and nothing run.
class ParsedLine {
public:
    explicit ParsedLine(const std::vector<std::string>& line) {
        registerAllCommands(app_, exit_code_);
        // The top level's parse-complete callback runs after every option has stored its value
        // and every requirement was checked, and before the subcommands' callbacks (the work).
        app_.parse_complete_callback([] { throw LineRead{}; });
        std::vector<const char*> argv{"dpflow"};
        for (const std::string& word : line) argv.push_back(word.c_str());
        try {
            app_.parse(static_cast<int>(argv.size()), argv.data());
        } catch (const LineRead&) {
            return;
        }
        throw std::logic_error("the line was read without stopping before the work");
    }

    std::vector<std::string> values(const std::string& command, const std::string& option) const {
        const CLI::App* app = &app_;
        std::size_t begin = 0;
        while (true) {  // "classifier train": one subcommand inside another
            const std::size_t space = command.find(' ', begin);
            app = app->get_subcommand(command.substr(begin, space - begin));
            if (space == std::string::npos) break;
            begin = space + 1;
        }
        return app->get_option(option)->as<std::vector<std::string>>();
    }

private:
    CLI::App app_;
    int exit_code_ = 0;
};

using Words = std::vector<std::string>;

TEST(CommandLine, EveryNamedOptionOfEverySubcommandTakesOneValuePerOccurrence) {
    CLI::App app;
    int exit_code = 0;
    registerAllCommands(app, exit_code);
    std::size_t checked = 0;
    std::vector<CLI::App*> pending = app.get_subcommands([](CLI::App*) { return true; });
    ASSERT_GE(pending.size(), 18u);
    while (!pending.empty()) {
        CLI::App* command = pending.back();
        pending.pop_back();
        for (CLI::App* inner : command->get_subcommands([](CLI::App*) { return true; })) pending.push_back(inner);
        for (const CLI::Option* option : command->get_options()) {
            if (!option->nonpositional() || option->get_type_size() == 0) continue;  // positionals, flags
            EXPECT_FALSE(option->get_allow_extra_args()) << command->get_name() << ' ' << option->get_name();
            ++checked;
        }
    }
    EXPECT_GT(checked, 100u);
}

TEST(CommandLine, PrivatizeKeepsTheInputAfterAListOption) {
    // The line of the issue: the list option used to swallow the manifest.
    const ParsedLine line({"privatize", "--protect", "sex:0,view:0", "study/manifest.csv", "--model", files().model,
                           "--epsilon", "1e5", "--out", "out"});
    EXPECT_EQ(line.values("privatize", "--protect"), (Words{"sex:0", "view:0"}));
    EXPECT_EQ(line.values("privatize", "inputs"), (Words{"study/manifest.csv"}));
}

TEST(CommandLine, PrivatizeTakesRepeatedOptionsAndInputsAnywhere) {
    const ParsedLine line({"privatize", "a.png", "--keep", "label", "--attribute", "label=1", "b.png", "--keep", "sex",
                           "--model", files().model, "--epsilon", "1e5", "--out", "out", "c.png"});
    EXPECT_EQ(line.values("privatize", "--keep"), (Words{"label", "sex"}));
    EXPECT_EQ(line.values("privatize", "--attribute"), (Words{"label=1"}));
    EXPECT_EQ(line.values("privatize", "inputs"), (Words{"a.png", "b.png", "c.png"}));
}

TEST(CommandLine, ADoubleDashEndsTheOptions) {
    const ParsedLine line({"privatize", "--model", files().model, "--epsilon", "1e5", "--out", "out", "--", "-odd.png",
                           "--keep"});
    EXPECT_EQ(line.values("privatize", "inputs"), (Words{"-odd.png", "--keep"}));
    const ParsedLine info({"info", "--", "-a.dcm"});
    EXPECT_EQ(info.values("info", "paths"), (Words{"-a.dcm"}));
}

TEST(CommandLine, StripReadsItsListsAndInputsInAnyOrder) {
    const ParsedLine line({"strip", "--epsilons", "1e4,1e5", "in.png", "--mechanisms", "dpglow", "--mechanisms", "pixel",
                           "--protect", "sex:0", "other.png", "--model", files().model, "--out", "s.png"});
    EXPECT_EQ(line.values("strip", "inputs"), (Words{"in.png", "other.png"}));
    EXPECT_EQ(line.values("strip", "--epsilons"), (Words{"1e4", "1e5"}));
    EXPECT_EQ(line.values("strip", "--mechanisms"), (Words{"dpglow", "pixel"}));
}

TEST(CommandLine, RoundtripAndSampleFindTheirModelAfterAListOption) {
    const ParsedLine roundtrip({"roundtrip", "--attr", "label=1", files().model, "a.png", "--attr", "label=0", "b.png"});
    EXPECT_EQ(roundtrip.values("roundtrip", "model"), (Words{files().model}));
    EXPECT_EQ(roundtrip.values("roundtrip", "images"), (Words{"a.png", "b.png"}));
    EXPECT_EQ(roundtrip.values("roundtrip", "--attr"), (Words{"label=1", "label=0"}));
    const ParsedLine sample({"sample", "--attr", "label=1", files().model, "--vary", "label", "--out", "x.png"});
    EXPECT_EQ(sample.values("sample", "model"), (Words{files().model}));
    const ParsedLine info({"model-info", "--bench", "3", files().model});
    EXPECT_EQ(info.values("model-info", "model"), (Words{files().model}));
}

TEST(CommandLine, ConvertTakesItsWindowAsOneCommaSeparatedValue) {
    const ParsedLine line({"convert", "--window", "40,400", "in.dcm", "out.png"});
    EXPECT_EQ(line.values("convert", "--window"), (Words{"40", "400"}));
    EXPECT_EQ(line.values("convert", "input"), (Words{"in.dcm"}));
    EXPECT_EQ(line.values("convert", "output"), (Words{"out.png"}));
}

TEST(CommandLine, TrainingCommandsReadListsCommaSeparatedOrRepeated) {
    const ParsedLine train({"train", "--attributes", "label", "--attributes", "sex,view", "--manifest", files().manifest,
                            "--out", "m.safetensors"});
    EXPECT_EQ(train.values("train", "--attributes"), (Words{"label", "sex", "view"}));
    const ParsedLine embedding({"reid-embedding", "--linkage-epsilons", "1e4,1e5", "--data", files().manifest, "--out",
                                "e.safetensors"});
    EXPECT_EQ(embedding.values("reid-embedding", "--linkage-epsilons"), (Words{"1e4", "1e5"}));
    const ParsedLine classifier({"classifier", "train", "--data", files().manifest, "--out", "c.safetensors"});
    EXPECT_EQ(classifier.values("classifier train", "--data"), (Words{files().manifest}));
    const ParsedLine evaluation({"classifier", "eval", "--data", files().manifest, "--model", files().model});
    EXPECT_EQ(evaluation.values("classifier eval", "--model"), (Words{files().model}));
}

TEST(CommandLine, EvaluationCommandsReadListsCommaSeparatedOrRepeated) {
    const ParsedLine sweep({"sweep", "--mechanism", "dpglow", "--mechanism", "pixel", "--epsilons", "1e3,1e5", "--keep",
                            "label", "--classifier", files().model, "--data", files().manifest, "--out", "r.csv"});
    EXPECT_EQ(sweep.values("sweep", "--mechanism"), (Words{"dpglow", "pixel"}));
    EXPECT_EQ(sweep.values("sweep", "--epsilons"), (Words{"1e3", "1e5"}));
    const ParsedLine artifacts({"artifacts", "--epsilons", "1e3", "--epsilons", "1e5", "--keep", "label,sex", "--model",
                                files().model, "--manifest", files().manifest});
    EXPECT_EQ(artifacts.values("artifacts", "--epsilons"), (Words{"1e3", "1e5"}));
    EXPECT_EQ(artifacts.values("artifacts", "--keep"), (Words{"label", "sex"}));
    const ParsedLine report({"sweep-report", "--", files().manifest});
    EXPECT_EQ(report.values("sweep-report", "results"), (Words{files().manifest}));
    const ParsedLine reid({"reid", "--data", files().manifest, "--linkage"});
    EXPECT_EQ(reid.values("reid", "--data"), (Words{files().manifest}));
}

TEST(CommandLine, ReleaseReadsRepeatedInputsAndItsFormats) {
    const ParsedLine line({"release", "--input", "a.csv", "--format", "dcm,png", "--input", "folder", "--keep", "label",
                           "--out", "release"});
    EXPECT_EQ(line.values("release", "--input"), (Words{"a.csv", "folder"}));
    EXPECT_EQ(line.values("release", "--format"), (Words{"dcm", "png"}));
    const ParsedLine verify({"verify-release", "--", files().folder.string()});
    EXPECT_EQ(verify.values("verify-release", "folder"), (Words{files().folder.string()}));
}

TEST(CommandLine, CommandsWithoutListsStillReadTheirOptions) {
    const ParsedLine phantom({"phantom", "--out", "study", "--patients", "3"});
    EXPECT_EQ(phantom.values("phantom", "--patients"), (Words{"3"}));
    const ParsedLine bench({"bench", "--threads", "2"});
    EXPECT_EQ(bench.values("bench", "--threads"), (Words{"2"}));
    EXPECT_NO_THROW(ParsedLine({"bench-sampler"}));
    EXPECT_THROW(ParsedLine({"bench", "--threads"}), CLI::ParseError);  // an option without its value
}

}  // namespace
}  // namespace dpflow::cli
