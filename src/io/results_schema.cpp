#include "drfm/io/results_schema.hpp"

#include <numeric>

namespace drfm::io {

namespace {

std::vector<std::int64_t> range(std::int64_t first, std::int64_t count) {
    std::vector<std::int64_t> v(static_cast<std::size_t>(count));
    std::iota(v.begin(), v.end(), first);
    return v;
}

// Dimension lists of the four array shapes.
const std::vector<std::string> run_layer_repr{"run", "layer", "repr"};
const std::vector<std::string> run_layer_split{"run", "layer", "split"};
const std::vector<std::string> spectrum{"run", "layer", "repr", "centering", "k"};
const std::vector<std::string> spectral_scalar{"run", "layer", "repr", "centering"};

}  // namespace

std::vector<std::string> results_groups() {
    return {"/metrics", "/spectra", "/pictures", "/timings", "/runs"};
}

std::vector<DimensionSpec> results_dimensions(const ResultsLayout& l) {
    const std::string run_text = "run of the scan (0-based, in scan-expansion order)";
    const std::string layer_text = l.network ? "hidden layer l of the network (1..L); its input "
                                               "is Phi(X), the output of layers 1..l-1"
                                             : "Deep RFM layer l (1..depth)";
    const std::string repr_text =
        "representation: X = layer input X_l, MX = X_l M_l^{1/2} (AGOP-transformed), "
        "PhiMX = Phi(X_l M_l^{1/2}) (after the random feature map); features = a snapshot's "
        "features as stored (analysis.mode = features)";
    const std::string tile_text =
        "tile index i: block i averages samples [i n/t, (i+1) n/t) of the class-ordered rows";
    const std::string checkpoint_text =
        "checkpoint of the network file (analysis.mode = network), in natural name order";
    std::vector<DimensionSpec> dims;
    for (const auto& group : results_groups()) {
        const std::string& text = l.run_dimension == "run" ? run_text : checkpoint_text;
        if (l.run_labels.empty()) dims.push_back({group, l.run_dimension, text, range(0, l.runs), {}});
        else dims.push_back({group, l.run_dimension, text, {}, l.run_labels});
    }
    const std::string snapshot_text =
        "snapshot of the features file (analysis.mode = features), in natural name order";
    for (const std::string group : {"/metrics", "/spectra", "/pictures", "/timings"}) {
        if (l.layer_labels.empty()) dims.push_back({group, "layer", layer_text, range(1, l.depth), {}});
        else dims.push_back({group, "layer", snapshot_text, {}, l.layer_labels});
    }
    for (const std::string group : {"/metrics", "/spectra", "/pictures"})
        dims.push_back({group, "repr", repr_text, {}, l.reprs});
    dims.push_back({"/metrics", "split", "data split the quantity is evaluated on", {}, l.splits});
    dims.push_back({"/spectra", "centering",
                    "feature matrix F as is (uncentred) or with column means removed (centred)",
                    {}, centering_labels});
    dims.push_back({"/spectra", "k", "eigenvalue rank k (1 = largest)", range(1, l.max_k), {}});
    dims.push_back({"/pictures", "tile_row", tile_text, range(0, l.picture_size), {}});
    dims.push_back({"/pictures", "tile_col", tile_text, range(0, l.picture_size), {}});
    dims.push_back({"/timings", "phase", "phase of the layer's computation", {}, l.phases});
    return dims;
}

std::vector<DatasetSpec> results_schema(const ResultsLayout& l) {
    // clang-format off
    std::vector<DatasetSpec> s = {
        // group, name, dims, description, units, formula
        {"/metrics", "nc1", run_layer_repr,
         "NC1, conventional trace ratio (within-class over between-class variability); "
         "mu_G = mean of class means", "1", "tr(S_W/N) / tr(S_B/K)"},
        {"/metrics", "nc1_code", run_layer_repr,
         "NC1 as computed and plotted by the reference code (= nc1/K)", "1",
         "tr(S_W) / (N tr(S_B))"},
        {"/metrics", "nc1_papyan", run_layer_repr,
         "NC1 of Papyan et al. (2020), pseudo-inverse in the span of the centred class means",
         "1", "(1/K) tr(Sigma_W Sigma_B^+), Sigma_W = S_W/N, Sigma_B = S_B/K"},
        {"/metrics", "nc2", run_layer_repr,
         "NC2 as in the reference code: mean squared deviation of the normalised class-mean "
         "Gram matrix from the simplex ETF", "1",
         "||G - E||_F^2 / K^2, G_ij = mu~_i . mu~_j, E = K/(K-1) (I - 11^T/K)"},
        {"/metrics", "nc2_fro", run_layer_repr,
         "NC2 as a Frobenius norm of the same deviation", "1", "||G - E||_F = K sqrt(nc2)"},
        {"/metrics", "nc4", run_layer_repr,
         "NC4: fraction of training points whose predicted class differs from the nearest "
         "class mean", "1", "mean_i [argmax_c f_c(x_i) != argmin_c ||h(x_i) - mu_c||]"},
        {"/metrics", "accuracy", run_layer_split,
         "classification accuracy of the layer's kernel ridge predictor (features mode: of the "
         "snapshot's f, its outputs or linear readout)", "1",
         "mean_i [argmax_c f_c(x_i) = y_i]"},
        {"/metrics", "mse", run_layer_split,
         "mean squared error of the layer's kernel ridge predictor against the +-1 targets "
         "(features mode: of the snapshot's f)", "1", "(1/(n c)) sum_i ||f(x_i) - y_i||^2"},

        {"/metrics", "final_accuracy", {"run", "split"},
         "classification accuracy of the final predictor: kernel ridge regression on the "
         "row-normalised output of the last layer (model.final_predictor = \"krr\"); NaN "
         "without one", "1", "mean_i [argmax_c f_c(x_i) = y_i]"},
        {"/metrics", "final_mse", {"run", "split"},
         "mean squared error of the final predictor against the +-1 targets; NaN without one",
         "1", "(1/(n c)) sum_i ||f(x_i) - y_i||^2"},

        {"/spectra", "agop", {"run", "layer", "k"},
         "eigenvalues of the layer's AGOP M_l, descending; NaN beyond its size", "1", ""},
        {"/spectra", "kernel", {"run", "layer", "k"},
         "largest eigenvalues of the n x n training kernel matrix K_M(X_l, X_l), descending "
         "(analysis.kernel_eigs); NaN where not computed", "1", ""},
        {"/spectra", "rho", spectrum,
         "eigenvalues rho_k of the feature covariance of the representation, descending; NaN "
         "beyond the numerical rank", "1", "Sigma = (1/n) F^T F = V diag(rho) V^T"},
        {"/spectra", "quality", spectrum,
         "quality Q*_k: share of the targets carried by eigenfunction e_k", "1",
         "sum_c <e_k, f*_c>^2 / sum_c ||f*_c||^2"},
        {"/spectra", "utility", spectrum,
         "utility Q_k: share of the learned function carried by eigenfunction e_k", "1",
         "sum_c <e_k, f_c>^2 / sum_c ||f_c||^2"},
        {"/spectra", "pi", spectrum, "cumulative utility Pi(k)", "1", "sum_{j<=k} Q_j"},
        {"/spectra", "pi_star", spectrum, "cumulative quality Pi*(k)", "1", "sum_{j<=k} Q*_j"},
        {"/spectra", "d_eff", spectral_scalar,
         "effective dimension: exponential of the Shannon entropy of the eigenvalues", "1",
         "exp(-sum_k p_k ln p_k), p_k = rho_k / sum_j rho_j"},
        {"/spectra", "tail_c", spectral_scalar,
         "spectral mass outside the top C eigenvalues (C = number of classes)", "1",
         "1 - sum_{k<=C} rho_k / sum_k rho_k"},
        {"/spectra", "k_tau90", spectral_scalar,
         "number of dominant eigenfunctions at tau = 0.9", "1", "min{k : Pi(k) >= 0.9}"},
        {"/spectra", "k_tau99", spectral_scalar,
         "number of dominant eigenfunctions at tau = 0.99", "1", "min{k : Pi(k) >= 0.99}"},
        {"/spectra", "dlr_function", spectral_scalar,
         "D_LR candidate (f): share of the learned function outside the top C eigenfunctions",
         "1", "1 - Pi(C)"},
        {"/spectra", "dlr_spectral", spectral_scalar,
         "D_LR candidate (rho): spectral low-rankness of the features alone (equals tail_c "
         "by definition, kept under its own name until the paper's formula is confirmed)", "1",
         "1 - sum_{k<=C} rho_k / sum_k rho_k"},

        {"/pictures", "gram", {"run", "layer", "repr", "tile_row", "tile_col"},
         "block-averaged Gram matrix of the row-centred, row-normalised representation, rows "
         "in class order; values in [-1, 1]", "1",
         "G = Z Z^T, z_i <- (z_i - mean_j z_j) / ||z_i - mean_j z_j||"},

        {"/timings", "seconds", {"run", "layer", "phase"},
         "wall-clock time of each phase of each layer (maximum over ranks)", "s", ""},

        {"/runs", "status", {"run"}, "run status: 0 pending, 1 done, 2 failed (set after the "
         "run's data is on disk)", "1", "", Element::i32},
    };
    // clang-format on
    if (l.network) {
        s.push_back({"/metrics", "nfa", {"run", "layer"},
                     "Neural Feature Ansatz: Pearson correlation of the entries of W_l^T W_l and "
                     "the AGOP of the sub-network layers[l:] w.r.t. its input", "1",
                     "corr(W_l^T W_l, AGOP_l)"});
        s.push_back({"/metrics", "nfa_sqrt", {"run", "layer"},
                     "Neural Feature Ansatz with the AGOP's square root (the paper's Fig. 11)",
                     "1", "corr(W_l^T W_l, AGOP_l^{1/2})"});
    }
    for (auto& spec : s)
        for (auto& dim : spec.dims)
            if (dim == "run") dim = l.run_dimension;
    for (const auto& p : l.parameters)
        s.push_back({"/runs", p.name, {l.run_dimension}, p.description, p.units, ""});
    return s;
}

void define_results_layout(const File& file, const ResultsLayout& layout) {
    for (const auto& group : results_groups()) define_group(file, group);
    for (const auto& d : results_dimensions(layout)) {
        if (d.labels.empty())
            define_dimension(file, d.group, d.name, d.values, d.description);
        else
            define_dimension(file, d.group, d.name, d.labels, d.description);
    }
    for (const auto& spec : results_schema(layout)) define_dataset(file, spec);
}

}  // namespace drfm::io
