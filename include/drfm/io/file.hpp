#pragma once
/// @file
/// A results file opened for parallel access on one communicator: MPI-IO driver, collective
/// metadata reads and writes, collective data transfer by default. Every function here is
/// collective over the file's communicator unless it says otherwise.
#include "drfm/io/h5_handle.hpp"
#include "drfm/mpi/comm.hpp"

#include <string>

namespace drfm::io {

/// How a data read/write reaches the file.
enum class Transfer {
    /// Every rank of the file's communicator calls; ranks with nothing to move pass an empty
    /// selection. The default: one MPI-IO collective per dataset access.
    collective,
    /// Only the calling rank takes part (MPI-IO independent). For the rank groups of a scan,
    /// which finish their runs at different times; the dataset must already exist.
    independent,
};

enum class OpenMode { read_only, read_write };

class File {
public:
    /// Creates `path` for parallel writing on `comm`, with its missing parent directories.
    /// Rank 0 checks for an existing file and all ranks agree on the outcome, so a refusal is a
    /// collective error (ExitCode::input) naming the path and `output.overwrite=true`.
    /// @param overwrite replace an existing file instead of refusing.
    static File create(const mpi::Comm& comm, const std::string& path, bool overwrite);

    /// Opens an existing file (resume, tests). A missing file is a collective error.
    static File open(const mpi::Comm& comm, const std::string& path, OpenMode mode);

    File(File&&) noexcept = default;
    File& operator=(File&&) noexcept = default;

    hid_t id() const noexcept { return handle_.get(); }
    const std::string& path() const noexcept { return path_; }
    const mpi::Comm& comm() const noexcept { return comm_; }
    bool is_open() const noexcept { return static_cast<bool>(handle_); }

    /// "file:object", the way messages name an object of this file.
    std::string where(const std::string& object) const { return path_ + ":" + object; }

    /// Writes all cached metadata and data to disk (H5Fflush, global scope).
    void flush() const;

    /// Closes now and reports failure (the destructor closes quietly).
    void close();

private:
    File(mpi::Comm comm, std::string path, FileHandle handle);

    mpi::Comm comm_;
    std::string path_;
    FileHandle handle_;
};

/// Not collective. Best effort: `path`'s data (a file or a directory's entries) reach the disk
/// (fsync), e.g. a results file's records before the status or the checkpoint that says they are
/// there. A failure is a warning on the log (the data stay in the page cache, which survives the
/// process).
void sync_file(const std::string& path);

/// Data-transfer property list for `transfer` (H5FD_MPIO_COLLECTIVE or _INDEPENDENT).
PropertyListHandle transfer_properties(Transfer transfer);

}  // namespace drfm::io
