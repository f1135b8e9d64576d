#include "drfm/mpi/comm.hpp"

#include <limits>

namespace drfm::mpi {

namespace detail {
void check(int code, const char* call, const char* file, int line) {
    if (code == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING] = {};
    int length = 0;
    MPI_Error_string(code, text, &length);
    throw MpiError(drfm::detail::concat(call, " failed: ", std::string(text, length),
                                        " (MPI error ", code, ")"),
                   file, line);
}

void agree(const Comm& comm, const std::string& failure, ExitCode code) {
    // The lowest failing rank speaks for all.
    int speaker = comm.min(failure.empty() ? comm.size() : comm.rank());
    if (speaker == comm.size()) return;
    std::string message = comm.bcast_string(failure, speaker);
    int exit_code = static_cast<int>(code);
    comm.bcast(&exit_code, 1, speaker);
    Error error(message, __FILE__, __LINE__, static_cast<ExitCode>(exit_code));
    error.mark_collective();
    throw error;
}
}  // namespace detail

int to_mpi_count(std::int64_t count, const char* what) {
    DRFM_CHECK(count >= 0 && count <= std::numeric_limits<int>::max(), MpiError, what, ": count ",
               count, " does not fit an MPI int; use more ranks or a smaller block");
    return static_cast<int>(count);
}

Comm::Comm(std::shared_ptr<MPI_Comm> handle) : handle_(std::move(handle)) {
    DRFM_MPI(MPI_Comm_rank(*handle_, &rank_));
    DRFM_MPI(MPI_Comm_size(*handle_, &size_));
}

Comm Comm::borrow(MPI_Comm comm) { return Comm(std::make_shared<MPI_Comm>(comm)); }

Comm Comm::own(MPI_Comm comm) {
    DRFM_MPI(MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN));
    return Comm(std::shared_ptr<MPI_Comm>(new MPI_Comm(comm), [](MPI_Comm* c) {
        int finalized = 0;
        MPI_Finalized(&finalized);
        if (!finalized && *c != MPI_COMM_NULL) MPI_Comm_free(c);
        delete c;
    }));
}

Comm Comm::split(int color, int key) const {
    MPI_Comm out = MPI_COMM_NULL;
    DRFM_MPI(MPI_Comm_split(get(), color, key, &out));
    return own(out);
}

Comm Comm::dup() const {
    MPI_Comm out = MPI_COMM_NULL;
    DRFM_MPI(MPI_Comm_dup(get(), &out));
    return own(out);
}

void Comm::barrier() const { DRFM_MPI(MPI_Barrier(get())); }

std::string Comm::bcast_string(const std::string& s, int root) const {
    std::int64_t length = static_cast<std::int64_t>(s.size());
    bcast(&length, 1, root);
    std::string out = rank_ == root ? s : std::string(static_cast<size_t>(length), '\0');
    if (length > 0) bcast(out.data(), length, root);
    return out;
}

}  // namespace drfm::mpi
