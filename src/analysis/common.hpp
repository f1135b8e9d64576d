#pragma once
/// @file
/// Private to drfm::analysis: views and checks shared by the metric files.
#include "drfm/core/views.hpp"
#include "drfm/mpi/comm.hpp"

#include <Eigen/Dense>

#include <cstdint>
#include <type_traits>

namespace drfm::analysis::detail {

/// Read-only Eigen view of a column-major host matrix of scalar T (no copy; leading dimension
/// from the View). The metrics read float rows through it too and compute in double: a block of
/// rows is widened (in_double, below) where it is used, never the whole matrix.
template <class T>
using ConstHostMapOf = Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>, 0,
                                  Eigen::OuterStride<>>;
using ConstHostMap = ConstHostMapOf<double>;
template <class T>
ConstHostMapOf<T> eigen_view(const HostMatrixOf<T>& m);

/// Rows are processed in blocks of this many so that extra memory stays O(block·p) while each
/// centred block is formed exactly (no cancellation from expanded sums).
constexpr Eigen::Index row_block = 512;

/// The column count of `m`, checked to be the same on every rank (collective).
/// @throws InputDataError (collective) naming `what` when the ranks disagree.
/// An Eigen expression of rows in double: itself for double rows, widened element by element
/// for float ones (no copy until it is evaluated).
template <class Expression>
auto in_double(const Expression& rows) {
    if constexpr (std::is_same_v<typename Expression::Scalar, double>) return rows;
    else return rows.template cast<double>();
}

template <class T>
Eigen::Index agreed_columns(const HostMatrixOf<T>& m, const char* what, const mpi::Comm& comm);

/// Instantiates a function template of the metrics for both row scalars.
#define DRFM_ANALYSIS_FOR_ROW_SCALARS(MACRO) MACRO(double) MACRO(float)

}  // namespace drfm::analysis::detail
