#include "drfm/io/results_file.hpp"

#include "drfm/io/attribute.hpp"
#include "io_test_paths.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace drfm::io {

namespace {

ResultsLayout example_layout() {
    ResultsLayout l;
    l.runs = 3;
    l.depth = 4;
    l.max_k = 5;
    l.picture_size = 4;
    l.phases = {"kernel", "solve", "agop", "sqrt", "features", "analysis"};
    l.parameters = {{"ridge", "ridge lambda of the run", "1"}, {"seed", "model seed", "1"}};
    return l;
}

RootInfo example_info() { return {"[model]\ndepth = 4\n", "1x1 column-major"}; }

/// Element j of record (run, layer) of every [run, layer, ...] dataset (exact in binary).
double record_value(std::int64_t run, std::int64_t layer, std::int64_t j) {
    return 1000.0 * run + 100.0 * (layer + 1) + j + 0.5;
}

std::vector<double> record_values(std::int64_t run, std::int64_t layer, std::uint64_t size) {
    std::vector<double> v(size);
    for (std::uint64_t j = 0; j < size; ++j) v[j] = record_value(run, layer, std::int64_t(j));
    return v;
}

/// The datasets indexed [run, layer, ...]: all but those of /runs.
std::vector<DatasetSpec> layer_datasets(const ResultsLayout& layout) {
    std::vector<DatasetSpec> out;
    for (auto& spec : results_schema(layout))
        if (spec.dims.size() >= 2 && spec.dims[1] == "layer") out.push_back(spec);
    return out;
}

std::uint64_t record_size(const std::vector<std::uint64_t>& shape) {
    std::uint64_t n = 1;
    for (std::size_t i = 2; i < shape.size(); ++i) n *= shape[i];
    return n;
}

/// Runs 0 and 1 of every [run, layer, ...] dataset. In each collective call every rank writes a
/// different (run, layer) record, except the last of several ranks, which writes nothing.
constexpr std::int64_t written_runs = 2;

void write_example_runs(const ResultsFile& results) {
    const auto& comm = results.file().comm();
    const int writers = comm.size() > 1 ? comm.size() - 1 : 1;
    const std::int64_t depth = results.layout().depth;
    const std::int64_t records = written_runs * depth;
    for (const auto& spec : layer_datasets(results.layout())) {
        auto shape = dataset_shape(results.file(), spec.path());
        for (std::int64_t first = 0; first < records; first += writers) {
            std::int64_t mine = first + comm.rank();
            Slab slab;
            std::vector<double> values;
            if (comm.rank() < writers && mine < records) {
                slab.offset.assign(shape.size(), 0);
                slab.count = shape;
                slab.offset[0] = std::uint64_t(mine / depth);
                slab.offset[1] = std::uint64_t(mine % depth);
                slab.count[0] = slab.count[1] = 1;
                values = record_values(mine / depth, mine % depth, record_size(shape));
            }
            write_slab(results.file(), spec.path(), slab, values);
        }
    }
    for (std::int64_t run = 0; run < written_runs; ++run) {
        results.write_record("/runs/ridge", {run}, {std::pow(10.0, -double(run))});
        results.write_record("/runs/seed", {run}, {double(run + 7)});
    }
    results.set_status(0, RunStatus::done);
    results.set_status(1, RunStatus::failed);
}

}  // namespace

TEST(ResultsFileTest, CreateDefinesEveryDatasetWithTheShapeOfItsDimensions) {
    auto comm = test::world();
    auto layout = example_layout();
    std::map<std::string, std::uint64_t> size{{"run", 3},      {"layer", 4},    {"repr", 3},
                                              {"split", 2},    {"centering", 2}, {"k", 5},
                                              {"tile_row", 4}, {"tile_col", 4}, {"phase", 6}};

    auto results = ResultsFile::create(comm, test::io_test_path("layout"), true, layout,
                                       example_info());

    const auto& file = results.file();
    for (const auto& spec : results_schema(layout)) {
        std::vector<std::uint64_t> expected;
        for (const auto& dim : spec.dims) expected.push_back(size.at(dim));
        EXPECT_EQ(dataset_shape(file, spec.path()), expected) << spec.path();
        EXPECT_FALSE(read_attribute<std::string>(file, spec.path(), "description").empty());
    }
    for (const auto& dim : results_dimensions(layout))
        EXPECT_EQ(dataset_shape(file, dim.group + "/" + dim.name)[0], size.at(dim.name));
    EXPECT_EQ(read_labels(file, "/metrics/repr"), (std::vector<std::string>{"X", "MX", "PhiMX"}));
    EXPECT_EQ(read_slab<std::int64_t>(file, "/metrics/layer", {{0}, {4}}),
              (std::vector<std::int64_t>{1, 2, 3, 4}));
    EXPECT_EQ(read_attribute<std::int64_t>(file, "/", "schema_version"), schema_version);
    EXPECT_EQ(read_attribute<std::int64_t>(file, "/", "ranks"), comm.size());
    EXPECT_EQ(read_attribute<std::string>(file, "/", "config"), example_info().config_toml);
    EXPECT_EQ(read_attribute<std::string>(file, "/", "status"), "incomplete");
    std::string created = read_attribute<std::string>(file, "/", "created");
    EXPECT_EQ(created.size(), 20u) << created;
    EXPECT_EQ(created.back(), 'Z') << created;
    EXPECT_EQ(results.statuses(), std::vector<RunStatus>(3, RunStatus::pending));
}

// Also the fixture of the Python checks (tests/io/check_results_file.py): keep the values in
// step with record_value there.
TEST(ResultsFileTest, RecordsWrittenByDifferentRanksReadBackExactly) {
    auto comm = test::world();
    auto layout = example_layout();
    const std::string path = test::io_test_path("example_results");
    auto results = ResultsFile::create(comm, path, true, layout, example_info());

    write_example_runs(results);

    for (const auto& spec : layer_datasets(layout)) {
        auto n = record_size(dataset_shape(results.file(), spec.path()));
        for (std::int64_t run = 0; run < layout.runs; ++run) {
            for (std::int64_t layer = 0; layer < layout.depth; ++layer) {
                auto got = results.read_record(spec.path(), {run, layer});
                ASSERT_EQ(got.size(), n);
                for (std::uint64_t j = 0; j < n; ++j) {
                    if (run < written_runs)
                        ASSERT_EQ(got[j], record_value(run, layer, std::int64_t(j)))
                            << spec.path() << " run " << run << " layer " << layer;
                    else
                        ASSERT_TRUE(std::isnan(got[j])) << spec.path() << " run " << run;
                }
            }
        }
    }
    EXPECT_EQ(results.read_record("/runs/ridge", {1}), std::vector<double>{0.1});
    EXPECT_TRUE(std::isnan(results.read_record("/runs/seed", {2})[0]));
    EXPECT_EQ(results.statuses(),
              (std::vector<RunStatus>{RunStatus::done, RunStatus::failed, RunStatus::pending}));
    results.close();
    auto reopened = File::open(comm, path, OpenMode::read_only);
    EXPECT_EQ(read_attribute<std::string>(reopened, "/", "status"), "complete");
}

TEST(ResultsFileTest, RankGroupsWriteTheirRunsIndependently) {
    auto comm = test::world();
    const int groups = comm.size() > 1 ? 2 : 1;
    auto group = comm.split(comm.rank() % groups, comm.rank());
    const std::int64_t run = comm.rank() % groups;
    auto layout = example_layout();
    layout.runs = groups;
    auto results = ResultsFile::create(comm, test::io_test_path("groups"), true, layout,
                                       example_info());

    if (group.is_root()) {
        for (std::int64_t layer = 0; layer < layout.depth; ++layer)
            results.write_record("/metrics/nc1", {run, layer}, record_values(run, layer, 3),
                                 Transfer::independent);
        results.set_status(run, RunStatus::done, Transfer::independent);
    }
    comm.barrier();
    results.file().flush();

    for (std::int64_t r = 0; r < groups; ++r)
        for (std::int64_t layer = 0; layer < layout.depth; ++layer)
            EXPECT_EQ(results.read_record("/metrics/nc1", {r, layer}), record_values(r, layer, 3));
    EXPECT_EQ(results.statuses(), std::vector<RunStatus>(groups, RunStatus::done));
    EXPECT_TRUE(std::isnan(results.read_record("/metrics/nc2", {0, 0})[0]));
}

TEST(ResultsFileTest, ReopenRestoresTheLayoutAndRunStatuses) {
    auto comm = test::world();
    const std::string path = test::io_test_path("resume");
    auto layout = example_layout();
    {
        auto results = ResultsFile::create(comm, path, true, layout, example_info());
        results.write_record("/timings/seconds", {2, 3}, record_values(2, 3, 6));
        results.set_status(0, RunStatus::done);
        results.set_status(2, RunStatus::failed);
    }  // no close(): as after a crash, the status stays "incomplete"

    auto results = ResultsFile::open(comm, path);

    EXPECT_TRUE(results.layout() == layout);
    EXPECT_EQ(results.statuses(),
              (std::vector<RunStatus>{RunStatus::done, RunStatus::pending, RunStatus::failed}));
    EXPECT_EQ(results.read_record("/timings/seconds", {2, 3}), record_values(2, 3, 6));
    EXPECT_EQ(read_attribute<std::string>(results.file(), "/", "status"), "incomplete");
    // The resumed file takes new records, collectively and from one rank alone.
    results.write_record("/timings/seconds", {1, 0}, record_values(1, 0, 6));
    if (comm.is_root())
        results.write_record("/timings/seconds", {1, 1}, record_values(1, 1, 6),
                             Transfer::independent);
    comm.barrier();
    results.file().flush();
    EXPECT_EQ(results.read_record("/timings/seconds", {1, 0}), record_values(1, 0, 6));
    EXPECT_EQ(results.read_record("/timings/seconds", {1, 1}), record_values(1, 1, 6));
    results.close();
}

TEST(ResultsFileTest, NamedLayersAreStringCoordinatesAndReopen) {
    auto comm = test::world();
    const std::string path = test::io_test_path("named_layers");
    auto layout = example_layout();
    layout.depth = 3;
    layout.layer_labels = {"epoch_0", "epoch_2", "epoch_10"};  // features mode: snapshot names
    layout.reprs = {"features"};
    ResultsFile::create(comm, path, true, layout, example_info());

    auto results = ResultsFile::open(comm, path);

    EXPECT_TRUE(results.layout() == layout);
    EXPECT_TRUE(holds_strings(results.file(), "/spectra/layer"));
    EXPECT_EQ(read_labels(results.file(), "/timings/layer"), layout.layer_labels);
    EXPECT_EQ(dataset_shape(results.file(), "/metrics/nc1"), (std::vector<std::uint64_t>{3, 3, 1}));
    results.close();
}

TEST(ResultsFileTest, ReopenRefusesAnotherSchemaVersionOnEveryRank) {
    auto comm = test::world();
    const std::string path = test::io_test_path("old_schema");
    {
        auto results = ResultsFile::create(comm, path, true, example_layout(), example_info());
        set_attribute(results.file(), "/", "schema_version", 99);
    }

    try {
        ResultsFile::open(comm, path);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_TRUE(e.is_collective());
        EXPECT_EQ(e.exit_code(), ExitCode::input);
        EXPECT_NE(std::string(e.what()).find("schema_version 99"), std::string::npos) << e.what();
    }
}

TEST(ResultsFileTest, WrongRecordSizeOnRankZeroFailsOnEveryRank) {
    auto comm = test::world();
    auto results = ResultsFile::create(comm, test::io_test_path("bad_record"), true,
                                       example_layout(), example_info());
    std::vector<double> too_short{1.0, 2.0};

    try {
        results.write_record("/metrics/nc1", {0, 0}, too_short);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_TRUE(e.is_collective());
        EXPECT_NE(std::string(e.what()).find("2 values for a record of 3"), std::string::npos)
            << e.what();
    }
}

}  // namespace drfm::io
