#include "drfm/features/random_features.hpp"

#include "drfm/core/device_blas.hpp"
#include "drfm/core/kokkos_compat.hpp"
#include "drfm/core/random.hpp"

#include <cmath>

namespace drfm::features {

FeatureWeights make_weights(const config::ModelConfig& model, int layer, std::int64_t d) {
    FeatureWeights out;
    out.map = model.features;
    const bool cosine = model.features == config::FeatureMap::cosine;
    const std::int64_t width = cosine ? d : model.width;
    DeviceMatrix w(Kokkos::view_alloc("drfm::features::weights", Kokkos::WithoutInitializing), width, d);
    DeviceVector phase("drfm::features::phase", cosine ? width : 0);
    const std::uint64_t seed = model.seed;
    const std::uint32_t l = static_cast<std::uint32_t>(layer);
    const double bound = 1.0 / std::sqrt(static_cast<double>(d)), gamma = model.rff_gamma;
    Kokkos::parallel_for(
        "drfm::features::make_weights",
        ColumnMajorPolicy<2>({0, 0}, {width, d}),
        KOKKOS_LAMBDA(const std::int64_t a, const std::int64_t b) {
            w(a, b) = cosine ? random::cauchy(seed, random::fourier_freqs, l, a, b, gamma)
                             : random::uniform(seed, random::relu_weights, l, a, b, -bound, bound);
            if (cosine && b == 0)
                phase(a) = random::uniform(seed, random::fourier_phases, l, a, 0, 0.0, 6.283185307179586);
        });
    out.w = to_host(w);
    out.phase = to_host(phase);
    return out;
}

template <class T>
HostMatrixOf<T> apply(const FeatureWeights& weights, const HostMatrixOf<T>& rows) {
    const std::int64_t n = rows.extent(0), width = weights.w.extent(0);
    HostMatrixOf<T> out = make_host_matrix<T>("drfm::features::phi", n, width);
    // R Wᵀ on the execution space (KokkosBlas), the activation there, one copy back.
    const DeviceMatrixOf<T> r = to_device(rows);
    const DeviceMatrixOf<T> w = to_device(in_precision<T>(weights.w, "drfm::features::weights"));
    const DeviceMatrixOf<T> o = Kokkos::create_mirror_view(MemSpace(), out);
    blas::device_gemm(blas::Op::none, blas::Op::transpose, T(1), r, w, T(0), o);
    auto phase = to_device(weights.phase);
    const bool cosine = weights.map == config::FeatureMap::cosine;
    const double amplitude = std::sqrt(2.0 / static_cast<double>(width));
    Kokkos::parallel_for(
        "drfm::features::activation",
        ColumnMajorPolicy<2>({0, 0}, {n, width}),
        KOKKOS_LAMBDA(const std::int64_t i, const std::int64_t a) {
            o(i, a) = cosine ? static_cast<T>(amplitude * math::cos(o(i, a) + phase(a)))
                             : (o(i, a) > T(0) ? o(i, a) : T(0));
        });
    Kokkos::deep_copy(out, o);
    return out;
}

template HostMatrix apply(const FeatureWeights&, const HostMatrix&);
template HostMatrixOf<float> apply(const FeatureWeights&, const HostMatrixOf<float>&);

template <class T>
void normalise_rows(const HostMatrixOf<T>& rows) {
    auto x = to_device(rows);
    const std::int64_t d = rows.extent(1);
    Kokkos::parallel_for(
        "drfm::features::normalise_rows", Kokkos::RangePolicy<ExecSpace>(0, rows.extent(0)),
        KOKKOS_LAMBDA(const std::int64_t i) {
            double s = 0.0;
            for (std::int64_t j = 0; j < d; ++j) s += static_cast<double>(x(i, j)) * x(i, j);
            const double inv = s > 0.0 ? 1.0 / math::sqrt(s) : 0.0;
            for (std::int64_t j = 0; j < d; ++j) x(i, j) = static_cast<T>(x(i, j) * inv);
        });
    Kokkos::deep_copy(rows, x);
}

template void normalise_rows(const HostMatrix&);
template void normalise_rows(const HostMatrixOf<float>&);

}  // namespace drfm::features
