// The schema table itself: lookup, defaults, value checks and printing, suggestions, and that
// docs/input.md documents every key exactly as the code defines it.
#include "drfm/config/load.hpp"
#include "drfm/config/schema.hpp"
#include "drfm/config/suggest.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

namespace drfm::config {
namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST(SchemaTest, FindKeyReturnsTheSpecOfADottedKey) {
    const KeySpec* spec = find_key("model.bandwidth");

    ASSERT_NE(spec, nullptr);
    EXPECT_EQ(spec->type, ValueType::floating);
    EXPECT_EQ(spec->section(), "model");
    EXPECT_EQ(spec->name(), "bandwidth");
    EXPECT_EQ(find_key("model.bandwith"), nullptr);
    EXPECT_EQ(find_key("bandwidth"), nullptr);
}

TEST(SchemaTest, KeysAreUniqueAndSectionsContiguous) {
    std::set<std::string_view> keys;
    for (const auto& spec : schema()) EXPECT_TRUE(keys.insert(spec.key).second) << spec.key;

    std::vector<std::string_view> expected{"data",     "model",    "output",
                                           "parallel", "analysis", "run"};
    EXPECT_EQ(section_names(), expected);
    EXPECT_EQ(keys.size(), 46u);  // 17 data, 14 model, 2 output, 3 parallel, 5 analysis, 5 run
}

TEST(SchemaTest, EveryDefaultPassesItsOwnCheck) {
    for (const auto& spec : schema())
        EXPECT_EQ(check_value(spec, spec.get(Config{})), "") << spec.key;
}

TEST(SchemaTest, SetThenGetReturnsTheValueForEveryType) {
    Config config;
    find_key("model.kernel")->set(config, std::string("gen_laplace"));
    find_key("parallel.grid")->set(config, std::string("3x5"));
    find_key("run.walltime")->set(config, std::int64_t{5400});
    find_key("model.seed")->set(config, std::int64_t{42});
    find_key("model.ridge")->set(config, -1.0);

    EXPECT_EQ(config.model.kernel, KernelKind::gen_laplace);
    ASSERT_TRUE(config.parallel.grid.has_value());
    EXPECT_EQ(config.parallel.grid->first, 3);
    EXPECT_EQ(config.parallel.grid->second, 5);
    EXPECT_EQ(config.run.walltime.count(), 5400);
    EXPECT_EQ(config.model.seed, 42u);
    EXPECT_EQ(config.model.ridge, -1.0);
    EXPECT_EQ(std::get<std::string>(find_key("parallel.grid")->get(config)), "3x5");
}

TEST(SchemaTest, CheckValueReportsRangeAndChoiceProblems) {
    const KeySpec& exponent = *find_key("model.exponent");
    const KeySpec& kernel = *find_key("model.kernel");
    const KeySpec& depth = *find_key("model.depth");  // an int field

    EXPECT_EQ(check_value(exponent, 2.0), "");
    EXPECT_EQ(check_value(exponent, 0.0), "must be (0, 2], got 0");
    EXPECT_EQ(check_value(depth, std::int64_t{1} << 31), "must be <= 2147483647, got 2147483648");
    EXPECT_EQ(check_value(kernel, std::string("gaussain")),
              "unknown value \"gaussain\"; valid choices: \"laplace\", \"gaussian\", "
              "\"gen_laplace\" (did you mean \"gaussian\"?)");
}

TEST(SchemaTest, FloatsPrintShortestAndRoundTripExactly) {
    const KeySpec& ridge = *find_key("model.ridge");

    EXPECT_EQ(format_value(ridge, 1e-3), "0.001");
    EXPECT_EQ(format_value(ridge, 2.0), "2.0");
    EXPECT_EQ(format_value(ridge, 1e300), "1e+300");
    double third = 1.0 / 3.0;
    EXPECT_EQ(std::stod(format_value(ridge, third)), third);
    EXPECT_EQ(format_value(*find_key("output.path"), std::string("a\"b\\c")), "\"a\\\"b\\\\c\"");
}

TEST(SchemaTest, DurationsParseSecondsClockAndDays) {
    EXPECT_EQ(parse_duration("3600"), 3600);
    EXPECT_EQ(parse_duration("01:30:00"), 5400);
    EXPECT_EQ(parse_duration("1-00:00:01"), 86401);
    EXPECT_EQ(parse_duration("48:00:00"), 172800);
    EXPECT_EQ(parse_duration("1h"), -1);
    EXPECT_EQ(parse_duration("00:60:00"), -1);
    EXPECT_EQ(parse_duration("10:00"), -1);
    EXPECT_EQ(parse_duration(""), -1);
}

TEST(SuggestTest, EditDistanceCountsTypos) {
    EXPECT_EQ(edit_distance("bandwith", "bandwidth"), 1u);   // deletion
    EXPECT_EQ(edit_distance("n_trian", "n_train"), 1u);      // transposition
    EXPECT_EQ(edit_distance("Depth", "depth"), 0u);          // case-insensitive
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);       // the textbook example
    EXPECT_EQ(edit_distance("", "abc"), 3u);
}

TEST(SuggestTest, SuggestKeyFindsTyposAndKeysInTheWrongSection) {
    EXPECT_EQ(suggest_key("model.bandwith"), "model.bandwidth");
    EXPECT_EQ(suggest_key("data.depth"), "model.depth");
    EXPECT_EQ(suggest_key("depth"), "model.depth");
    EXPECT_EQ(suggest_key("modle.depth"), "model.depth");
    EXPECT_EQ(suggest_key("model.band"), "model.bandwidth");
    EXPECT_EQ(suggest_key("model.learning_rate"), "");
}

TEST(SuggestTest, ClosestAcceptsTyposAndAbbreviationsOnly) {
    std::vector<std::string_view> choices{"laplace", "gaussian", "gen_laplace"};

    EXPECT_EQ(closest("gausian", choices), "gaussian");
    EXPECT_EQ(closest("gen-laplace", choices), "gen_laplace");
    EXPECT_EQ(closest("diagonal", {"full", "diag"}), "diag");
    EXPECT_EQ(closest("polynomial", choices), std::nullopt);
}

TEST(DocsTest, InputMdDocumentsEveryKeyAsTheCodeDefinesIt) {
    std::string docs = read_text(std::string(DRFM_SOURCE_DIR) + "/docs/input.md");
    ASSERT_FALSE(docs.empty()) << "docs/input.md not found";

    for (const auto& row : markdown_rows())
        EXPECT_NE(docs.find(row), std::string::npos)
            << "docs/input.md lacks (or has a stale) row; expected:\n" << row;
}

}  // namespace
}  // namespace drfm::config
