// SGEMM and DGEMM rates through blas::device_gemm (core/device_blas.hpp) on n×n matrices in the
// default execution space's memory: the host BLAS on a host build, cuBLAS on a CUDA one.
// Usage: bench_gemm_rates [--n 2048] [--reps 5] [--json]
// Prints "sgemm n=N reps=R best_gflops=G median_gflops=M" and the same for dgemm, or with --json one
// line {"n":N,"reps":R,"execution_space":"...","sgemm":{"best_gflops":G,"median_gflops":M},"dgemm":{...}}.
#include "drfm/core/device_blas.hpp"
#include "drfm/core/timer.hpp"

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

struct Rate {
    double best, median;
};

template <class T>
Rate measure(std::int64_t n, int reps) {
    using Matrix = Kokkos::View<T**, Kokkos::LayoutLeft, Kokkos::DefaultExecutionSpace::memory_space>;
    Matrix a("drfm::bench::a", n, n), b("drfm::bench::b", n, n), c("drfm::bench::c", n, n);
    Kokkos::parallel_for(
        "drfm::bench::fill",
        Kokkos::MDRangePolicy<Kokkos::Rank<2, Kokkos::Iterate::Left, Kokkos::Iterate::Left>>({0, 0}, {n, n}),
        KOKKOS_LAMBDA(const std::int64_t i, const std::int64_t j) {
            a(i, j) = T(1) / T(1 + i + j);
            b(i, j) = T(1) / T(1 + (i ^ j));
        });
    Kokkos::fence();
    std::vector<double> rates;
    for (int r = 0; r < reps + 1; ++r) {
        drfm::Stopwatch watch;
        drfm::blas::device_gemm(drfm::blas::Op::none, drfm::blas::Op::none, T(1), a, b, T(0), c);
        Kokkos::fence();  // cuBLAS returns before the product is done
        const double seconds = watch.seconds();
        if (r > 0) rates.push_back(2.0 * n * n * n / seconds / 1e9);  // r = 0 warms up
    }
    std::sort(rates.begin(), rates.end());
    return {rates.back(), rates[rates.size() / 2]};
}

}  // namespace

int main(int argc, char** argv) {
    Kokkos::ScopeGuard kokkos(argc, argv);
    std::int64_t n = 2048;
    int reps = 5;
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--n") && i + 1 < argc) {
            n = std::atoll(argv[++i]);
        } else if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) {
            reps = std::atoi(argv[++i]);
        } else if (!std::strcmp(argv[i], "--json")) {
            json = true;
        } else {
            std::fprintf(stderr, "usage: %s [--n N] [--reps R] [--json]\n", argv[0]);
            return 2;
        }
    }
    if (n < 1 || reps < 1) {
        std::fprintf(stderr, "--n and --reps must be positive\n");
        return 2;
    }
    const Rate s = measure<float>(n, reps), d = measure<double>(n, reps);
    const char* space = Kokkos::DefaultExecutionSpace::name();
    if (json) {
        std::printf("{\"n\":%lld,\"reps\":%d,\"execution_space\":\"%s\",\"sgemm\":{\"best_gflops\":%.2f,"
                    "\"median_gflops\":%.2f},\"dgemm\":{\"best_gflops\":%.2f,\"median_gflops\":%.2f}}\n",
                    static_cast<long long>(n), reps, space, s.best, s.median, d.best, d.median);
    } else {
        std::printf("execution space %s\n", space);
        std::printf("sgemm n=%lld reps=%d best_gflops=%.2f median_gflops=%.2f\n", static_cast<long long>(n),
                    reps, s.best, s.median);
        std::printf("dgemm n=%lld reps=%d best_gflops=%.2f median_gflops=%.2f\n", static_cast<long long>(n),
                    reps, d.best, d.median);
    }
    return 0;
}
