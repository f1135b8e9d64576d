#include "drfm/agop/mlp_agop.hpp"

#include "drfm/core/blas.hpp"
#include "drfm/core/error.hpp"
#include "drfm/core/timer.hpp"

#include <algorithm>

namespace drfm::agop {
namespace {

std::int64_t rows_of(const HostMatrix& m) { return static_cast<std::int64_t>(m.extent(0)); }
std::int64_t cols_of(const HostMatrix& m) { return static_cast<std::int64_t>(m.extent(1)); }

}  // namespace

void check_shapes(const MlpWeights& w, std::int64_t input_dim) {
    DRFM_CHECK(!w.hidden.empty(), InputDataError, "network: no hidden layer");
    std::int64_t in = input_dim;
    for (std::size_t k = 0; k < w.hidden.size(); ++k) {
        DRFM_CHECK(cols_of(w.hidden[k]) == in, InputDataError, "network: W", k + 1, " is ",
                   rows_of(w.hidden[k]), " x ", cols_of(w.hidden[k]), " but its input has ", in,
                   " features (expected [out x ", in, "], PyTorch's Linear.weight)");
        in = rows_of(w.hidden[k]);
    }
    DRFM_CHECK(cols_of(w.readout) == in, InputDataError, "network: the final layer is ",
               rows_of(w.readout), " x ", cols_of(w.readout), " but the last hidden layer has ",
               in, " outputs (expected [classes x ", in, "])");
}

ForwardPass forward(const MlpWeights& w, const HostMatrix& x, Activation activation) {
    ForwardPass out;
    out.activations.push_back(x);
    const std::int64_t m = rows_of(x);
    for (const HostMatrix& weight : w.hidden) {
        const Stopwatch watch;
        const HostMatrix& in = out.activations.back();
        HostMatrix h = make_host_matrix("drfm::agop::activation", m, rows_of(weight));
        if (m > 0) blas::gemm(blas::Op::none, blas::Op::transpose, 1.0, in, weight, 0.0, h);
        if (activation == Activation::relu)
            for (std::size_t i = 0; i < h.span(); ++i) h.data()[i] = std::max(h.data()[i], 0.0);
        out.activations.push_back(h);
        out.seconds.push_back(watch.seconds());
    }
    out.outputs = make_host_matrix("drfm::agop::outputs", m, rows_of(w.readout));
    if (m > 0)
        blas::gemm(blas::Op::none, blas::Op::transpose, 1.0, out.activations.back(), w.readout,
                   0.0, out.outputs);
    return out;
}

std::vector<HostMatrix> subnetwork_agops(const MlpWeights& w, const ForwardPass& pass,
                                         std::int64_t n, const mpi::Comm& comm,
                                         Activation activation, std::int64_t block_rows,
                                         std::vector<double>* seconds) {
    const std::size_t depth = w.hidden.size();
    DRFM_CHECK(pass.activations.size() == depth + 1, Error, "subnetwork_agops: ",
               pass.activations.size(), " activations for ", depth, " layers");
    DRFM_CHECK(block_rows >= 1 && n >= 1, Error, "subnetwork_agops: block_rows ", block_rows,
               ", n ", n);
    const std::int64_t m = rows_of(pass.activations[0]), c = rows_of(w.readout);
    std::int64_t widest = cols_of(w.readout);
    for (const HostMatrix& weight : w.hidden) widest = std::max(widest, cols_of(weight));
    std::vector<HostMatrix> agops;
    for (const HostMatrix& weight : w.hidden) {
        const std::int64_t in = cols_of(weight);
        agops.emplace_back("drfm::agop::subnetwork_agop", in, in);  // zero-initialised
    }
    std::vector<double> time(depth, 0.0);
    // Two (b·c) × widest buffers: the current G (masked) and the next layer's Jacobians.
    const std::int64_t b_max = std::min(block_rows, std::max<std::int64_t>(m, 1));
    HostMatrix g_buffer = make_host_matrix("drfm::agop::jacobians", b_max * c, widest);
    HostMatrix j_buffer = make_host_matrix("drfm::agop::jacobians", b_max * c, widest);
    for (std::int64_t begin = 0; begin < m; begin += b_max) {
        const std::int64_t b = std::min(b_max, m - begin), bc = b * c;
        // Row j·b + i of G holds output j of sample begin + i: G_{L+1} = W_out for every sample.
        HostMatrix g = leading_block(g_buffer, bc, cols_of(w.readout));
        for (std::int64_t q = 0; q < cols_of(w.readout); ++q)
            for (std::int64_t j = 0; j < c; ++j)
                for (std::int64_t i = 0; i < b; ++i) g(j * b + i, q) = w.readout(j, q);
        for (std::size_t k = depth; k-- > 0;) {
            const Stopwatch watch;
            const HostMatrix& weight = w.hidden[k];
            const std::int64_t out = rows_of(weight), in = cols_of(weight);
            if (activation == Activation::relu) {
                const HostMatrix& h = pass.activations[k + 1];  // 1[h_k > 0] = σ'(pre-activation)
                for (std::int64_t q = 0; q < out; ++q)
                    for (std::int64_t j = 0; j < c; ++j)
                        for (std::int64_t i = 0; i < b; ++i)
                            if (!(h(begin + i, q) > 0.0)) g(j * b + i, q) = 0.0;
            }
            HostMatrix jac = leading_block(j_buffer, bc, in);
            blas::gemm(blas::Op::none, blas::Op::none, 1.0, g, weight, 0.0, jac);
            blas::syrk_upper_t(1.0, jac, 1.0, agops[k]);
            std::swap(g_buffer, j_buffer);
            g = jac;
            time[k] += watch.seconds();
        }
    }
    for (std::size_t k = 0; k < depth; ++k) {
        blas::symmetrize_from_upper(agops[k]);
        comm.allreduce_sum(agops[k].data(), static_cast<std::int64_t>(agops[k].span()));
        const double scale = 1.0 / static_cast<double>(n);
        for (std::size_t i = 0; i < agops[k].span(); ++i) agops[k].data()[i] *= scale;
    }
    if (seconds) *seconds = time;
    return agops;
}

double mlp_flops(const MlpWeights& w, std::int64_t n) {
    const double rows = static_cast<double>(n), c = static_cast<double>(rows_of(w.readout));
    double flops = 2.0 * rows * c * static_cast<double>(cols_of(w.readout));
    for (const HostMatrix& weight : w.hidden) {
        const double out = static_cast<double>(rows_of(weight)), in = static_cast<double>(cols_of(weight));
        flops += 2.0 * rows * out * in;                       // forward GEMM
        flops += 2.0 * rows * c * out * in + rows * c * in * in;  // backward GEMM + SYRK
    }
    return flops;
}

}  // namespace drfm::agop
