#include "drfm/dist/dist_matrix.hpp"

#include "drfm/dist/scalapack_fwd.hpp"
#include "drfm/dist/scalapack_types.hpp"

namespace drfm::dist {
namespace {

// Checked before the noexcept Distribution sees them; the same on every rank, so all ranks throw.
Distribution checked_distribution(const BlacsGrid& grid, GlobalSize size, BlockSize block) {
    DRFM_CHECK(size.rows >= 0 && size.cols >= 0 && block.rows >= 1 && block.cols >= 1, Error,
               "DistMatrix: invalid shape ", size.rows, "x", size.cols, " with blocks ",
               block.rows, "x", block.cols, " (sizes must be >= 0, blocks >= 1)");
    DRFM_CHECK(grid.context() >= 0, Error, "DistMatrix: the BlacsGrid was moved from");
    return Distribution(size, block, grid.shape(), grid.coord());
}

Descriptor make_descriptor(const BlacsGrid& grid, const Distribution& dist) {
    std::array<int, 9> values{};
    int m = to_blas_int(dist.size().rows, "global rows");
    int n = to_blas_int(dist.size().cols, "global columns");
    int mb = dist.block().rows;
    int nb = dist.block().cols;
    int source = 0;
    int context = grid.context();
    // lld <= m, so it fits whenever m does: this cannot fail on some ranks only.
    int lld = to_blas_int(dist.lld(), "local leading dimension");
    int info = 0;
    descinit_(values.data(), &m, &n, &mb, &nb, &source, &source, &context, &lld, &info);
    DRFM_CHECK(info == 0, ScalapackError, "descinit: argument ", -info, " is invalid for a ", m,
               "x", n, " matrix in ", mb, "x", nb, " blocks (lld ", lld, ")");
    return Descriptor(values);
}

}  // namespace

template <class T>
BasicDistMatrix<T>::BasicDistMatrix(const BlacsGrid& grid, GlobalSize size, BlockSize block, Fill fill)
    : grid_(&grid),
      dist_(checked_distribution(grid, size, block)),
      desc_(make_descriptor(grid, dist_)),
      local_(Kokkos::view_alloc("drfm::dist::local", Kokkos::WithoutInitializing),
             static_cast<size_t>(dist_.local_rows()), static_cast<size_t>(dist_.local_cols())) {
    // Fill::none leaves the memory to its writer, which may fill only part of it (a triangle).
    if (fill == Fill::zeros) {
        populate_for_writing(local_);
        Kokkos::deep_copy(local_, T(0));
    }
}

template <class T>
BasicDistMatrix<T> BasicDistMatrix<T>::clone() const {
    BasicDistMatrix copy(*grid_, dist_.size(), dist_.block());
    Kokkos::deep_copy(copy.local_, local_);
    return copy;
}

template <class T>
HostMatrixOf<T> BasicDistMatrix<T>::replicate() const {
    HostMatrixOf<T> full("drfm::dist::replicate", static_cast<size_t>(rows()),
                    static_cast<size_t>(cols()));
    for (std::int64_t j = 0; j < dist_.local_cols(); ++j) {
        std::int64_t gj = dist_.global_col(LocalIndex{j}).value;
        for (std::int64_t i = 0; i < dist_.local_rows(); ++i) {
            full(dist_.global_row(LocalIndex{i}).value, gj) = local_(i, j);
        }
    }
    // Each entry has one owner and zeros elsewhere, so the sum is exact.
    grid_->comm().allreduce_sum(full.data(), rows() * cols());
    return full;
}

template class BasicDistMatrix<double>;
template class BasicDistMatrix<float>;

}  // namespace drfm::dist
