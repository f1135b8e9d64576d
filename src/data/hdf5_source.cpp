// HDF5 reader: an n×d (or n×d1×…) numeric feature dataset and an n (or n×1) label dataset, any
// integer or float type (HDF5 converts to double). The file is opened with the MPI-IO driver on the
// communicator; every rank reads all labels and then only its own sample rows, with independent
// H5Dread calls on unions of row hyperslabs (so reading may happen inside mpi::collective).
// The pieces (file, labels, one row dataset, a group's datasets) are separate so that the feature
// snapshots of data/snapshots.hpp open one file once and many datasets in it.
#include "readers.hpp"

#include "drfm/io/dataset.hpp"
#include "drfm/io/h5_handle.hpp"

#include "drfm/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace drfm::data::detail {
namespace {

using io::DatasetHandle;
using io::FileHandle;
using io::PropertyListHandle;
using io::SpaceHandle;
using io::TypeHandle;
using ObjectHandle = io::Handle<H5Oclose>;

constexpr std::int64_t max_batch_runs = 256;                // hyperslabs OR-ed into one selection
constexpr std::int64_t max_batch_values = std::int64_t{1} << 23;  // 64 MiB of doubles per read

// Every rank makes the same collective HDF5 calls even after a failure on some of them; the
// failure is kept as text and raised on all ranks together here.
void agree(const mpi::Comm& comm, const std::string& failure) {
    mpi::collective(comm, [&] { DRFM_CHECK(failure.empty(), InputDataError, failure); });
}

void h5_check(long long status, const std::string& file, const std::string& what) {
    DRFM_CHECK(status >= 0, InputDataError, file, ": HDF5 call ", what, " failed");
}

// InputDataError unless `path` (possibly "group/name") is a link in the file.
void require_link(hid_t file, const std::string& filename, const std::string& path,
                  const char* key) {
    std::string partial;
    std::istringstream parts(path);
    for (std::string part; std::getline(parts, part, '/');) {
        if (part.empty()) continue;
        const std::string parent = partial;
        partial += (partial.empty() ? "" : "/") + part;
        if (H5Lexists(file, partial.c_str(), H5P_DEFAULT) > 0) continue;
        // Best effort: what the innermost existing group holds, to show the right name.
        std::vector<std::string> names;
        io::append_link_names(file, parent.empty() ? "/" : parent.c_str(), H5_INDEX_NAME, names);
        std::string listed;
        for (const auto& name : names) listed += (listed.empty() ? "" : ", ") + name;
        DRFM_THROW(InputDataError, filename, ": no dataset '", path, "' (", key, "); ",
                   parent.empty() ? "the file's top level" : "group '" + parent + "'", " has: ",
                   listed.empty() ? "nothing" : listed);
    }
}

std::vector<hsize_t> extent(hid_t dataset, const std::string& file, const std::string& name) {
    SpaceHandle space(H5Dget_space(dataset));
    h5_check(space.get(), file, "H5Dget_space(" + name + ")");
    const int rank = H5Sget_simple_extent_ndims(space.get());
    h5_check(rank, file, "H5Sget_simple_extent_ndims(" + name + ")");
    std::vector<hsize_t> dims(static_cast<size_t>(rank));
    h5_check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), file,
             "H5Sget_simple_extent_dims(" + name + ")");
    TypeHandle type(H5Dget_type(dataset));
    h5_check(type.get(), file, "H5Dget_type(" + name + ")");
    const H5T_class_t type_class = H5Tget_class(type.get());
    DRFM_CHECK(type_class == H5T_INTEGER || type_class == H5T_FLOAT, InputDataError, file,
               ": dataset '", name, "' is not numeric (HDF5 type class ", int(type_class), ")");
    return dims;
}

class Hdf5Source final : public Source {
public:
    Hdf5Source(const std::string& file, const std::string& dataset_name,
               std::shared_ptr<const FileHandle> h5file, DatasetHandle dataset,
               std::vector<hsize_t> dims, std::vector<int> labels)
        : Source(file, feature_count(dims), std::move(labels)), dataset_name_(dataset_name),
          file_(std::move(h5file)), dataset_(std::move(dataset)), dims_(std::move(dims)) {}

    void read_rows(const std::vector<std::int64_t>& file_rows, HostMatrix& out) const override {
        io::silence_hdf5_error_printing();
        const std::int64_t d = features();
        const std::int64_t max_rows = std::max<std::int64_t>(1, max_batch_values / d);
        const auto order = ascending_order(file_rows);
        std::vector<double> buffer;
        // A batch is order[first, last): consecutive file rows form one hyperslab ("run").
        for (size_t first = 0; first < order.size();) {
            size_t last = first + 1;
            std::int64_t runs = 1;
            while (last < order.size() && std::int64_t(last - first) < max_rows) {
                bool continues = file_rows[order[last]] == file_rows[order[last - 1]] + 1;
                if (!continues && runs == max_batch_runs) break;
                runs += continues ? 0 : 1;
                ++last;
            }
            read_batch(file_rows, order, first, last, buffer, out);
            first = last;
        }
    }

private:
    static std::int64_t feature_count(const std::vector<hsize_t>& dims) {
        std::int64_t d = 1;
        for (size_t k = 1; k < dims.size(); ++k) d *= static_cast<std::int64_t>(dims[k]);
        return d;
    }

    void read_batch(const std::vector<std::int64_t>& file_rows,
                    const std::vector<std::int64_t>& order, size_t first, size_t last,
                    std::vector<double>& buffer, HostMatrix& out) const {
        const std::int64_t d = features();
        const std::string what = "'" + dataset_name_ + "'";
        SpaceHandle space(H5Dget_space(dataset_.get()));
        h5_check(space.get(), name(), "H5Dget_space(" + what + ")");
        std::vector<hsize_t> start(dims_.size(), 0), count(dims_);
        for (size_t r = first; r < last;) {
            size_t end = r + 1;
            while (end < last && file_rows[order[end]] == file_rows[order[end - 1]] + 1) ++end;
            start[0] = static_cast<hsize_t>(file_rows[order[r]]);
            count[0] = static_cast<hsize_t>(end - r);
            h5_check(H5Sselect_hyperslab(space.get(), r == first ? H5S_SELECT_SET : H5S_SELECT_OR,
                                         start.data(), nullptr, count.data(), nullptr),
                     name(), "H5Sselect_hyperslab(" + what + ")");
            r = end;
        }
        const hsize_t values = static_cast<hsize_t>(last - first) * static_cast<hsize_t>(d);
        buffer.resize(values);
        SpaceHandle memory(H5Screate_simple(1, &values, nullptr));
        h5_check(memory.get(), name(), "H5Screate_simple");
        h5_check(H5Dread(dataset_.get(), H5T_NATIVE_DOUBLE, memory.get(), space.get(), H5P_DEFAULT,
                         buffer.data()),
                 name(), "H5Dread(" + what + ") of " + std::to_string(last - first) + " rows");
        // The selection is read in file order, i.e. in the order of `order`.
        for (size_t r = first; r < last; ++r) {
            const double* row = buffer.data() + (r - first) * static_cast<size_t>(d);
            const std::int64_t k = order[r];
            for (std::int64_t j = 0; j < d; ++j) {
                DRFM_CHECK(std::isfinite(row[j]), InputDataError, name(), ": dataset ", what,
                           ", sample ", file_rows[k], ", feature ", j, " is ", row[j],
                           "; NaN and Inf are not allowed in the data");
                out(k, j) = row[j];
            }
        }
    }

    std::string dataset_name_;
    std::shared_ptr<const FileHandle> file_;  // declared before dataset_: closed after it
    DatasetHandle dataset_;
    std::vector<hsize_t> dims_;
};

}  // namespace

std::shared_ptr<const FileHandle> open_hdf5_file(const std::string& file,
                                                 const mpi::Comm& comm, const char* role) {
    mpi::collective(comm, [&] { require_file(file, role); });
    io::silence_hdf5_error_printing();
    // Collective: H5Fopen (MPI-IO driver), later H5Dopen/H5Dclose on every rank in the same order.
    PropertyListHandle access(H5Pcreate(H5P_FILE_ACCESS));
    agree(comm, access && H5Pset_fapl_mpio(access.get(), comm.get(), MPI_INFO_NULL) >= 0
                    ? ""
                    : file + ": cannot set up the MPI-IO file access (H5Pset_fapl_mpio failed)");
    auto h5file = std::make_shared<FileHandle>(H5Fopen(file.c_str(), H5F_ACC_RDONLY, access.get()));
    agree(comm, *h5file ? "" : file + ": not an HDF5 file, or unreadable (H5Fopen failed)");
    return h5file;
}

std::vector<int> read_hdf5_labels(const FileHandle& h5file, const std::string& file,
                                  const std::string& name, const char* key,
                                  const mpi::Comm& comm) {
    mpi::collective(comm, [&] { require_link(h5file.get(), file, name, key); });
    DatasetHandle set(H5Dopen2(h5file.get(), name.c_str(), H5P_DEFAULT));
    agree(comm, set ? "" : file + ": '" + name + "' exists but cannot be opened as a dataset "
                                  "(H5Dopen failed)");
    std::vector<int> labels;
    mpi::collective(comm, [&] {
        auto dims = extent(set.get(), file, name);
        const bool vector = dims.size() == 1 || (dims.size() == 2 && dims[1] == 1);
        DRFM_CHECK(vector, InputDataError, file, ": dataset '", name,
                   "' must be a vector of n labels (n or n × 1), it has rank ", dims.size());
        std::vector<double> values(static_cast<size_t>(dims[0]));
        h5_check(H5Dread(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                         values.data()),
                 file, "H5Dread('" + name + "')");
        labels.reserve(values.size());
        for (size_t i = 0; i < values.size(); ++i) {
            labels.push_back(checked_label(
                values[i], file + ": dataset '" + name + "', sample " + std::to_string(i)));
        }
    });
    return labels;
}

std::unique_ptr<Source> open_hdf5_rows(std::shared_ptr<const FileHandle> h5file,
                                       const std::string& file, const std::string& name,
                                       const char* key, std::vector<int> labels,
                                       const std::string& labels_name, const mpi::Comm& comm) {
    mpi::collective(comm, [&] { require_link(h5file->get(), file, name, key); });
    DatasetHandle set(H5Dopen2(h5file->get(), name.c_str(), H5P_DEFAULT));
    agree(comm, set ? "" : file + ": '" + name + "' exists but cannot be opened as a dataset "
                                  "(H5Dopen failed)");
    std::vector<hsize_t> dims;
    mpi::collective(comm, [&] {
        dims = extent(set.get(), file, name);
        DRFM_CHECK(dims.size() >= 2, InputDataError, file, ": dataset '", name, "' has rank ",
                   dims.size(), "; expected samples × features (n × d)");
        DRFM_CHECK(dims[0] == labels.size(), InputDataError, file, ": dataset '", name, "' has ",
                   dims[0], " samples but '", labels_name, "' has ", labels.size(), " labels");
    });
    return std::make_unique<Hdf5Source>(file, name, std::move(h5file), std::move(set),
                                        std::move(dims), std::move(labels));
}

std::unique_ptr<Source> open_hdf5(const std::string& file, const std::string& features,
                                  const std::string& labels_name, const mpi::Comm& comm) {
    auto h5file = open_hdf5_file(file, comm);
    // Both links first, so that a file lacking both names the features (the usual mistake).
    mpi::collective(comm, [&] {
        require_link(h5file->get(), file, features, "data.features_dataset");
        require_link(h5file->get(), file, labels_name, "data.labels_dataset");
    });
    auto labels = read_hdf5_labels(*h5file, file, labels_name, "data.labels_dataset", comm);
    return open_hdf5_rows(std::move(h5file), file, features, "data.features_dataset",
                          std::move(labels), labels_name, comm);
}

HostMatrix read_hdf5_matrix(const FileHandle& h5file, const std::string& file,
                            const std::string& name, const char* key, const mpi::Comm& comm) {
    mpi::collective(comm, [&] { require_link(h5file.get(), file, name, key); });
    DatasetHandle set(H5Dopen2(h5file.get(), name.c_str(), H5P_DEFAULT));
    agree(comm, set ? "" : file + ": '" + name + "' (" + key + ") exists but cannot be opened "
                                  "as a dataset (H5Dopen failed)");
    HostMatrix out;
    mpi::collective(comm, [&] {
        auto dims = extent(set.get(), file, name);
        DRFM_CHECK(dims.size() == 2, InputDataError, file, ": dataset '", name, "' (", key,
                   ") has rank ", dims.size(), "; expected a matrix [out x in]");
        std::vector<double> values(static_cast<size_t>(dims[0] * dims[1]));
        h5_check(H5Dread(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                         values.data()),
                 file, "H5Dread('" + name + "')");
        out = HostMatrix("drfm::data::weights", dims[0], dims[1]);
        for (hsize_t i = 0; i < dims[0]; ++i)
            for (hsize_t j = 0; j < dims[1]; ++j) {
                const double v = values[i * dims[1] + j];
                DRFM_CHECK(std::isfinite(v), InputDataError, file, ": dataset '", name,
                           "', entry (", i, ", ", j, ") is ", v, "; NaN and Inf are not allowed");
                out(i, j) = v;
            }
    });
    return out;
}

std::vector<std::string> hdf5_datasets(const FileHandle& h5file, const std::string& file,
                                       const std::string& path, const char* key,
                                       const mpi::Comm& comm) {
    mpi::collective(comm, [&] { require_link(h5file.get(), file, path, key); });
    ObjectHandle object(H5Oopen(h5file.get(), path.c_str(), H5P_DEFAULT));
    agree(comm, object ? "" : file + ": '" + path + "' (" + key + ") cannot be opened (H5Oopen "
                                     "failed)");
    const H5I_type_t type = H5Iget_type(object.get());
    std::vector<std::string> names;
    mpi::collective(comm, [&] {
        if (type == H5I_DATASET) {
            names.push_back(path);
            return;
        }
        DRFM_CHECK(type == H5I_GROUP, InputDataError, file, ": '", path, "' (", key,
                   ") is neither a group nor a dataset");
        h5_check(io::append_link_names(object.get(), ".", H5_INDEX_NAME, names), file,
                 "H5Literate_by_name('" + path + "')");
        DRFM_CHECK(!names.empty(), InputDataError, file, ": group '", path, "' (", key,
                   ") is empty; it should hold one dataset per snapshot");
        for (auto& name : names) name = path + "/" + name;
    });
    if (type == H5I_DATASET) return names;
    // Every member must be a dataset (one H5Oopen per member on every rank, same order).
    for (const auto& name : names) {
        ObjectHandle member(H5Oopen(h5file.get(), name.c_str(), H5P_DEFAULT));
        const bool dataset = member && H5Iget_type(member.get()) == H5I_DATASET;
        agree(comm, dataset ? "" : file + ": '" + name + "' in group '" + path + "' (" + key +
                                       ") is not a dataset; the group should hold datasets only");
    }
    return names;
}

}  // namespace drfm::data::detail
