// One Deep RFM layer of the engine against a plain serial re-implementation of methods.md §2.4
// (serial_rfm.cpp: explicit loops, closed-form gradients, Eigen LLT/LU) on a tiny problem, for the
// options the §7.2 reference values do not cover: T = 2 RFM iterations (M_2 from the M_1 kernel),
// the diagonal AGOP, centred gradients, the generalised Laplace kernel; and the layer's train and
// test scores and predictions against the serial predictor K α.
#include "app/app_test_utils.hpp"
#include "app/serial_rfm.hpp"

#include <cmath>
#include <ostream>
#include <string>

namespace drfm {
namespace {

using Eigen::MatrixXd;
namespace serial = test::serial;

constexpr int classes = 3, dim = 4, width = 6;

std::vector<int> labels_of(int n) {
    std::vector<int> labels(n);
    for (int i = 0; i < n; ++i) labels[i] = (i * classes) / n;
    return labels;
}

MatrixXd features_of(const std::vector<int>& labels, double phase) {
    MatrixXd x(static_cast<Eigen::Index>(labels.size()), dim);
    for (Eigen::Index i = 0; i < x.rows(); ++i)
        for (int j = 0; j < dim; ++j)
            x(i, j) = std::sin(0.7 * i + 1.9 * j + phase) + 1.2 * (j == labels[i] ? 1.0 : 0.0);
    return x;
}

struct Case {
    std::string name;
    config::KernelKind kernel = config::KernelKind::laplace;
    double exponent = 1.0;
    double ridge = 1e-3;
    int iters = 1;
    config::AgopKind agop = config::AgopKind::full;
    bool centering = false;
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

serial::Model serial_model(const Case& c) {
    serial::Model m;
    m.kernel = c.kernel == config::KernelKind::gaussian      ? serial::Kernel::gaussian
               : c.kernel == config::KernelKind::gen_laplace ? serial::Kernel::gen_laplace
                                                             : serial::Kernel::laplace;
    m.bandwidth = 2.0;
    m.exponent = c.exponent;
    m.ridge = c.ridge;
    m.iters = c.iters;
    m.diag = c.agop == config::AgopKind::diag;
    m.centering = c.centering;
    return m;
}

config::Config engine_config(const Case& c) {
    config::Config cfg;
    cfg.model.kernel = c.kernel;
    cfg.model.bandwidth = 2.0;
    cfg.model.exponent = c.exponent;
    cfg.model.ridge = c.ridge;
    cfg.model.rfm_iters = c.iters;
    cfg.model.agop = c.agop;
    cfg.model.centering = c.centering;
    cfg.model.depth = 1;
    cfg.model.width = width;
    cfg.parallel.block_size = 3;  // n = 20 spread over every process of the grid
    return cfg;
}

/// A d×1 diagonal result of the engine as the d×d diagonal matrix the serial code holds.
MatrixXd as_matrix(const HostMatrix& m) {
    const MatrixXd e = test::to_eigen(m);
    return e.cols() == 1 && e.rows() != 1 ? MatrixXd(e.col(0).asDiagonal()) : e;
}

class DeepRfmSerialTest : public ::testing::TestWithParam<Case> {};

// Both sides are float64; they differ in summation order, expanded vs explicit distances and
// S² vs M in the kernel of iteration 2 (~1e-15 each), amplified by cond(K + λI): seen ≤ 3e-13.
constexpr double tol = 1e-11;
// An interpolating fit has train MSE 0 (engine, exactly) vs ~1e-30 (serial): absolute floor 1e-23.
constexpr double mse_floor = 1e-12;

TEST_P(DeepRfmSerialTest, LayerMatchesSerialReimplementation) {
    // Arrange: n = 20 train, 7 test samples, d = 4
    const Case& c = GetParam();
    const mpi::Comm comm = test::world();
    const std::vector<int> labels = labels_of(20), test_labels = labels_of(7);
    const MatrixXd x0 = features_of(labels, 0.0), x0_test = features_of(test_labels, 0.4);
    const data::Data data = test::make_data(x0, labels, x0_test, test_labels, classes, comm);
    const dist::BlacsGrid grid = dist::BlacsGrid::near_square(comm);

    const serial::Model model = serial_model(c);
    const MatrixXd x = serial::row_normalised(x0), x_test = serial::row_normalised(x0_test);
    const serial::Rfm want = serial::rfm(model, x, serial::signed_one_hot(labels, classes));
    const MatrixXd s = serial::sqrt_psd(want.m), w = test::sin_weights(width, dim);
    const MatrixXd f_train = serial::kernel_matrix(model, x, x, want.kernel_m) * want.alpha;
    const MatrixXd f_test = serial::kernel_matrix(model, x_test, x, want.kernel_m) * want.alpha;
    const serial::Score train = serial::score(f_train, labels), test = serial::score(f_test, test_labels);

    // Act
    const std::vector<app::LayerResult> layers =
        test::run_layers(data, engine_config(c), grid, test::sin_weights_factory(width));

    // Assert
    const app::LayerResult& r = layers.at(0);
    EXPECT_LE(test::rel_fro(test::to_eigen(r.alpha), want.alpha), tol);
    EXPECT_LE(test::rel_fro(as_matrix(r.raw_agop), want.raw_agop), tol);
    EXPECT_LE(test::rel_fro(as_matrix(r.feature_matrix.m), want.m), tol);
    EXPECT_LE(test::rel_fro(as_matrix(r.feature_matrix.sqrt_m), s), tol);
    EXPECT_LE(test::rel_fro(test::gather_rows(r.mx, comm), x * s), tol);
    EXPECT_LE(test::rel_fro(test::gather_rows(r.phi, comm), serial::relu_features(x * s, w)), tol);
    EXPECT_LE(test::rel_fro(test::gather_rows(r.phi_test, comm), serial::relu_features(x_test * s, w)), tol);
    EXPECT_LE(test::rel_fro(test::gather_rows(r.train_predictions, comm), f_train), tol);
    EXPECT_EQ(r.train.accuracy, train.accuracy);
    EXPECT_TRUE(test::near_rel(r.train.mse, train.mse, tol, mse_floor));
    EXPECT_EQ(r.test.accuracy, test.accuracy);
    EXPECT_TRUE(test::near_rel(r.test.mse, test.mse, tol, mse_floor));
}

Case two_iterations() {
    Case c{"laplace_two_iterations"};
    c.iters = 2;
    return c;
}
Case diagonal() {
    Case c{"laplace_diagonal_agop_two_iterations"};
    c.iters = 2;
    c.agop = config::AgopKind::diag;
    return c;
}
Case centred() {
    Case c{"laplace_centred_gradients"};
    c.centering = true;
    return c;
}
Case generalised() {
    Case c{"gen_laplace_exponent_1_5_two_iterations"};
    c.kernel = config::KernelKind::gen_laplace;
    c.exponent = 1.5;
    c.iters = 2;
    return c;
}
Case gaussian() {
    Case c{"gaussian_two_iterations"};
    c.kernel = config::KernelKind::gaussian;
    c.iters = 2;
    return c;
}
Case ridgeless() {
    Case c{"laplace_ridgeless"};
    c.ridge = 0.0;
    return c;
}

INSTANTIATE_TEST_SUITE_P(Options, DeepRfmSerialTest,
                         ::testing::Values(two_iterations(), diagonal(), centred(), generalised(),
                                           gaussian(), ridgeless()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

/// The k largest eigenvalues of a symmetric matrix, descending.
std::vector<double> top_eigenvalues(const MatrixXd& k, int count) {
    const Eigen::VectorXd ascending = Eigen::SelfAdjointEigenSolver<MatrixXd>(k).eigenvalues();
    std::vector<double> out;
    for (int i = 0; i < count; ++i) out.push_back(ascending(ascending.size() - 1 - i));
    return out;
}

TEST(DeepRfmSerialTest, KernelEigenvaluesAndLaterFitsShareTheRunsKernelMatrix) {
    // Arrange: two layers, two RFM iterations each, kernel eigenvalues on. The run's one kernel
    // matrix holds each fit's triangle, then the whole K(X_l, X_l) of the last fit's kernel for the
    // eigenvalues, then layer 2's fits over what that left.
    const Case c = two_iterations();
    const int k = 5;
    const mpi::Comm comm = test::world();
    const std::vector<int> labels = labels_of(20), test_labels = labels_of(7);
    const data::Data data = test::make_data(features_of(labels, 0.0), labels,
                                            features_of(test_labels, 0.4), test_labels, classes,
                                            comm);
    const dist::BlacsGrid grid = dist::BlacsGrid::near_square(comm);
    config::Config cfg = engine_config(c);
    cfg.model.depth = 2;
    cfg.analysis.kernel_eigs = true;
    cfg.analysis.kernel_eigs_k = k;
    const serial::Model model = serial_model(c);
    const MatrixXd y = serial::signed_one_hot(labels, classes);

    // Act
    const std::vector<app::LayerResult> layers =
        test::run_layers(data, cfg, grid, test::sin_weights_factory(width));

    // Assert: each layer against the serial RFM on its own (gathered, row-normalised) input.
    for (int l = 0; l < 2; ++l) {
        const MatrixXd x = serial::row_normalised(test::gather_rows(layers.at(l).x, comm));
        const serial::Rfm want = serial::rfm(model, x, y);
        const std::vector<double> eigs =
            top_eigenvalues(serial::kernel_matrix(model, x, x, want.kernel_m), k);
        const app::LayerResult& got = layers.at(l);
        EXPECT_LE(test::rel_fro(test::to_eigen(got.alpha), want.alpha), tol) << "layer " << l + 1;
        ASSERT_EQ(got.kernel_eigenvalues.size(), eigs.size()) << "layer " << l + 1;
        for (int i = 0; i < k; ++i) {
            EXPECT_TRUE(test::near_rel(got.kernel_eigenvalues[i], eigs[i], tol))
                << "layer " << l + 1 << ", eigenvalue " << i;
        }
    }
}

TEST(DeepRfmSerialTest, FinalPredictorIsKrrOnTheRowNormalisedLastOutput) {
    // Arrange: the final predictor on the output of layer 1 = KRR with M = I (serial fit).
    const mpi::Comm comm = test::world();
    const std::vector<int> labels = labels_of(20), test_labels = labels_of(7);
    const data::Data data = test::make_data(features_of(labels, 0.0), labels,
                                            features_of(test_labels, 0.4), test_labels, classes, comm);
    const dist::BlacsGrid grid = dist::BlacsGrid::near_square(comm);
    config::Config cfg = engine_config(Case{"final"});
    cfg.model.final_predictor = config::FinalPredictor::krr;
    const app::LayerResult layer =
        test::run_layers(data, cfg, grid, test::sin_weights_factory(width)).at(0);
    const MatrixXd phi = serial::row_normalised(test::gather_rows(layer.phi, comm));
    const MatrixXd phi_test = serial::row_normalised(test::gather_rows(layer.phi_test, comm));
    const serial::Model model = serial_model(Case{"final"});
    const MatrixXd identity = MatrixXd::Identity(width, width);
    const MatrixXd alpha = serial::fit(model, phi, serial::signed_one_hot(labels, classes), identity);
    const serial::Score train = serial::score(serial::kernel_matrix(model, phi, phi, identity) * alpha, labels);
    const serial::Score test = serial::score(serial::kernel_matrix(model, phi_test, phi, identity) * alpha, test_labels);

    // Act
    app::PhaseTimes times;
    app::KernelStorage kernel_storage(cfg, data.train.n, grid);
    const app::PredictorScores got = app::final_predictor(
        test::layer_input_copy(cfg, layer.phi), test::layer_input_copy(cfg, layer.phi_test), data,
        cfg, kernel_storage, times);

    // Assert
    EXPECT_EQ(got.train.accuracy, train.accuracy);
    EXPECT_TRUE(test::near_rel(got.train.mse, train.mse, tol, mse_floor));
    EXPECT_EQ(got.test.accuracy, test.accuracy);
    EXPECT_TRUE(test::near_rel(got.test.mse, test.mse, tol, mse_floor));
    EXPECT_GT(test.mse, 1e-3);  // a real prediction, not an interpolated training point
}

}  // namespace
}  // namespace drfm
