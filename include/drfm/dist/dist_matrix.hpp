#pragma once
/// @file
/// `DistMatrix`: a dense m × n matrix of doubles (`DistMatrixF`: floats, for model.precision =
/// "float32"/"mixed") in ScaLAPACK's 2D block-cyclic layout on a
/// BlacsGrid. Each process owns its local block as a column-major (LayoutLeft) host View whose
/// leading dimension is the descriptor's lld, so ScaLAPACK works on it in place.
#include "drfm/core/views.hpp"
#include "drfm/dist/blacs_grid.hpp"
#include "drfm/dist/distribution.hpp"

#include <array>
#include <cstdint>

namespace drfm::dist {

/// Read-only view of a local block (what `DistMatrix::local() const` hands out).
template <class T>
using ConstHostMatrixOf = Kokkos::View<const T**, Kokkos::LayoutLeft, Kokkos::HostSpace>;
using ConstHostMatrix = ConstHostMatrixOf<double>;

/// A ScaLAPACK array descriptor (DTYPE = 1, dense block-cyclic) with named fields; `data()` is
/// the int[9] the Fortran routines take.
class Descriptor {
public:
    Descriptor() = default;
    explicit Descriptor(const std::array<int, 9>& values) noexcept : values_(values) {}
    int dtype() const noexcept { return values_[0]; }
    int ctxt() const noexcept { return values_[1]; }
    int m() const noexcept { return values_[2]; }
    int n() const noexcept { return values_[3]; }
    int mb() const noexcept { return values_[4]; }
    int nb() const noexcept { return values_[5]; }
    int rsrc() const noexcept { return values_[6]; }
    int csrc() const noexcept { return values_[7]; }
    int lld() const noexcept { return values_[8]; }
    const int* data() const noexcept { return values_.data(); }

private:
    std::array<int, 9> values_{};
};

/// What a new DistMatrix holds: zeros, or whatever the memory held (for a matrix the caller
/// overwrites entirely, such as a kernel matrix: filling n²/P doubles first costs a full pass).
enum class Fill { zeros, none };

template <class T>
class BasicDistMatrix {
public:
    using value_type = T;

    /// A size.rows × size.cols matrix in block.rows × block.cols blocks on `grid`.
    /// @pre `grid` outlives the matrix and is not moved while the matrix exists (the matrix keeps
    ///      its address for grid() and its communicator).
    /// @throws Error for negative sizes or blocks < 1; ResourceError when a size does not fit int.
    BasicDistMatrix(const BlacsGrid& grid, GlobalSize size, BlockSize block, Fill fill = Fill::zeros);

    BasicDistMatrix(const BasicDistMatrix&) = delete;
    BasicDistMatrix& operator=(const BasicDistMatrix&) = delete;
    BasicDistMatrix(BasicDistMatrix&&) noexcept = default;
    BasicDistMatrix& operator=(BasicDistMatrix&&) noexcept = default;

    /// A deep copy with the same grid, size and blocks (copies are never implicit).
    BasicDistMatrix clone() const;

    /// My local block: local_rows × local_cols, column-major, leading dimension desc().lld()
    /// (when local_rows == 0 the block is empty and lld is 1).
    HostMatrixOf<T> local() noexcept { return local_; }
    ConstHostMatrixOf<T> local() const noexcept { return local_; }
    /// Pointer to the local block for ScaLAPACK.
    T* data() noexcept { return local_.data(); }
    const T* data() const noexcept { return local_.data(); }

    const Descriptor& desc() const noexcept { return desc_; }
    const Distribution& distribution() const noexcept { return dist_; }
    const BlacsGrid& grid() const noexcept { return *grid_; }
    GlobalSize size() const noexcept { return dist_.size(); }
    std::int64_t rows() const noexcept { return dist_.size().rows; }
    std::int64_t cols() const noexcept { return dist_.size().cols; }

    /// Sets every local entry to f(global_row, global_col) (both std::int64_t, 0-based). Host loop;
    /// meant for set-up and tests (kernel assembly has its own Kokkos kernel).
    template <class F>
    void fill(const F& f);

    /// The whole m × n matrix on every rank (collective): each rank scatters its entries into a
    /// zero-filled buffer, one Allreduce sums them. Costs m·n entries per rank: for small matrices
    /// only (n × c coefficients, k × k Gram blocks, test matrices).
    HostMatrixOf<T> replicate() const;

private:
    const BlacsGrid* grid_;
    Distribution dist_;
    Descriptor desc_;
    HostMatrixOf<T> local_;
};

using DistMatrix = BasicDistMatrix<double>;
using DistMatrixF = BasicDistMatrix<float>;
extern template class BasicDistMatrix<double>;
extern template class BasicDistMatrix<float>;

template <class T>
template <class F>
void BasicDistMatrix<T>::fill(const F& f) {
    for (std::int64_t j = 0; j < dist_.local_cols(); ++j) {
        std::int64_t gj = dist_.global_col(LocalIndex{j}).value;
        for (std::int64_t i = 0; i < dist_.local_rows(); ++i) {
            local_(i, j) = static_cast<T>(f(dist_.global_row(LocalIndex{i}).value, gj));
        }
    }
}

}  // namespace drfm::dist
