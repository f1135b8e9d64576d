// The bad-input corpus tests/inputs/bad/: every entry of expectations.txt fails with a ConfigError
// whose message matches its regex — except data_* entries, which must load (their failure is in
// reading the data, checked by the whole-program tests with --dry-run).
#include "drfm/config/load.hpp"
#include "drfm/core/error.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

namespace drfm::config {
namespace {

const std::string corpus_dir = std::string(DRFM_SOURCE_DIR) + "/tests/inputs/bad";

struct Expectation {
    std::string file;
    int exit_code;
    std::string regex;
};

std::vector<Expectation> read_expectations() {
    std::ifstream in(corpus_dir + "/expectations.txt");
    std::vector<Expectation> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        auto first = line.find('|'), second = line.find('|', first + 1);
        if (second == std::string::npos) {
            ADD_FAILURE() << "malformed expectations line: " << line;
            continue;
        }
        out.push_back({line.substr(0, first), std::stoi(line.substr(first + 1, second - first - 1)),
                       line.substr(second + 1)});
    }
    return out;
}

bool needs_data(const Expectation& e) { return e.file.rfind("data_", 0) == 0; }

TEST(CorpusTest, EveryFileHasOneExpectationAndTheCorpusIsLargeEnough) {
    auto expectations = read_expectations();
    std::set<std::string> listed;
    for (const auto& e : expectations) EXPECT_TRUE(listed.insert(e.file).second) << e.file;

    std::set<std::string> present;
    for (const auto& entry : std::filesystem::directory_iterator(corpus_dir))
        if (entry.path().extension() == ".toml") present.insert(entry.path().filename().string());

    EXPECT_EQ(listed, present);
    EXPECT_GE(expectations.size(), 20u);
}

TEST(CorpusTest, EveryConfigFailureMatchesItsRegex) {
    int checked = 0;
    for (const auto& e : read_expectations()) {
        if (needs_data(e)) continue;
        EXPECT_EQ(e.exit_code, static_cast<int>(ExitCode::input)) << e.file;
        try {
            load_config(corpus_dir + "/" + e.file, {});
            ADD_FAILURE() << e.file << ": loaded without a ConfigError";
        } catch (const ConfigError& error) {
            EXPECT_TRUE(std::regex_search(error.what(), std::regex(e.regex)))
                << e.file << ": message\n  " << error.what() << "\ndoes not match\n  " << e.regex;
        }
        ++checked;
    }
    EXPECT_GE(checked, 20);
}

TEST(CorpusTest, DataStageEntriesHaveAValidConfiguration) {
    int checked = 0;
    for (const auto& e : read_expectations()) {
        if (!needs_data(e)) continue;
        EXPECT_EQ(e.exit_code, static_cast<int>(ExitCode::input)) << e.file;
        EXPECT_NO_THROW(load_config(corpus_dir + "/" + e.file, {})) << e.file;
        ++checked;
    }
    EXPECT_GE(checked, 1);
}

}  // namespace
}  // namespace drfm::config
