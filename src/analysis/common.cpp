#include "common.hpp"

#include "drfm/core/error.hpp"

#include <algorithm>

namespace drfm::analysis::detail {

ConstHostMap eigen_view(const HostMatrix& m) {
    auto rows = static_cast<Eigen::Index>(m.extent(0));
    auto cols = static_cast<Eigen::Index>(m.extent(1));
    auto ld = std::max<Eigen::Index>(rows, static_cast<Eigen::Index>(m.stride(1)));
    return ConstHostMap(m.data(), rows, cols, Eigen::OuterStride<>(ld));
}

Eigen::Index agreed_columns(const HostMatrix& m, const char* what, const mpi::Comm& comm) {
    auto cols = static_cast<std::int64_t>(m.extent(1));
    std::int64_t lo = comm.min(cols), hi = comm.max(cols);
    if (lo != hi) {
        auto message = ::drfm::detail::concat("analysis: ", what, " has between ", lo, " and ", hi,
                                              " columns across ranks; every rank must pass the "
                                              "same width");
        throw collective(InputDataError(message, __FILE__, __LINE__));
    }
    return static_cast<Eigen::Index>(cols);
}

}  // namespace drfm::analysis::detail
