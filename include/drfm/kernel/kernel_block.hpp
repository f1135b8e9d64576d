#pragma once
/// @file
/// One rectangular block of a kernel matrix between row points A (rows of a_rows) and column points
/// B: squared distances by one GEMM, ‖a‖² + ‖b‖² − 2 a·b clamped at 0, then an element-wise Kokkos
/// kernel. Pairs with equal global index are the same sample: their distance is exactly 0 (the
/// kernel diagonal is exactly k(x, x) = 1 and the gradient self term is excluded, methods.md §2.3).
#include "drfm/core/blas.hpp"
#include "drfm/core/views.hpp"
#include "drfm/kernel/kernel_function.hpp"

#include <cstdint>
#include <type_traits>
#include <vector>

namespace drfm::kernel {

/// What an element of the block holds.
enum class BlockValue {
    kernel,           ///< k(a_i, b_j)
    gradient_weight,  ///< w(a_i, b_j) of KernelFunction::gradient_weight, 0 for the self pair
};

/// Global sample indices of the rows (or columns) of a block, for the exact-diagonal rule.
using GlobalIds = std::vector<std::int64_t>;

/// The points a process needs for its tiles of an n×n kernel matrix: the samples of its block-rows
/// and of its block-columns, with their global indices (dist::gather_grid_points builds them), in
/// the scalar T of the kernel's GEMM.
template <class T>
struct BasicGridPoints {
    HostMatrixOf<T> rows;
    GlobalIds row_ids;
    HostMatrixOf<T> cols;
    GlobalIds col_ids;
};
using GridPoints = BasicGridPoints<double>;

/// The same points in scalar T (the same ones, uncopied, when they already are).
template <class T, class From>
BasicGridPoints<T> in_precision(const BasicGridPoints<From>& p) {
    if constexpr (std::is_same_v<T, From>) {
        return p;
    } else {
        BasicGridPoints<T> out{drfm::in_precision<T>(p.rows, "drfm::kernel::grid_rows"), p.row_ids,
                               {}, p.col_ids};
        // Rows and columns are often the same points (a one-column grid): converted once.
        out.cols = p.cols.data() == p.rows.data() && p.cols.extent(0) == p.rows.extent(0)
                       ? out.rows
                       : drfm::in_precision<T>(p.cols, "drfm::kernel::grid_cols");
        return out;
    }
}

/// Global ids on the execution space.
using DeviceIds = Kokkos::View<std::int64_t*, MemSpace>;

/// One side of a block on the execution space: points (rows × d, column-major; a row range of
/// larger points keeps their leading dimension), their squared row norms and global ids.
template <class T>
struct BlockSide {
    DeviceMatrixOf<T> points;
    DeviceVectorOf<T> norms;
    DeviceIds ids;
    bool ascending = true;  ///< ids ascending (needed of the columns' side)

    /// Rows [first, first + count), uncopied.
    BlockSide rows(std::int64_t first, std::int64_t count) const;
};

/// `points` (and their ids) on the execution space, copied there once (no copy on host
/// backends), with their squared row norms computed there.
template <class T>
BlockSide<T> block_side(const HostMatrixOf<T>& points, const GlobalIds& ids);

/// Row squared norms of a host matrix.
template <class T>
HostVectorOf<T> squared_row_norms(const HostMatrixOf<T>& points);

/// out(i, j) = value of (a(i,:), b(j,:)); out is |A|×|B| on the execution space. The cross term
/// −2ABᵀ is one KokkosBlas GEMM (cuBLAS on CUDA, the host BLAS on host backends), then one
/// element-wise kernel and the self pairs, all on the execution space (asynchronous: fence, or
/// DeviceTile::finish, before the host reads `out`). `self_shift` is added to the kernel value of
/// the self pairs: the ridge λ of K + λI.
/// Cost: 2·|A|·|B|·d flops (GEMM, in T) + |A|·|B| element-wise (the kernel function evaluated in
/// double and rounded to T: its exp is not where the time goes).
/// @pre a and b have the same d, out is |A|×|B|, b.ascending (the columns of a block-cyclic matrix
///      are)
template <class T>
void kernel_block(const KernelFunction& kf, BlockValue what, const BlockSide<T>& a,
                  const BlockSide<T>& b, const DeviceMatrixOf<T>& out, double self_shift = 0.0);

/// The same between host windows (a row range of a larger matrix, a tile of a local block-cyclic
/// matrix): in place on host backends, through copies on a device backend.
template <class T>
void kernel_block(const KernelFunction& kf, BlockValue what, const blas::MatRefOf<T>& a_rows,
                  const HostVectorOf<T>& a_norms, const GlobalIds& a_ids,
                  const blas::MatRefOf<T>& b_rows, const HostVectorOf<T>& b_norms,
                  const GlobalIds& b_ids, const blas::MatRefOf<T>& out, double self_shift = 0.0);

}  // namespace drfm::kernel
