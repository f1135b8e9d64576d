#include "drfm/dist/gather_rows.hpp"

namespace drfm::dist {
namespace {

// A committed MPI datatype for one row of `width` entries of `scalar`, freed on scope exit.
class RowType {
public:
    RowType(std::int64_t width, MPI_Datatype scalar) {
        DRFM_MPI(MPI_Type_contiguous(mpi::to_mpi_count(width, "gather_rows row width"),
                                     scalar, &type_));
        DRFM_MPI(MPI_Type_commit(&type_));
    }
    ~RowType() { MPI_Type_free(&type_); }
    RowType(const RowType&) = delete;
    RowType& operator=(const RowType&) = delete;
    MPI_Datatype get() const noexcept { return type_; }

private:
    MPI_Datatype type_ = MPI_DATATYPE_NULL;
};

// Per-rank counts as MPI ints and their exclusive prefix sums as displacements, both checked.
struct Layout {
    std::vector<int> counts;
    std::vector<int> displs;
    std::int64_t total = 0;
};

Layout make_layout(const std::vector<std::int64_t>& counts, const char* what) {
    Layout layout;
    for (std::int64_t count : counts) {
        layout.counts.push_back(mpi::to_mpi_count(count, what));
        layout.displs.push_back(mpi::to_mpi_count(layout.total, what));
        layout.total += count;
    }
    return layout;
}

// Rank r's rows of an Alltoallv buffer laid out by `layout` in rows of `width`: one
// count × width column-major block, so that packing and unpacking both walk columns.
template <class T>
HostMatrixOf<T> peer_block(const HostMatrixOf<T>& buffer, const Layout& layout, int r,
                           std::int64_t width) {
    return HostMatrixOf<T>(buffer.data() + static_cast<std::int64_t>(layout.displs[r]) * width,
                      static_cast<size_t>(layout.counts[r]), static_cast<size_t>(width));
}

template <class T>
void check_arguments(const mpi::Comm& comm, const RowPartition& rows, const HostMatrixOf<T>& local,
                     const std::vector<std::int64_t>& wanted) {
    mpi::collective(comm, [&] {
        DRFM_CHECK(rows.parts() == comm.size(), Error, "gather_rows: the row partition has ",
                   rows.parts(), " parts for ", comm.size(), " ranks");
        DRFM_CHECK(static_cast<std::int64_t>(local.extent(0)) == rows.count(comm.rank()), Error,
                   "gather_rows: rank ", comm.rank(), " holds ", local.extent(0),
                   " rows, its part of the partition has ", rows.count(comm.rank()));
        for (std::int64_t g : wanted) {
            DRFM_CHECK(g >= 0 && g < rows.size(), Error, "gather_rows: rank ", comm.rank(),
                       " asked for row ", g, " of a matrix with rows 0..", rows.size() - 1);
        }
    });
    auto width = static_cast<std::int64_t>(local.extent(1));
    if (comm.min(width) != comm.max(width)) {
        throw collective(Error("gather_rows: the local blocks have different column counts",
                               __FILE__, __LINE__));
    }
}

}  // namespace

template <class T>
HostMatrixOf<T> gather_rows(const mpi::Comm& comm, const RowPartition& rows,
                            const HostMatrixOf<T>& local, const std::vector<std::int64_t>& wanted) {
    check_arguments(comm, rows, local, wanted);
    const auto width = static_cast<std::int64_t>(local.extent(1));
    const auto n_wanted = static_cast<std::int64_t>(wanted.size());
    HostMatrixOf<T> result = make_host_matrix<T>("drfm::dist::gather_rows", n_wanted, width);
    if (width == 0) return result;  // same on every rank (checked above)

    // My own rows are copied from `local` below and never travel. The others are requested from
    // their owners, grouped by owner (a counting sort keeps their order within an owner):
    // slot[t] is where the answer to wanted[t] will arrive, or −1 − its row in `local` if mine.
    const int p = comm.size(), me = comm.rank();
    const std::int64_t first = rows.begin(me);
    std::vector<std::int64_t> send_counts(static_cast<size_t>(p), 0);
    for (std::int64_t g : wanted) {
        if (const int owner = rows.owner(g); owner != me) ++send_counts[static_cast<size_t>(owner)];
    }
    std::vector<std::int64_t> next(static_cast<size_t>(p), 0);
    for (int r = 1; r < p; ++r) next[r] = next[r - 1] + send_counts[r - 1];
    std::vector<std::int64_t> requests(static_cast<size_t>(next[p - 1] + send_counts[p - 1]));
    std::vector<std::int64_t> slot(wanted.size());
    for (size_t t = 0; t < wanted.size(); ++t) {
        const int owner = rows.owner(wanted[t]);
        if (owner == me) {
            slot[t] = -1 - (wanted[t] - first);
            continue;
        }
        const std::int64_t pos = next[static_cast<size_t>(owner)]++;
        requests[static_cast<size_t>(pos)] = wanted[t];
        slot[t] = pos;
    }

    std::vector<std::int64_t> recv_counts(static_cast<size_t>(p), 0);
    DRFM_MPI(MPI_Alltoall(send_counts.data(), 1, MPI_INT64_T, recv_counts.data(), 1, MPI_INT64_T,
                          comm.get()));
    Layout mine = make_layout(send_counts, "gather_rows: rows asked of one rank");
    Layout theirs = make_layout(recv_counts, "gather_rows: rows asked by one rank");
    std::vector<std::int64_t> asked(static_cast<size_t>(theirs.total));
    DRFM_MPI(MPI_Alltoallv(requests.data(), mine.counts.data(), mine.displs.data(), MPI_INT64_T,
                           asked.data(), theirs.counts.data(), theirs.displs.data(), MPI_INT64_T,
                           comm.get()));

    // Answer with the asked rows. The buffers are left uninitialised, since every element is
    // written before it is read.
    const HostMatrixOf<T> packed =
        make_host_matrix<T>("drfm::dist::gather_rows_packed", width, theirs.total);
    for (int r = 0; r < p; ++r) {
        const HostMatrixOf<T> block = peer_block(packed, theirs, r, width);
        const std::int64_t* asked_of_r = asked.data() + theirs.displs[r];
        for (std::int64_t c = 0; c < width; ++c)
            for (size_t q = 0; q < block.extent(0); ++q)
                block(q, c) = local(asked_of_r[q] - first, c);
    }
    const HostMatrixOf<T> received =
        make_host_matrix<T>("drfm::dist::gather_rows_received", width, mine.total);
    RowType row(width, mpi::datatype<T>());
    DRFM_MPI(MPI_Alltoallv(packed.data(), theirs.counts.data(), theirs.displs.data(), row.get(),
                           received.data(), mine.counts.data(), mine.displs.data(), row.get(),
                           comm.get()));

    // Row t of the result starts at row_start[t], its entries ld[t] apart: in local when it is
    // mine, else in its sender's block of `received`.
    std::vector<const T*> row_start(wanted.size());
    std::vector<std::int64_t> ld(wanted.size());
    for (size_t t = 0; t < wanted.size(); ++t) {
        if (slot[t] < 0) {
            row_start[t] = &local(-1 - slot[t], 0);
            ld[t] = static_cast<std::int64_t>(local.stride(1));
            continue;
        }
        const int owner = rows.owner(wanted[t]);
        row_start[t] =
            peer_block(received, mine, owner, width).data() + (slot[t] - mine.displs[owner]);
        ld[t] = mine.counts[owner];
    }
    for (std::int64_t c = 0; c < width; ++c)
        for (size_t t = 0; t < wanted.size(); ++t) result(t, c) = row_start[t][c * ld[t]];
    return result;
}

template HostMatrix gather_rows(const mpi::Comm&, const RowPartition&, const HostMatrix&,
                                const std::vector<std::int64_t>&);
template HostMatrixOf<float> gather_rows(const mpi::Comm&, const RowPartition&,
                                         const HostMatrixOf<float>&, const std::vector<std::int64_t>&);

DistMatrix block_cyclic_from_rows(const BlacsGrid& grid, const RowPartition& rows,
                                  const HostMatrix& local, BlockSize block) {
    const auto width = static_cast<std::int64_t>(local.extent(1));
    // The width is agreed inside gather_rows; the matrix shape must not depend on it beforehand.
    DistMatrix out(grid, GlobalSize{rows.size(), grid.comm().max(width)}, block);
    const Distribution& d = out.distribution();
    HostMatrix whole_rows = gather_rows(grid.comm(), rows, local, d.my_global_rows());
    HostMatrix mine = out.local();
    for (std::int64_t j = 0; j < d.local_cols(); ++j) {
        const std::int64_t c = d.global_col(LocalIndex{j}).value;
        for (std::int64_t i = 0; i < d.local_rows(); ++i) mine(i, j) = whole_rows(i, c);
    }
    return out;
}

}  // namespace drfm::dist
