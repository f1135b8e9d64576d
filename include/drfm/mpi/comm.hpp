#pragma once
/// @file
/// `Comm`: an MPI communicator whose ownership is visible in how it was made. `borrow` never frees;
/// `split`/`dup` own the new communicator and free it with the last copy. Library code receives a
/// Comm and never names MPI_COMM_WORLD. Every MPI call goes through DRFM_MPI.
#include "drfm/core/error.hpp"

#include <mpi.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

/// Checks an MPI return code; the communicators use MPI_ERRORS_RETURN so the code is seen.
#define DRFM_MPI(call) ::drfm::mpi::detail::check((call), #call, __FILE__, __LINE__)

namespace drfm::mpi {
namespace detail {
void check(int code, const char* call, const char* file, int line);
}

template <class T>
MPI_Datatype datatype();
template <> inline MPI_Datatype datatype<double>() { return MPI_DOUBLE; }
template <> inline MPI_Datatype datatype<float>() { return MPI_FLOAT; }
template <> inline MPI_Datatype datatype<int>() { return MPI_INT; }
template <> inline MPI_Datatype datatype<std::int64_t>() { return MPI_INT64_T; }
template <> inline MPI_Datatype datatype<std::uint64_t>() { return MPI_UINT64_T; }
template <> inline MPI_Datatype datatype<char>() { return MPI_CHAR; }
template <> inline MPI_Datatype datatype<unsigned char>() { return MPI_UNSIGNED_CHAR; }

class Comm {
public:
    /// Wraps a communicator someone else owns (MPI_COMM_WORLD in main).
    static Comm borrow(MPI_Comm comm);
    /// Takes ownership: MPI_Comm_free when the last copy dies.
    static Comm own(MPI_Comm comm);

    MPI_Comm get() const noexcept { return *handle_; }
    int rank() const noexcept { return rank_; }
    int size() const noexcept { return size_; }
    bool is_root() const noexcept { return rank_ == 0; }

    /// Collective: ranks with equal color form a new owned communicator, ordered by key.
    Comm split(int color, int key) const;
    Comm dup() const;
    void barrier() const;

    /// In-place element-wise sums/max/min over all ranks.
    template <class T>
    void allreduce_sum(T* data, std::int64_t count) const { allreduce(data, count, MPI_SUM); }
    template <class T>
    void allreduce_max(T* data, std::int64_t count) const { allreduce(data, count, MPI_MAX); }
    template <class T>
    T sum(T value) const { allreduce(&value, 1, MPI_SUM); return value; }
    template <class T>
    T max(T value) const { allreduce(&value, 1, MPI_MAX); return value; }
    template <class T>
    T min(T value) const { allreduce(&value, 1, MPI_MIN); return value; }

    template <class T>
    void bcast(T* data, std::int64_t count, int root) const;
    std::string bcast_string(const std::string& s, int root) const;

    /// Concatenates each rank's vector in rank order (MPI_Allgatherv).
    template <class T>
    std::vector<T> allgatherv(const std::vector<T>& mine) const;

private:
    Comm(std::shared_ptr<MPI_Comm> handle);
    template <class T>
    void allreduce(T* data, std::int64_t count, MPI_Op op) const;

    std::shared_ptr<MPI_Comm> handle_;
    int rank_ = 0;
    int size_ = 1;
};

/// MPI counts are int: checked narrowing of a 64-bit count, always on.
int to_mpi_count(std::int64_t count, const char* what);

/// Runs `fn` on every rank and agrees on the outcome: if it threw on any rank, every rank throws a
/// collective error carrying the first failing rank's message and exit code, so the error is
/// printed once and no rank is left waiting. `fn` must not call collectives itself once it can
/// throw on some ranks only (local work: parsing, reading, checking).
template <class Fn>
void collective(const Comm& comm, Fn&& fn);

namespace detail {
/// Agreement step of `collective`: `failure` is empty on ranks that succeeded.
void agree(const Comm& comm, const std::string& failure, ExitCode code);
}

template <class Fn>
void collective(const Comm& comm, Fn&& fn) {
    std::string failure;
    ExitCode code = ExitCode::internal;
    try {
        fn();
    } catch (const Error& e) {
        failure = e.what();
        code = e.exit_code();
        if (failure.empty()) failure = "unknown error";
    } catch (const std::exception& e) {
        failure = e.what();
        if (failure.empty()) failure = "unknown error";
    }
    detail::agree(comm, failure, code);
}

template <class T>
void Comm::allreduce(T* data, std::int64_t count, MPI_Op op) const {
    DRFM_MPI(MPI_Allreduce(MPI_IN_PLACE, data, to_mpi_count(count, "allreduce"), datatype<T>(), op,
                           get()));
}

template <class T>
void Comm::bcast(T* data, std::int64_t count, int root) const {
    DRFM_MPI(MPI_Bcast(data, to_mpi_count(count, "bcast"), datatype<T>(), root, get()));
}

template <class T>
std::vector<T> Comm::allgatherv(const std::vector<T>& mine) const {
    int my_count = to_mpi_count(static_cast<std::int64_t>(mine.size()), "allgatherv");
    std::vector<int> counts(size_), displs(size_);
    DRFM_MPI(MPI_Allgather(&my_count, 1, MPI_INT, counts.data(), 1, MPI_INT, get()));
    std::int64_t total = 0;
    for (int r = 0; r < size_; ++r) {
        displs[r] = to_mpi_count(total, "allgatherv displacement");
        total += counts[r];
    }
    std::vector<T> all(static_cast<size_t>(total));
    DRFM_MPI(MPI_Allgatherv(mine.data(), my_count, datatype<T>(), all.data(), counts.data(),
                            displs.data(), datatype<T>(), get()));
    return all;
}

}  // namespace drfm::mpi
