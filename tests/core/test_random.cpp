#include "drfm/core/random.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace drfm {

// Known-answer vectors of Philox4x32-10 from the Random123 distribution (kat_vectors).
TEST(RandomTest, PhiloxMatchesRandom123KnownAnswers) {
    auto zero = random::philox4x32(0, 0, 0, 0, 0, 0);
    EXPECT_EQ(zero.v[0], 0x6627e8d5u);
    EXPECT_EQ(zero.v[1], 0xe169c58du);
    EXPECT_EQ(zero.v[2], 0xbc57ac4cu);
    EXPECT_EQ(zero.v[3], 0x9b00dbd8u);

    auto ones = random::philox4x32(~0u, ~0u, ~0u, ~0u, ~0u, ~0u);
    EXPECT_EQ(ones.v[0], 0x408f276du);
    EXPECT_EQ(ones.v[1], 0x41c83b0eu);
    EXPECT_EQ(ones.v[2], 0xa20bc7c6u);
    EXPECT_EQ(ones.v[3], 0x6d5451fdu);

    auto pi = random::philox4x32(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u,
                                 0x299f31d0u);
    EXPECT_EQ(pi.v[0], 0xd16cfe09u);
    EXPECT_EQ(pi.v[1], 0x94fdccebu);
    EXPECT_EQ(pi.v[2], 0x5001e420u);
    EXPECT_EQ(pi.v[3], 0x24126ea1u);
}

// Moments over 200k draws agree with the distributions to a few standard errors.
TEST(RandomTest, UniformAndNormalMomentsMatchTheirDistributions) {
    const int n = 200000;
    double su = 0, suu = 0, sn = 0, snn = 0;
    for (int i = 0; i < n; ++i) {
        double u = random::uniform(7, random::relu_weights, 3, i / 400, i % 400, -1.0, 1.0);
        double z = random::normal(7, random::synthetic_data, 0, i, 5);
        su += u; suu += u * u; sn += z; snn += z * z;
    }
    EXPECT_NEAR(su / n, 0.0, 5 * std::sqrt(1.0 / 3 / n));
    EXPECT_NEAR(suu / n, 1.0 / 3, 5 * std::sqrt(4.0 / 45 / n));
    EXPECT_NEAR(sn / n, 0.0, 5 / std::sqrt(n));
    EXPECT_NEAR(snn / n, 1.0, 5 * std::sqrt(2.0 / n));
}

// Cauchy has no mean: check its quartiles (±scale) instead.
TEST(RandomTest, CauchyQuartilesArePlusMinusScale) {
    const int n = 200000;
    const double scale = 0.3;
    int below = 0, inside = 0;
    for (int i = 0; i < n; ++i) {
        double c = random::cauchy(1, random::fourier_freqs, 2, i, 0, scale);
        below += c < 0;
        inside += std::abs(c) < scale;
    }
    EXPECT_NEAR(below / double(n), 0.5, 5 * 0.5 / std::sqrt(n));
    EXPECT_NEAR(inside / double(n), 0.5, 5 * 0.5 / std::sqrt(n));
}

TEST(RandomTest, StreamsLayersRowsAndColumnsGiveDistinctValues) {
    double base = random::uniform(0, random::relu_weights, 1, 2, 3, 0, 1);
    EXPECT_NE(base, random::uniform(0, random::fourier_freqs, 1, 2, 3, 0, 1));
    EXPECT_NE(base, random::uniform(0, random::relu_weights, 2, 2, 3, 0, 1));
    EXPECT_NE(base, random::uniform(0, random::relu_weights, 1, 3, 2, 0, 1));
    EXPECT_NE(base, random::uniform(1, random::relu_weights, 1, 2, 3, 0, 1));
    EXPECT_EQ(base, random::uniform(0, random::relu_weights, 1, 2, 3, 0, 1));
}

}  // namespace drfm
