#include "drfm/agop/agop.hpp"

#include "drfm/core/blas.hpp"

#include <algorithm>

namespace drfm::agop {
namespace {

/// Scratch memory of one chunk, allocated once for b rows and re-viewed with the exact row count
/// nb ≤ b of each chunk (leading dimension nb, so every buffer is contiguous).
class ChunkScratch {
public:
    ChunkScratch(std::int64_t b, std::int64_t centres, std::int64_t d, std::int64_t sum_cols)
        : points_(make_host_matrix("drfm::agop::chunk_points", b, d)),
          weights_(make_host_matrix("drfm::agop::weights", b, centres)),
          scaled_(make_host_matrix("drfm::agop::scaled_weights", b, centres)),
          sums_(make_host_matrix("drfm::agop::sums", b, sum_cols)),
          gradient_(make_host_matrix("drfm::agop::gradient", b, d)) {}

    HostMatrix points(std::int64_t nb) const { return view(points_, nb); }
    HostMatrix weights(std::int64_t nb) const { return view(weights_, nb); }
    HostMatrix scaled(std::int64_t nb) const { return view(scaled_, nb); }
    HostMatrix sums(std::int64_t nb) const { return view(sums_, nb); }
    HostMatrix gradient(std::int64_t nb) const { return view(gradient_, nb); }

private:
    static HostMatrix view(const HostMatrix& m, std::int64_t nb) {
        return leading_block(m, nb, m.extent(1));
    }
    HostMatrix points_, weights_, scaled_, sums_, gradient_;
};

/// scaled(i, p) = weights(i, p) · alpha_cols(p, c).
void scale_columns(const HostMatrix& weights, const HostMatrix& alpha_cols, int c,
                   const HostMatrix& scaled) {
    auto w = to_device(weights);
    auto a = to_device(alpha_cols);
    auto s = to_device(scaled);
    Kokkos::parallel_for(
        "drfm::agop::scale_columns",
        ColumnMajorPolicy<2>(
            {0, 0}, {static_cast<std::int64_t>(w.extent(0)), static_cast<std::int64_t>(w.extent(1))}),
        KOKKOS_LAMBDA(const std::int64_t i, const std::int64_t p) { s(i, p) = w(i, p) * a(p, c); });
    Kokkos::deep_copy(scaled, s);
}

/// gradient = scale · (H_c − Q[:, c] ⊙ X) with sums = [H_1 … H_C | Q].
void form_gradient(const HostMatrix& sums, const HostMatrix& points, int c, int outputs,
                   double scale, const HostMatrix& gradient) {
    auto h = to_device(sums);
    auto x = to_device(points);
    auto g = to_device(gradient);
    const std::int64_t d = points.extent(1), q_col = static_cast<std::int64_t>(outputs) * d + c;
    Kokkos::parallel_for(
        "drfm::agop::form_gradient",
        ColumnMajorPolicy<2>(
            {0, 0}, {static_cast<std::int64_t>(x.extent(0)), d}),
        KOKKOS_LAMBDA(const std::int64_t i, const std::int64_t j) {
            g(i, j) = scale * (h(i, c * d + j) - h(i, q_col) * x(i, j));
        });
    Kokkos::deep_copy(gradient, g);
}

/// acc(j, 0) += Σ_i g(i, j)²  (diagonal AGOP), or column sums into sums(c, j) (centering).
void add_column_sums(const HostMatrix& g, bool squares, const HostMatrix& target, int target_row) {
    for (size_t j = 0; j < g.extent(1); ++j) {
        double s = 0.0;
        for (size_t i = 0; i < g.extent(0); ++i) s += squares ? g(i, j) * g(i, j) : g(i, j);
        target(squares ? j : target_row, squares ? 0 : j) += s;
    }
}

/// alpha_cols(p, c) = alpha(col_ids[p], c): the coefficients of my centres.
HostMatrix alpha_of(const HostMatrix& alpha, const kernel::GlobalIds& ids) {
    HostMatrix out = make_host_matrix("drfm::agop::alpha_cols", ids.size(), alpha.extent(1));
    for (size_t c = 0; c < alpha.extent(1); ++c)
        for (size_t p = 0; p < ids.size(); ++p) out(p, c) = alpha(ids[p], c);
    return out;
}

void reduce_to_root(const HostMatrix& sums, int root, const mpi::Comm& row_comm) {
    if (row_comm.size() == 1) return;
    const int count = mpi::to_mpi_count(static_cast<std::int64_t>(sums.size()), "agop chunk reduction");
    void* send = row_comm.rank() == root ? MPI_IN_PLACE : sums.data();
    void* recv = row_comm.rank() == root ? sums.data() : nullptr;
    DRFM_MPI(MPI_Reduce(send, recv, count, MPI_DOUBLE, MPI_SUM, root, row_comm.get()));
}

}  // namespace

HostMatrix agop(const kernel::KernelFunction& kf, const AgopInput& in, const AgopOptions& opt,
                const mpi::Comm& row_comm, const mpi::Comm& comm) {
    const HostMatrix& rows = in.points.rows;
    const HostMatrix& cols = in.points.cols;
    const std::int64_t d = rows.extent(1), nr = rows.extent(0), nc = cols.extent(0);
    const int outputs = static_cast<int>(in.alpha.extent(1));
    const bool diag = opt.kind == config::AgopKind::diag;
    DRFM_CHECK(nc == 0 || static_cast<std::int64_t>(cols.extent(1)) == d, Error,
               "agop: row and column points differ in dimension");
    const std::int64_t b = std::max<std::int64_t>(1, std::min(opt.chunk_rows, nr));
    const std::int64_t sum_cols = static_cast<std::int64_t>(outputs) * (d + 1);

    const HostMatrix alpha_cols = alpha_of(in.alpha, in.points.col_ids);
    const HostVector col_norms = kernel::squared_row_norms(cols);
    const double scale = kf.gradient_scale();
    ChunkScratch scratch(b, nc, d, sum_cols);
    HostMatrix acc("drfm::agop::accumulated", d, diag ? 1 : d);  // upper triangle when full
    HostMatrix grad_sums("drfm::agop::gradient_sums", outputs, d);

    const std::int64_t chunks = (nr + b - 1) / b;
    for (std::int64_t chunk = 0; chunk < chunks; ++chunk) {
        const std::int64_t row0 = chunk * b, nb = std::min(b, nr - row0);
        const HostMatrix points = scratch.points(nb);
        Kokkos::deep_copy(points, Kokkos::subview(rows, std::make_pair(row0, row0 + nb), Kokkos::ALL));
        const kernel::GlobalIds ids(in.points.row_ids.begin() + row0, in.points.row_ids.begin() + row0 + nb);

        const HostMatrix weights = scratch.weights(nb), scaled = scratch.scaled(nb);
        const HostMatrix sums = scratch.sums(nb);
        kernel::kernel_block(kf, kernel::BlockValue::gradient_weight, points,
                             kernel::squared_row_norms(points), ids, cols, col_norms, in.points.col_ids,
                             weights);
        const blas::MatRef sums_ref(sums);
        for (int c = 0; c < outputs; ++c) {
            scale_columns(weights, alpha_cols, c, scaled);
            blas::gemm(blas::Op::none, blas::Op::none, 1.0, scaled, cols, 0.0,
                       sums_ref.block(0, nb, c * d, d));
        }
        blas::gemm(blas::Op::none, blas::Op::none, 1.0, weights, alpha_cols, 0.0,
                   sums_ref.block(0, nb, static_cast<std::int64_t>(outputs) * d, outputs));

        // The shares of the process row meet at this chunk's root, which forms the gradients.
        const int root = static_cast<int>(chunk % row_comm.size());
        reduce_to_root(sums, root, row_comm);
        if (row_comm.rank() != root) continue;
        const HostMatrix g = scratch.gradient(nb);
        for (int c = 0; c < outputs; ++c) {
            form_gradient(sums, points, c, outputs, scale, g);
            if (diag) add_column_sums(g, true, acc, 0);
            else blas::syrk_upper_t(1.0, g, 1.0, acc);
            if (opt.centering) add_column_sums(g, false, grad_sums, c);
        }
    }

    comm.allreduce_sum(acc.data(), static_cast<std::int64_t>(acc.size()));
    if (!diag) blas::symmetrize_from_upper(acc);
    const double inv_n = 1.0 / static_cast<double>(in.n);
    for (size_t i = 0; i < acc.size(); ++i) acc.data()[i] *= inv_n;
    if (opt.centering) {
        // (1/n) Σ_i Σ_c (g − ḡ_c)(g − ḡ_c)ᵀ = AGOP − Σ_c ḡ_c ḡ_cᵀ, ḡ_c the mean over all n points.
        comm.allreduce_sum(grad_sums.data(), static_cast<std::int64_t>(grad_sums.size()));
        for (int c = 0; c < outputs; ++c)
            for (std::int64_t j = 0; j < d; ++j) {
                const double gj = grad_sums(c, j) * inv_n;
                if (diag) {
                    acc(j, 0) -= gj * gj;
                    continue;
                }
                for (std::int64_t i = 0; i < d; ++i) acc(i, j) -= grad_sums(c, i) * inv_n * gj;
            }
    }
    return acc;
}

}  // namespace drfm::agop
