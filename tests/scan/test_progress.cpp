// The time model of the estimates and the wall-time budget, and the JSON lines of the progress
// file.
#include "drfm/app/progress.hpp"
#include "support/test_utils.hpp"

#include <cstdio>
#include <fstream>

namespace drfm::app {
namespace {

TEST(LayerClockTest, PredictsFromSecondsPerPlannedFlop) {
    LayerClock clock;
    EXPECT_FALSE(clock.calibrated());
    EXPECT_EQ(clock.predict(1e9), 0.0);

    clock.add(2e9, 3.0);
    clock.add(1e9, 1.5);  // 4.5 s for 3 GFLOP: 1.5 s per GFLOP

    EXPECT_TRUE(clock.calibrated());
    EXPECT_DOUBLE_EQ(clock.estimate(4e9), 6.0);
    EXPECT_DOUBLE_EQ(clock.predict(4e9), 6.0 * LayerClock::safety);
}

TEST(LayerClockTest, WalltimeBudgetStopsBeforeALayerThatWouldNotFit) {
    config::RunConfig run;
    LayerClock clock;
    clock.add(1e9, 10.0);  // 10 s per GFLOP, 12.5 s per GFLOP with the safety factor
    run.walltime = std::chrono::seconds(100);
    run.walltime_margin = std::chrono::seconds(20);  // deadline at 80 s

    EXPECT_TRUE(fits_walltime(run, clock, 1e9, 67.5));   // 67.5 + 12.5 = 80
    EXPECT_FALSE(fits_walltime(run, clock, 1e9, 67.6));
    EXPECT_TRUE(fits_walltime(run, LayerClock(), 1e9, 79.0));  // nothing measured yet
    EXPECT_FALSE(fits_walltime(run, LayerClock(), 1e9, 80.5));
    run.walltime = std::chrono::seconds(0);  // no budget
    EXPECT_TRUE(fits_walltime(run, clock, 1e12, 1e9));
}

TEST(LayerClockTest, RunLongerThanTheWholeBudgetDoesNotFitOneJob) {
    config::RunConfig run;
    LayerClock clock;
    clock.add(1e9, 10.0);  // 10 s per GFLOP
    run.walltime = std::chrono::seconds(100);
    run.walltime_margin = std::chrono::seconds(20);  // 80 s per job

    EXPECT_TRUE(fits_one_job(run, clock, 8e9));  // 80 s: no safety factor on the whole run
    EXPECT_FALSE(fits_one_job(run, clock, 8.1e9));
    EXPECT_TRUE(fits_one_job(run, LayerClock(), 1e12));  // nothing measured yet
    run.walltime = std::chrono::seconds(0);            // no budget
    EXPECT_TRUE(fits_one_job(run, clock, 1e12));
}

TEST(JsonLineTest, WritesOneObjectWithEscapedStrings) {
    JsonLine line;
    line.add("event", "stop").add("run", 3).add("seconds", 1.5).add("resumed", true)
        .add("reason", std::string("say \"hi\"\\\n\t")).add("nan", std::nan(""));

    EXPECT_EQ(line.str(), "{\"event\": \"stop\", \"run\": 3, \"seconds\": 1.5, \"resumed\": true, "
                          "\"reason\": \"say \\\"hi\\\"\\\\\\n\\u0009\", \"nan\": null}");
}

TEST(ProgressFileTest, AppendsLinesWithTimeElapsedAndGroup) {
    const std::string path = "progress_np" + std::to_string(test::world().size()) + "_rank" +
                             std::to_string(test::world().rank()) + ".jsonl";
    const Stopwatch clock;
    const ProgressFile progress(path, clock, 2);

    progress.truncate();
    progress.write(JsonLine().add("event", "start"));
    progress.write(JsonLine().add("event", "end"));

    std::ifstream in(path);
    std::string first, second, third;
    std::getline(in, first);
    std::getline(in, second);
    EXPECT_FALSE(std::getline(in, third));
    EXPECT_EQ(first.rfind("{\"event\": \"start\", \"time\": \"", 0), 0u) << first;
    EXPECT_NE(first.find("\"elapsed\": "), std::string::npos) << first;
    EXPECT_EQ(first.substr(first.size() - 11), "\"group\": 2}") << first;
    EXPECT_EQ(second.rfind("{\"event\": \"end\"", 0), 0u) << second;
    EXPECT_EQ(progress_path("r/x.h5"), "r/x.h5.progress.jsonl");
}

TEST(ProgressTest, DurationsReadLikeALog) {
    EXPECT_EQ(format_duration(4.24), "4.2 s");
    EXPECT_EQ(format_duration(42.4), "42 s");
    EXPECT_EQ(format_duration(725), "12 min 5 s");
    EXPECT_EQ(format_duration(3 * 3600 + 125), "3 h 02 min");
    EXPECT_EQ(format_duration(-1), "0.0 s");
}

}  // namespace
}  // namespace drfm::app
