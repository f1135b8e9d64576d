#pragma once
// Helpers of the analysis tests: distributing a global (test-sized) matrix by contiguous row
// blocks, as the data module does, and the one-rank communicator used as the serial reference.
#include "drfm/core/row_partition.hpp"
#include "support/test_utils.hpp"

#include <vector>

namespace drfm::test {

/// This rank's contiguous block of rows of `global`, as a host matrix of scalar T (rounded).
template <class T = double>
HostMatrixOf<T> local_rows(const Eigen::MatrixXd& global, const mpi::Comm& comm) {
    RowPartition part(global.rows(), comm.size());
    auto begin = part.begin(comm.rank()), count = part.count(comm.rank());
    HostMatrixOf<T> out("drfm::test::local_rows", count, global.cols());
    for (Eigen::Index j = 0; j < global.cols(); ++j)
        for (std::int64_t i = 0; i < count; ++i) out(i, j) = static_cast<T>(global(begin + i, j));
    return out;
}

/// `m` rounded to float: the values that float rows of it hold.
inline Eigen::MatrixXd rounded_to_float(const Eigen::MatrixXd& m) {
    return m.cast<float>().cast<double>();
}

/// This rank's block of a per-sample vector.
inline std::vector<int> local_entries(const std::vector<int>& global, const mpi::Comm& comm) {
    RowPartition part(static_cast<std::int64_t>(global.size()), comm.size());
    auto first = global.begin() + part.begin(comm.rank());
    return std::vector<int>(first, first + part.count(comm.rank()));
}

/// A communicator holding only this rank: each rank computes the whole problem serially.
inline mpi::Comm self_comm(const mpi::Comm& comm) { return comm.split(comm.rank(), 0); }

}  // namespace drfm::test
