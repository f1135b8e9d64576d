// The closed-form sub-network AGOPs of a bias-free MLP (agop/mlp_agop.hpp) against independent
// computations: central finite differences of the sub-network itself, a serial Eigen computation
// with one explicit Jacobian per sample, and for a linear network the closed form BᵀB.
#include "drfm/agop/mlp_agop.hpp"
#include "drfm/core/row_partition.hpp"
#include "support/test_utils.hpp"

#include <cmath>

namespace drfm {
namespace {

using Eigen::MatrixXd;
using Eigen::RowVectorXd;

// Deterministic weights out×in of scale 1/sqrt(in) and points n×d, without ties at ReLU kinks.
MatrixXd pattern(int rows, int cols, double a, double b) {
    MatrixXd m(rows, cols);
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j)
            m(i, j) = std::sin(a * i + b * j + 0.3 * i * j + 0.1) / std::sqrt(double(cols)) * 1.7;
    return m;
}

HostMatrix host(const MatrixXd& m, std::int64_t begin = 0, std::int64_t count = -1) {
    if (count < 0) count = m.rows();
    HostMatrix out("drfm::test::matrix", count, m.cols());
    for (std::int64_t i = 0; i < count; ++i)
        for (int j = 0; j < m.cols(); ++j) out(i, j) = m(begin + i, j);
    return out;
}

struct Net {
    std::vector<MatrixXd> w;  // W_1..W_L
    MatrixXd out;             // W_out
};

// A 7 → 6 → 9 → 5 → (3 outputs) network.
Net small_net() {
    Net net;
    const int widths[] = {7, 6, 9, 5};
    for (int k = 0; k < 3; ++k) net.w.push_back(pattern(widths[k + 1], widths[k], 0.9 + 0.2 * k, 1.3 - 0.1 * k));
    net.out = pattern(3, 5, 0.7, 2.1);
    return net;
}

agop::MlpWeights weights_of(const Net& net) {
    agop::MlpWeights w;
    for (const auto& m : net.w) w.hidden.push_back(host(m));
    w.readout = host(net.out);
    return w;
}

// g_l(h) for one input row h of layer l (0-based k): W_out σ(W_L … σ(W_l h)).
RowVectorXd subnetwork(const Net& net, std::size_t k, RowVectorXd h, bool relu) {
    for (std::size_t j = k; j < net.w.size(); ++j) {
        h = h * net.w[j].transpose();
        if (relu) h = h.cwiseMax(0.0);
    }
    return h * net.out.transpose();
}

// The inputs of every layer for all rows (serial forward pass).
std::vector<MatrixXd> layer_inputs(const Net& net, const MatrixXd& x, bool relu) {
    std::vector<MatrixXd> in{x};
    for (const auto& w : net.w) {
        MatrixXd h = in.back() * w.transpose();
        in.push_back(relu ? MatrixXd(h.cwiseMax(0.0)) : h);
    }
    return in;
}

struct MlpAgopTest : ::testing::Test {
    mpi::Comm comm = test::world();
    const int n = 37;
    MatrixXd x = pattern(n, 7, 0.37, 1.1);
    Net net = small_net();

    std::vector<HostMatrix> distributed(bool relu, std::int64_t block) {
        const RowPartition rows(n, comm.size());
        const HostMatrix mine = host(x, rows.begin(comm.rank()), rows.count(comm.rank()));
        const auto act = relu ? agop::Activation::relu : agop::Activation::identity;
        const agop::MlpWeights w = weights_of(net);
        const agop::ForwardPass pass = agop::forward(w, mine, act);
        return agop::subnetwork_agops(w, pass, n, comm, act, block);
    }
};

TEST_F(MlpAgopTest, MatchesCentralFiniteDifferences) {
    const std::vector<HostMatrix> agops = distributed(true, 5);

    const std::vector<MatrixXd> inputs = layer_inputs(net, x, true);
    const double step = 1e-6;
    for (std::size_t k = 0; k < net.w.size(); ++k) {
        const MatrixXd& h = inputs[k];
        MatrixXd reference = MatrixXd::Zero(h.cols(), h.cols());
        for (int i = 0; i < n; ++i) {
            MatrixXd jac(3, h.cols());
            for (int j = 0; j < h.cols(); ++j) {
                RowVectorXd plus = h.row(i), minus = h.row(i);
                plus(j) += step;
                minus(j) -= step;
                jac.col(j) = (subnetwork(net, k, plus, true) - subnetwork(net, k, minus, true))
                                 .transpose() / (2.0 * step);
            }
            reference += jac.transpose() * jac / n;
        }
        // Central differences of a piecewise-linear map are exact away from kinks, up to the
        // rounding of the difference quotient (~1e-16/1e-6 relative).
        EXPECT_LT(test::rel_fro(test::to_eigen(agops[k]), reference), 1e-8) << "layer " << k + 1;
    }
}

TEST_F(MlpAgopTest, MatchesSerialExplicitJacobians) {
    for (std::int64_t block : {1, 4, 64}) {
        const std::vector<HostMatrix> agops = distributed(true, block);

        const std::vector<MatrixXd> inputs = layer_inputs(net, x, true);
        for (std::size_t k = 0; k < net.w.size(); ++k) {
            MatrixXd reference = MatrixXd::Zero(net.w[k].cols(), net.w[k].cols());
            for (int i = 0; i < n; ++i) {
                // J = W_out D_L W_L … D_l W_l with D_j = diag(1[h_j > 0]).
                MatrixXd jac = net.out;
                for (std::size_t j = net.w.size(); j-- > k;) {
                    const RowVectorXd mask =
                        (inputs[j + 1].row(i).array() > 0.0).cast<double>().matrix();
                    jac = jac * mask.asDiagonal() * net.w[j];
                }
                reference += jac.transpose() * jac;
            }
            reference /= n;
            // Two reduction orders of the same sums: c·n·eps with c ≈ 10.
            EXPECT_LT(test::rel_fro(test::to_eigen(agops[k]), reference), 1e-13)
                << "layer " << k + 1 << ", block " << block;
        }
    }
}

TEST_F(MlpAgopTest, LinearNetworkIsBTransposeB) {
    const std::vector<HostMatrix> agops = distributed(false, 8);

    for (std::size_t k = 0; k < net.w.size(); ++k) {
        MatrixXd b = net.out;  // B = W_out W_L … W_l, c × in_l, the same at every point
        for (std::size_t j = net.w.size(); j-- > k;) b = b * net.w[j];
        const MatrixXd agop = test::to_eigen(agops[k]);
        EXPECT_LT(test::rel_fro(agop, b.transpose() * b), 1e-13) << "layer " << k + 1;
        Eigen::SelfAdjointEigenSolver<MatrixXd> eig(agop);
        const double top = eig.eigenvalues().maxCoeff();
        int rank = 0;
        for (int j = 0; j < eig.eigenvalues().size(); ++j) rank += eig.eigenvalues()(j) > 1e-12 * top;
        EXPECT_LE(rank, 3) << "layer " << k + 1;  // rank ≤ c
    }
}

TEST_F(MlpAgopTest, RefusesShapesThatDoNotChain) {
    agop::MlpWeights w = weights_of(net);

    agop::check_shapes(w, 7);
    EXPECT_THROW(agop::check_shapes(w, 8), InputDataError);
    w.readout = host(pattern(3, 4, 1.0, 1.0));
    EXPECT_THROW(agop::check_shapes(w, 7), InputDataError);
}

}  // namespace
}  // namespace drfm
