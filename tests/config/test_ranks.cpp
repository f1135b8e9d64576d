// Parsing is local work: every rank must get the same Config, or the same error, so that the
// error can be made collective (mpi::collective) and printed once.
#include "drfm/config/load.hpp"
#include "drfm/mpi/comm.hpp"
#include "support/test_utils.hpp"

namespace drfm::config {
namespace {

const std::string source_dir = DRFM_SOURCE_DIR;

TEST(RankAgreementTest, EveryRankResolvesTheSameConfiguration) {
    auto comm = test::world();
    Config config =
        load_config(source_dir + "/input/quickstart.toml", {"model.depth=7", "parallel.grid=auto"});

    std::string on_root = comm.bcast_string(config.resolved_toml, 0);

    EXPECT_EQ(comm.sum(on_root == config.resolved_toml ? 0 : 1), 0);
    EXPECT_EQ(config.model.depth, 7);
}

TEST(RankAgreementTest, CollectiveLoadRaisesTheSameErrorOnEveryRank) {
    auto comm = test::world();
    const std::string bad = source_dir + "/tests/inputs/bad/misspelt_key.toml";
    std::string message;

    try {
        mpi::collective(comm, [&] { load_config(bad, {}); });
    } catch (const Error& e) {
        EXPECT_TRUE(e.is_collective());
        EXPECT_EQ(e.exit_code(), ExitCode::input);
        message = e.what();
    }

    EXPECT_NE(message.find("did you mean 'model.bandwidth'?"), std::string::npos) << message;
    EXPECT_EQ(comm.sum(comm.bcast_string(message, 0) == message ? 0 : 1), 0);
}

}  // namespace
}  // namespace drfm::config
