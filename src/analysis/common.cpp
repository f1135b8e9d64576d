#include "common.hpp"

#include "drfm/core/error.hpp"

#include <algorithm>

namespace drfm::analysis::detail {

template <class T>
ConstHostMapOf<T> eigen_view(const HostMatrixOf<T>& m) {
    auto rows = static_cast<Eigen::Index>(m.extent(0));
    auto cols = static_cast<Eigen::Index>(m.extent(1));
    auto ld = std::max<Eigen::Index>(rows, static_cast<Eigen::Index>(m.stride(1)));
    return ConstHostMapOf<T>(m.data(), rows, cols, Eigen::OuterStride<>(ld));
}

template <class T>
Eigen::Index agreed_columns(const HostMatrixOf<T>& m, const char* what, const mpi::Comm& comm) {
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

#define DRFM_INSTANTIATE(T)                                                          \
    template ConstHostMapOf<T> eigen_view(const HostMatrixOf<T>&);                   \
    template Eigen::Index agreed_columns(const HostMatrixOf<T>&, const char*, const mpi::Comm&);
DRFM_ANALYSIS_FOR_ROW_SCALARS(DRFM_INSTANTIATE)
#undef DRFM_INSTANTIATE

}  // namespace drfm::analysis::detail
