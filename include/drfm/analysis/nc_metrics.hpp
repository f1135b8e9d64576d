#pragma once
/// @file
/// Neural-collapse metrics of a row-distributed representation (methods.md §3). Samples are rows,
/// distributed over the ranks of `comm` in any way (class order is not assumed); each rank passes
/// its own rows and their labels. Features are never gathered: per rank O(K·p) extra memory.
///
/// Global mean convention (methods.md §8.3): μ_G is the **mean of the class means**
/// μ_G = (1/K) Σ_c μ_c, as in the authors' code, not the sample mean (they differ for unbalanced
/// classes). It enters S_B, NC1 (all three variants) and NC2.
#include "drfm/core/views.hpp"
#include "drfm/mpi/comm.hpp"

#include <cstdint>
#include <vector>

namespace drfm::analysis {

/// Class statistics and the NC1/NC2 variants of methods.md §3.1–3.3. With N samples, K classes,
/// class c holding n_c rows h_{c,i} with mean μ_c:
///   S_W = Σ_c Σ_i (h_{c,i} − μ_c)(h_{c,i} − μ_c)ᵀ,   S_B = Σ_c (μ_c − μ_G)(μ_c − μ_G)ᵀ.
/// When all class means coincide the NC1 ratios are Inf or NaN and NC2 is NaN.
struct NcMetrics {
    std::int64_t samples = 0;  ///< N
    double tr_sw = 0.0;        ///< tr S_W (two-pass: exactly 0 for exactly collapsed data)
    double tr_sb = 0.0;        ///< tr S_B = Σ_c ‖μ_c − μ_G‖²
    /// Conventional trace ratio NC1_tr = tr(S_W/N) / tr(S_B/K) = K · nc1_code.
    double nc1 = 0.0;
    /// As coded and plotted by the authors: tr(S_W) / (N · tr S_B) (their Σ_W = S_W/(K·N)).
    double nc1_code = 0.0;
    /// Papyan et al.: (1/K) tr(Σ_W Σ_B^†), Σ_W = S_W/N, Σ_B = S_B/K, evaluated in the span of the
    /// centred class means: Σ_B = Σ_k λ_k u_k u_kᵀ, tr(Σ_W Σ_B^†) = Σ_k u_kᵀ Σ_W u_k / λ_k over
    /// λ_k > 1e-10 · λ_max (methods.md §3.2).
    double nc1_papyan = 0.0;
    /// NC2_code = mean_{a,b} (G_ab − E_ab)², G_ab = μ̃_a·μ̃_b with μ̃_c = (μ_c − μ_G)/‖μ_c − μ_G‖,
    /// E = (K/(K−1))(I − 11ᵀ/K) (simplex ETF). NaN if a centred class mean is exactly zero.
    double nc2 = 0.0;
    /// ‖G − E‖_F = K · sqrt(nc2).
    double nc2_fro = 0.0;
};

/// NC1 (three variants) and NC2 of the representation whose rows this rank holds.
/// Two passes over the rows: class sums (one Allreduce of K·p + K numbers), then the centred
/// within-class scatter, reduced only through its trace and its projections on the ≤ K−1
/// directions of Σ_B (one Allreduce of K numbers). Cost O(N·p·K / ranks + K²·p).
/// @pre `labels_local.size() == rows.extent(0)`, every label in [0, classes), classes >= 2,
///      every class has at least one sample on some rank, all ranks pass the same p and classes.
/// @throws InputDataError (collective) when a precondition on the data fails.
/// Rows in float (model.precision = "float32") are read in blocks and computed on in double.
template <class T>
NcMetrics nc_metrics(const HostMatrixOf<T>& rows, const std::vector<int>& labels_local, int classes,
                     const mpi::Comm& comm);

/// NC4 (Papyan et al., methods.md §3.4): the fraction of samples whose predicted class
/// `predicted_local[i]` (argmax of the layer's predictor) differs from the nearest-class-mean class
/// argmin_c ‖h_i − μ_c‖ of `rows` (ties go to the lowest class index). The class means come from
/// `labels_local`.
/// @pre as for nc_metrics, and `predicted_local` has one entry in [0, classes) per row.
template <class T>
double nc4(const HostMatrixOf<T>& rows, const std::vector<int>& labels_local,
           const std::vector<int>& predicted_local, int classes, const mpi::Comm& comm);

}  // namespace drfm::analysis
