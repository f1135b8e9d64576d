// Where kernel assembly's time goes: one m×n block of the Laplace kernel between random points in
// d dimensions (kernel::kernel_block: the distance GEMM, then the element-wise Kokkos pass), next to
// the GEMM alone, best of `repeats` after a warm-up. The difference is the element-wise pass.
// Usage: bench_kernel_block [m=4000] [n=4000] [d=512] [repeats=5]
// Prints, for float64 then float32, "kernel_block PRECISION m=.. n=.. d=.. gemm_s=.. block_s=..
// gemm_gflops=.. elementwise_ns=..".
#include "drfm/core/blas.hpp"
#include "drfm/core/timer.hpp"
#include "drfm/core/views.hpp"
#include "drfm/kernel/kernel_block.hpp"

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>

namespace {

template <class F>
double best_seconds(int repeats, F&& f) {
    double best = 1e300;
    for (int r = 0; r < repeats + 1; ++r) {
        drfm::Stopwatch watch;
        f();
        if (r > 0) best = std::min(best, watch.seconds());  // r = 0 warms up
    }
    return best;
}

template <class T>
drfm::HostMatrixOf<T> points(std::int64_t rows, std::int64_t d, std::int64_t salt) {
    drfm::HostMatrixOf<T> x = drfm::make_host_matrix<T>("drfm::bench::points", rows, d);
    for (std::int64_t j = 0; j < d; ++j)
        for (std::int64_t i = 0; i < rows; ++i)
            x(i, j) = static_cast<T>(std::sin(0.37 * static_cast<double>(i + salt) + 1.3 * static_cast<double>(j)) /
                      std::sqrt(static_cast<double>(d)));
    return x;
}

/// One block in scalar T: the GEMM alone, then the whole block.
template <class T>
void run(std::int64_t m, std::int64_t n, std::int64_t d, int repeats) {
    using namespace drfm;
    const HostMatrixOf<T> a = points<T>(m, d, 0), b = points<T>(n, d, m);
    const HostVectorOf<T> a_norms = kernel::squared_row_norms(a), b_norms = kernel::squared_row_norms(b);
    kernel::GlobalIds a_ids(static_cast<size_t>(m)), b_ids(static_cast<size_t>(n));
    std::iota(a_ids.begin(), a_ids.end(), 0);
    std::iota(b_ids.begin(), b_ids.end(), 0);  // the diagonal pairs are "self", as in K
    const HostMatrixOf<T> out = make_host_matrix<T>("drfm::bench::block", m, n);
    const kernel::KernelFunction laplace{1.0, 2.0};

    const double gemm_s = best_seconds(repeats, [&] {
        blas::gemm(blas::Op::none, blas::Op::transpose, T(-2), a, b, T(0), out);
    });
    const double block_s = best_seconds(repeats, [&] {
        kernel::kernel_block<T>(laplace, kernel::BlockValue::kernel, a, a_norms, a_ids, b, b_norms,
                                b_ids, out);
    });
    const double elements = static_cast<double>(m) * static_cast<double>(n);
    std::printf("kernel_block %s m=%lld n=%lld d=%lld gemm_s=%.4f block_s=%.4f gemm_gflops=%.2f "
                "elementwise_ns=%.2f check=%.6e\n",
                sizeof(T) == 4 ? "float32" : "float64", static_cast<long long>(m),
                static_cast<long long>(n), static_cast<long long>(d), gemm_s, block_s,
                2.0 * elements * static_cast<double>(d) / gemm_s / 1e9,
                (block_s - gemm_s) / elements * 1e9, static_cast<double>(out(m / 2, n / 3)));
}

}  // namespace

int main(int argc, char** argv) {
    const std::int64_t m = argc > 1 ? std::atoll(argv[1]) : 4000;
    const std::int64_t n = argc > 2 ? std::atoll(argv[2]) : 4000;
    const std::int64_t d = argc > 3 ? std::atoll(argv[3]) : 512;
    const int repeats = argc > 4 ? std::atoi(argv[4]) : 5;
    Kokkos::initialize(argc, argv);
    run<double>(m, n, d, repeats);
    run<float>(m, n, d, repeats);
    Kokkos::finalize();
    return 0;
}
