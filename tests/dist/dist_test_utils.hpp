#pragma once
// Shared fixtures of the dist tests: the grid shapes for the world size, the block and matrix sizes
// every routine is tried at, and deterministic test matrices with a serial Eigen twin.
#include "drfm/dist/blacs_grid.hpp"
#include "drfm/dist/dist_matrix.hpp"
#include "support/test_utils.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace drfm::test {

constexpr double eps = std::numeric_limits<double>::epsilon();

/// Block sizes: 1 (every row its own block), 7 (odd, cuts rows mid-cycle), 64 (one block holds a
/// whole 37-row matrix, so some processes own nothing).
inline const std::vector<int> block_sizes = {1, 7, 64};
/// Matrix sizes that are no multiple of any block size.
inline const std::vector<std::int64_t> matrix_sizes = {37, 100};

/// P×1, 1×P and the near-square shape for P ranks (2×2, 4×1, 1×4 at 4 ranks), without repeats.
inline std::vector<dist::GridShape> grid_shapes(int ranks) {
    std::vector<dist::GridShape> shapes = {dist::BlacsGrid::near_square_shape(ranks)};
    for (dist::GridShape s : {dist::GridShape{ranks, 1}, dist::GridShape{1, ranks}}) {
        bool seen = false;
        for (const auto& t : shapes) seen = seen || (t.rows == s.rows && t.cols == s.cols);
        if (!seen) shapes.push_back(s);
    }
    return shapes;
}

/// Runs fn(grid) on a grid of each shape over the world communicator.
template <class Fn>
void for_each_grid(Fn&& fn) {
    auto comm = world();
    for (dist::GridShape shape : grid_shapes(comm.size())) {
        dist::BlacsGrid grid(comm, shape.rows, shape.cols);
        SCOPED_TRACE("grid " + std::to_string(shape.rows) + "x" + std::to_string(shape.cols));
        fn(grid);
    }
}

/// A smooth but unstructured deterministic entry, |a_ij| <= 1.1.
inline double general_entry(std::int64_t i, std::int64_t j) {
    return std::sin(0.37 * i + 1.13 * j + 0.5) + 0.1 * std::cos(0.71 * i - 0.29 * j * j);
}
inline double symmetric_entry(std::int64_t i, std::int64_t j) {
    return general_entry(i, j) + general_entry(j, i);
}

/// The rows × cols matrix f(i, j) as an Eigen matrix (the serial reference).
template <class F>
Eigen::MatrixXd eigen_matrix(std::int64_t rows, std::int64_t cols, const F& f) {
    Eigen::MatrixXd m(rows, cols);
    for (std::int64_t j = 0; j < cols; ++j)
        for (std::int64_t i = 0; i < rows; ++i) m(i, j) = f(i, j);
    return m;
}

/// The same matrix distributed in nb × nb blocks.
template <class F>
dist::DistMatrix dist_matrix(const dist::BlacsGrid& grid, std::int64_t rows, std::int64_t cols,
                             int nb, const F& f) {
    dist::DistMatrix m(grid, dist::GlobalSize{rows, cols}, dist::BlockSize{nb, nb});
    m.fill(f);
    return m;
}

}  // namespace drfm::test
