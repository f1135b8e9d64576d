// blas::device_gemm (core/device_blas.hpp) on views in the default execution space's memory, checked
// against a long-double triple loop in float and double and, in double, against the host wrapper
// blas::gemm (core/blas.hpp). Which KokkosBlas path a call took is read from the profiling region
// KokkosKernels pushes: "KokkosBlas::gemm[TPL_BLAS,double]" (cuBLAS: TPL_CUBLAS), against
// "KokkosBlas::gemm[noETI]" or "[ETI]" for its own kernel.
#include "drfm/core/blas.hpp"
#include "drfm/core/device_blas.hpp"

#include <Kokkos_Core.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace drfm::blas {
namespace {

template <class T>
using HostM = Kokkos::View<T**, Kokkos::LayoutLeft, Kokkos::HostSpace>;
template <class T>
using DeviceM = Kokkos::View<T**, Kokkos::LayoutLeft, Kokkos::DefaultExecutionSpace::memory_space>;

/// Entries uniform in (−1, 1), exactly representable in T, reproducible from the seed.
template <class T>
HostM<T> random_matrix(std::int64_t rows, std::int64_t cols, unsigned seed) {
    HostM<T> m("drfm::test::random", rows, cols);
    std::mt19937 gen(seed);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    for (std::int64_t j = 0; j < cols; ++j)
        for (std::int64_t i = 0; i < rows; ++i) m(i, j) = static_cast<T>(u(gen));
    return m;
}

template <class T, class View>
DeviceM<T> on_device(const View& host, const std::string& label) {
    DeviceM<T> d(label, host.extent(0), host.extent(1));
    Kokkos::deep_copy(d, host);
    return d;
}

template <class View>
auto on_host(const View& v) {
    return Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
}

template <class M>
auto op_entry(Op op, const M& x, std::int64_t i, std::int64_t j) {
    return op == Op::transpose ? x(j, i) : x(i, j);
}

/// Every entry of `got` within the GEMM error bound of the long-double product: 2(k + 2)·ε_T times
/// |alpha|·(|op(A)||op(B)|)_ij + |beta·C0_ij| (k products summed, one rounding each for alpha, beta
/// and the sum; the factor 2 leaves room for the reference's own rounding to T).
template <class T, class M>
::testing::AssertionResult matches_gemm(const M& got, Op op_a, Op op_b, T alpha, const HostM<T>& a,
                                        const HostM<T>& b, T beta, const HostM<T>& c0) {
    const std::int64_t m = got.extent(0), n = got.extent(1);
    const std::int64_t k = op_a == Op::transpose ? a.extent(0) : a.extent(1);
    const long double tol_factor = 2.0L * (k + 2) * std::numeric_limits<T>::epsilon();
    for (std::int64_t j = 0; j < n; ++j)
        for (std::int64_t i = 0; i < m; ++i) {
            long double sum = 0, abs_sum = 0;
            for (std::int64_t l = 0; l < k; ++l) {
                const long double p = static_cast<long double>(op_entry(op_a, a, i, l)) * op_entry(op_b, b, l, j);
                sum += p;
                abs_sum += std::fabs(p);
            }
            const long double want = alpha * sum + static_cast<long double>(beta) * c0(i, j);
            const long double tol =
                tol_factor * (std::fabs(static_cast<long double>(alpha)) * abs_sum + std::fabs(beta * c0(i, j)));
            if (std::fabs(got(i, j) - want) > tol)
                return ::testing::AssertionFailure()
                       << "C(" << i << ", " << j << ") = " << got(i, j) << ", want " << static_cast<double>(want)
                       << " within " << static_cast<double>(tol);
        }
    return ::testing::AssertionSuccess();
}

/// Profiling regions pushed while a RegionRecorder is alive (the callback is a plain function pointer).
std::vector<std::string>& regions() {
    static std::vector<std::string> r;
    return r;
}

class RegionRecorder {
public:
    RegionRecorder() {
        regions().clear();
        Kokkos::Tools::Experimental::set_push_region_callback([](const char* name) { regions().push_back(name); });
    }
    ~RegionRecorder() { Kokkos::Tools::Experimental::set_push_region_callback(nullptr); }
    RegionRecorder(const RegionRecorder&) = delete;
    RegionRecorder& operator=(const RegionRecorder&) = delete;
};

bool reached_vendor_blas() {
    for (const std::string& r : regions())
        if (r.rfind("KokkosBlas::gemm[TPL_", 0) == 0) return true;
    return false;
}

std::string regions_seen() {
    std::string all;
    for (const std::string& r : regions()) all += " '" + r + "'";
    return all.empty() ? " none" : all;
}

struct Shape {
    std::int64_t m, n, k;
};
constexpr Op kOps[] = {Op::none, Op::transpose};
constexpr Shape kShapes[] = {{37, 23, 51}, {64, 3, 200}, {1, 9, 1}};

template <class T>
void check_all_op_combinations() {
    const T alpha = T(0.75), beta = T(-1.25);
    unsigned seed = 1;
    for (const Shape& s : kShapes)
        for (Op op_a : kOps)
            for (Op op_b : kOps) {
                SCOPED_TRACE(::testing::Message() << "m " << s.m << " n " << s.n << " k " << s.k << " op_a "
                                                  << int(op_a) << " op_b " << int(op_b));
                const HostM<T> a = op_a == Op::transpose ? random_matrix<T>(s.k, s.m, seed++)
                                                         : random_matrix<T>(s.m, s.k, seed++);
                const HostM<T> b = op_b == Op::transpose ? random_matrix<T>(s.n, s.k, seed++)
                                                         : random_matrix<T>(s.k, s.n, seed++);
                const HostM<T> c0 = random_matrix<T>(s.m, s.n, seed++);
                const DeviceM<T> c = on_device<T>(c0, "drfm::test::c");
                RegionRecorder recorder;
                device_gemm(op_a, op_b, alpha, on_device<T>(a, "drfm::test::a"), on_device<T>(b, "drfm::test::b"),
                            beta, c);
                EXPECT_TRUE(reached_vendor_blas()) << "regions:" << regions_seen();
                const auto got = on_host(c);
                EXPECT_TRUE(matches_gemm(got, op_a, op_b, alpha, a, b, beta, c0));
                if constexpr (std::is_same_v<T, double>) {
                    HostM<double> want("drfm::test::want", s.m, s.n);
                    Kokkos::deep_copy(want, c0);
                    gemm(op_a, op_b, alpha, a, b, beta, want);
                    // Same bound: both are GEMMs of the same data (the same OpenBLAS dgemm call on a
                    // host build, cuBLAS against OpenBLAS on CUDA).
                    const double tol = 2.0 * (s.k + 2) * std::numeric_limits<double>::epsilon();
                    for (std::int64_t j = 0; j < s.n; ++j)
                        for (std::int64_t i = 0; i < s.m; ++i)
                            ASSERT_NEAR(got(i, j), want(i, j), tol * (std::fabs(alpha) * s.k + std::fabs(beta)))
                                << "C(" << i << ", " << j << ")";
                }
            }
}

TEST(DeviceGemmTest, FloatMatchesLoopForAllOps) { check_all_op_combinations<float>(); }

TEST(DeviceGemmTest, DoubleMatchesLoopAndHostGemmForAllOps) { check_all_op_combinations<double>(); }

// Blocks of larger matrices (rows 2.. and columns 1.. of each), leading dimension ≠ rows: they stay
// LayoutLeft, reach the vendor BLAS, and C's entries outside the block are untouched.
template <class T>
void check_subviews() {
    const std::int64_t m = 19, n = 11, k = 27;
    const HostM<T> a_parent = random_matrix<T>(m + 5, k + 3, 7), b_parent = random_matrix<T>(n + 4, k + 2, 8);
    const HostM<T> c_parent0 = random_matrix<T>(m + 6, n + 2, 9);
    const auto rows = [](std::int64_t r) { return Kokkos::pair<std::int64_t, std::int64_t>(2, 2 + r); };
    const auto cols = [](std::int64_t c) { return Kokkos::pair<std::int64_t, std::int64_t>(1, 1 + c); };
    const DeviceM<T> a_dev = on_device<T>(a_parent, "drfm::test::a"), b_dev = on_device<T>(b_parent, "drfm::test::b");
    const DeviceM<T> c_dev = on_device<T>(c_parent0, "drfm::test::c");
    const auto a = Kokkos::subview(a_dev, rows(m), cols(k));
    const auto b = Kokkos::subview(b_dev, rows(n), cols(k));  // used transposed: op(B) is k×n
    const auto c = Kokkos::subview(c_dev, rows(m), cols(n));
    static_assert(std::is_same_v<typename decltype(c)::array_layout, Kokkos::LayoutLeft>);
    ASSERT_EQ(c.stride(1), c_parent0.extent(0));

    RegionRecorder recorder;
    device_gemm(Op::none, Op::transpose, T(1.5), a, b, T(0.5), c);
    EXPECT_TRUE(reached_vendor_blas()) << "regions:" << regions_seen();

    const auto got = on_host(c_dev);
    const auto block = [&](const HostM<T>& x, std::int64_t r, std::int64_t cl) {
        HostM<T> out("drfm::test::block", r, cl);
        Kokkos::deep_copy(out, Kokkos::subview(x, rows(r), cols(cl)));
        return out;
    };
    EXPECT_TRUE(matches_gemm(Kokkos::subview(got, rows(m), cols(n)), Op::none, Op::transpose, T(1.5),
                             block(a_parent, m, k), block(b_parent, n, k), T(0.5), block(c_parent0, m, n)));
    for (std::int64_t j = 0; j < std::int64_t(got.extent(1)); ++j)
        for (std::int64_t i = 0; i < std::int64_t(got.extent(0)); ++i)
            if (i < 2 || i >= 2 + m || j < 1 || j >= 1 + n) {
                ASSERT_EQ(got(i, j), c_parent0(i, j)) << i << ", " << j;
            }
}

TEST(DeviceGemmTest, SubviewBlocksReachVendorBlas) {
    check_subviews<float>();
    check_subviews<double>();
}

// k = 0: C ← beta·C (one rounding), and beta = 0 overwrites C, NaN included; m = 0 or n = 0: nothing.
TEST(DeviceGemmTest, EmptyProducts) {
    const HostM<double> c0 = random_matrix<double>(4, 3, 11);
    const DeviceM<double> c = on_device<double>(c0, "drfm::test::c");
    const DeviceM<double> a("drfm::test::a", 4, 0), b("drfm::test::b", 0, 3);
    device_gemm(Op::none, Op::none, 2.0, a, b, -0.75, c);
    auto got = on_host(c);
    for (std::int64_t j = 0; j < 3; ++j)
        for (std::int64_t i = 0; i < 4; ++i) EXPECT_EQ(got(i, j), -0.75 * c0(i, j));

    Kokkos::deep_copy(c, std::numeric_limits<double>::quiet_NaN());
    device_gemm(Op::transpose, Op::transpose, 2.0, DeviceM<double>("drfm::test::at", 0, 4),
                DeviceM<double>("drfm::test::bt", 3, 0), 0.0, c);
    got = on_host(c);
    for (std::int64_t j = 0; j < 3; ++j)
        for (std::int64_t i = 0; i < 4; ++i) EXPECT_EQ(got(i, j), 0.0);

    const DeviceM<float> a05("drfm::test::a05", 0, 5), b52("drfm::test::b52", 5, 2), c02("drfm::test::c02", 0, 2);
    EXPECT_NO_THROW(device_gemm(Op::none, Op::none, 1.0f, a05, b52, 1.0f, c02));
    const DeviceM<float> a54("drfm::test::a54", 5, 4), b50("drfm::test::b50", 5, 0), c40("drfm::test::c40", 4, 0);
    EXPECT_NO_THROW(device_gemm(Op::transpose, Op::none, 1.0f, a54, b50, 1.0f, c40));
}

TEST(DeviceGemmTest, ShapeMismatchThrowsNamingTheShapes) {
    const DeviceM<double> a("drfm::test::a", 3, 4), b("drfm::test::b", 5, 2), c("drfm::test::c", 3, 2);
    try {
        device_gemm(Op::none, Op::none, 1.0, a, b, 0.0, c);
        FAIL() << "no exception";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("op(A) 3x4, op(B) 5x2, C 3x2"), std::string::npos) << e.what();
    }
    // C of the wrong shape for op(A)·op(B) = 4×2.
    EXPECT_THROW(device_gemm(Op::transpose, Op::none, 1.0, a, DeviceM<double>("drfm::test::b3", 3, 2), 0.0, c),
                 Error);
}

}  // namespace
}  // namespace drfm::blas
