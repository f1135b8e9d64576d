#pragma once
/// @file
/// Private to drfm::analysis: views and checks shared by the metric files.
#include "drfm/core/views.hpp"
#include "drfm/mpi/comm.hpp"

#include <Eigen/Dense>

#include <cstdint>

namespace drfm::analysis::detail {

/// Read-only Eigen view of a column-major HostMatrix (no copy; leading dimension from the View).
using ConstHostMap = Eigen::Map<const Eigen::MatrixXd, 0, Eigen::OuterStride<>>;
ConstHostMap eigen_view(const HostMatrix& m);

/// Rows are processed in blocks of this many so that extra memory stays O(block·p) while each
/// centred block is formed exactly (no cancellation from expanded sums).
constexpr Eigen::Index row_block = 512;

/// The column count of `m`, checked to be the same on every rank (collective).
/// @throws InputDataError (collective) naming `what` when the ranks disagree.
Eigen::Index agreed_columns(const HostMatrix& m, const char* what, const mpi::Comm& comm);

}  // namespace drfm::analysis::detail
