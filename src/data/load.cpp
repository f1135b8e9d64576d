#include "drfm/data/dataset.hpp"

#include "drfm/core/error.hpp"
#include "drfm/core/log.hpp"
#include "drfm/data/preprocess.hpp"
#include "drfm/data/source.hpp"

#include <sstream>

namespace drfm::data {
namespace {

const char* to_string(config::DataSource source) {
    switch (source) {
    case config::DataSource::idx: return "idx";
    case config::DataSource::hdf5: return "hdf5";
    case config::DataSource::csv: return "csv";
    case config::DataSource::synthetic: return "synthetic";
    }
    return "?";
}

// Class order, the row partition, and my rows read from the source (not yet standardised).
Dataset assemble(const Source& source, const std::vector<std::int64_t>& file_rows, int classes,
                 const std::string& label, const mpi::Comm& comm) {
    Dataset set;
    set.n = static_cast<std::int64_t>(file_rows.size());
    set.d = source.features();
    set.classes = classes;
    set.source_index = class_order(file_rows, source.labels());
    set.class_counts.assign(static_cast<size_t>(classes), 0);
    set.labels.reserve(file_rows.size());
    for (std::int64_t row : set.source_index) {
        const int c = source.labels()[static_cast<size_t>(row)];
        set.labels.push_back(c);
        ++set.class_counts[static_cast<size_t>(c)];
    }
    set.rows = RowPartition(set.n, comm.size());
    const int me = comm.rank();
    const std::vector<std::int64_t> mine(set.source_index.begin() + set.rows.begin(me),
                                         set.source_index.begin() + set.rows.end(me));
    set.x = make_host_matrix(label, set.rows.count(me), set.d);
    mpi::collective(comm, [&] { source.read_rows(mine, set.x); });
    return set;
}

// An empty test split that still carries d and K (and zero class counts).
Dataset empty_split(std::int64_t d, int classes, const mpi::Comm& comm) {
    Dataset set;
    set.d = d;
    set.classes = classes;
    set.class_counts.assign(static_cast<size_t>(classes), 0);
    set.rows = RowPartition(0, comm.size());
    set.x = make_host_matrix("drfm::data::test_x", 0, d);
    return set;
}

// The first n_test samples of the test file; their labels must be train classes.
std::vector<std::int64_t> test_rows(const Source& test, const config::DataConfig& config,
                                    std::int64_t d, int classes) {
    DRFM_CHECK(test.features() == d, InputDataError, test.name(), ": test samples have ",
               test.features(), " features, the training samples ", d);
    DRFM_CHECK(config.n_test <= test.samples(), InputDataError, test.name(), ": data.n_test = ",
               config.n_test, " but the test file has ", test.samples(),
               " samples; lower data.n_test to at most ", test.samples());
    std::vector<std::int64_t> rows(static_cast<size_t>(config.n_test));
    for (std::int64_t i = 0; i < config.n_test; ++i) {
        const int label = test.labels()[static_cast<size_t>(i)];
        DRFM_CHECK(label < classes, InputDataError, test.name(), ": test sample ", i, " has label ",
                   label, ", but the training data have classes 0..", classes - 1, " only");
        rows[static_cast<size_t>(i)] = i;
    }
    return rows;
}

}  // namespace

std::int64_t subset_size(std::int64_t n_train, config::Subset subset, int classes) {
    if (subset == config::Subset::first || classes <= 0) return n_train;
    return n_train / classes * classes;
}

Dataset load_train_rows(const Source& source, const config::DataConfig& config,
                        const mpi::Comm& comm) {
    std::vector<std::int64_t> rows;
    mpi::collective(comm, [&] {
        rows = select_subset(source.labels(), config.n_train, config.subset, source.classes(),
                             source.name());
    });
    return assemble(source, rows, source.classes(), "drfm::data::train_x", comm);
}

Data load_data(const config::DataConfig& config, const mpi::Comm& comm) {
    Data data;
    auto train = open_source(config, Split::train, comm);
    const int classes = train->classes();
    std::vector<std::int64_t> rows;
    data.train = load_train_rows(*train, config, comm);
    if (data.train.n != config.n_train) {
        log::info() << "data: subset = balanced with n_train = " << config.n_train << " and "
                    << classes << " classes keeps " << data.train.n / classes
                    << " samples per class (n = " << data.train.n << ")";
    }
    const ColumnStats train_stats = column_stats(data.train.x, comm);
    standardize(data.train.x, train_stats);

    std::ostringstream description;
    description << to_string(config.source) << " " << train->name() << ": train " << data.train.n
                << " of " << train->samples() << " samples (subset "
                << (config.subset == config::Subset::first ? "first" : "balanced") << ")";
    train.reset();  // closes the train file on all ranks (collective for HDF5)

    auto test = open_source(config, Split::test, comm);
    if (test) {
        mpi::collective(comm, [&] { rows = test_rows(*test, config, data.train.d, classes); });
        data.test = assemble(*test, rows, classes, "drfm::data::test_x", comm);
        const bool self = config.test_standardize == config::TestStandardize::self;
        standardize(data.test.x, self ? column_stats(data.test.x, comm) : train_stats);
        description << ", test " << data.test.n << " of " << test->samples() << " from "
                    << test->name() << " (standardised with "
                    << (self ? "its own" : "the train") << " statistics)";
    } else {
        data.test = empty_split(data.train.d, classes, comm);
        description << ", no test split";
    }
    description << ", d = " << data.train.d << ", K = " << classes;
    data.description = description.str();
    return data;
}

DataShape read_shape(const config::DataConfig& config, const mpi::Comm& comm) {
    DataShape shape;
    auto train = open_source(config, Split::train, comm);
    shape.n_train_available = train->samples();
    shape.d = train->features();
    shape.classes = train->classes();
    std::ostringstream description;
    description << to_string(config.source) << " " << train->name() << ": "
                << shape.n_train_available << " train samples";
    train.reset();
    if (auto test = open_source(config, Split::test, comm)) {
        shape.n_test_available = test->samples();
        description << ", " << shape.n_test_available << " test samples in " << test->name();
    }
    description << ", d = " << shape.d << ", K = " << shape.classes;
    shape.description = description.str();
    return shape;
}

namespace {

/// My rows are found by dataset.rows: it must split the samples over comm's ranks.
void check_distribution(const Dataset& dataset, const mpi::Comm& comm, const char* what) {
    DRFM_CHECK(dataset.rows.parts() == comm.size(), Error, what, ": the dataset is distributed "
               "over ", dataset.rows.parts(), " ranks, the communicator has ", comm.size());
}

}  // namespace

HostMatrix signed_one_hot(const Dataset& dataset, const mpi::Comm& comm) {
    check_distribution(dataset, comm, "signed_one_hot");
    const int me = comm.rank();
    const std::int64_t first = dataset.rows.begin(me), count = dataset.rows.count(me);
    HostMatrix y = make_host_matrix("drfm::data::signed_one_hot", count, dataset.classes);
    for (int c = 0; c < dataset.classes; ++c) {
        for (std::int64_t i = 0; i < count; ++i) {
            y(i, c) = dataset.labels[static_cast<size_t>(first + i)] == c ? 1.0 : -1.0;
        }
    }
    return y;
}

std::vector<int> local_labels(const Dataset& dataset, const mpi::Comm& comm) {
    check_distribution(dataset, comm, "local_labels");
    const auto first = dataset.labels.begin() + dataset.rows.begin(comm.rank());
    return std::vector<int>(first, first + dataset.rows.count(comm.rank()));
}

}  // namespace drfm::data
