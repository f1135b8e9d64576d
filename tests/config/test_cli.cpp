// The command line: options, overrides, the input path, errors with suggestions, the help text.
#include "drfm/app/cli.hpp"
#include "drfm/core/error.hpp"

#include <gtest/gtest.h>

namespace drfm::app {
namespace {

std::string error_of(const std::vector<std::string>& args) {
    try {
        parse_cli(args);
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.exit_code(), ExitCode::input);
        return e.what();
    }
    ADD_FAILURE() << "no ConfigError";
    return "";
}

TEST(CliTest, SplitsOptionsInputAndOverridesInOrder) {
    std::vector<std::string> args{"model.depth=3", "--dry-run", "in.toml", "data.source=csv",
                                  "--walltime", "01:00:00", "output.path=r/x.h5"};

    CliOptions cli = parse_cli(args);

    EXPECT_TRUE(cli.dry_run);
    EXPECT_FALSE(cli.restart);
    EXPECT_FALSE(cli.help);
    EXPECT_EQ(cli.input_path, "in.toml");
    EXPECT_EQ(cli.overrides,
              (std::vector<std::string>{"model.depth=3", "data.source=csv", "output.path=r/x.h5"}));
    EXPECT_EQ(cli.walltime, "01:00:00");
    EXPECT_EQ(cli.all_overrides().back(), "run.walltime=01:00:00");
    EXPECT_EQ(cli.all_overrides().size(), 4u);
}

TEST(CliTest, ArgvOverloadSkipsTheProgramName) {
    char program[] = "drfm_hpc", restart[] = "--restart", wall[] = "--walltime=3600",
         input[] = "dir/a=b.toml";
    char* argv[] = {program, restart, wall, input};

    CliOptions cli = parse_cli(4, argv);

    EXPECT_TRUE(cli.restart);
    EXPECT_EQ(cli.walltime, "3600");
    EXPECT_EQ(cli.input_path, "dir/a=b.toml");  // a '/' before '=': a path, not an override
    EXPECT_TRUE(cli.overrides.empty());
}

TEST(CliTest, HelpAndVersionNeedNoInput) {
    EXPECT_TRUE(parse_cli({"--help"}).help);
    EXPECT_TRUE(parse_cli({"-h"}).help);
    EXPECT_TRUE(parse_cli({"-V"}).version);
    EXPECT_TRUE(parse_cli({"-n", "x.toml"}).dry_run);
}

TEST(CliTest, DoubleDashEndsOptions) {
    CliOptions cli = parse_cli({"--", "--odd-name.toml"});

    EXPECT_EQ(cli.input_path, "--odd-name.toml");
}

TEST(CliTest, ErrorsNameTheProblemAndSuggest) {
    EXPECT_EQ(error_of({"--dryrun", "x.toml"}),
              "command line: unknown option '--dryrun'; did you mean '--dry-run'? "
              "(drfm_hpc --help lists the options)");
    EXPECT_NE(error_of({"--wall-time=5", "x.toml"}).find("did you mean '--walltime'?"),
              std::string::npos);
    EXPECT_NE(error_of({"-x", "x.toml"}).find("unknown option '-x'"), std::string::npos);
    EXPECT_NE(error_of({}).find("missing the input file"), std::string::npos);
    EXPECT_NE(error_of({"model.depth=3"}).find("missing the input file"), std::string::npos);
    EXPECT_NE(error_of({"a.toml", "b.toml"}).find("unexpected argument 'b.toml'"),
              std::string::npos);
    EXPECT_NE(error_of({"--dry-run=yes", "x.toml"}).find("'--dry-run' takes no value"),
              std::string::npos);
    EXPECT_NE(error_of({"x.toml", "--walltime"}).find("'--walltime' needs a value"),
              std::string::npos);
    EXPECT_NE(error_of({"x.toml", "--walltime=2h"}).find("malformed duration '2h'"),
              std::string::npos);
}

TEST(CliTest, HelpTextAnswersUsageOptionsExitCodesAndDocs) {
    std::string help = help_text();

    for (const char* part : {"drfm_hpc [options] INPUT.toml", "--help", "--version", "--dry-run",
                             "--restart", "--walltime", "section.key=value", "mpirun -n",
                             "docs/input.md"})
        EXPECT_NE(help.find(part), std::string::npos) << part;
    for (ExitCode code : {ExitCode::ok, ExitCode::internal, ExitCode::input, ExitCode::numerical,
                          ExitCode::resource, ExitCode::io, ExitCode::mpi, ExitCode::requeue}) {
        std::string row = "\n  " + std::to_string(static_cast<int>(code)) + " ";
        EXPECT_NE(help.find(row), std::string::npos) << "exit code " << static_cast<int>(code);
    }
}

}  // namespace
}  // namespace drfm::app
