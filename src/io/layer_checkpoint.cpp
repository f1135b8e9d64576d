#include "drfm/io/layer_checkpoint.hpp"

#include "drfm/io/attribute.hpp"
#include "drfm/io/dataset.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace drfm::io {
namespace {

namespace fs = std::filesystem;

std::uint64_t mix(std::uint64_t z) {  // splitmix64's finaliser
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/// My share of the checksum of one split: Σ mix(bits(v) ^ mix(position)) over my elements, where
/// the position is global (split, row, column), so the sum over ranks (mod 2^64) does not depend
/// on how the rows are split.
template <class T>
std::uint64_t partial_checksum(const SplitRows<T>& rows, std::int64_t width, std::uint64_t split) {
    std::uint64_t sum = 0;
    for (std::int64_t j = 0; j < width; ++j)
        for (std::int64_t i = 0; i < rows.count; ++i) {
            std::uint64_t bits;
            std::memcpy(&bits, rows.data + j * rows.count + i, sizeof bits);
            const std::uint64_t position =
                (split << 62) ^ (static_cast<std::uint64_t>(rows.first + i) << 20) ^
                static_cast<std::uint64_t>(j);
            sum += mix(bits ^ mix(position));
        }
    return sum;
}

template <class T>
std::uint64_t checksum(const mpi::Comm& comm, const SplitRows<T>& train, const SplitRows<T>& test,
                       std::int64_t width) {
    // Unsigned sums wrap: the total is the same mod 2^64 in any order of the ranks.
    return comm.sum(partial_checksum(train, width, 0) + partial_checksum(test, width, 1));
}

/// What to do about a checkpoint that cannot be used.
const char* const unusable_advice =
    "; delete it to redo that run from its first layer, or run with --restart";

std::string hex(std::uint64_t value) {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
    return text;
}

/// The slab of my rows in a [width, n] dataset.
template <class T>
Slab slab_of(const SplitRows<T>& rows, std::int64_t width) {
    if (rows.count == 0) return {};
    return {{0, static_cast<std::uint64_t>(rows.first)},
            {static_cast<std::uint64_t>(width), static_cast<std::uint64_t>(rows.count)}};
}

std::size_t elements(std::int64_t count, std::int64_t width) {
    return static_cast<std::size_t>(count * width);
}

/// Rank 0: rename, then make the rename itself durable (fsync of the directory).
void rename_into_place(const std::string& from, const std::string& to) {
    std::error_code ec;
    fs::rename(from, to, ec);
    DRFM_CHECK(!ec, Hdf5Error, "cannot rename the checkpoint '", from, "' to '", to, "': ",
               ec.message(), "; check the permissions of its directory (run.checkpoint_dir)");
    const fs::path parent = fs::path(to).parent_path();
    sync_file(parent.empty() ? "." : parent.string());
}

}  // namespace

namespace {

/// Rank 0 alone: the file with its layout and attributes, the data regions allocated but not
/// written. Returns the byte offsets of /train and /test.
std::array<std::uint64_t, 2> create_layout(const std::string& path, const CheckpointInfo& info) {
    File file = File::create(mpi::Comm::borrow(MPI_COMM_SELF), path, true);
    const auto w = static_cast<std::uint64_t>(info.width);
    define_array(file, "/train", {w, static_cast<std::uint64_t>(info.n)},
                 "the next layer's training features, transposed: [feature, sample]");
    define_array(file, "/test", {w, static_cast<std::uint64_t>(info.n_test)},
                 "the next layer's test features, transposed: [feature, sample]");
    set_attribute(file, "/", "layer", std::int64_t{info.layer});
    set_attribute(file, "/", "n", info.n);
    set_attribute(file, "/", "n_test", info.n_test);
    set_attribute(file, "/", "width", info.width);
    set_attribute(file, "/", "run", info.owner.run);
    set_attribute(file, "/", "results_instance", info.owner.results_instance);
    set_attribute(file, "/", "config_hash", info.owner.config_hash);
    set_attribute(file, "/", "config", info.owner.config);
    set_attribute(file, "/", "checksum", hex(info.checksum));
    // An empty split (no test set) has no storage, and nothing is written there.
    const std::array<std::uint64_t, 2> offsets{
        info.n > 0 ? dataset_offset(file, "/train") : 0,
        info.n_test > 0 ? dataset_offset(file, "/test") : 0};
    file.close();
    return offsets;
}

/// Every rank: my rows into a [width, n] dataset at `offset`, one pwrite per feature (a column
/// of my column-major block is contiguous), then fsync.
void write_rows(int fd, const std::string& path, std::uint64_t offset, std::int64_t n,
                std::int64_t width, const SplitRows<const double>& rows) {
    for (std::int64_t j = 0; j < width && rows.count > 0; ++j) {
        const char* data = reinterpret_cast<const char*>(rows.data + j * rows.count);
        std::size_t left = static_cast<std::size_t>(rows.count) * sizeof(double);
        auto at = static_cast<off_t>(offset + (static_cast<std::uint64_t>(j * n + rows.first)) *
                                                  sizeof(double));
        while (left > 0) {
            const ssize_t wrote = ::pwrite(fd, data, left, at);
            DRFM_CHECK(wrote > 0, Hdf5Error, "cannot write to '", path, "': ",
                       std::strerror(wrote < 0 ? errno : ENOSPC));
            data += wrote;
            at += wrote;
            left -= static_cast<std::size_t>(wrote);
        }
    }
}

}  // namespace

std::uint64_t write_layer_checkpoint(const mpi::Comm& comm, const std::string& path,
                                     CheckpointInfo info, const SplitRows<const double>& train,
                                     const SplitRows<const double>& test) {
    // The metadata by rank 0 alone and the data by plain writes at the datasets' offsets: a
    // failure (a full disk) is then local to each rank and agreed below; a collective parallel
    // HDF5 close after a failed write leaves the ranks in different collectives (seen: a hang on
    // a full tmpfs).
    const std::string writing = path + ".writing";
    info.checksum = checksum(comm, train, test, info.width);
    std::array<std::uint64_t, 2> offsets{};
    std::uint64_t bytes = 0;
    try {
        mpi::collective(comm, [&] {
            if (comm.is_root()) offsets = create_layout(writing, info);
        });
        comm.bcast(offsets.data(), 2, 0);
        mpi::collective(comm, [&] {
            const int fd = ::open(writing.c_str(), O_WRONLY | O_CLOEXEC);
            DRFM_CHECK(fd >= 0, Hdf5Error, "cannot open '", writing, "': ", std::strerror(errno));
            try {
                write_rows(fd, writing, offsets[0], info.n, info.width, train);
                write_rows(fd, writing, offsets[1], info.n_test, info.width, test);
                DRFM_CHECK(::fsync(fd) == 0, Hdf5Error, "cannot sync '", writing, "': ",
                           std::strerror(errno));
            } catch (...) {
                ::close(fd);
                throw;
            }
            DRFM_CHECK(::close(fd) == 0, Hdf5Error, "cannot close '", writing, "': ",
                       std::strerror(errno));
        });
        mpi::collective(comm, [&] {  // every rank's data is on disk: now it may count
            if (!comm.is_root()) return;
            {
                File file = File::open(mpi::Comm::borrow(MPI_COMM_SELF), writing,
                                       OpenMode::read_write);
                set_attribute(file, "/", "complete", std::int64_t{1});
                file.close();
            }
            sync_file(writing);
            bytes = static_cast<std::uint64_t>(fs::file_size(writing));
            rename_into_place(writing, path);
        });
    } catch (const Error& e) {
        if (comm.is_root()) {
            std::error_code ec;
            fs::remove(writing, ec);  // what is left of it; `path` is untouched
        }
        throw collective(Hdf5Error(
            "cannot write the layer checkpoint '" + path + "': " + e.what() +
                "; the previous checkpoint (if any) is kept. Free disk space or point "
                "run.checkpoint_dir at a file system with room, then run the same command again",
            e.file(), e.line()));
    }
    comm.bcast(&bytes, 1, 0);
    return bytes;
}

CheckpointInfo read_checkpoint_info(const mpi::Comm& comm, const std::string& path) {
    CheckpointInfo info;
    try {
        mpi::collective(comm, [&] {
            File file = File::open(comm, path, OpenMode::read_only);
            for (const char* name : {"complete", "layer", "n", "n_test", "width", "run",
                                     "results_instance", "config_hash", "config", "checksum"})
                DRFM_CHECK(has_attribute(file, "/", name), InputDataError,
                           "it has no root attribute '", name, "'");
            info.layer = static_cast<int>(read_attribute<std::int64_t>(file, "/", "layer"));
            info.n = read_attribute<std::int64_t>(file, "/", "n");
            info.n_test = read_attribute<std::int64_t>(file, "/", "n_test");
            info.width = read_attribute<std::int64_t>(file, "/", "width");
            info.owner.run = read_attribute<std::int64_t>(file, "/", "run");
            info.owner.results_instance =
                read_attribute<std::string>(file, "/", "results_instance");
            info.owner.config_hash = read_attribute<std::string>(file, "/", "config_hash");
            info.owner.config = read_attribute<std::string>(file, "/", "config");
            info.checksum = std::stoull(read_attribute<std::string>(file, "/", "checksum"),
                                        nullptr, 16);
            const std::vector<std::uint64_t> train{static_cast<std::uint64_t>(info.width),
                                                   static_cast<std::uint64_t>(info.n)};
            const std::vector<std::uint64_t> test{static_cast<std::uint64_t>(info.width),
                                                  static_cast<std::uint64_t>(info.n_test)};
            DRFM_CHECK(dataset_shape(file, "/train") == train &&
                           dataset_shape(file, "/test") == test,
                       InputDataError, "its datasets do not have the shapes its attributes say");
        });
    } catch (const Error& e) {
        throw collective(InputDataError(
            "the layer checkpoint '" + path + "' cannot be read: " + e.what() + unusable_advice,
            __FILE__, __LINE__));
    }
    return info;
}

void read_layer_checkpoint(const mpi::Comm& comm, const std::string& path,
                           const CheckpointInfo& info, const SplitRows<double>& train,
                           const SplitRows<double>& test) {
    try {
        File file = File::open(comm, path, OpenMode::read_only);
        mpi::collective(comm, [&] {
            read_slab(file, "/train", slab_of(train, info.width), train.data,
                      elements(train.count, info.width), Transfer::independent);
            read_slab(file, "/test", slab_of(test, info.width), test.data,
                      elements(test.count, info.width), Transfer::independent);
        });
    } catch (const Error& e) {
        throw collective(InputDataError("the layer checkpoint '" + path + "' cannot be read: " +
                                            e.what() + unusable_advice,
                                        __FILE__, __LINE__));
    }
    const std::uint64_t sum = checksum(comm, train, test, info.width);
    if (sum != info.checksum)
        throw collective(InputDataError(
            "the layer checkpoint '" + path + "' is damaged: its data's checksum is " + hex(sum) +
                ", its attribute says " + hex(info.checksum) + unusable_advice,
            __FILE__, __LINE__));
}

}  // namespace drfm::io
