#include "drfm/analysis/gram.hpp"

#include "common.hpp"
#include "linalg.hpp"

#include "drfm/core/error.hpp"

#include <algorithm>

namespace drfm::analysis {
namespace {

/// Rows in tile t: those i with floor(i·T/n) = t, i.e. [ceil(t·n/T), ceil((t+1)·n/T)).
double tile_size(std::int64_t t, std::int64_t tiles, std::int64_t n) {
    auto begin = [&](std::int64_t s) { return (s * n + tiles - 1) / tiles; };
    return static_cast<double>(begin(t + 1) - begin(t));
}

/// Checks that the ranks' row ranges tile [0, n) and the widths agree (collective).
template <class T>
void check_layout(const HostMatrixOf<T>& rows, std::int64_t n, std::int64_t row_begin, int tiles,
                  const mpi::Comm& comm) {
    detail::agreed_columns(rows, "the representation", comm);
    auto local = static_cast<std::int64_t>(rows.extent(0));
    std::int64_t total = comm.sum(local);
    if (total != n || n < 1 || tiles < 1) {
        auto message = ::drfm::detail::concat("gram tiles: the ranks hold ", total,
                                              " rows in all for n = ", n, " and ", tiles,
                                              " tiles; need n = total >= 1 and tiles >= 1");
        throw collective(InputDataError(message, __FILE__, __LINE__));
    }
    mpi::collective(comm, [&] {
        DRFM_CHECK(row_begin >= 0 && row_begin + local <= n, InputDataError,
                   "gram tiles: local rows [", row_begin, ", ", row_begin + local,
                   ") lie outside [0, ", n, ")");
    });
}

}  // namespace

template <class T>
HostMatrix gram_tiles(const HostMatrixOf<T>& rows, std::int64_t n, std::int64_t row_begin, int tiles,
                      const mpi::Comm& comm) {
    check_layout(rows, n, row_begin, tiles, comm);
    auto x = detail::eigen_view(rows);
    const std::int64_t t_count = std::min<std::int64_t>(tiles, n);

    Eigen::RowVectorXd mean = detail::in_double(x).colwise().sum();
    comm.allreduce_sum(mean.data(), mean.size());
    mean /= static_cast<double>(n);

    // Tile sums of the unit rows; rows are centred in blocks so no n_local×p copy is made.
    Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(t_count, x.cols());
    for (Eigen::Index begin = 0; begin < x.rows(); begin += detail::row_block) {
        Eigen::Index m = std::min(detail::row_block, x.rows() - begin);
        Eigen::MatrixXd z = detail::in_double(x.middleRows(begin, m)).rowwise() - mean;
        for (Eigen::Index i = 0; i < m; ++i) {
            double norm = z.row(i).norm();
            if (norm == 0.0) continue;
            std::int64_t global = row_begin + begin + i;
            sums.row(global * t_count / n) += z.row(i) / norm;
        }
    }
    comm.allreduce_sum(sums.data(), sums.size());

    Eigen::MatrixXd products = Eigen::MatrixXd::Zero(t_count, t_count);
    detail::add_gram_upper(sums.transpose(), products);
    HostMatrix out = make_host_matrix("drfm::analysis::gram_tiles", t_count, t_count);
    for (std::int64_t b = 0; b < t_count; ++b)
        for (std::int64_t a = 0; a <= b; ++a)
            out(a, b) = out(b, a) =
                products(a, b) / (tile_size(a, t_count, n) * tile_size(b, t_count, n));
    return out;
}

#define DRFM_INSTANTIATE(T)                                                               \
    template HostMatrix gram_tiles(const HostMatrixOf<T>&, std::int64_t, std::int64_t, int, \
                                   const mpi::Comm&);
DRFM_ANALYSIS_FOR_ROW_SCALARS(DRFM_INSTANTIATE)
#undef DRFM_INSTANTIATE

}  // namespace drfm::analysis
