#include "drfm/agop/agop.hpp"

#include "drfm/core/blas.hpp"

#include <algorithm>

namespace drfm::agop {
namespace {

/// Scratch memory of one chunk, allocated once for b rows and re-viewed with the exact row count
/// nb ≤ b of each chunk (leading dimension nb, so every buffer is contiguous).
template <class T>
class ChunkScratch {
public:
    using Matrix = HostMatrixOf<T>;
    ChunkScratch(std::int64_t b, std::int64_t centres, std::int64_t d, std::int64_t sum_cols)
        : points_(make_host_matrix<T>("drfm::agop::chunk_points", b, d)),
          weights_(make_host_matrix<T>("drfm::agop::weights", b, centres)),
          scaled_(make_host_matrix<T>("drfm::agop::scaled_weights", b, centres)),
          sums_(make_host_matrix<T>("drfm::agop::sums", b, sum_cols)),
          gradient_(make_host_matrix<T>("drfm::agop::gradient", b, d)) {}

    Matrix points(std::int64_t nb) const { return view(points_, nb); }
    Matrix weights(std::int64_t nb) const { return view(weights_, nb); }
    Matrix scaled(std::int64_t nb) const { return view(scaled_, nb); }
    Matrix sums(std::int64_t nb) const { return view(sums_, nb); }
    Matrix gradient(std::int64_t nb) const { return view(gradient_, nb); }

private:
    static Matrix view(const Matrix& m, std::int64_t nb) { return leading_block(m, nb, m.extent(1)); }
    Matrix points_, weights_, scaled_, sums_, gradient_;
};

/// scaled(i, p) = weights(i, p) · alpha_cols(p, c).
template <class T>
void scale_columns(const HostMatrixOf<T>& weights, const HostMatrixOf<T>& alpha_cols, int c,
                   const HostMatrixOf<T>& scaled) {
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
template <class T>
void form_gradient(const HostMatrixOf<T>& sums, const HostMatrixOf<T>& points, int c, int outputs,
                   T scale, const HostMatrixOf<T>& gradient) {
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

/// acc(j, 0) += Σ_i g(i, j)²  (diagonal AGOP), or column sums into sums(c, j) (centering), summed
/// in the target's scalar.
template <class T, class Sum>
void add_column_sums(const HostMatrixOf<T>& g, bool squares, const HostMatrixOf<Sum>& target,
                     int target_row) {
    for (size_t j = 0; j < g.extent(1); ++j) {
        Sum s = 0;
        for (size_t i = 0; i < g.extent(0); ++i) {
            const Sum v = g(i, j);
            s += squares ? v * v : v;
        }
        target(squares ? j : target_row, squares ? 0 : j) += s;
    }
}

/// alpha_cols(p, c) = alpha(col_ids[p], c): the coefficients of my centres, in T.
template <class T>
HostMatrixOf<T> alpha_of(const HostMatrix& alpha, const kernel::GlobalIds& ids) {
    HostMatrixOf<T> out = make_host_matrix<T>("drfm::agop::alpha_cols", ids.size(), alpha.extent(1));
    for (size_t c = 0; c < alpha.extent(1); ++c)
        for (size_t p = 0; p < ids.size(); ++p) out(p, c) = static_cast<T>(alpha(ids[p], c));
    return out;
}

template <class T>
void reduce_to_root(const HostMatrixOf<T>& sums, int root, const mpi::Comm& row_comm) {
    if (row_comm.size() == 1) return;
    const int count = mpi::to_mpi_count(static_cast<std::int64_t>(sums.size()), "agop chunk reduction");
    void* send = row_comm.rank() == root ? MPI_IN_PLACE : sums.data();
    void* recv = row_comm.rank() == root ? sums.data() : nullptr;
    DRFM_MPI(MPI_Reduce(send, recv, count, mpi::datatype<T>(), MPI_SUM, root, row_comm.get()));
}

/// acc += g_c g_cᵀ summed over the chunk's outputs. Summed in T, SYRK goes straight into acc;
/// summed wider (mixed), each chunk's T Gram goes through `chunk_gram` and is added in Sum.
template <class T, class Sum>
class GramSum {
public:
    GramSum(std::int64_t d, bool diag)
        : acc_("drfm::agop::accumulated", d, diag ? 1 : d),  // upper triangle when full
          chunk_gram_(std::is_same_v<T, Sum> || diag ? HostMatrixOf<T>()
                                                    : HostMatrixOf<T>("drfm::agop::chunk_gram", d, d)) {}

    void add(const HostMatrixOf<T>& g, bool diag, bool first_of_chunk) {
        if (diag) {
            add_column_sums(g, true, acc_, 0);
        } else if constexpr (std::is_same_v<T, Sum>) {
            blas::syrk_upper_t(T(1), g, T(1), acc_);
        } else {
            blas::syrk_upper_t(T(1), g, first_of_chunk ? T(0) : T(1), chunk_gram_);
        }
    }
    void end_chunk(bool diag) {
        if constexpr (!std::is_same_v<T, Sum>) {
            if (diag) return;
            const std::int64_t d = acc_.extent(0);
            for (std::int64_t j = 0; j < d; ++j)
                for (std::int64_t i = 0; i <= j; ++i) acc_(i, j) += chunk_gram_(i, j);
        }
    }
    const HostMatrixOf<Sum>& acc() const { return acc_; }

private:
    HostMatrixOf<Sum> acc_;
    HostMatrixOf<T> chunk_gram_;
};

}  // namespace

template <class T, class Sum>
HostMatrix agop(const kernel::KernelFunction& kf, const AgopInput<T>& in, const AgopOptions& opt,
                const mpi::Comm& row_comm, const mpi::Comm& comm) {
    using Matrix = HostMatrixOf<T>;
    const Matrix& rows = in.points.rows;
    const Matrix& cols = in.points.cols;
    const std::int64_t d = rows.extent(1), nr = rows.extent(0), nc = cols.extent(0);
    const int outputs = static_cast<int>(in.alpha.extent(1));
    const bool diag = opt.kind == config::AgopKind::diag;
    DRFM_CHECK(nc == 0 || static_cast<std::int64_t>(cols.extent(1)) == d, Error,
               "agop: row and column points differ in dimension");
    const std::int64_t b = std::max<std::int64_t>(1, std::min(opt.chunk_rows, nr));
    const std::int64_t sum_cols = static_cast<std::int64_t>(outputs) * (d + 1);

    const Matrix alpha_cols = alpha_of<T>(in.alpha, in.points.col_ids);
    const HostVectorOf<T> col_norms = kernel::squared_row_norms(cols);
    const T scale = static_cast<T>(kf.gradient_scale());
    ChunkScratch<T> scratch(b, nc, d, sum_cols);
    GramSum<T, Sum> gram(d, diag);
    HostMatrixOf<Sum> grad_sums("drfm::agop::gradient_sums", outputs, d);

    const std::int64_t chunks = (nr + b - 1) / b;
    for (std::int64_t chunk = 0; chunk < chunks; ++chunk) {
        const std::int64_t row0 = chunk * b, nb = std::min(b, nr - row0);
        const Matrix points = scratch.points(nb);
        Kokkos::deep_copy(points, Kokkos::subview(rows, std::make_pair(row0, row0 + nb), Kokkos::ALL));
        const kernel::GlobalIds ids(in.points.row_ids.begin() + row0, in.points.row_ids.begin() + row0 + nb);

        const Matrix weights = scratch.weights(nb), scaled = scratch.scaled(nb);
        const Matrix sums = scratch.sums(nb);
        kernel::kernel_block<T>(kf, kernel::BlockValue::gradient_weight, points,
                                kernel::squared_row_norms(points), ids, cols, col_norms,
                                in.points.col_ids, weights);
        const blas::BasicMatRef<T> sums_ref(sums);
        for (int c = 0; c < outputs; ++c) {
            scale_columns(weights, alpha_cols, c, scaled);
            blas::gemm(blas::Op::none, blas::Op::none, T(1), scaled, cols, T(0),
                       sums_ref.block(0, nb, c * d, d));
        }
        blas::gemm(blas::Op::none, blas::Op::none, T(1), weights, alpha_cols, T(0),
                   sums_ref.block(0, nb, static_cast<std::int64_t>(outputs) * d, outputs));

        // The shares of the process row meet at this chunk's root, which forms the gradients.
        const int root = static_cast<int>(chunk % row_comm.size());
        reduce_to_root(sums, root, row_comm);
        if (row_comm.rank() != root) continue;
        const Matrix g = scratch.gradient(nb);
        for (int c = 0; c < outputs; ++c) {
            form_gradient(sums, points, c, outputs, scale, g);
            gram.add(g, diag, c == 0);
            if (opt.centering) add_column_sums(g, false, grad_sums, c);
        }
        gram.end_chunk(diag);
    }

    const HostMatrixOf<Sum>& acc = gram.acc();
    comm.allreduce_sum(acc.data(), static_cast<std::int64_t>(acc.size()));
    if (!diag) blas::symmetrize_from_upper(acc);
    const Sum inv_n = Sum(1) / static_cast<Sum>(in.n);
    for (size_t i = 0; i < acc.size(); ++i) acc.data()[i] *= inv_n;
    if (opt.centering) {
        // (1/n) Σ_i Σ_c (g − ḡ_c)(g − ḡ_c)ᵀ = AGOP − Σ_c ḡ_c ḡ_cᵀ, ḡ_c the mean over all n points.
        comm.allreduce_sum(grad_sums.data(), static_cast<std::int64_t>(grad_sums.size()));
        for (int c = 0; c < outputs; ++c)
            for (std::int64_t j = 0; j < d; ++j) {
                const Sum gj = grad_sums(c, j) * inv_n;
                if (diag) {
                    acc(j, 0) -= gj * gj;
                    continue;
                }
                for (std::int64_t i = 0; i < d; ++i) acc(i, j) -= grad_sums(c, i) * inv_n * gj;
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
