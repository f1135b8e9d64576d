#pragma once
/// @file
/// Typed, checked wrappers of the distributed BLAS-3 and solvers drfm uses. All are collective
/// over the matrices' grid; shapes are checked before the call (same error on every rank) and
/// ScaLAPACK's info is agreed over the grid, so every rank throws the same error together or none
/// does.
#include "drfm/dist/dist_matrix.hpp"
#include "drfm/dist/scalapack_types.hpp"

namespace drfm::dist {

/// C ← alpha·op(A)·op(B) + beta·C (pdgemm), op(A) m×k, op(B) k×n, C m×n.
/// @throws Error when the shapes do not conform or the matrices live on different grids.
void gemm(Trans trans_a, Trans trans_b, double alpha, const DistMatrix& a, const DistMatrix& b,
          double beta, DistMatrix& c);

/// The triangle of a symmetric matrix on `grid` that cholesky_solve reads (the other one it never
/// touches): upper on a grid with more rows than columns, where a block row of the factor spans
/// fewer processes than a block column, lower otherwise.
Uplo cholesky_triangle(const BlacsGrid& grid);

/// Solves A·X = B for symmetric positive definite A (p?potrf + p?potrs; LAPACK ?potrf + ?potrs
/// on a 1x1 grid; float or double), of which only the cholesky_triangle(grid) is read.
/// A (n×n, square blocks) is overwritten by its Cholesky factor; B (n×r, same row blocks) by X.
/// @throws NumericalError (collective) when the leading minor of order k is not positive definite.
template <class T>
void cholesky_solve(BasicDistMatrix<T>& a, BasicDistMatrix<T>& b);

/// The same on the given triangle of A (the other one is neither read nor written).
template <class T>
void cholesky_solve(BasicDistMatrix<T>& a, BasicDistMatrix<T>& b, Uplo triangle);

/// B ← A⁻¹B with the factor that cholesky_solve left in `triangle` of `factor` (p?potrs): one
/// more right-hand side for an existing factorisation (the refinement steps of a mixed solve).
template <class T>
void solve_with_cholesky(const BasicDistMatrix<T>& factor, BasicDistMatrix<T>& b, Uplo triangle);

/// Solves A·X = B for general square A (p?getrf + p?getrs, partial pivoting; ?getrf +
/// ?getrs on a 1x1 grid).
/// A is overwritten by its LU factors; B (n×r, same row blocks) by X.
/// @throws NumericalError (collective) when U(k,k) is exactly zero (A singular).
template <class T>
void lu_solve(BasicDistMatrix<T>& a, BasicDistMatrix<T>& b);

/// ‖A‖ in the given norm (pdlange); the same value on every rank.
double norm(Norm kind, const DistMatrix& a);

/// Copies `source` into `target` of the same global shape, which may use other blocks or another
/// grid over the same ranks (pdgemr2d).
/// @throws Error when the shapes differ or the grids are not over the same ranks.
void redistribute(const DistMatrix& source, DistMatrix& target);

}  // namespace drfm::dist
