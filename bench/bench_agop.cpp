// The AGOP of one rank (agop::agop on a 1x1 layout: every point is an evaluation point and a
// centre) at a given chunk size, best of `repeats` after a warm-up, with its rate against the
// work 2n²d(c+1) + n·c·d² (distances, the per-output sums, the SYRKs).
// Usage: bench_agop [n=4000] [d=512] [c=10] [chunk_rows=256] [repeats=3]
// Prints "agop n=.. d=.. c=.. chunk_rows=.. best_s=.. gflops=..".
#include "drfm/agop/agop.hpp"
#include "drfm/core/timer.hpp"
#include "drfm/mpi/comm.hpp"

#include <Kokkos_Core.hpp>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>

int main(int argc, char** argv) {
    const std::int64_t n = argc > 1 ? std::atoll(argv[1]) : 4000;
    const std::int64_t d = argc > 2 ? std::atoll(argv[2]) : 512;
    const std::int64_t c = argc > 3 ? std::atoll(argv[3]) : 10;
    const std::int64_t chunk_rows = argc > 4 ? std::atoll(argv[4]) : 256;
    const int repeats = argc > 5 ? std::atoi(argv[5]) : 3;
    MPI_Init(&argc, &argv);
    Kokkos::initialize(argc, argv);
    {
        using namespace drfm;
        agop::AgopInput<double> in;
        in.points.rows = make_host_matrix("drfm::bench::points", n, d);
        for (std::int64_t j = 0; j < d; ++j)
            for (std::int64_t i = 0; i < n; ++i)
                in.points.rows(i, j) = std::sin(0.37 * static_cast<double>(i) + 1.3 * static_cast<double>(j)) /
                                       std::sqrt(static_cast<double>(d));
        in.points.row_ids.resize(static_cast<size_t>(n));
        std::iota(in.points.row_ids.begin(), in.points.row_ids.end(), 0);
        in.points.cols = in.points.rows;
        in.points.col_ids = in.points.row_ids;
        in.alpha = make_host_matrix("drfm::bench::alpha", n, c);
        for (std::int64_t j = 0; j < c; ++j)
            for (std::int64_t i = 0; i < n; ++i) in.alpha(i, j) = std::cos(0.11 * static_cast<double>(i * (j + 1)));
        in.n = n;
        const mpi::Comm self = mpi::Comm::borrow(MPI_COMM_SELF);
        const kernel::KernelFunction laplace{1.0, 2.0};
        const agop::AgopOptions options{config::AgopKind::full, false, chunk_rows};

        double best = 1e300, check = 0.0;
        for (int r = 0; r < repeats + 1; ++r) {
            Stopwatch watch;
            const HostMatrix hat = agop::agop(laplace, in, options, self, self);
            if (r > 0) best = std::min(best, watch.seconds());  // r = 0 warms up
            check = hat(d / 2, d / 3);
        }
        const double nn = static_cast<double>(n), dd = static_cast<double>(d), cc = static_cast<double>(c);
        const double flops = 2.0 * nn * nn * dd * (cc + 1.0) + nn * cc * dd * dd;
        std::printf("agop n=%lld d=%lld c=%lld chunk_rows=%lld best_s=%.3f gflops=%.2f check=%.6e\n",
                    static_cast<long long>(n), static_cast<long long>(d), static_cast<long long>(c),
                    static_cast<long long>(chunk_rows), best, flops / best / 1e9, check);
    }
    Kokkos::finalize();
    MPI_Finalize();
    return 0;
}
