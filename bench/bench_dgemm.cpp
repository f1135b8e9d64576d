// The DGEMM rate of one core through the project's own BLAS call (core/blas.hpp, the BLAS every
// phase uses): the yardstick of bench/engine_bench.py, measured in the same session as the runs.
// Usage: bench_dgemm [n=2000] [repeats=5]; prints "dgemm n=N best_gflops=G median_gflops=M".
#include "drfm/core/blas.hpp"
#include "drfm/core/timer.hpp"
#include "drfm/core/views.hpp"

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
    const std::int64_t n = argc > 1 ? std::atoll(argv[1]) : 2000;
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
    Kokkos::initialize();
    {
        using drfm::HostMatrix;
        HostMatrix a = drfm::make_host_matrix("drfm::bench::a", n, n);
        HostMatrix b = drfm::make_host_matrix("drfm::bench::b", n, n);
        HostMatrix c = drfm::make_host_matrix("drfm::bench::c", n, n);
        for (std::int64_t j = 0; j < n; ++j)
            for (std::int64_t i = 0; i < n; ++i) {
                a(i, j) = 1.0 / static_cast<double>(1 + i + j);
                b(i, j) = 1.0 / static_cast<double>(1 + (i ^ j));
                c(i, j) = 0.0;
            }
        std::vector<double> rates;
        for (int r = 0; r < repeats + 1; ++r) {
            drfm::Stopwatch watch;
            drfm::blas::gemm(drfm::blas::Op::none, drfm::blas::Op::none, 1.0, a, b, 0.0, c);
            const double seconds = watch.seconds();
            if (r > 0) rates.push_back(2.0 * n * n * n / seconds / 1e9);  // r = 0 warms up
        }
        std::sort(rates.begin(), rates.end());
        std::printf("dgemm n=%lld best_gflops=%.2f median_gflops=%.2f check=%.6e\n",
                    static_cast<long long>(n), rates.back(), rates[rates.size() / 2], c(n / 2, n / 3));
    }
    Kokkos::finalize();
    return 0;
}
