#include "drfm/agop/matrix_sqrt.hpp"

#include "drfm/core/blas.hpp"
#include "drfm/core/device_blas.hpp"
#include "drfm/core/error.hpp"
#include "drfm/core/symmetric_eigen.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <functional>

namespace drfm::agop {

FeatureMatrix normalise_and_sqrt(const HostMatrix& agop, double cutoff) {
    const std::int64_t d = agop.extent(0);
    const bool diagonal = agop.extent(1) == 1 && d != 1;
    FeatureMatrix out;
    double max_entry = -std::numeric_limits<double>::infinity();
    bool finite = true;
    for (size_t i = 0; i < agop.size(); ++i) {
        max_entry = std::max(max_entry, agop.data()[i]);
        finite = finite && std::isfinite(agop.data()[i]);
    }
    DRFM_CHECK(finite, NumericalError, "the AGOP has non-finite entries (NaN or Inf); the kernel solve "
               "was probably ill-conditioned: increase model.ridge (with model.precision = "
               "\"float32\": or use \"mixed\" or \"float64\")");
    DRFM_CHECK(max_entry > 0.0, NumericalError, "the AGOP is zero (max entry ", max_entry,
               "): the predictor is constant; check the labels and model.bandwidth");
    out.max_entry = max_entry;
    out.m = make_host_matrix("drfm::agop::M", d, agop.extent(1));
    out.sqrt_m = make_host_matrix("drfm::agop::sqrtM", d, agop.extent(1));
    for (size_t i = 0; i < agop.size(); ++i) out.m.data()[i] = agop.data()[i] / max_entry;

    if (diagonal) {
        for (std::int64_t j = 0; j < d; ++j) {
            out.sqrt_m(j, 0) = std::sqrt(std::max(0.0, out.m(j, 0)));
            out.eigenvalues.push_back(out.m(j, 0));
        }
        std::sort(out.eigenvalues.begin(), out.eigenvalues.end(), std::greater<>());
        return out;
    }
    const SymmetricEigen eig = symmetric_eigen(Eigen::Map<const Eigen::MatrixXd>(out.m.data(), d, d), true);
    const double floor = cutoff > 0.0 ? cutoff * eig.values.maxCoeff() : 0.0;
    const Eigen::VectorXd root =
        (eig.values.array() < floor).select(0.0, eig.values.array().max(0.0)).sqrt().matrix();
    Eigen::Map<Eigen::MatrixXd>(out.sqrt_m.data(), d, d) =
        eig.vectors * root.asDiagonal() * eig.vectors.transpose();
    out.eigenvalues.assign(eig.values.data(), eig.values.data() + d);
    return out;
}

FeatureMatrix identity_feature_matrix(std::int64_t d, bool diagonal) {
    FeatureMatrix out;
    out.m = HostMatrix("drfm::agop::M", d, diagonal ? 1 : d);
    for (std::int64_t j = 0; j < d; ++j) out.m(j, diagonal ? 0 : j) = 1.0;
    out.sqrt_m = out.m;
    out.eigenvalues.assign(static_cast<size_t>(d), 1.0);
    out.max_entry = 1.0;
    return out;
}

template <class T>
HostMatrixOf<T> transform(const HostMatrixOf<T>& points, const HostMatrixOf<T>& sqrt_m) {
    const std::int64_t n = points.extent(0), d = points.extent(1);
    HostMatrixOf<T> out = make_host_matrix<T>("drfm::agop::transformed", n, d);
    if (sqrt_m.extent(1) == 1 && d != 1) {
        auto p = to_device(points);
        auto s = to_device(sqrt_m);
        auto o = to_device(out);
        Kokkos::parallel_for(
            "drfm::agop::transform_diagonal",
            ColumnMajorPolicy<2>({0, 0}, {n, d}),
            KOKKOS_LAMBDA(const std::int64_t i, const std::int64_t j) { o(i, j) = p(i, j) * s(j, 0); });
        Kokkos::deep_copy(out, o);
        return out;
    }
    const DeviceMatrixOf<T> o = Kokkos::create_mirror_view(MemSpace(), out);
    blas::device_gemm(blas::Op::none, blas::Op::none, T(1), DeviceMatrixOf<T>(to_device(points)),
                      DeviceMatrixOf<T>(to_device(sqrt_m)), T(0), o);
    Kokkos::deep_copy(out, o);
    return out;
}

template HostMatrix transform(const HostMatrix&, const HostMatrix&);
template HostMatrixOf<float> transform(const HostMatrixOf<float>&, const HostMatrixOf<float>&);

}  // namespace drfm::agop
