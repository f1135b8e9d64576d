// Invalid inputs: each must raise a ConfigError (exit code 2) whose message names where the value
// came from (file:line:col or the override), the key, and the suggestion where there is one.
#include "drfm/config/load.hpp"
#include "drfm/core/error.hpp"

#include <gtest/gtest.h>

namespace drfm::config {
namespace {

struct BadCase {
    const char* name;
    const char* toml;
    std::vector<std::string> overrides;
    std::vector<std::string> message_parts;  // each must appear in the message
};

std::ostream& operator<<(std::ostream& os, const BadCase& c) { return os << c.name; }

class LoadBadTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(LoadBadTest, RaisesConfigErrorNamingKeyAndLocation) {
    const BadCase& c = GetParam();
    try {
        parse_config(c.toml, "bad.toml", c.overrides);
        FAIL() << "no ConfigError for " << c.name;
    } catch (const ConfigError& e) {
        std::string message = e.what();
        EXPECT_EQ(e.exit_code(), ExitCode::input);
        for (const auto& part : c.message_parts)
            EXPECT_NE(message.find(part), std::string::npos)
                << "message lacks \"" << part << "\":\n" << message;
    }
}

const BadCase bad_cases[] = {
    {"MalformedToml", "[model]\ndepth = = 3\n", {}, {"bad.toml:2:", "malformed TOML"}},
    {"DuplicateKey", "[model]\ndepth = 3\ndepth = 4\n", {}, {"bad.toml:3:", "malformed TOML"}},
    {"MisspeltKey", "[model]\nbandwith = 4.0\n", {},
     {"bad.toml:2:1: unknown key 'model.bandwith'; did you mean 'model.bandwidth'?"}},
    {"TransposedLetters", "[data]\nn_trian = 10\n", {},
     {"bad.toml:2:1:", "'data.n_trian'", "did you mean 'data.n_train'?"}},
    {"KeyInWrongSection", "[data]\nrff_gamma = 0.1\n", {},
     {"bad.toml:2:1:", "'data.rff_gamma'", "did you mean 'model.rff_gamma'?"}},
    {"UnknownKeyWithoutSuggestion", "[model]\nlearning_rate = 0.1\n", {},
     {"bad.toml:2:1: unknown key 'model.learning_rate' (docs/input.md"}},
    {"UnknownSection", "\n[modle]\ndepth = 3\n", {},
     {"bad.toml:2:2: unknown section [modle]; did you mean [model]?"}},
    {"RootLevelKey", "width = 64\n", {}, {"bad.toml:1:1:", "did you mean 'model.width'?"}},
    {"SectionIsAValue", "output = \"x.h5\"\n", {}, {"bad.toml:1:1:", "[output] must be a section"}},
    {"StringForInteger", "[model]\ndepth = \"5\"\n", {},
     {"bad.toml:2:9: model.depth: expected an integer, got string \"5\""}},
    {"FractionForInteger", "[data]\nn_train = 100.5\n", {},
     {"bad.toml:2:11: data.n_train: expected an integer, got float 100.5"}},
    {"StringForFloat", "[model]\nbandwidth = \"2\"\n", {},
     {"bad.toml:2:13: model.bandwidth: expected a number"}},
    {"IntegerForBool", "[model]\ncentering = 0\n", {},
     {"bad.toml:2:13: model.centering: expected true or false, got integer 0"}},
    {"ArrayForScalar", "[model]\ndepth = [1, 2]\n", {}, {"bad.toml:2:9: model.depth:", "an array"}},
    {"BandwidthNotPositive", "[model]\nbandwidth = -2.0\n", {},
     {"bad.toml:2:13: model.bandwidth: must be > 0, got -2"}},
    {"DepthZero", "[model]\ndepth = 0\n", {}, {"bad.toml:2:9: model.depth: must be >= 1, got 0"}},
    {"WidthZero", "[model]\nwidth = 0\n", {}, {"bad.toml:2:9: model.width: must be >= 1, got 0"}},
    {"BlockSizeZero", "[parallel]\nblock_size = 0\n", {},
     {"bad.toml:2:14: parallel.block_size: must be >= 1"}},
    {"ExponentAboveTwo", "[model]\nexponent = 2.01\n", {},
     {"bad.toml:2:12: model.exponent: must be (0, 2], got 2.01"}},
    {"ExponentZero", "[model]\nexponent = 0\n", {}, {"model.exponent: must be (0, 2], got 0"}},
    {"NTrainBelowTwo", "[data]\nn_train = 1\n", {}, {"bad.toml:2:11: data.n_train: must be >= 2"}},
    {"InfiniteRidge", "[model]\nridge = inf\n", {},
     {"bad.toml:2:9: model.ridge: must be a finite number, got inf"}},
    {"UnknownKernel", "[model]\nkernel = \"gauss\"\n", {},
     {"bad.toml:2:10: model.kernel: unknown value \"gauss\"; valid choices: \"laplace\", "
      "\"gaussian\", \"gen_laplace\""}},
    {"UnknownAgop", "[model]\nagop = \"diagonal\"\n", {},
     {"model.agop: unknown value \"diagonal\"", "did you mean \"diag\"?"}},
    {"CsvWithoutPath", "[data]\nsource = \"csv\"\ntest_path = \"t.csv\"\n", {},
     {"bad.toml:2:10: data.path: required when data.source = \"csv\""}},
    {"CsvWithoutTestPath", "[data]\nsource = \"csv\"\npath = \"a.csv\"\nn_test = 10\n", {},
     {"bad.toml:4:10: data.test_path: required when data.n_test = 10 > 0"}},
    {"GridMalformed", "[parallel]\ngrid = \"4*4\"\n", {},
     {"bad.toml:2:8: parallel.grid: malformed grid \"4*4\""}},
    {"GridTrailingGarbage", "[parallel]\ngrid = \"4x4x2\"\n", {},
     {"parallel.grid: malformed grid"}},
    {"WalltimeMalformed", "[run]\nwalltime = \"2 hours\"\n", {},
     {"bad.toml:2:12: run.walltime: malformed duration \"2 hours\""}},
    {"WalltimeNegative", "[run]\nwalltime = -5\n", {}, {"run.walltime: must be >= 0, got -5"}},
    {"SyntheticFewerSamplesThanClasses",
     "[data]\nsource = \"synthetic\"\nclasses = 20\nn_train = 10\n", {},
     {"bad.toml:4:11: data.n_train: must be >= data.classes = 20"}},
    {"OneSelfStandardisedTestSample", "[data]\nn_test = 1\n", {},
     {"bad.toml:2:10: data.n_test: must not be 1"}},
    {"KernelEigsAboveNTrain", "[data]\nn_train = 10\n[analysis]\nkernel_eigs = true\n", {},
     {"bad.toml:2:11: analysis.kernel_eigs_k: must be <= data.n_train = 10, got 20"}},
    {"EmptyOutputPath", "[output]\npath = \"\"\n", {},
     {"bad.toml:2:8: output.path: must not be empty"}},
    {"NegativeSeed", "[data]\nseed = -3\n", {}, {"bad.toml:2:8: data.seed: must be >= 0"}},
    {"OverrideMisspelt", "", {"model.bandwith=4"},
     {"command-line override 'model.bandwith=4': unknown key 'model.bandwith'; did you mean "
      "'model.bandwidth'?"}},
    {"OverrideWithoutSection", "", {"depth=4"},
     {"command-line override 'depth=4': unknown key 'depth'; did you mean 'model.depth'?"}},
    {"OverrideBadNumber", "", {"model.bandwidth=two"},
     {"command-line override 'model.bandwidth=two': model.bandwidth: cannot read 'two' as a "
      "number"}},
    {"OverrideOutOfRange", "[model]\ndepth = 3\n", {"model.depth=-1"},
     {"command-line override 'model.depth=-1': model.depth: must be >= 1, got -1"}},
    {"OverrideUnknownChoice", "", {"data.source=mnist"},
     {"command-line override 'data.source=mnist': data.source: unknown value \"mnist\""}},
    {"OverrideEmptyValue", "", {"model.depth="}, {"model.depth: missing value"}},
    {"OverrideWithoutEquals", "", {"model.depth"}, {"expected section.key=value"}},
    {"OverrideExtraToml", "", {"model.depth=3\nmodel.width=5"},
     {"model.depth: cannot read"}},
    {"CsvSourceFromOverrideNamesTheOverride", "", {"data.source=csv"},
     {"command-line override 'data.source=csv': data.path: required"}},
};

INSTANTIATE_TEST_SUITE_P(Inputs, LoadBadTest, ::testing::ValuesIn(bad_cases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(LoadFileTest, MissingFileNamesThePath) {
    try {
        load_config("/nonexistent/dir/input.toml", {});
        FAIL() << "no ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "/nonexistent/dir/input.toml: cannot open the input file: No such file or "
                  "directory");
    }
}

TEST(LoadFileTest, DirectoryIsNotAnInputFile) {
    EXPECT_THROW(load_config(DRFM_SOURCE_DIR, {}), ConfigError);
}

}  // namespace
}  // namespace drfm::config
