// The Deep RFM engine gives the same numbers whatever the block size, the process grid and the
// number of ranks: every configuration is compared with the same problem run by each rank alone
// (a one-rank communicator), which is the serial computation of the same code.
#include "analysis/analysis_test_utils.hpp"
#include "app/app_test_utils.hpp"

#include "drfm/config/schema.hpp"

#include <cmath>
#include <string>
#include <utility>

namespace drfm {
namespace {

constexpr int classes = 3, dim = 12, width = 16, depth = 2;

// Unbalanced classes (40, 35, 25) so that row blocks and class boundaries do not line up.
std::vector<int> labels_of(int n) {
    std::vector<int> labels(n);
    for (int i = 0; i < n; ++i) labels[i] = i < 0.4 * n ? 0 : (i < 0.75 * n ? 1 : 2);
    return labels;
}

Eigen::MatrixXd features_of(const std::vector<int>& labels, double phase) {
    Eigen::MatrixXd x(static_cast<Eigen::Index>(labels.size()), dim);
    for (Eigen::Index i = 0; i < x.rows(); ++i)
        for (int j = 0; j < dim; ++j)
            x(i, j) = std::sin(0.9 * i + 1.7 * j + phase) + 1.5 * (j % classes == labels[i] ? 1.0 : 0.0);
    return x;
}

/// n = 100 training and 13 test samples, d = 12, 3 classes.
data::Data problem(const mpi::Comm& comm) {
    const std::vector<int> labels = labels_of(100), test_labels = labels_of(13);
    return test::make_data(features_of(labels, 0.0), labels, features_of(test_labels, 0.3), test_labels,
                           classes, comm);
}

config::Config problem_config(int block, config::Precision precision = config::Precision::float64) {
    config::Config cfg;
    cfg.model.precision = precision;
    cfg.model.depth = depth;
    cfg.model.width = width;
    cfg.parallel.block_size = block;
    return cfg;
}

/// What must not depend on the decomposition, gathered on every rank.
struct Outcome {
    std::vector<Eigen::MatrixXd> alpha, m, phi, phi_test;
    std::vector<solve::Score> train, test;
};

Outcome run(const mpi::Comm& comm, int nprow, int npcol, int block, const app::WeightsFactory& weights,
            config::Precision precision = config::Precision::float64) {
    const dist::BlacsGrid grid(comm, nprow, npcol);
    const std::vector<app::LayerResult> layers =
        test::run_layers(problem(comm), problem_config(block, precision), grid, weights);
    Outcome out;
    for (const app::LayerResult& r : layers) {
        out.alpha.push_back(test::to_eigen(r.alpha));
        out.m.push_back(test::to_eigen(r.feature_matrix.m));
        out.phi.push_back(test::gather_rows(r.phi, comm));
        out.phi_test.push_back(test::gather_rows(r.phi_test, comm));
        out.train.push_back(r.train);
        out.test.push_back(r.test);
    }
    return out;
}

/// The reference: every rank runs the whole problem alone.
Outcome serial_run(const app::WeightsFactory& weights,
                   config::Precision precision = config::Precision::float64) {
    return run(test::self_comm(test::world()), 1, 1, 64, weights, precision);
}

// Decompositions only change the order of floating-point sums (GEMM blocking, Cholesky panels,
// reductions over ranks). cond(K + λI) is 1.6e4 at layer 1 and 5.7e4 at layer 2 (ReLU features
// crowd into one orthant), so α moves by up to ~3e-11 relative at layer 2 (M, Φ by ≤ 1e-12).
constexpr double tol = 1e-10;
// The training MSE of a near-interpolating fit is ~4e-8: relative, with an absolute floor of 1e-22.
constexpr double mse_floor = 1e-12;

void expect_same(const Outcome& got, const Outcome& want, const std::string& what,
                 double tolerance = tol) {
    SCOPED_TRACE(what);
    for (int l = 0; l < depth; ++l) {
        SCOPED_TRACE("layer " + std::to_string(l + 1));
        EXPECT_LE(test::rel_fro(got.alpha[l], want.alpha[l]), tolerance);
        EXPECT_LE(test::rel_fro(got.m[l], want.m[l]), tolerance);
        EXPECT_LE(test::rel_fro(got.phi[l], want.phi[l]), tolerance);
        EXPECT_LE(test::rel_fro(got.phi_test[l], want.phi_test[l]), tolerance);
        EXPECT_EQ(got.train[l].accuracy, want.train[l].accuracy);
        EXPECT_EQ(got.test[l].accuracy, want.test[l].accuracy);
        EXPECT_TRUE(test::near_rel(got.train[l].mse, want.train[l].mse, tolerance, mse_floor));
        EXPECT_TRUE(test::near_rel(got.test[l].mse, want.test[l].mse, tolerance, mse_floor));
    }
}

TEST(DeepRfmInvarianceTest, BlockSizeDoesNotChangeResults) {
    // Arrange
    const mpi::Comm comm = test::world();
    const dist::GridShape shape = dist::BlacsGrid::near_square_shape(comm.size());
    const app::WeightsFactory weights = test::sin_weights_factory(width);
    const Outcome want = serial_run(weights);

    for (int block : {1, 7, 64}) {
        // Act
        const Outcome got = run(comm, shape.rows, shape.cols, block, weights);

        // Assert
        expect_same(got, want, "block " + std::to_string(block));
    }
}

TEST(DeepRfmInvarianceTest, GridShapeDoesNotChangeResults) {
    // Arrange: every P×Q factorisation of the rank count (1×1; 2×1, 1×2; 2×2, 4×1, 1×4)
    const mpi::Comm comm = test::world();
    const app::WeightsFactory weights = test::sin_weights_factory(width);
    const Outcome want = serial_run(weights);
    std::vector<std::pair<int, int>> shapes;
    for (int p = 1; p <= comm.size(); ++p)
        if (comm.size() % p == 0) shapes.emplace_back(p, comm.size() / p);

    for (const auto& [p, q] : shapes) {
        // Act
        const Outcome got = run(comm, p, q, 7, weights);

        // Assert
        expect_same(got, want, "grid " + std::to_string(p) + "x" + std::to_string(q));
    }
}

TEST(DeepRfmInvarianceTest, Float32AndMixedDoNotDependOnBlockSizeOrGrid) {
    // Arrange. A float32 rounding (6e-8) of the features moves α by up to cond(K + λI) times
    // that, 5.7e4 at layer 2 (see `tol`). Measured over 1, 2 and 4 ranks, blocks 7 and 64, both
    // grid orientations (relative Frobenius): float32 α 1.3e-4 / 2.8e-2 at layers 1 / 2, M and Φ
    // ≤ 2.1e-6 / 1.2e-3, MSE ≤ 2.0e-3; mixed α 1.3e-12 at layer 1 (the same float kernel tiles,
    // solved to float64 accuracy) and 1.6e-2 at layer 2, M and Φ ≤ 1.3e-6 / 5.0e-4.
    const mpi::Comm comm = test::world();
    const app::WeightsFactory weights = test::sin_weights_factory(width);
    const dist::GridShape shape = dist::BlacsGrid::near_square_shape(comm.size());
    for (const auto& [precision, tolerance] :
         {std::pair{config::Precision::float32, 6e-2}, std::pair{config::Precision::mixed, 4e-2}}) {
        const std::string name(config::to_string(precision));
        const Outcome want = serial_run(weights, precision);
        for (int block : {7, 64}) {
            for (const auto& [p, q] : {std::pair{shape.rows, shape.cols}, std::pair{shape.cols, shape.rows}}) {
                // Act
                const Outcome got = run(comm, p, q, block, weights, precision);

                // Assert
                expect_same(got, want, name + ", block " + std::to_string(block) + ", grid " +
                                           std::to_string(p) + "x" + std::to_string(q),
                            tolerance);
            }
        }
    }
}

TEST(DeepRfmInvarianceTest, DefaultRandomFeaturesDoNotDependOnRankCount) {
    // Arrange: the counter-based weights of features::make_weights, seed 7
    config::ModelConfig model = problem_config(7).model;
    model.seed = 7;
    const app::WeightsFactory weights = app::default_weights(model);
    const Outcome want = serial_run(weights);
    const mpi::Comm comm = test::world();
    const dist::GridShape shape = dist::BlacsGrid::near_square_shape(comm.size());

    // Act
    const Outcome got = run(comm, shape.rows, shape.cols, 7, weights);

    // Assert
    expect_same(got, want, "default weights");
}

}  // namespace
}  // namespace drfm
