#include "drfm/agop/agop.hpp"

#include "drfm/core/blas.hpp"
#include "drfm/core/device_blas.hpp"
#include "drfm/core/host_window.hpp"

#include <algorithm>

namespace drfm::agop {
namespace {

/// Scratch memory of one chunk on the execution space, allocated once for b rows and re-viewed
/// with the exact row count nb ≤ b of each chunk (leading dimension nb, so every buffer is
/// contiguous).
template <class T>
class ChunkScratch {
public:
    using Matrix = DeviceMatrixOf<T>;
    ChunkScratch(std::int64_t b, std::int64_t centres, std::int64_t d, std::int64_t sum_cols)
        : weights_(alloc("drfm::agop::weights", b, centres)),
          scaled_(alloc("drfm::agop::scaled_weights", b, centres)),
          sums_(alloc("drfm::agop::sums", b, sum_cols)),
          gradient_(alloc("drfm::agop::gradient", b, d)) {}

    Matrix weights(std::int64_t nb) const { return view(weights_, nb); }
    Matrix scaled(std::int64_t nb) const { return view(scaled_, nb); }
    Matrix sums(std::int64_t nb) const { return view(sums_, nb); }
    Matrix gradient(std::int64_t nb) const { return view(gradient_, nb); }

private:
    static Matrix alloc(const char* label, std::int64_t rows, std::int64_t cols) {
        return Matrix(Kokkos::view_alloc(std::string(label), Kokkos::WithoutInitializing), rows, cols);
    }
    static Matrix view(const Matrix& m, std::int64_t nb) { return leading_block(m, nb, m.extent(1)); }
    Matrix weights_, scaled_, sums_, gradient_;
};

/// scaled(i, p) = weights(i, p) · alpha_cols(p, c).
template <class T>
void scale_columns(const DeviceMatrixOf<T>& w, const DeviceMatrixOf<T>& a, int c,
                   const DeviceMatrixOf<T>& s) {
    Kokkos::parallel_for(
        "drfm::agop::scale_columns",
        ColumnMajorPolicy<2>(
            {0, 0}, {static_cast<std::int64_t>(w.extent(0)), static_cast<std::int64_t>(w.extent(1))}),
        KOKKOS_LAMBDA(const std::int64_t i, const std::int64_t p) { s(i, p) = w(i, p) * a(p, c); });
}

/// gradient = scale · (H_c − Q[:, c] ⊙ X) with sums = [H_1 … H_C | Q].
template <class T>
void form_gradient(const DeviceMatrixOf<T>& h, const DeviceMatrixOf<T>& x, int c, int outputs,
                   T scale, const DeviceMatrixOf<T>& g) {
    const std::int64_t d = x.extent(1), q_col = static_cast<std::int64_t>(outputs) * d + c;
    Kokkos::parallel_for(
        "drfm::agop::form_gradient",
        ColumnMajorPolicy<2>({0, 0}, {static_cast<std::int64_t>(x.extent(0)), d}),
        KOKKOS_LAMBDA(const std::int64_t i, const std::int64_t j) {
            g(i, j) = scale * (h(i, c * d + j) - h(i, q_col) * x(i, j));
        });
}

/// target(j, col) += Σ_i g(i, j)² (squares) or Σ_i g(i, j), summed in the target's scalar: the
/// diagonal AGOP (col 0) and the per-output gradient sums of centering (col = output).
template <class T, class Sum>
void add_column_sums(const DeviceMatrixOf<T>& g, bool squares, const DeviceMatrixOf<Sum>& target,
                     int col) {
    const std::int64_t rows = g.extent(0);
    Kokkos::parallel_for(
        "drfm::agop::column_sums", Kokkos::RangePolicy<ExecSpace>(0, g.extent(1)),
        KOKKOS_LAMBDA(const std::int64_t j) {
            Sum s = 0;
            for (std::int64_t i = 0; i < rows; ++i) {
                const Sum v = g(i, j);
                s += squares ? v * v : v;
            }
            target(j, col) += s;
        });
}

/// The chunk's sums of the process row meet at `root`: through host memory, where MPI reads them
/// (no copy on host backends).
template <class T>
void reduce_to_root(const DeviceMatrixOf<T>& sums, int root, const mpi::Comm& row_comm) {
    if (row_comm.size() == 1) return;
    const auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), sums);
    const int count = mpi::to_mpi_count(static_cast<std::int64_t>(host.size()), "agop chunk reduction");
    void* send = row_comm.rank() == root ? MPI_IN_PLACE : host.data();
    void* recv = row_comm.rank() == root ? host.data() : nullptr;
    DRFM_MPI(MPI_Reduce(send, recv, count, mpi::datatype<T>(), MPI_SUM, root, row_comm.get()));
    if (row_comm.rank() == root) Kokkos::deep_copy(sums, host);
}

/// gram ← gᵀg + beta·gram on its upper triangle at least. SYRK where the host BLAS reaches the
/// memory (half the flops); KokkosBlas has no SYRK, so a device backend takes its full GEMM.
template <class T>
void add_gram(const DeviceMatrixOf<T>& g, T beta, const DeviceMatrixOf<T>& gram) {
    if constexpr (exec_reaches_host) {
        ExecSpace().fence();  // the gradient kernel wrote g
        blas::syrk_upper_t(T(1), blas::BasicMatRef<T>(g), beta, blas::BasicMatRef<T>(gram));
    } else {
        blas::device_gemm(blas::Op::transpose, blas::Op::none, T(1), g, g, beta, gram);
    }
}

/// acc += Σ_c g_cᵀ g_c. Summed in T, each output goes straight into acc; summed wider (mixed),
/// each chunk's Gram in T goes through `chunk_gram` and is added in Sum.
template <class T, class Sum>
class GramSum {
public:
    GramSum(std::int64_t d, bool diag)
        : diag_(diag),
          acc_("drfm::agop::accumulated", d, diag ? 1 : d),  // the upper triangle when full
          chunk_gram_(std::is_same_v<T, Sum> || diag ? DeviceMatrixOf<T>()
                                                    : DeviceMatrixOf<T>("drfm::agop::chunk_gram", d, d)) {}

    void add(const DeviceMatrixOf<T>& g, bool first_of_chunk) {
        if (diag_) add_column_sums(g, true, acc_, 0);
        else if constexpr (std::is_same_v<T, Sum>) add_gram(g, T(1), acc_);
        else add_gram(g, first_of_chunk ? T(0) : T(1), chunk_gram_);
    }
    void end_chunk() {
        if constexpr (!std::is_same_v<T, Sum>) {
            if (diag_) return;
            const DeviceMatrixOf<Sum> acc = acc_;
            const DeviceMatrixOf<T> chunk = chunk_gram_;
            Kokkos::parallel_for(
                "drfm::agop::add_chunk_gram", ColumnMajorPolicy<2>({0, 0}, {acc.extent(0), acc.extent(1)}),
                KOKKOS_LAMBDA(const std::int64_t i, const std::int64_t j) {
                    if (i <= j) acc(i, j) += chunk(i, j);
                });
        }
    }
    const DeviceMatrixOf<Sum>& acc() const { return acc_; }

private:
    bool diag_;
    DeviceMatrixOf<Sum> acc_;
    DeviceMatrixOf<T> chunk_gram_;
};

}  // namespace

template <class T, class Sum>
HostMatrix agop(const kernel::KernelFunction& kf, const AgopInput<T>& in, const AgopOptions& opt,
                const mpi::Comm& row_comm, const mpi::Comm& comm) {
    using Matrix = DeviceMatrixOf<T>;
    const std::int64_t d = in.points.rows.extent(1), nr = in.points.rows.extent(0);
    const std::int64_t nc = in.points.cols.extent(0);
    const int outputs = static_cast<int>(in.alpha.extent(1));
    const bool diag = opt.kind == config::AgopKind::diag;
    DRFM_CHECK(nc == 0 || static_cast<std::int64_t>(in.points.cols.extent(1)) == d, Error,
               "agop: row and column points differ in dimension");
    const std::int64_t b = std::max<std::int64_t>(1, std::min(opt.chunk_rows, nr));
    const std::int64_t sum_cols = static_cast<std::int64_t>(outputs) * (d + 1);

    // Points, coefficients and every chunk's buffers stay on the execution space; only the chunk
    // sums visit the host, for the reduction along the process row.
    const kernel::BlockSide<T> rows = kernel::block_side(in.points.rows, in.points.row_ids);
    const kernel::BlockSide<T> cols = kernel::block_side(in.points.cols, in.points.col_ids);
    // The coefficients of my centres, rounded to T.
    const Matrix alpha_cols = to_device(rows_at<T>(in.alpha, in.points.col_ids, "drfm::agop::alpha_cols"));
    const T scale = static_cast<T>(kf.gradient_scale());
    ChunkScratch<T> scratch(b, nc, d, sum_cols);
    GramSum<T, Sum> gram(d, diag);
    DeviceMatrixOf<Sum> grad_sums("drfm::agop::gradient_sums", d, outputs);

    const std::int64_t chunks = (nr + b - 1) / b;
    for (std::int64_t chunk = 0; chunk < chunks; ++chunk) {
        const std::int64_t row0 = chunk * b, nb = std::min(b, nr - row0);
        const kernel::BlockSide<T> chunk_rows = rows.rows(row0, nb);
        const Matrix weights = scratch.weights(nb), scaled = scratch.scaled(nb);
        const Matrix sums = scratch.sums(nb);
        kernel::kernel_block(kf, kernel::BlockValue::gradient_weight, chunk_rows, cols, weights);
        for (int c = 0; c < outputs; ++c) {
            scale_columns(weights, alpha_cols, c, scaled);
            blas::device_gemm(blas::Op::none, blas::Op::none, T(1), scaled, cols.points, T(0),
                              Kokkos::subview(sums, Kokkos::ALL, std::make_pair(c * d, (c + 1) * d)));
        }
        blas::device_gemm(blas::Op::none, blas::Op::none, T(1), weights, alpha_cols, T(0),
                          Kokkos::subview(sums, Kokkos::ALL,
                                          std::make_pair(std::int64_t(outputs) * d, sum_cols)));

        // The shares of the process row meet at this chunk's root, which forms the gradients.
        const int root = static_cast<int>(chunk % row_comm.size());
        reduce_to_root(sums, root, row_comm);
        if (row_comm.rank() != root) continue;
        const Matrix g = scratch.gradient(nb);
        for (int c = 0; c < outputs; ++c) {
            form_gradient(sums, chunk_rows.points, c, outputs, scale, g);
            gram.add(g, c == 0);
            if (opt.centering) add_column_sums(g, false, grad_sums, c);
        }
        gram.end_chunk();
    }

    const HostMatrixOf<Sum> acc = to_host(gram.acc());
    comm.allreduce_sum(acc.data(), static_cast<std::int64_t>(acc.size()));
    if (!diag) blas::symmetrize_from_upper(acc);
    const Sum inv_n = Sum(1) / static_cast<Sum>(in.n);
    for (size_t i = 0; i < acc.size(); ++i) acc.data()[i] *= inv_n;
    if (opt.centering) {
        // (1/n) Σ_i Σ_c (g − ḡ_c)(g − ḡ_c)ᵀ = AGOP − Σ_c ḡ_c ḡ_cᵀ, ḡ_c the mean over all n points.
        const HostMatrixOf<Sum> sums = to_host(grad_sums);
        comm.allreduce_sum(sums.data(), static_cast<std::int64_t>(sums.size()));
        for (int c = 0; c < outputs; ++c)
            for (std::int64_t j = 0; j < d; ++j) {
                const Sum gj = sums(j, c) * inv_n;
                if (diag) {
                    acc(j, 0) -= gj * gj;
                    continue;
                }
                for (std::int64_t i = 0; i < d; ++i) acc(i, j) -= sums(i, c) * inv_n * gj;
            }
    }
    return in_precision<double>(acc, "drfm::agop::agop");
}

template HostMatrix agop<double, double>(const kernel::KernelFunction&, const AgopInput<double>&,
                                         const AgopOptions&, const mpi::Comm&, const mpi::Comm&);
template HostMatrix agop<float, double>(const kernel::KernelFunction&, const AgopInput<float>&,
                                        const AgopOptions&, const mpi::Comm&, const mpi::Comm&);
template HostMatrix agop<float, float>(const kernel::KernelFunction&, const AgopInput<float>&,
                                       const AgopOptions&, const mpi::Comm&, const mpi::Comm&);

}  // namespace drfm::agop
