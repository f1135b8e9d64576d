#pragma once
// Helpers shared by the tests: the world communicator and comparisons with stated tolerances.
#include "drfm/core/views.hpp"
#include "drfm/mpi/comm.hpp"

#include <Eigen/Dense>
#include <gtest/gtest.h>

#include <cmath>

namespace drfm::test {

inline mpi::Comm world() { return mpi::Comm::borrow(MPI_COMM_WORLD); }

/// |a - b| <= tol * max(|b|, floor): relative with an absolute floor, so entries that should be
/// zero do not fail spuriously.
inline ::testing::AssertionResult near_rel(double a, double b, double tol, double floor = 1e-300) {
    double scale = std::max(std::abs(b), floor);
    if (std::abs(a - b) <= tol * scale) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << a << " vs " << b << ": relative difference "
                                         << std::abs(a - b) / scale << " > " << tol;
}

/// Copy of a host matrix into Eigen (column-major, same shape).
inline Eigen::MatrixXd to_eigen(const HostMatrix& m) {
    Eigen::MatrixXd out(m.extent(0), m.extent(1));
    for (size_t j = 0; j < m.extent(1); ++j)
        for (size_t i = 0; i < m.extent(0); ++i) out(i, j) = m(i, j);
    return out;
}

/// Relative Frobenius distance ‖a − b‖ / max(‖b‖, tiny).
inline double rel_fro(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    return (a - b).norm() / std::max(b.norm(), 1e-300);
}

}  // namespace drfm::test
