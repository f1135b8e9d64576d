#include "linalg.hpp"

#include "drfm/core/error.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace drfm::analysis::detail {

blas::MatRef mat_ref(const ConstRef& m) {
    // BLAS wants a leading dimension >= 1 even for an empty block.
    std::int64_t ld = std::max<std::int64_t>({1, m.rows(), m.outerStride()});
    return blas::MatRef(const_cast<double*>(m.data()), m.rows(), m.cols(), ld);
}

void add_gram_upper(const ConstRef& a, Eigen::Ref<Eigen::MatrixXd> c) {
    if (a.rows() == 0) return;
    blas::syrk_upper_t(1.0, mat_ref(a), 1.0, mat_ref(c));
}

void add_cross(const ConstRef& a, const ConstRef& b, Eigen::Ref<Eigen::MatrixXd> c) {
    if (a.rows() == 0) return;
    blas::gemm(blas::Op::transpose, blas::Op::none, 1.0, mat_ref(a), mat_ref(b), 1.0, mat_ref(c));
}

Eigen::MatrixXd product(const ConstRef& a, const ConstRef& b) {
    Eigen::MatrixXd c = Eigen::MatrixXd::Zero(a.rows(), b.cols());
    if (a.cols() == 0) return c;
    blas::gemm(blas::Op::none, blas::Op::none, 1.0, mat_ref(a), mat_ref(b), 0.0, mat_ref(c));
    return c;
}

}  // namespace drfm::analysis::detail
