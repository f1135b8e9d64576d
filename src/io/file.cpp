#include "drfm/io/file.hpp"

#include "drfm/core/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

namespace drfm::io {

namespace fs = std::filesystem;

namespace {

/// Rank 0's checks before creating: refuse to clobber, make the parent directories.
void prepare_output_path(const std::string& path, bool overwrite) {
    DRFM_CHECK(!path.empty(), ConfigError, "output.path is empty: give the results file name");
    fs::path p(path);
    std::error_code ec;
    if (fs::exists(p, ec)) {
        DRFM_CHECK(!fs::is_directory(p, ec), ConfigError, "output.path '", path,
                   "' is a directory: give a file name such as '", (p / "drfm.h5").string(), "'");
        DRFM_CHECK(overwrite, ConfigError, "results file '", path,
                   "' already exists: set output.overwrite=true to replace it, or choose another "
                   "output.path");
    }
    fs::path parent = p.parent_path();
    if (!parent.empty()) {
        fs::create_directories(parent, ec);
        DRFM_CHECK(!ec, Hdf5Error, "cannot create the directory '", parent.string(),
                   "' for output.path '", path, "': ", ec.message(),
                   "; choose a writable output.path");
    }
}

PropertyListHandle file_access_properties(const mpi::Comm& comm, const std::string& path) {
    PropertyListHandle fapl(DRFM_H5(H5Pcreate(H5P_FILE_ACCESS), path));
    DRFM_H5(H5Pset_fapl_mpio(fapl.get(), comm.get(), MPI_INFO_NULL), path);
    // Metadata writes collective: the metadata cache is flushed by all ranks together (no small
    // independent writes per rank). Metadata reads stay independent (HDF5's default): rank 0
    // alone, or one rank group, opens datasets the others do not, and collective reads require
    // every rank to make the same ones. With them, HDF5 2.2 stopped runs of 2 ranks at closing
    // the results file about every other time: one rank's broadcast of a metadata read met
    // another's (MPI_ERR_TRUNCATE), which then waited forever.
    DRFM_H5(H5Pset_coll_metadata_write(fapl.get(), true), path);
    return fapl;
}

}  // namespace

File::File(mpi::Comm comm, std::string path, FileHandle handle)
    : comm_(std::move(comm)), path_(std::move(path)), handle_(std::move(handle)) {}

File File::create(const mpi::Comm& comm, const std::string& path, bool overwrite) {
    silence_hdf5_error_printing();
    mpi::collective(comm, [&] {
        if (comm.is_root()) prepare_output_path(path, overwrite);
    });
    auto fapl = file_access_properties(comm, path);
    FileHandle handle;
    // EXCL as well as rank 0's check: a file appearing in between is still not clobbered.
    unsigned flags = overwrite ? H5F_ACC_TRUNC : H5F_ACC_EXCL;
    mpi::collective(comm, [&] {
        handle = FileHandle(DRFM_H5(H5Fcreate(path.c_str(), flags, H5P_DEFAULT, fapl.get()), path));
    });
    return File(comm, path, std::move(handle));
}

File File::open(const mpi::Comm& comm, const std::string& path, OpenMode mode) {
    silence_hdf5_error_printing();
    mpi::collective(comm, [&] {
        if (!comm.is_root()) return;
        std::error_code ec;
        DRFM_CHECK(fs::is_regular_file(path, ec), InputDataError, "results file '", path,
                   "' does not exist or is not a regular file");
    });
    auto fapl = file_access_properties(comm, path);
    unsigned flags = mode == OpenMode::read_write ? H5F_ACC_RDWR : H5F_ACC_RDONLY;
    FileHandle handle;
    mpi::collective(comm, [&] {
        handle = FileHandle(DRFM_H5(H5Fopen(path.c_str(), flags, fapl.get()), path));
    });
    return File(comm, path, std::move(handle));
}

void File::flush() const { DRFM_H5(H5Fflush(id(), H5F_SCOPE_GLOBAL), path_); }

void File::close() { handle_.close(path_); }

PropertyListHandle transfer_properties(Transfer transfer) {
    PropertyListHandle dxpl(DRFM_H5(H5Pcreate(H5P_DATASET_XFER), "transfer properties"));
    auto mode = transfer == Transfer::collective ? H5FD_MPIO_COLLECTIVE : H5FD_MPIO_INDEPENDENT;
    DRFM_H5(H5Pset_dxpl_mpio(dxpl.get(), mode), "transfer properties");
    return dxpl;
}

void sync_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) log::all() << "warning: cannot fsync " << path;
    if (fd >= 0) ::close(fd);
}

}  // namespace drfm::io
