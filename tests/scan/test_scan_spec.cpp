// Scan expansion: the Cartesian product in file order, zip groups, seeds, slices, per-run
// parameters, the canonical [scan] text, and the errors that name the entry.
#include "drfm/app/scan.hpp"
#include "drfm/app/scan_file.hpp"
#include "drfm/core/error.hpp"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

namespace drfm::app {
namespace {

const std::string base = R"(
[data]
source = "synthetic"
n_train = 100
n_test = 20
[model]
depth = 2
)";

Scan scan_of(const std::string& scan_section, const std::vector<std::string>& overrides = {},
             const std::string& runs = "") {
    return parse_scan(base + scan_section, "scan.toml", overrides, runs);
}

std::string error_of(const std::string& scan_section, const std::vector<std::string>& overrides = {},
                     const std::string& runs = "") {
    try {
        scan_of(scan_section, overrides, runs);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

TEST(ScanTest, WithoutScanSectionIsOneRun) {
    const Scan scan = scan_of("");

    ASSERT_EQ(scan.runs.size(), 1u);
    EXPECT_EQ(scan.total_runs, 1);
    EXPECT_FALSE(scan.sliced);
    EXPECT_TRUE(scan.parameters.empty());
    EXPECT_EQ(scan.runs[0].model.depth, 2);
    EXPECT_EQ(scan.resolved_toml.find("[scan]"), std::string::npos);
}

TEST(ScanTest, ProductVariesTheFirstAxisSlowest) {
    const Scan scan = scan_of("[scan]\nmodel.bandwidth = [1.0, 2.0, 4.0]\nmodel.ridge = [0.1, 0.01]\n");

    // itertools.product([1, 2, 4], [0.1, 0.01])
    const std::vector<std::pair<double, double>> expected{{1, 0.1}, {1, 0.01}, {2, 0.1},
                                                          {2, 0.01}, {4, 0.1}, {4, 0.01}};
    ASSERT_EQ(scan.runs.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(scan.runs[i].model.bandwidth, expected[i].first) << "run " << i;
        EXPECT_EQ(scan.runs[i].model.ridge, expected[i].second) << "run " << i;
        EXPECT_EQ(scan.runs[i].model.depth, 2);  // the base applies to every run
        EXPECT_EQ(scan.scan_index[i], static_cast<std::int64_t>(i));
    }
}

TEST(ScanTest, AxesFollowTheFileOrderNotTheKeyOrder) {
    // seeds comes first in the file, so it is the slowest axis although "seeds" > "model".
    const Scan scan = scan_of("[scan]\nseeds = [7, 8]\nmodel.bandwidth = [1.0, 3.0]\n");

    const std::vector<std::pair<std::uint64_t, double>> expected{{7, 1}, {7, 3}, {8, 1}, {8, 3}};
    ASSERT_EQ(scan.runs.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(scan.runs[i].model.seed, expected[i].first);
        EXPECT_EQ(scan.runs[i].model.bandwidth, expected[i].second);
    }
}

TEST(ScanTest, ZipGroupVariesItsKeysTogether) {
    const Scan scan = scan_of(
        "[scan]\nmodel.ridge = [0.1, 0.01]\nmodel.bandwidth = [1.0, 2.0, 4.0]\n"
        "data.n_train = [50, 80]\nzip = [[\"data.n_train\", \"model.ridge\"]]\n");

    // Axes: (ridge, n_train) zipped at the position of ridge, then bandwidth: 2 × 3 = 6 runs.
    ASSERT_EQ(scan.runs.size(), 6u);
    for (std::size_t i = 0; i < 6; ++i) {
        const bool second = i >= 3;
        EXPECT_EQ(scan.runs[i].model.ridge, second ? 0.01 : 0.1);
        EXPECT_EQ(scan.runs[i].data.n_train, second ? 80 : 50);
        EXPECT_EQ(scan.runs[i].model.bandwidth, (std::vector<double>{1, 2, 4})[i % 3]);
    }
}

TEST(ScanTest, QuotedAndTableFormsAreTheSameKeys) {
    const Scan quoted = scan_of("[scan]\n\"model.bandwidth\" = [1.0, 2.0]\n");
    const Scan table = scan_of("[scan.model]\nbandwidth = [1.0, 2.0]\n");

    ASSERT_EQ(quoted.runs.size(), 2u);
    ASSERT_EQ(table.runs.size(), 2u);
    EXPECT_EQ(quoted.runs[1].model.bandwidth, 2.0);
    EXPECT_EQ(table.runs[1].model.bandwidth, 2.0);
    EXPECT_EQ(config_hash(quoted.resolved_toml), config_hash(table.resolved_toml));
}

TEST(ScanTest, ParametersHoldNumbersLabelsAndBooleans) {
    const Scan scan = scan_of(
        "[scan]\nmodel.kernel = [\"gaussian\", \"laplace\"]\nmodel.centering = [false, true]\n"
        "data.seed = [3]\nseeds = [5]\n");

    ASSERT_EQ(scan.parameters.size(), 4u);
    const ScanParameter& kernel = scan.parameters[0];
    EXPECT_EQ(kernel.name, "kernel");
    EXPECT_EQ(kernel.labels, (std::vector<std::string>{"gaussian", "laplace"}));
    EXPECT_EQ(kernel.values, (std::vector<double>{0, 0, 1, 1}));
    EXPECT_EQ(scan.parameters[1].name, "centering");
    EXPECT_EQ(scan.parameters[1].values, (std::vector<double>{0, 1, 0, 1}));
    // Two scanned keys named "seed": both get their section as prefix.
    EXPECT_EQ(scan.parameters[2].name, "data_seed");
    EXPECT_EQ(scan.parameters[3].name, "model_seed");
    EXPECT_EQ(scan.parameters[3].values, (std::vector<double>{5, 5, 5, 5}));
}

TEST(ScanTest, SliceKeepsItsRunsAndTheirScanIndex) {
    const std::string section = "[scan]\nmodel.bandwidth = [1.0, 2.0, 3.0, 4.0, 5.0]\n";

    const Scan from_option = scan_of(section, {}, "1:3");
    const Scan from_file = scan_of(section + "runs = \"3:\"\n");
    const Scan clamped = scan_of(section, {}, "4:100");

    ASSERT_EQ(from_option.runs.size(), 2u);
    EXPECT_EQ(from_option.total_runs, 5);
    EXPECT_TRUE(from_option.sliced);
    EXPECT_EQ(from_option.runs[0].model.bandwidth, 2.0);
    EXPECT_EQ(from_option.scan_index, (std::vector<std::int64_t>{1, 2}));
    EXPECT_EQ(from_option.parameters.back().name, "scan_index");
    EXPECT_EQ(from_option.parameters.back().values, (std::vector<double>{1, 2}));
    EXPECT_EQ(from_option.parameters.front().values, (std::vector<double>{2, 3}));
    EXPECT_EQ(from_file.scan_index, (std::vector<std::int64_t>{3, 4}));
    EXPECT_EQ(clamped.scan_index, (std::vector<std::int64_t>{4}));
    // Different slices are different files: their fingerprints differ.
    EXPECT_NE(config_hash(from_option.resolved_toml), config_hash(from_file.resolved_toml));
}

TEST(ScanTest, ResolvedTextExpandsToTheSameRuns) {
    const Scan scan = scan_of(
        "[scan]\nmodel.bandwidth = [1.5, 2.5]\ndata.n_train = [50, 60]\nseeds = [1, 2]\n"
        "model.ridge = [0.1, 0.2]\nzip = [[\"model.bandwidth\", \"model.ridge\"]]\nruns = \"1:7\"\n");

    const Scan again = parse_scan(scan.resolved_toml, "resolved.toml", {});

    ASSERT_EQ(again.runs.size(), scan.runs.size());
    for (std::size_t i = 0; i < scan.runs.size(); ++i)
        EXPECT_EQ(again.runs[i].resolved_toml, scan.runs[i].resolved_toml) << "run " << i;
    EXPECT_EQ(again.scan_index, scan.scan_index);
    EXPECT_EQ(again.resolved_toml, scan.resolved_toml);
}

TEST(ScanTest, OverridesSetTheBaseOfEveryRun) {
    const Scan scan = scan_of("[scan]\nmodel.bandwidth = [1.0, 2.0]\n", {"model.depth=5"});

    EXPECT_EQ(scan.runs[0].model.depth, 5);
    EXPECT_EQ(scan.runs[1].model.depth, 5);
}

TEST(ScanTest, ErrorsNameTheEntryAndWhereItIs) {
    const std::vector<std::tuple<std::string, std::vector<std::string>, std::string, std::string>>
        cases{
            {"[scan]\nmodel.bandwith = [1.0]\n", {}, "", "did you mean 'model.bandwidth'?"},
            {"[scan]\nbandwidth = [1.0]\n", {}, "", "did you mean 'model.bandwidth'?"},
            {"[scan]\noutput.path = [\"a.h5\"]\n", {}, "",
             "scan.toml:9:15: [scan] output.path: only [data] and [model] keys can be scanned"},
            {"[scan]\nmodel.ridge = []\n", {}, "", "[scan] model.ridge: expected a non-empty list"},
            {"[scan]\nmodel.ridge = 0.1\n", {}, "", "[scan] model.ridge: expected a non-empty list"},
            {"[scan]\nmodel.bandwidth = [1.0, -1.0]\n", {}, "",
             "scan.toml:9:25 ([scan]): model.bandwidth: must be > 0, got -1"},
            {"[scan]\nmodel.ridge = [0.1, 0.2]\nmodel.bandwidth = [1.0]\n"
             "zip = [[\"model.ridge\", \"model.bandwidth\"]]\n",
             {}, "", "model.ridge has 2 values and model.bandwidth has 1"},
            {"[scan]\nmodel.ridge = [0.1]\nzip = [[\"model.ridge\", \"model.depth\"]]\n", {}, "",
             "[scan] zip: 'model.depth' has no list in [scan]"},
            {"[scan]\nseeds = [1]\nmodel.seed = [2]\n", {}, "", "model.seed is scanned twice"},
            {"[scan]\nmodel.ridge = [0.1]\n", {"model.ridge=3"}, "",
             "command-line override 'model.ridge=3': model.ridge is scanned by [scan]"},
            {"[scan]\nruns = \"5-6\"\n", {}, "", "[scan] runs: expected a string \"A:B\""},
            {"[scan]\nmodel.ridge = [0.1, 0.2]\n", {}, "2:4",
             "the slice starts at run 2 but the scan has only 2 runs"},
            {"[scan]\nmodel.ridge = [0.1]\n", {}, "x:1", "option '--runs': malformed slice 'x:1'"},
            {"[scan]\ndata.n_train = [3]\n", {}, "", "data.n_train"},  // cross-key: n_train >= classes
        };
    for (const auto& [section, overrides, runs, expected] : cases) {
        const std::string message = error_of(section, overrides, runs);
        EXPECT_NE(message.find(expected), std::string::npos)
            << section << "\nexpected: " << expected << "\ngot: " << message;
    }
}

TEST(ScanTest, RunSliceSyntax) {
    ASSERT_TRUE(parse_run_slice("3:6"));
    EXPECT_EQ(parse_run_slice("3:6")->first, 3);
    EXPECT_EQ(parse_run_slice("3:6")->last, 6);
    EXPECT_EQ(parse_run_slice("0:")->last, -1);
    for (const char* bad : {"", "3", ":4", "4:4", "5:2", "-1:2", "a:b", "1:2:3"})
        EXPECT_FALSE(parse_run_slice(bad)) << bad;
}

TEST(ScanTest, DescribeListsRunsAndValues) {
    const Scan scan = scan_of("[scan]\nmodel.kernel = [\"gaussian\", \"laplace\"]\nseeds = [0, 1, 2]\n");

    const std::string text = describe_runs(scan, 2);

    EXPECT_NE(text.find("scan: 6 runs"), std::string::npos) << text;
    EXPECT_NE(text.find("run      kernel  seed"), std::string::npos) << text;
    EXPECT_NE(text.find("1  \"gaussian\"     1"), std::string::npos) << text;
    EXPECT_NE(text.find("... (4 more)"), std::string::npos) << text;
}

}  // namespace
}  // namespace drfm::app
