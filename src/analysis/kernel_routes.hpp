#pragma once
/// @file
/// Private to drfm::analysis: the pieces the two kernel-picture routes share, and the n×n route
/// (kernel_gram.cpp) as kernel_picture.cpp calls it.
#include "common.hpp"
#include "drfm/analysis/kernel_picture.hpp"
#include "drfm/dist/blacs_grid.hpp"

#include <Eigen/Dense>

namespace drfm::analysis::detail {

/// A route's result before the metrics: projections and its residual measure (see Spectrum).
struct RouteResult {
    KernelProjections projections;
    double eig_residual = 0;
};

/// Column means of [F Y] over all `samples` rows (zero when not centring): one Allreduce of
/// p + q numbers.
template <class T>
Eigen::RowVectorXd column_means(const ConstHostMapOf<T>& f, const Eigen::MatrixXd& y, double samples,
                                bool centred, const mpi::Comm& comm);

/// The n×n route of kernel_picture on checked inputs: f = my rows of F, y = my rows of [f* f]
/// (2C columns), `samples` = n > 0 rows in all.
/// @throws InputDataError (collective) when my row count is not RowPartition(n, ranks)'s.
template <class T>
RouteResult gram_route(const ConstHostMapOf<T>& f, const Eigen::MatrixXd& y, double samples,
                       bool centred, const dist::BlacsGrid& grid, int block_size);

}  // namespace drfm::analysis::detail
