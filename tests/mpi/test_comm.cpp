#include "drfm/mpi/comm.hpp"
#include "support/test_utils.hpp"

#include <numeric>

namespace drfm {

TEST(CommTest, AllreduceSumEqualsClosedForm) {
    auto comm = test::world();
    std::vector<double> v = {1.0 * comm.rank(), 2.0};

    comm.allreduce_sum(v.data(), 2);

    int p = comm.size();
    EXPECT_DOUBLE_EQ(v[0], p * (p - 1) / 2.0);
    EXPECT_DOUBLE_EQ(v[1], 2.0 * p);
}

TEST(CommTest, SplitGroupsRanksByColor) {
    auto comm = test::world();

    auto half = comm.split(comm.rank() % 2, comm.rank());

    int expected = comm.size() / 2 + ((comm.size() % 2 == 1 && comm.rank() % 2 == 0) ? 1 : 0);
    EXPECT_EQ(half.size(), expected);
    EXPECT_EQ(half.rank(), comm.rank() / 2);
}

TEST(CommTest, AllgathervConcatenatesInRankOrder) {
    auto comm = test::world();
    std::vector<int> mine(static_cast<size_t>(comm.rank() + 1), comm.rank());

    auto all = comm.allgatherv(mine);

    ASSERT_EQ(static_cast<int>(all.size()), comm.size() * (comm.size() + 1) / 2);
    size_t pos = 0;
    for (int r = 0; r < comm.size(); ++r)
        for (int k = 0; k <= r; ++k) EXPECT_EQ(all[pos++], r);
}

TEST(CommTest, CollectiveFailureReachesEveryRankWithTheFirstMessage) {
    auto comm = test::world();
    int last = comm.size() - 1;

    try {
        mpi::collective(comm, [&] {
            if (comm.rank() == last) throw InputDataError("bad row 7 in file.csv");
        });
        FAIL() << "expected a collective error";
    } catch (const Error& e) {
        EXPECT_TRUE(e.is_collective());
        EXPECT_EQ(std::string(e.what()), "bad row 7 in file.csv");
        EXPECT_EQ(e.exit_code(), ExitCode::input);
    }
}

TEST(CommTest, CollectiveSuccessThrowsNothing) {
    auto comm = test::world();
    EXPECT_NO_THROW(mpi::collective(comm, [] {}));
}

}  // namespace drfm
