#include "app/app_test_utils.hpp"

#include "analysis/analysis_test_utils.hpp"

#include <cmath>
#include <numeric>

namespace drfm::test {
data::Dataset make_split(const Eigen::MatrixXd& x, const std::vector<int>& labels, int classes,
                         const mpi::Comm& comm) {
    data::Dataset split;
    split.n = x.rows();
    split.d = x.cols();
    split.classes = classes;
    split.class_counts.assign(static_cast<size_t>(classes), 0);
    for (int label : labels) ++split.class_counts[static_cast<size_t>(label)];
    split.rows = RowPartition(split.n, comm.size());
    split.x = local_rows(x, comm);
    split.labels = labels;
    split.source_index.resize(labels.size());
    std::iota(split.source_index.begin(), split.source_index.end(), std::int64_t{0});
    return split;
}

data::Data make_data(const Eigen::MatrixXd& x, const std::vector<int>& labels,
                     const Eigen::MatrixXd& x_test, const std::vector<int>& test_labels, int classes,
                     const mpi::Comm& comm) {
    data::Data out;
    out.train = make_split(x, labels, classes, comm);
    out.test = make_split(x_test, test_labels, classes, comm);
    out.description = "test data";
    return out;
}

Eigen::MatrixXd standardised(const Eigen::MatrixXd& x) {
    Eigen::MatrixXd out = x.rowwise() - x.colwise().mean();
    for (Eigen::Index j = 0; j < out.cols(); ++j)
        out.col(j) /= std::sqrt(out.col(j).squaredNorm() / static_cast<double>(out.rows() - 1));
    return out;
}

Eigen::MatrixXd sin_weights(std::int64_t width, std::int64_t d) {
    Eigen::MatrixXd w(width, d);
    for (std::int64_t a = 0; a < width; ++a)
        for (std::int64_t b = 0; b < d; ++b)
            w(a, b) = std::sin(0.37 * a + 1.1 * b + 0.5 * a * b) / std::sqrt(static_cast<double>(d));
    return w;
}

app::WeightsFactory sin_weights_factory(std::int64_t width) {
    return [width](int, std::int64_t d) {
        const Eigen::MatrixXd w = sin_weights(width, d);
        features::FeatureWeights out;
        out.map = config::FeatureMap::relu;
        out.w = make_host_matrix("drfm::test::sin_weights", width, d);
        for (std::int64_t b = 0; b < d; ++b)
            for (std::int64_t a = 0; a < width; ++a) out.w(a, b) = w(a, b);
        return out;
    };
}

std::vector<app::LayerResult> run_layers(const data::Data& data, const config::Config& cfg,
                                         const dist::BlacsGrid& grid,
                                         const app::WeightsFactory& weights) {
    std::vector<app::LayerResult> out;
    app::KernelStorage kernel_storage(cfg, data.train.n, grid);
    for (int layer = 1; layer <= cfg.model.depth; ++layer) {
        // Copies: run_layer row-normalises its input in place, which would alter the stored Φ.
        const FloatOrDoubleMatrix x = layer == 1 ? data.train.x : out.back().phi;
        const FloatOrDoubleMatrix x_test = layer == 1 ? data.test.x : out.back().phi_test;
        app::PhaseTimes times;
        out.push_back(app::run_layer(layer, layer_input_copy(cfg, x), layer_input_copy(cfg, x_test),
                                     data, cfg, kernel_storage, weights, times));
    }
    return out;
}

FloatOrDoubleMatrix layer_input_copy(const config::Config& cfg, const FloatOrDoubleMatrix& m) {
    return app::feature_copy(cfg.model, m.in<double>("drfm::test::copy"), "drfm::test::copy");
}

Eigen::MatrixXd gather_rows(const FloatOrDoubleMatrix& mine, const mpi::Comm& comm) {
    return gather_rows(mine.in<double>("drfm::test::gathered"), comm);
}

Eigen::MatrixXd gather_rows(const HostMatrix& mine, const mpi::Comm& comm) {
    const std::int64_t rows = mine.extent(0), cols = mine.extent(1);
    std::vector<double> flat(static_cast<size_t>(rows * cols));  // row-major
    for (std::int64_t i = 0; i < rows; ++i)
        for (std::int64_t j = 0; j < cols; ++j) flat[static_cast<size_t>(i * cols + j)] = mine(i, j);
    const std::vector<double> all = comm.allgatherv(flat);
    const std::int64_t n = static_cast<std::int64_t>(all.size()) / std::max<std::int64_t>(cols, 1);
    return Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
        all.data(), n, cols);
}

std::vector<int> my_labels(const data::Dataset& split, int rank) {
    const auto first = split.labels.begin() + split.rows.begin(rank);
    return std::vector<int>(first, first + split.rows.count(rank));
}

}  // namespace drfm::test
