// The kernel family element by element against the formulas of methods.md §2.1/§2.3 written with
// std::exp and std::pow, and the branch-free exp of the element-wise kernels against std::exp.
#include "drfm/kernel/kernel_block.hpp"
#include "support/test_utils.hpp"

#include <cmath>
#include <limits>

namespace drfm {
namespace {

TEST(ExpNonpositiveTest, MatchesStdExpToTwoUlpsDownToTheSubnormalRange) {
    double worst = 0.0;
    for (double x = -708.0; x <= 0.0; x += 0.00137) {
        const double ref = std::exp(x);
        worst = std::max(worst, std::abs(kernel::exp_nonpositive(x) - ref) / ref);
    }
    for (double x = -1e-6; x < 0.0; x += 1.3e-9) {  // the kernel's near-diagonal arguments
        const double ref = std::exp(x);
        worst = std::max(worst, std::abs(kernel::exp_nonpositive(x) - ref) / ref);
    }
    EXPECT_LE(worst, 4.5e-16) << "largest relative error";
    EXPECT_EQ(kernel::exp_nonpositive(0.0), 1.0);  // the kernel diagonal is exactly 1
    EXPECT_EQ(kernel::exp_nonpositive(-0.0), 1.0);
    EXPECT_EQ(kernel::exp_nonpositive(-708.5), 0.0);
    EXPECT_EQ(kernel::exp_nonpositive(-std::numeric_limits<double>::infinity()), 0.0);
    EXPECT_TRUE(std::isnan(kernel::exp_nonpositive(std::numeric_limits<double>::quiet_NaN())));
}

TEST(ExpNonpositiveTest, FloatMatchesStdExpToTwoFloatUlps) {
    double worst = 0.0;
    for (float x = -87.0f; x <= 0.0f; x += 0.00137f) {
        const double ref = std::exp(static_cast<double>(x));
        worst = std::max(worst, std::abs(kernel::exp_nonpositive(x) - ref) / ref);
    }
    EXPECT_LE(worst, 2.4e-7) << "largest relative error";  // 2 ulps of float
    EXPECT_EQ(kernel::exp_nonpositive(0.0f), 1.0f);
    EXPECT_EQ(kernel::exp_nonpositive(-87.5f), 0.0f);
    EXPECT_TRUE(std::isnan(kernel::exp_nonpositive(std::numeric_limits<float>::quiet_NaN())));
}

HostMatrix random_points(std::int64_t n, std::int64_t d, double phase) {
    HostMatrix x("drfm::test::points", n, d);
    for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t j = 0; j < d; ++j) x(i, j) = 0.4 * std::sin(1.7 * i + 0.9 * j + phase);
    return x;
}

// k and w of methods.md §2.1/§2.3 from the points themselves: k = exp(−(r/L)^p), w = k·r^{p−2}.
double reference_value(const kernel::KernelFunction& kf, double r) {
    return std::exp(-std::pow(r / kf.length, kf.exponent));
}
double reference_weight(const kernel::KernelFunction& kf, double r) {
    if (r < kernel::KernelFunction::min_distance) return 0.0;
    return reference_value(kf, r) * std::pow(r, kf.exponent - 2.0);
}

TEST(KernelBlockTest, EveryKernelAndValueMatchesItsFormula) {
    const std::int64_t m = 37, n = 29, d = 5;
    const HostMatrix a = random_points(m, d, 0.0);
    HostMatrix b = random_points(n, d, 0.3);
    const std::int64_t duplicate = n - 1;  // the sample a(2) under another id
    for (std::int64_t j = 0; j < d; ++j) b(duplicate, j) = a(2, j);
    kernel::GlobalIds a_ids(m), b_ids(n);
    for (std::int64_t i = 0; i < m; ++i) a_ids[i] = i;
    // b_ids[0..26] meet a_ids 10..36: self pairs.
    for (std::int64_t i = 0; i < n; ++i) b_ids[i] = 10 + i;
    b_ids[duplicate] = 1000;

    const kernel::KernelFunction kernels[] = {{1.0, 2.0}, {2.0, std::sqrt(2.0) * 1.5}, {1.5, 0.8}};
    for (const auto& kf : kernels) {
        for (auto what : {kernel::BlockValue::kernel, kernel::BlockValue::gradient_weight}) {
            HostMatrix out("drfm::test::block", m, n), shifted("drfm::test::shifted", m, n);
            kernel::kernel_block(kf, what, a, kernel::squared_row_norms(a), a_ids, b,
                                 kernel::squared_row_norms(b), b_ids, out);
            const double ridge = 0.25;
            kernel::kernel_block(kf, what, a, kernel::squared_row_norms(a), a_ids, b,
                                 kernel::squared_row_norms(b), b_ids, shifted, ridge);
            for (std::int64_t i = 0; i < m; ++i)
                for (std::int64_t j = 0; j < n; ++j) {
                    double r2 = 0.0;
                    for (std::int64_t t = 0; t < d; ++t)
                        r2 += (a(i, t) - b(j, t)) * (a(i, t) - b(j, t));
                    const bool self = a_ids[i] == b_ids[j];
                    const double r = self ? 0.0 : std::sqrt(r2);
                    SCOPED_TRACE(testing::Message() << "p = " << kf.exponent << ", weights "
                                                    << (what == kernel::BlockValue::gradient_weight)
                                                    << ", pair (" << i << ", " << j << ")");
                    if (what == kernel::BlockValue::kernel) {
                        if (self) EXPECT_EQ(out(i, j), 1.0);
                        else EXPECT_TRUE(test::near_rel(out(i, j), reference_value(kf, r), 1e-12));
                    } else if (self || (i == 2 && j == duplicate)) {
                        EXPECT_EQ(out(i, j), 0.0);  // the self term, and a zero distance
                    } else {
                        // r from ‖a‖² + ‖b‖² − 2a·b loses digits against r from a − b: 1e-9.
                        EXPECT_TRUE(test::near_rel(out(i, j), reference_weight(kf, r), 1e-9));
                    }
                    // The ridge of K + λI lands on the kernel's self pairs, and on nothing else.
                    const bool ridged = self && what == kernel::BlockValue::kernel;
                    EXPECT_EQ(shifted(i, j), ridged ? 1.0 + ridge : out(i, j));
                }
        }
    }
}

// A tile of a larger matrix (leading dimension > rows), as assemble_triangle passes: the same
// values as a block of its own, bit for bit, and not one entry outside the tile written.
TEST(KernelBlockTest, WritesATileOfALargerMatrixInPlace) {
    const std::int64_t m = 23, n = 17, d = 6, r0 = 5, c0 = 3;
    const HostMatrix a = random_points(m, d, 0.1), b = random_points(n, d, 0.7);
    kernel::GlobalIds a_ids(m), b_ids(n);
    for (std::int64_t i = 0; i < m; ++i) a_ids[i] = 2 * i;
    for (std::int64_t j = 0; j < n; ++j) b_ids[j] = 3 * j;  // 0, 6, 12, ...: some self pairs
    const kernel::KernelFunction kf{1.0, 2.0};
    HostMatrix own("drfm::test::own", m, n);
    kernel::kernel_block(kf, kernel::BlockValue::kernel, a, kernel::squared_row_norms(a), a_ids, b,
                         kernel::squared_row_norms(b), b_ids, own, 0.5);

    const double sentinel = -7.0;
    HostMatrix big("drfm::test::big", m + 9, n + 4);
    Kokkos::deep_copy(big, sentinel);
    kernel::kernel_block(kf, kernel::BlockValue::kernel, a, kernel::squared_row_norms(a), a_ids, b,
                         kernel::squared_row_norms(b), b_ids, blas::MatRef(big).block(r0, m, c0, n),
                         0.5);
    std::int64_t ones = 0;
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(big.extent(0)); ++i)
        for (std::int64_t j = 0; j < static_cast<std::int64_t>(big.extent(1)); ++j) {
            const bool inside = i >= r0 && i < r0 + m && j >= c0 && j < c0 + n;
            ASSERT_EQ(big(i, j), inside ? own(i - r0, j - c0) : sentinel)
                << "(" << i << ", " << j << ")";
            ones += inside && big(i, j) == 1.5;
        }
    EXPECT_EQ(ones, 8);  // ids 0, 6, ..., 42 are in both lists: their pairs hold 1 + 0.5
}

// The block on the execution space (KokkosBlas GEMM, kernel::BlockSide) against the same block
// from the host BLAS wrapper (blas::gemm) and the kernel function evaluated on the host, in T.
template <class T>
void expect_kokkos_blas_tiles_match_host_blas(double tol) {
    const std::int64_t m = 41, n = 33, d = 19;
    const HostMatrixOf<T> a = in_precision<T>(random_points(m, d, 0.2), "drfm::test::a");
    const HostMatrixOf<T> b = in_precision<T>(random_points(n, d, 0.9), "drfm::test::b");
    kernel::GlobalIds a_ids(m), b_ids(n);
    for (std::int64_t i = 0; i < m; ++i) a_ids[i] = i;
    for (std::int64_t j = 0; j < n; ++j) b_ids[j] = 2 * j;
    const kernel::KernelFunction kf{1.0, 2.0};

    const DeviceMatrixOf<T> device("drfm::test::device_tile", m, n);
    kernel::kernel_block(kf, kernel::BlockValue::kernel, kernel::block_side(a, a_ids),
                         kernel::block_side(b, b_ids), device, 0.5);
    const auto got = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), device);

    HostMatrixOf<T> cross("drfm::test::cross", m, n);
    blas::gemm(blas::Op::none, blas::Op::transpose, T(-2), a, b, T(0), cross);
    const HostVectorOf<T> an = kernel::squared_row_norms(a), bn = kernel::squared_row_norms(b);
    double worst = 0.0;
    for (std::int64_t i = 0; i < m; ++i)
        for (std::int64_t j = 0; j < n; ++j) {
            const double d2 = std::max(0.0, static_cast<double>(an(i) + bn(j) + cross(i, j)));
            const double want = a_ids[i] == b_ids[j] ? 1.5 : static_cast<T>(kf.value(d2));
            worst = std::max(worst, std::abs(got(i, j) - want) / want);
        }
    EXPECT_LE(worst, tol);
}

TEST(KernelBlockTest, KokkosBlasTilesMatchHostBlasTiles) {
    // Both GEMMs are OpenBLAS's on a host backend, through different wrappers: equal to rounding.
    expect_kokkos_blas_tiles_match_host_blas<double>(1e-14);
    expect_kokkos_blas_tiles_match_host_blas<float>(1e-6);
}

}  // namespace
}  // namespace drfm
