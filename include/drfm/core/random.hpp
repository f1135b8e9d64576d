#pragma once
/// @file
/// Counter-based random numbers (Philox4x32-10, Salmon et al., SC'11). A value is a pure function of
/// (seed, stream, layer, row, column), so every rank computes exactly the entries it owns and
/// results do not depend on the number of ranks, the process grid or the block size. Usable inside
/// Kokkos kernels on any backend.
#include "drfm/core/kokkos_compat.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace drfm::random {

/// Independent purposes draw from independent streams.
enum Stream : std::uint32_t {
    synthetic_data = 1,   ///< synthetic dataset: class centres and noise
    relu_weights = 2,     ///< W of ReLU features
    fourier_freqs = 3,    ///< Cauchy frequencies of cosine features
    fourier_phases = 4,   ///< uniform phases of cosine features
    balanced_subset = 5,  ///< reserved for random class-balanced sampling
};

struct Philox4x32 {
    std::uint32_t v[4];
};

/// Philox4x32 with 10 rounds on counter (c0..c3) and key (k0, k1).
KOKKOS_INLINE_FUNCTION Philox4x32 philox4x32(std::uint32_t c0, std::uint32_t c1, std::uint32_t c2,
                                             std::uint32_t c3, std::uint32_t k0, std::uint32_t k1) {
    constexpr std::uint64_t m0 = 0xD2511F53u, m1 = 0xCD9E8D57u;
    constexpr std::uint32_t w0 = 0x9E3779B9u, w1 = 0xBB67AE85u;
    for (int round = 0; round < 10; ++round) {
        std::uint64_t p0 = m0 * c0, p1 = m1 * c2;
        std::uint32_t hi0 = static_cast<std::uint32_t>(p0 >> 32), lo0 = static_cast<std::uint32_t>(p0);
        std::uint32_t hi1 = static_cast<std::uint32_t>(p1 >> 32), lo1 = static_cast<std::uint32_t>(p1);
        std::uint32_t n0 = hi1 ^ c1 ^ k0, n1 = lo1, n2 = hi0 ^ c3 ^ k1, n3 = lo0;
        c0 = n0; c1 = n1; c2 = n2; c3 = n3;
        k0 += w0; k1 += w1;
    }
    return Philox4x32{{c0, c1, c2, c3}};
}

/// The 128 random bits of entry (row, col) of `layer` in `stream` under `seed`.
KOKKOS_INLINE_FUNCTION Philox4x32 bits(std::uint64_t seed, std::uint32_t stream, std::uint32_t layer,
                                       std::uint64_t row, std::uint64_t col) {
    // Rows and columns below 2^32 each; layer and stream share the last counter word.
    return philox4x32(static_cast<std::uint32_t>(row), static_cast<std::uint32_t>(col),
                      layer, stream ^ (static_cast<std::uint32_t>(row >> 32) << 8) ^
                                 (static_cast<std::uint32_t>(col >> 32) << 20),
                      static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32));
}

/// Uniform in [0, 1) with 53 random bits from words (a, b).
KOKKOS_INLINE_FUNCTION double unit_double(std::uint32_t a, std::uint32_t b) {
    std::uint64_t x = (static_cast<std::uint64_t>(a) << 32) | b;
    return static_cast<double>(x >> 11) * (1.0 / 9007199254740992.0);
}

/// Uniform in [lo, hi).
KOKKOS_INLINE_FUNCTION double uniform(std::uint64_t seed, std::uint32_t stream, std::uint32_t layer,
                                      std::uint64_t row, std::uint64_t col, double lo, double hi) {
    Philox4x32 r = bits(seed, stream, layer, row, col);
    return lo + (hi - lo) * unit_double(r.v[0], r.v[1]);
}

/// Standard normal by Box-Muller on the two halves of the 128 bits.
KOKKOS_INLINE_FUNCTION double normal(std::uint64_t seed, std::uint32_t stream, std::uint32_t layer,
                                     std::uint64_t row, std::uint64_t col) {
    Philox4x32 r = bits(seed, stream, layer, row, col);
    double u1 = 1.0 - unit_double(r.v[0], r.v[1]);  // (0, 1]: log is finite
    double u2 = unit_double(r.v[2], r.v[3]);
    return math::sqrt(-2.0 * math::log(u1)) * math::cos(6.283185307179586 * u2);
}

/// Cauchy(0, scale) by inversion: scale · tan(π (u − 1/2)).
KOKKOS_INLINE_FUNCTION double cauchy(std::uint64_t seed, std::uint32_t stream, std::uint32_t layer,
                                     std::uint64_t row, std::uint64_t col, double scale) {
    Philox4x32 r = bits(seed, stream, layer, row, col);
    double u = unit_double(r.v[0], r.v[1]);
    if (u == 0.0) u = 0.5 / 9007199254740992.0;  // tan(-π/2) is infinite
    return scale * math::tan(3.141592653589793 * (u - 0.5));
}

}  // namespace drfm::random
