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
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace drfm::kernel {

/// exp(x) for the kernel's argument x ≤ 0 to 1 ulp (a degree-13 Taylor polynomial after
/// x = k·ln2 + r, |r| ≤ ln2/2); 0 below −708, where exp is subnormal; NaN stays NaN. Branch-free
/// arithmetic, so the element-wise passes vectorise wherever the target has vector units (the libm
/// exp is a call the compiler cannot vectorise: it was 30 % of a kernel block, bench/RESULTS.md).
KOKKOS_INLINE_FUNCTION double exp_nonpositive(double x) {
    const double underflow = -708.0;
    const double xc = x < underflow ? underflow : x;
    // Adding 1.5·2^52 rounds x/ln2 to the integer k and leaves k in the low bits of the mantissa.
    const double shifter = 6755399441055744.0;
    const double t = xc * 1.4426950408889634 + shifter;
    const double k = t - shifter;
    const double r = (xc - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10;
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    std::uint64_t bits;
    std::memcpy(&bits, &t, sizeof bits);
    bits = (bits + 1023) << 52;  // 2^k as an IEEE double (−1021 ≤ k ≤ 0 here)
    double two_k;
    std::memcpy(&two_k, &bits, sizeof two_k);
    return x < underflow ? 0.0 : p * two_k;
}

/// The same in float to about 1 ulp of float (a degree-7 polynomial; 0 below −87, where exp is
/// subnormal in float): the element-wise passes of float32 tiles stay in float vector lanes.
KOKKOS_INLINE_FUNCTION float exp_nonpositive(float x) {
    const float underflow = -87.0f;
    const float xc = x < underflow ? underflow : x;
    // Adding 1.5·2^23 rounds x/ln2 to the integer k and leaves k in the low bits of the mantissa.
    const float shifter = 12582912.0f;
    const float t = xc * 1.44269504f + shifter;
    const float k = t - shifter;
    const float r = (xc - k * 0.693145752f) - k * 1.42860677e-6f;
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    std::uint32_t bits;
    std::memcpy(&bits, &t, sizeof bits);
    bits = (bits + 127u) << 23;  // 2^k as an IEEE float (−125 ≤ k ≤ 0 here)
    float two_k;
    std::memcpy(&two_k, &bits, sizeof two_k);
    return x < underflow ? 0.0f : p * two_k;
}

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

    /// The exponents with code of their own: p = 1 and p = 2 need no pow, whose call would keep the
    /// element-wise kernels from vectorising.
    enum class Power { one, two, general };
    Power power() const {
        return exponent == 1.0 ? Power::one : exponent == 2.0 ? Power::two : Power::general;
    }

    /// (‖x − z‖/L)^p from the squared distance, exact for p = 1 and p = 2; P must be power().
    /// T: the scalar of the tile (float for float32 tiles, computed in float throughout).
    template <Power P, class T = double>
    KOKKOS_INLINE_FUNCTION T scaled_power(T d2) const {
        const T r2 = d2 / static_cast<T>(length * length);
        if constexpr (P == Power::one) return math::sqrt(r2);
        else if constexpr (P == Power::two) return r2;
        else return math::pow(r2, static_cast<T>(0.5 * exponent));
    }
    template <Power P, class T = double>
    KOKKOS_INLINE_FUNCTION T value(T d2) const {
        return exp_nonpositive(-scaled_power<P, T>(d2));
    }
    /// w = k·‖x − z‖^{p−2}; 0 below the distance threshold.
    template <Power P, class T = double>
    KOKKOS_INLINE_FUNCTION T gradient_weight(T d2) const {
        const T k = value<P, T>(d2);
        T w;
        if constexpr (P == Power::two) w = k;
        else if constexpr (P == Power::one) w = k / math::sqrt(d2);
        else w = k * math::pow(d2, static_cast<T>(0.5 * (exponent - 2.0)));
        return d2 < static_cast<T>(min_distance * min_distance) ? T(0) : w;
    }

    /// f(std::integral_constant<Power, power()>): the compile-time form of this function's power.
    template <class F>
    decltype(auto) with_power(F&& f) const {
        switch (power()) {
            case Power::one: return f(std::integral_constant<Power, Power::one>());
            case Power::two: return f(std::integral_constant<Power, Power::two>());
            case Power::general: break;
        }
        return f(std::integral_constant<Power, Power::general>());
    }
    /// The same on the host, for any exponent (tests, scalar uses).
    double value(double d2) const {
        return with_power([&](auto p) { return value<decltype(p)::value>(d2); });
    }
    double gradient_weight(double d2) const {
        return with_power([&](auto p) { return gradient_weight<decltype(p)::value>(d2); });
    }
    /// s = p / L^p, the factor in front of the gradient sum.
    double gradient_scale() const { return exponent / std::pow(length, exponent); }
};

}  // namespace drfm::kernel
