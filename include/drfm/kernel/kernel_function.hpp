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
#include <utility>

namespace drfm::kernel {

/// The constants of exp_nonpositive per scalar: the Taylor degree that reaches 1 ulp on
/// |r| ≤ ln2/2, ln2 split in two for an exact k·ln2, and the IEEE layout for 2^k.
template <class T>
struct ExpConstants;
template <>
struct ExpConstants<double> {
    using Bits = std::uint64_t;
    static constexpr int degree = 13, mantissa_bits = 52, bias = 1023;
    static constexpr double underflow = -708.0;  // exp is subnormal below
    static constexpr double log2e = 1.4426950408889634;
    static constexpr double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
};
template <>
struct ExpConstants<float> {
    using Bits = std::uint32_t;
    static constexpr int degree = 7, mantissa_bits = 23, bias = 127;
    static constexpr float underflow = -87.0f;
    static constexpr float log2e = 1.44269504f;
    static constexpr float ln2_hi = 0.693145752f, ln2_lo = 1.42860677e-6f;
};

/// 1/j! in T, a compile-time constant (j! is exact in T for the degrees used, so this is the
/// correctly rounded literal).
template <class T>
constexpr T inverse_factorial(int j) {
    T f = 1;
    for (int i = 2; i <= j; ++i) f *= static_cast<T>(i);
    return T(1) / f;
}
template <class T, int J>
inline constexpr T inverse_factorial_v = inverse_factorial<T>(J);

/// Σ_{j ≤ D} r^j / j! by Horner from the top (J = 0, …, D − 1 walks j = D − 1, …, 0).
template <class T, int D, int... J>
KOKKOS_INLINE_FUNCTION T taylor_exp(T r, std::integer_sequence<int, J...>) {
    T p = inverse_factorial_v<T, D>;
    ((p = p * r + inverse_factorial_v<T, D - 1 - J>), ...);
    return p;
}

/// exp(x) for the kernel's argument x ≤ 0 to 1 ulp of T (double or float: a Taylor polynomial of
/// degree 13 or 7 after x = k·ln2 + r, |r| ≤ ln2/2); 0 where exp is subnormal (below −708 or
/// −87); NaN stays NaN. Branch-free arithmetic, so the element-wise passes vectorise wherever the
/// target has vector units (the libm exp is a call the compiler cannot vectorise: it was 30 % of a
/// kernel block, bench/RESULTS.md), float tiles in float lanes.
template <class T>
KOKKOS_INLINE_FUNCTION T exp_nonpositive(T x) {
    using E = ExpConstants<T>;
    const T xc = x < E::underflow ? E::underflow : x;
    // Adding 1.5·2^mantissa_bits rounds x/ln2 to the integer k and leaves k in the low bits of
    // the mantissa.
    const T shifter = T(1.5) * static_cast<T>(typename E::Bits(1) << E::mantissa_bits);
    const T t = xc * E::log2e + shifter;
    const T k = t - shifter;
    const T r = (xc - k * E::ln2_hi) - k * E::ln2_lo;
    const T p = taylor_exp<T, E::degree>(r, std::make_integer_sequence<int, E::degree>());
    typename E::Bits bits;
    std::memcpy(&bits, &t, sizeof bits);
    bits = (bits + E::bias) << E::mantissa_bits;  // 2^k in T's IEEE layout (k ≥ 2 − bias here)
    T two_k;
    std::memcpy(&two_k, &bits, sizeof two_k);
    return x < E::underflow ? T(0) : p * two_k;
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
