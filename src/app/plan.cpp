#include "drfm/app/plan.hpp"

#include "drfm/app/deep_rfm.hpp"
#include "drfm/config/schema.hpp"
#include "drfm/core/host_window.hpp"
#include "drfm/core/system_memory.hpp"
#include "drfm/kernel/kernel_matrix.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace drfm::app {
namespace {

constexpr double bytes_per_double = 8.0;

/// Bytes of one number of the numeric core (kernel tiles, GEMM operands) in a precision.
double compute_bytes(config::Precision precision) {
    return precision == config::Precision::float64 ? 8.0 : 4.0;
}

std::string human_flops(double f) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g GFLOP", f / 1e9);
    return buf;
}

}  // namespace

std::int64_t max_local_extent(std::int64_t n, std::int64_t nb, int p) {
    const std::int64_t blocks = (n + nb - 1) / nb;
    return std::min(n, ((blocks + p - 1) / p) * nb);
}

std::int64_t layer_input_dim(const config::ModelConfig& model, std::int64_t d, int layer) {
    if (layer <= 1 || model.features == config::FeatureMap::cosine) return d;
    return model.width;
}

double Plan::peak_bytes() const {
    double peak = 0.0;
    for (const auto& p : phases) peak = std::max(peak, p.peak_bytes);
    return peak;
}

double Plan::total_flops() const {
    double total = 0.0;
    for (const auto& p : phases) total += p.flops;
    return total;
}

Plan make_plan(const config::Config& cfg, const ProblemShape& s) {
    const auto& m = cfg.model;
    const double n = static_cast<double>(s.n), nt = static_cast<double>(s.n_test);
    const double c = s.classes, p = s.ranks;
    const std::int64_t nb = cfg.parallel.block_size;
    const double mr = static_cast<double>(max_local_extent(s.n, nb, s.nprow));
    const double mc = static_cast<double>(max_local_extent(s.n, nb, s.npcol));
    const double mrt = static_cast<double>(max_local_extent(s.n_test, nb, s.nprow));
    const double rows = std::ceil(n / p), rows_t = std::ceil(nt / p);
    const double b = std::min<double>(256.0, mr);  // AGOP chunk rows (agop::AgopOptions)
    const double iters = m.rfm_iters;
    const bool lu = m.ridge <= 0.0;
    // Sizes below are in numbers; `db`, `tb` and `fb` make them bytes: float64 for data, results
    // and coefficients, the precision's scalar for K and the GEMM operands, the features' scalar
    // for X_l, X_l S_l and Φ (app::Precision: float only in float32).
    const double db = bytes_per_double, tb = compute_bytes(m.precision);
    const bool narrowed = m.precision != config::Precision::float64;
    const bool refined = m.precision == config::Precision::mixed;
    const double fb = refined ? db : tb;

    Plan plan;
    plan.shape = s;
    for (const std::string& name : phase_names()) plan.phases.push_back({name, 0.0, 0.0});
    auto phase = [&](const char* name) -> PhaseCost& {
        return *std::find_if(plan.phases.begin(), plan.phases.end(),
                             [&](const PhaseCost& pc) { return pc.name == name; });
    };
    // The share of K assembled: all of it for LU; for Cholesky the triangle it reads plus a
    // staircase of panels (kernel::assemble_triangle), written in place (on a device backend
    // through a host copy of one panel).
    const double panel = std::min<double>(static_cast<double>(kernel::triangle_panel), mc);
    // The refined solve of mixed reads both triangles.
    const double k_share = lu || refined ? 1.0 : std::min(1.0, 0.5 * (1.0 + panel * s.npcol / n));
    // Always resident: my rows (train, test) of the loaded data (width d, kept for the whole run)
    // and of the layer's input (width dl, in the features' scalar), replicated α and labels, and
    // the run's kernel matrix (app::KernelStorage) from its first fit on: the assembled share, or
    // all of it once analysis.kernel_eigs has assembled the whole or where huge pages fault in the
    // rest with it.
    const double d0 = static_cast<double>(s.d);
    const bool whole_k = cfg.analysis.kernel_eigs || s.huge_pages_always;
    const double k_resident = (whole_k ? 1.0 : k_share) * mr * mc;
    auto resident = [&](double dl) {
        return db * ((rows + rows_t) * d0 + n * c + n) + fb * (rows + rows_t) * dl +
               tb * k_resident;
    };
    // One kernel ridge fit on dl-dimensional coordinates, scored on the test split (mixed: the
    // coordinates rounded to float, the refinement's float64 panel of K and its products,
    // kernel_product in solve/krr.cpp).
    auto add_fit = [&](double dl, double fits) {
        const double fit_mem =
            resident(dl) + tb * ((mr + mc) * dl + (refined ? rows : 0.0) * dl) + db * mr * c;
        const double panel_buffer =
            lu || exec_reaches_host ? 0.0 : tb * mr * panel;
        const double refinement =
            refined ? db * (mr * static_cast<double>(solve::refinement_panel) + 2.0 * (mr + mc) * c +
                            2.0 * n * c)
                    : 0.0;
        phase("kernel").flops += fits * k_share * (2.0 * n * n * dl + 3.0 * n * n);
        phase("kernel").peak_bytes = std::max(phase("kernel").peak_bytes, fit_mem + panel_buffer);
        phase("solve").flops += fits * ((lu ? 2.0 / 3.0 : 1.0 / 3.0) * n * n * n + 2.0 * n * n * c);
        phase("solve").peak_bytes = std::max(phase("solve").peak_bytes, fit_mem + refinement);
        phase("predict").flops += 2.0 * nt * n * (dl + c);
        phase("predict").peak_bytes = std::max(phase("predict").peak_bytes,
            resident(dl) + tb * ((mrt + mc) * dl + std::min(static_cast<double>(solve::predict_rows), mrt) * mc) + db * mrt * c);
    };
    for (int l = 1; l <= m.depth; ++l) {
        const double dl = static_cast<double>(layer_input_dim(m, s.d, l));
        const double k = static_cast<double>(m.features == config::FeatureMap::cosine ? s.d : m.width);
        add_fit(dl, iters);
        phase("agop").flops += iters * (2.0 * n * n * dl + 2.0 * n * n * c * dl + 2.0 * n * n * c + n * c * dl * dl);
        phase("agop").peak_bytes = std::max(phase("agop").peak_bytes,
            resident(dl) + tb * ((mr + mc) * dl + mc * c + b * (2.0 * mc + c * (dl + 1) + 2.0 * dl) +
                                 (refined ? 2.0 : 1.0) * dl * dl));
        phase("sqrt").flops += iters * 9.0 * dl * dl * dl * p;  // redundant on every rank
        phase("sqrt").peak_bytes = std::max(phase("sqrt").peak_bytes, resident(dl) + db * 5.0 * dl * dl);
        phase("features").flops += 2.0 * (n + nt) * dl * (dl + k);
        phase("features").peak_bytes = std::max(phase("features").peak_bytes,
            resident(dl) + fb * ((rows + rows_t) * (dl + k) + k * dl) + db * k * dl);
        if (cfg.analysis.kernel_eigs && iters > 0) {
            // The whole K into the run's storage (a float64 matrix of its own when that is float),
            // then dist::eigh_top: its copy of K and its n×n eigenvector matrix, a tridiagonal
            // reduction (4/3 n³) and k back-transformed vectors.
            const double top =
                static_cast<double>(std::min<std::int64_t>(cfg.analysis.kernel_eigs_k, s.n));
            phase("analysis").flops +=
                2.0 * n * n * dl + 3.0 * n * n + 4.0 / 3.0 * n * n * n + 4.0 * n * n * top;
            phase("analysis").peak_bytes = std::max(phase("analysis").peak_bytes,
                resident(dl) + db * ((mr + mc) * dl + (narrowed ? 3.0 : 2.0) * mr * mc + (5.0 + top) * n));
        }
        // X and MX have width dl, PhiMX width k, each read in its scalar (float rows widened a
        // block at a time): NC statistics, then the kernel picture (uncentred and centred) by the
        // p×p route when the width w < n, else by the n×n route (analysis::resolve_route), whose G,
        // eigenvectors and workspace hold about 5 n×n. The layer's MX, Φ and test Φ stay beside
        // them; its test input is released (app::run_layers).
        for (const double w : {dl, dl, k}) {
            const bool gram = w >= n;
            phase("analysis").flops += 2.0 * n * w * w +
                2.0 * (gram ? 2.0 * n * n * w + 9.0 * n * n * n + 4.0 * n * n * c
                            : 2.0 * n * w * w + 9.0 * w * w * w * p);
            phase("analysis").peak_bytes = std::max(phase("analysis").peak_bytes,
                resident(dl) + fb * (rows * (dl + k) + rows_t * (k - dl)) +
                db * (gram ? 5.0 * mr * mc : 3.0 * w * w));
        }
    }
    if (m.final_predictor == config::FinalPredictor::krr)
        add_fit(static_cast<double>(layer_input_dim(m, s.d, m.depth + 1)), 1.0);
    return plan;
}

void Plan::add_measured_baseline(const mpi::Comm& comm) {
    const double measured = comm.max(system_memory::resident_bytes());
    for (auto& pc : phases) pc.peak_bytes += measured - baseline_bytes;
    baseline_bytes = measured;
}

std::string Plan::describe(const config::Config& cfg) const {
    std::ostringstream os;
    os << "plan: n = " << shape.n << " train, " << shape.n_test << " test samples, d = " << shape.d
       << ", " << shape.classes << " classes, depth " << cfg.model.depth << ", rfm_iters "
       << cfg.model.rfm_iters << ", precision " << config::to_string(cfg.model.precision) << "\n";
    os << "      " << shape.ranks << " ranks on a " << shape.nprow << "x" << shape.npcol
       << " process grid (column-major), block size " << cfg.parallel.block_size << "\n";
    if (shape.huge_pages_always && cfg.model.ridge > 0.0 && !cfg.analysis.kernel_eigs)
        os << "      transparent huge pages are \"always\" here: the whole local kernel matrix "
              "counts as resident, not only its assembled triangle\n";
    return os.str() + phase_table();
}

std::string Plan::phase_table() const {
    std::ostringstream os;
    os << "      phase       work (all ranks)   peak memory per rank\n";
    for (const auto& pc : phases) {
        char line[128];
        std::snprintf(line, sizeof line, "      %-10s  %16s   %s\n", pc.name.c_str(),
                      human_flops(pc.flops).c_str(),
                      system_memory::format_bytes(pc.peak_bytes).c_str());
        os << line;
    }
    os << "      total       " << human_flops(total_flops()) << ", peak "
       << system_memory::format_bytes(peak_bytes()) << " per rank";
    if (baseline_bytes > 0.0)
        os << " (each peak includes " << system_memory::format_bytes(baseline_bytes)
           << " for the process itself, measured)";
    return os.str();
}

}  // namespace drfm::app
