// The dispatcher of a scan's runs over rank groups: largest first, every run exactly once, and a
// stopping group stops the others.
#include "drfm/app/scan_queue.hpp"
#include "support/test_utils.hpp"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <thread>

namespace drfm::app {
namespace {

using std::chrono::milliseconds;

TEST(RunDispatcherTest, LargestFirstOrdersByWorkThenIndex) {
    const std::vector<double> work{1, 5, 3, 5, 0};

    EXPECT_EQ(largest_first({0, 1, 2, 3, 4}, work), (std::vector<std::int64_t>{1, 3, 2, 0, 4}));
    EXPECT_EQ(largest_first({4, 0, 2}, work), (std::vector<std::int64_t>{2, 0, 4}));
}

/// Every group works through the runs it is handed (group g "computes" (g+1) ms per step, so the
/// groups finish at different times); returns the runs of every group, gathered on all ranks.
std::vector<std::int64_t> work_through(const std::vector<std::int64_t>& queue, int group_size) {
    const mpi::Comm world = test::world();
    const mpi::Comm group = world.split(world.rank() / group_size, world.rank());
    RunDispatcher dispatcher(world, queue, group_size);
    const int g = world.rank() / group_size;
    std::vector<std::int64_t> mine;
    std::int64_t run = dispatcher.first();
    while (run >= 0) {
        if (group.is_root()) dispatcher.started();
        for (int step = 0; step < 3; ++step) {
            if (group.is_root()) {
                EXPECT_FALSE(dispatcher.poll(false));
            }
            std::this_thread::sleep_for(milliseconds(g + 1));
        }
        if (group.is_root()) mine.push_back(run);
        std::int64_t next = group.is_root() ? dispatcher.next() : 0;
        group.bcast(&next, 1, 0);
        run = next;
    }
    if (group.is_root()) dispatcher.finish(false);
    return world.allgatherv(mine);
}

TEST(RunDispatcherTest, EveryRunGoesToExactlyOneGroup) {
    const int ranks = test::world().size();
    for (int group_size : {1, 2, ranks}) {
        if (ranks % group_size != 0) continue;
        const int groups = ranks / group_size;
        std::vector<std::int64_t> queue(static_cast<std::size_t>(3 * groups + 1));
        std::iota(queue.rbegin(), queue.rend(), 0);  // hand-out order 3g, ..., 1, 0

        std::vector<std::int64_t> done = work_through(queue, group_size);

        std::sort(done.begin(), done.end());
        std::vector<std::int64_t> expected(queue.size());
        std::iota(expected.begin(), expected.end(), 0);
        EXPECT_EQ(done, expected) << "groups of " << group_size;
    }
}

TEST(RunDispatcherTest, FirstRunsGoToTheGroupsInQueueOrder) {
    const mpi::Comm world = test::world();

    RunDispatcher dispatcher(world, {7, 3, 5, 1, 9, 2, 4, 8}, 1);

    EXPECT_EQ(dispatcher.first(), (std::vector<std::int64_t>{7, 3, 5, 1})[world.rank()]);
    if (world.is_root()) {
        EXPECT_EQ(dispatcher.unassigned().size(), 8u - static_cast<std::size_t>(world.size()));
        EXPECT_EQ(dispatcher.next(), (std::vector<std::int64_t>{3, 5, 1, 9})[world.size() - 1]);
    }
    dispatcher.finish(false);
}

TEST(RunDispatcherTest, AStoppingGroupStopsTheOthers) {
    const mpi::Comm world = test::world();
    const int last = world.size() - 1;
    std::vector<std::int64_t> queue(100);
    std::iota(queue.begin(), queue.end(), 0);
    RunDispatcher dispatcher(world, queue, 1);  // one group per rank

    bool stopped = world.rank() == last;  // the last group stops during its first run
    if (stopped) dispatcher.poll(true);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::int64_t runs = 0;
    for (std::int64_t run = dispatcher.first(); run >= 0 && !stopped; run = dispatcher.next()) {
        ++runs;
        dispatcher.started();
        while (!stopped && std::chrono::steady_clock::now() < deadline) {
            stopped = dispatcher.poll(false);
            std::this_thread::sleep_for(milliseconds(1));
        }
    }
    dispatcher.finish(stopped);

    EXPECT_TRUE(stopped) << "rank " << world.rank() << " did not learn of the stop";
    EXPECT_LE(runs, 2);  // its first run, and at most one handed out before the stop was known
    if (world.is_root()) {
        EXPECT_EQ(dispatcher.next(), -1);
    }
}

}  // namespace
}  // namespace drfm::app
