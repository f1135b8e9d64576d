#pragma once
/// @file
/// The radial kernels of methods.md §2.1 as one family, k(x, z) = exp(−(‖x − z‖/L)^p), evaluated on
/// points already mapped by S = M^{1/2} (so ‖x − z‖_M = ‖xS − zS‖ and one code path serves every M):
///   laplace      p = 1, L = bandwidth
///   gaussian     p = 2, L = √2·bandwidth   (exp(−‖·‖²/(2 bandwidth²)), the rfm-library form)
///   gen_laplace  p = exponent, L = bandwidth (xRFM LaplaceKernel)
/// and the weight of the closed-form gradient (§2.3), ∇f_c(x) = s Σ_p α_pc w(x, z_p) M (z_p − x) with
/// s = p / L^p and w = k·‖x − z‖^{p−2}; pairs at distance < 1e-10 (and the self pair) contribute 0.
#include "drfm/config/config.hpp"
#include "drfm/core/kokkos_compat.hpp"

#include <Kokkos_Core.hpp>

#include <cmath>

namespace drfm::kernel {

struct KernelFunction {
    double exponent = 1.0;   ///< p
    double length = 2.0;     ///< L (effective)

    static KernelFunction from(const config::ModelConfig& model) {
        switch (model.kernel) {
            case config::KernelKind::gaussian: return {2.0, std::sqrt(2.0) * model.bandwidth};
            case config::KernelKind::gen_laplace: return {model.exponent, model.bandwidth};
            case config::KernelKind::laplace: break;
        }
        return {1.0, model.bandwidth};
    }

    /// The library's zero-distance threshold for gradient terms (§2.3).
    static constexpr double min_distance = 1e-10;

    /// (‖x − z‖/L)^p from the squared distance, exact for p = 1 and p = 2.
    KOKKOS_INLINE_FUNCTION double scaled_power(double d2) const {
        const double r2 = d2 / (length * length);
        if (exponent == 1.0) return math::sqrt(r2);
        if (exponent == 2.0) return r2;
        return math::pow(r2, 0.5 * exponent);
    }
    KOKKOS_INLINE_FUNCTION double value(double d2) const {
        return math::exp(-scaled_power(d2));
    }
    /// w = k·‖x − z‖^{p−2}; 0 below the distance threshold.
    KOKKOS_INLINE_FUNCTION double gradient_weight(double d2) const {
        if (d2 < min_distance * min_distance) return 0.0;
        const double k = value(d2);
        if (exponent == 2.0) return k;
        if (exponent == 1.0) return k / math::sqrt(d2);
        return k * math::pow(d2, 0.5 * (exponent - 2.0));
    }
    /// s = p / L^p, the factor in front of the gradient sum.
    double gradient_scale() const { return exponent / std::pow(length, exponent); }
};

}  // namespace drfm::kernel
