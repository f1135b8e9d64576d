// The results file of a scan: fingerprint, resume of the same configuration, refusal of another
// one (naming the keys), --restart and overwrite, per-run parameter arrays with labels.
#include "drfm/app/deep_rfm.hpp"
#include "drfm/app/scan_file.hpp"
#include "drfm/io/attribute.hpp"
#include "support/test_utils.hpp"

#include <filesystem>
#include <fstream>

namespace drfm::app {
namespace {

std::string path_for(const std::string& stem) {
    return stem + "_np" + std::to_string(test::world().size()) + ".h5";
}

Scan make_scan(const std::string& path, const std::string& extra = "",
               const std::vector<std::string>& overrides = {}) {
    const std::string text = "[data]\nsource = \"synthetic\"\nn_train = 100\n[model]\ndepth = 2\n"
                             "[output]\npath = \"" + path + "\"\n" + extra +
                             "[scan]\nmodel.kernel = [\"gaussian\", \"laplace\"]\nseeds = [4, 5]\n";
    return parse_scan(text, "scan.toml", overrides);
}

io::ResultsLayout layout_of(const Scan& scan) {
    io::ResultsLayout layout;
    layout.runs = static_cast<std::int64_t>(scan.runs.size());
    layout.depth = 2;
    layout.max_k = 3;
    layout.picture_size = 2;
    layout.phases = phase_names();
    for (const auto& p : scan.parameters) layout.parameters.push_back({p.name, p.description, "1"});
    return layout;
}

std::string error_of(const Scan& scan, bool restart) {
    try {
        open_scan_file(test::world(), scan, layout_of(scan), "1x1", restart);
    } catch (const Error& e) {
        EXPECT_TRUE(e.is_collective());
        EXPECT_EQ(e.exit_code(), ExitCode::input);
        return e.what();
    }
    return "no error";
}

void remove_file(const std::string& path) {
    if (test::world().is_root()) std::filesystem::remove(path);
    test::world().barrier();
}

TEST(ScanFileTest, FingerprintLeavesOutOutputParallelAndRun) {
    const std::string text = "[data]\nn_train = 5\n[output]\npath = \"a.h5\"\n[parallel]\ngrid = \"2x2\"\n"
                             "[run]\nwalltime = 60\n[scan]\nmodel.ridge = [0.1]\n";

    const auto lines = fingerprint_lines(text);

    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], (std::pair<std::string, std::string>{"data.n_train", "5"}));
    EXPECT_EQ(lines[1], (std::pair<std::string, std::string>{"scan.model.ridge", "[0.1]"}));
    EXPECT_EQ(config_hash(text), config_hash(text + "[output]\noverwrite = true\n"));
    EXPECT_NE(config_hash(text), config_hash("[data]\nn_train = 6\n[scan]\nmodel.ridge = [0.1]\n"));
    EXPECT_EQ(config_hash(text).size(), 16u);
    // FNV-1a 64 of the empty fingerprint is the offset basis.
    EXPECT_EQ(config_hash(""), "cbf29ce484222325");
    EXPECT_EQ(describe_differences(text, text), "");
    EXPECT_EQ(describe_differences("[model]\ndepth = 3\n", "[model]\ndepth = 4\nwidth = 8\n"),
              "model.depth = 3 in the file, 4 now; model.width = (not set) in the file, 8 now");
}

TEST(ScanFileTest, CreatesTheLayoutWithParametersAndLabels) {
    const std::string path = path_for("scan_create");
    remove_file(path);
    const Scan scan = make_scan(path);

    ScanFile file = open_scan_file(test::world(), scan, layout_of(scan), "1x1", false);

    EXPECT_TRUE(file.created);
    EXPECT_EQ(file.statuses, std::vector<io::RunStatus>(4, io::RunStatus::pending));
    EXPECT_EQ(file.results.read_record("/runs/kernel", {}), (std::vector<double>{0, 0, 1, 1}));
    EXPECT_EQ(file.results.read_record("/runs/seed", {}), (std::vector<double>{4, 5, 4, 5}));
    const io::File& h5 = file.results.file();
    EXPECT_EQ(io::read_attribute<std::string>(h5, "/runs/kernel", "labels"), "gaussian\nlaplace");
    EXPECT_EQ(io::read_attribute<std::string>(h5, "/", "config"), scan.resolved_toml);
    EXPECT_EQ(io::read_attribute<std::string>(h5, "/", "config_hash"), config_hash(scan.resolved_toml));
    EXPECT_FALSE(std::filesystem::exists(path + ".creating"));
}

TEST(ScanFileTest, SameConfigurationResumesWithItsStatuses) {
    const std::string path = path_for("scan_resume");
    remove_file(path);
    const Scan scan = make_scan(path);
    {
        ScanFile file = open_scan_file(test::world(), scan, layout_of(scan), "1x1", false);
        // As a rank group's root writes (scan_run.cpp): independently.
        if (test::world().is_root()) {
            file.results.write_record("/metrics/nc1", {2, 1}, {1.0, 2.0, 3.0},
                                      io::Transfer::independent);
            file.results.set_status(2, io::RunStatus::done, io::Transfer::independent);
        }
    }  // as after a kill: never closed

    // Another rank layout and wall time do not matter; an explicit overwrite of an unfinished
    // file still resumes it.
    const Scan again = make_scan(path, "[run]\nwalltime = 1000\n[parallel]\nblock_size = 7\n",
                                 {"output.overwrite=true"});
    ScanFile file = open_scan_file(test::world(), again, layout_of(again), "2x1", false);

    EXPECT_FALSE(file.created);
    EXPECT_EQ(file.statuses, (std::vector<io::RunStatus>{io::RunStatus::pending, io::RunStatus::pending,
                                                         io::RunStatus::done, io::RunStatus::pending}));
    EXPECT_EQ(file.results.read_record("/metrics/nc1", {2, 1}), (std::vector<double>{1, 2, 3}));
}

TEST(ScanFileTest, OtherConfigurationIsRefusedWithTheKeysThatDiffer) {
    const std::string path = path_for("scan_refuse");
    remove_file(path);
    const Scan scan = make_scan(path);
    { open_scan_file(test::world(), scan, layout_of(scan), "1x1", false); }

    const Scan other = make_scan(path, "", {"model.depth=3"});
    const std::string message = error_of(other, false);

    EXPECT_NE(message.find("holds the results of a different configuration"), std::string::npos)
        << message;
    EXPECT_NE(message.find("model.depth = 2 in the file, 3 now"), std::string::npos) << message;
    EXPECT_NE(message.find("--restart"), std::string::npos) << message;
}

TEST(ScanFileTest, RestartReplacesAndOverwriteReplacesAFinishedFile) {
    const std::string path = path_for("scan_restart");
    remove_file(path);
    const Scan scan = make_scan(path);
    {
        ScanFile file = open_scan_file(test::world(), scan, layout_of(scan), "1x1", false);
        for (std::int64_t r = 0; r < 4; ++r) file.results.set_status(r, io::RunStatus::done);
        file.results.close();  // complete
    }

    ScanFile resumed = open_scan_file(test::world(), scan, layout_of(scan), "1x1", false);
    EXPECT_FALSE(resumed.created);
    EXPECT_EQ(resumed.statuses, std::vector<io::RunStatus>(4, io::RunStatus::done));
    resumed.results.close();

    const Scan overwrite = make_scan(path, "", {"output.overwrite=true"});
    {
        ScanFile replaced = open_scan_file(test::world(), overwrite, layout_of(overwrite), "1x1", false);
        EXPECT_TRUE(replaced.created);
        EXPECT_EQ(replaced.statuses, std::vector<io::RunStatus>(4, io::RunStatus::pending));
        for (std::int64_t r = 0; r < 4; ++r) replaced.results.set_status(r, io::RunStatus::done);
    }

    ScanFile restarted = open_scan_file(test::world(), make_scan(path, "", {"model.depth=3"}),
                                        layout_of(scan), "1x1", true);
    EXPECT_TRUE(restarted.created);
    EXPECT_EQ(restarted.statuses, std::vector<io::RunStatus>(4, io::RunStatus::pending));
}

TEST(ScanFileTest, UnreadableFileIsRefusedUnlessRestart) {
    const std::string path = path_for("scan_garbage");
    if (test::world().is_root()) std::ofstream(path) << "not an HDF5 file";
    test::world().barrier();
    const Scan scan = make_scan(path);

    const std::string message = error_of(scan, false);
    ScanFile file = open_scan_file(test::world(), scan, layout_of(scan), "1x1", true);

    EXPECT_NE(message.find("exists but cannot be resumed"), std::string::npos) << message;
    EXPECT_TRUE(file.created);
}

}  // namespace
}  // namespace drfm::app
