// Valid inputs: defaults, file values, overrides, conversions, the resolved dump, the examples.
#include "drfm/config/config_builder.hpp"
#include "drfm/config/load.hpp"

#include <gtest/gtest.h>

namespace drfm::config {
namespace {

const std::string source_dir = DRFM_SOURCE_DIR;

TEST(LoadGoodTest, EmptyFileGivesTheDocumentedDefaults) {
    Config config = parse_config("", "empty.toml", {});

    EXPECT_EQ(config.data.source, DataSource::idx);
    EXPECT_EQ(config.data.n_train, 5000);
    EXPECT_EQ(config.model.bandwidth, 2.0);
    EXPECT_EQ(config.model.ridge, 1e-3);
    EXPECT_EQ(config.model.depth, 6);
    EXPECT_EQ(config.model.width, 512);
    EXPECT_FALSE(config.output.overwrite);
    EXPECT_FALSE(config.parallel.grid.has_value());
    EXPECT_EQ(config.run.walltime.count(), 0);
    EXPECT_EQ(config.source_file, "empty.toml");
    EXPECT_EQ(config.resolved_toml, resolved_toml(Config{}));
}

TEST(LoadGoodTest, FileValuesReplaceDefaults) {
    Config config = parse_config(R"(
[data]
source = "synthetic"
n_train = 300
subset = "balanced"
[model]
kernel = "gen_laplace"
exponent = 1.5
ridge = -1            # interpolation
agop = "diag"
centering = true
[parallel]
grid = "2x3"
[run]
walltime = "1-02:00:00"
)",
                                 "good.toml", {});

    EXPECT_EQ(config.data.source, DataSource::synthetic);
    EXPECT_EQ(config.data.n_train, 300);
    EXPECT_EQ(config.data.subset, Subset::balanced);
    EXPECT_EQ(config.model.kernel, KernelKind::gen_laplace);
    EXPECT_EQ(config.model.exponent, 1.5);
    EXPECT_EQ(config.model.ridge, -1.0);
    EXPECT_EQ(config.model.agop, AgopKind::diag);
    EXPECT_TRUE(config.model.centering);
    ASSERT_TRUE(config.parallel.grid.has_value());
    EXPECT_EQ(*config.parallel.grid, std::make_pair(2, 3));
    EXPECT_EQ(config.run.walltime.count(), 26 * 3600);
}

TEST(LoadGoodTest, IntegersAreAcceptedForFloatsAndIntegralFloatsForIntegers) {
    Config config = parse_config("[model]\nbandwidth = 4\nrff_gamma = 1\n[data]\nn_train = 5e4\n",
                                 "convert.toml", {});

    EXPECT_EQ(config.model.bandwidth, 4.0);
    EXPECT_EQ(config.model.rff_gamma, 1.0);
    EXPECT_EQ(config.data.n_train, 50000);
}

TEST(LoadGoodTest, OverridesWinOverTheFileAndTheLastOneWins) {
    Config config = parse_config("[model]\nbandwidth = 2.0\ndepth = 3\n", "file.toml",
                                 {"model.bandwidth=4", "model.depth = 7", "model.depth=9"});

    EXPECT_EQ(config.model.bandwidth, 4.0);
    EXPECT_EQ(config.model.depth, 9);
}

TEST(LoadGoodTest, OverridesAcceptBareWordsForStringKeys) {
    Config config = parse_config("", "file.toml",
                                 {"data.source=synthetic", "output.path=results/x y.h5",
                                  "parallel.grid=4x2", "run.walltime=01:00:00",
                                  "run.walltime_margin=30", "model.kernel=\"gaussian\"",
                                  "data.test_path=2024", "model.centering=true"});

    EXPECT_EQ(config.data.source, DataSource::synthetic);
    EXPECT_EQ(config.output.path, "results/x y.h5");
    EXPECT_EQ(*config.parallel.grid, std::make_pair(4, 2));
    EXPECT_EQ(config.run.walltime.count(), 3600);
    EXPECT_EQ(config.run.walltime_margin.count(), 30);
    EXPECT_EQ(config.model.kernel, KernelKind::gaussian);
    EXPECT_EQ(config.data.test_path, "2024");
    EXPECT_TRUE(config.model.centering);
}

TEST(LoadGoodTest, UnquotedTomlTimeIsAcceptedAsWalltime) {
    Config config = parse_config("[run]\nwalltime = 02:30:00\n", "time.toml", {});

    EXPECT_EQ(config.run.walltime.count(), 9000);
}

TEST(LoadGoodTest, BalancedSubsetNeedNotDivideByTheClasses) {
    // Decision (docs/input.md): the data stage keeps ⌊n_train/classes⌋ per class and logs it.
    Config config = parse_config("[data]\nsubset = \"balanced\"\nn_train = 1003\n", "b.toml", {});

    EXPECT_EQ(config.data.n_train, 1003);
}

TEST(LoadGoodTest, ResolvedTomlRoundTripsEveryKey) {
    Config original = parse_config(R"(
[data]
source = "csv"
path = "train \"v2\".csv"
test_path = "test.csv"
label_column = 0
[model]
bandwidth = 0.1
ridge = 3.3333333333333335e-7
seed = 9223372036854775807
[parallel]
grid = "8x8"
[run]
walltime = "12:00:00"
)",
                                   "round.toml", {"model.rff_gamma=0.05"});

    Config reloaded = parse_config(original.resolved_toml, "resolved.toml", {});

    EXPECT_EQ(reloaded.resolved_toml, original.resolved_toml);
    for (const auto& spec : schema())
        EXPECT_EQ(spec.get(reloaded), spec.get(original)) << spec.key;
    EXPECT_EQ(reloaded.data.path, "train \"v2\".csv");
    EXPECT_EQ(reloaded.model.ridge, 3.3333333333333335e-7);
    EXPECT_EQ(reloaded.model.seed, 9223372036854775807u);
}

TEST(LoadGoodTest, ResolvedTomlListsEveryKeyOnce) {
    std::string text = resolved_toml(Config{});

    for (const auto& spec : schema()) {
        std::string line = "\n" + std::string(spec.name()) + " = " + default_text(spec) + "\n";
        EXPECT_NE(text.find(line), std::string::npos) << spec.key;
    }
}

TEST(LoadGoodTest, QuickstartHasTheAdvertisedSettings) {
    Config config = load_config(source_dir + "/input/quickstart.toml", {});

    EXPECT_EQ(config.data.source, DataSource::idx);
    EXPECT_EQ(config.data.path, "/usr/share/datasets/fashion-mnist");
    EXPECT_EQ(config.data.n_train, 4000);
    EXPECT_EQ(config.data.n_test, 1000);
    EXPECT_EQ(config.model.kernel, KernelKind::laplace);
    EXPECT_EQ(config.model.bandwidth, 2.0);
    EXPECT_EQ(config.model.ridge, 1e-3);
    EXPECT_EQ(config.model.depth, 5);
    EXPECT_EQ(config.model.features, FeatureMap::relu);
    EXPECT_EQ(config.model.width, 512);
    EXPECT_EQ(config.output.path, "results/quickstart.h5");
    EXPECT_TRUE(config.output.overwrite);
}

TEST(LoadGoodTest, PaperAndSyntheticExamplesLoad) {
    Config paper = load_config(source_dir + "/input/paper_mnist_style.toml", {});
    Config synthetic = load_config(source_dir + "/input/synthetic_small.toml", {});

    EXPECT_EQ(paper.data.n_train, 50000);
    EXPECT_EQ(paper.model.depth, 20);
    EXPECT_EQ(paper.model.features, FeatureMap::cosine);
    EXPECT_EQ(paper.model.rff_gamma, 0.05);
    EXPECT_EQ(paper.run.walltime.count(), 23 * 3600 + 30 * 60);
    EXPECT_EQ(synthetic.data.source, DataSource::synthetic);
    EXPECT_EQ(synthetic.data.n_train % synthetic.data.classes, 0);
    EXPECT_EQ(synthetic.model.final_predictor, FinalPredictor::krr);
}

TEST(LoadGoodTest, NetworkExampleLoads) {
    Config network = load_config(source_dir + "/input/network_example.toml", {});

    EXPECT_EQ(network.analysis.mode, AnalysisMode::network);
    EXPECT_EQ(network.analysis.checkpoints, "results/mlp_checkpoints.h5");
    EXPECT_EQ(network.data.source, DataSource::idx);
    EXPECT_EQ(network.data.n_train, 5000);
}

TEST(LoadGoodTest, BuilderSetsKeysProgrammaticallyForScans) {
    ConfigBuilder base("scan.toml");
    base.apply_override("model.depth=4");

    ConfigBuilder run = base;
    run.set(*find_key("model.bandwidth"), toml::value<double>(8.0), "[scan] run 1");
    Config config = run.finish();

    EXPECT_EQ(config.model.bandwidth, 8.0);
    EXPECT_EQ(config.model.depth, 4);
    EXPECT_EQ(base.current().model.bandwidth, 2.0);
}

}  // namespace
}  // namespace drfm::config
