// The distributed AGOP against two independent computations: the closed-form gradient written as
// plain loops (serial, Eigen), and central finite differences of the predictor itself.
#include "drfm/agop/agop.hpp"
#include "drfm/agop/matrix_sqrt.hpp"
#include "drfm/core/row_partition.hpp"
#include "support/test_utils.hpp"

#include <cmath>

namespace drfm {
namespace {

using Eigen::MatrixXd;

// Deterministic points: n×d with a little structure.
MatrixXd points(int n, int d, double phase) {
    MatrixXd x(n, d);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < d; ++j) x(i, j) = 0.5 * std::sin(1.3 * i + 0.7 * j + phase) + 0.1 * (j == i % d);
    return x;
}

HostMatrix to_host_rows(const MatrixXd& m, std::int64_t begin, std::int64_t count) {
    HostMatrix out("drfm::test::rows", count, m.cols());
    for (std::int64_t i = 0; i < count; ++i)
        for (int j = 0; j < m.cols(); ++j) out(i, j) = m(begin + i, j);
    return out;
}

kernel::GlobalIds ids(std::int64_t begin, std::int64_t count, std::int64_t offset = 0) {
    kernel::GlobalIds out(count);
    for (std::int64_t i = 0; i < count; ++i) out[i] = offset + begin + i;
    return out;
}

// f(x) = Σ_p k(‖(x − z_p) S‖) α_p for one point x (row vector).
Eigen::RowVectorXd predictor(const kernel::KernelFunction& kf, const Eigen::RowVectorXd& x,
                             const MatrixXd& z, const MatrixXd& alpha, const MatrixXd& s) {
    Eigen::RowVectorXd f = Eigen::RowVectorXd::Zero(alpha.cols());
    for (int p = 0; p < z.rows(); ++p) {
        const double d2 = ((x - z.row(p)) * s).squaredNorm();
        f += kf.value(d2) * alpha.row(p);
    }
    return f;
}

// (1/m) Σ_i JᵀJ from central differences of the predictor at the rows of x.
MatrixXd agop_by_finite_differences(const kernel::KernelFunction& kf, const MatrixXd& x,
                                    const MatrixXd& z, const MatrixXd& alpha, const MatrixXd& s) {
    const double h = 1e-5;
    MatrixXd out = MatrixXd::Zero(x.cols(), x.cols());
    for (int i = 0; i < x.rows(); ++i) {
        MatrixXd jac(alpha.cols(), x.cols());
        for (int j = 0; j < x.cols(); ++j) {
            Eigen::RowVectorXd plus = x.row(i), minus = x.row(i);
            plus(j) += h;
            minus(j) -= h;
            jac.col(j) = (predictor(kf, plus, z, alpha, s) - predictor(kf, minus, z, alpha, s)).transpose() / (2 * h);
        }
        out += jac.transpose() * jac;
    }
    return out / x.rows();
}

// Closed form of methods.md §2.3 at the centres, self term excluded, as plain loops.
MatrixXd agop_closed_form(const kernel::KernelFunction& kf, const MatrixXd& z, const MatrixXd& alpha) {
    const int n = z.rows(), d = z.cols();
    MatrixXd out = MatrixXd::Zero(d, d);
    for (int i = 0; i < n; ++i) {
        MatrixXd g = MatrixXd::Zero(alpha.cols(), d);
        for (int p = 0; p < n; ++p) {
            if (p == i) continue;
            const double w = kf.gradient_weight((z.row(i) - z.row(p)).squaredNorm());
            for (int c = 0; c < alpha.cols(); ++c) g.row(c) += kf.gradient_scale() * alpha(p, c) * w * (z.row(p) - z.row(i));
        }
        out += g.transpose() * g;
    }
    return out / n;
}

struct Case {
    const char* name;
    kernel::KernelFunction kf;
};
const Case cases[] = {{"laplace", {1.0, 2.0}}, {"gaussian", {2.0, std::sqrt(2.0) * 2.0}}, {"gen_laplace", {1.5, 1.3}}};

}  // namespace

// Evaluation points distributed by rows over the ranks, all centres everywhere (a P×1 grid).
TEST(AgopTest, RowDistributedEqualsFiniteDifferencesAtNonCentrePoints) {
    auto comm = test::world();
    auto self = comm.split(comm.rank(), 0);
    const int m = 13, n = 23, d = 5, c = 3;
    const MatrixXd x = points(m, d, 0.4), z = points(n, d, 0.0);
    const MatrixXd alpha = points(n, c, 2.0);
    MatrixXd s = MatrixXd::Identity(d, d) + 0.2 * points(d, d, 1.0);
    s = (s * s.transpose()).eval() / 2;  // symmetric positive definite S
    RowPartition part(m, comm.size());
    for (const Case& cs : cases) {
        agop::AgopInput<double> in;
        HostMatrix s_host = to_host_rows(s, 0, d);
        in.points.rows = agop::transform(to_host_rows(x, part.begin(comm.rank()), part.count(comm.rank())), s_host);
        in.points.row_ids = ids(part.begin(comm.rank()), part.count(comm.rank()), 1000);  // never a centre
        in.points.cols = agop::transform(to_host_rows(z, 0, n), s_host);
        in.points.col_ids = ids(0, n);
        in.alpha = to_host_rows(alpha, 0, n);
        in.n = m;

        HostMatrix hat = agop::agop(cs.kf, in, {config::AgopKind::full, false, 4}, self, comm);

        const MatrixXd got = s * test::to_eigen(hat) * s;  // AGOP = S Â S
        const MatrixXd want = agop_by_finite_differences(cs.kf, x, z, alpha, s);
        EXPECT_LT(test::rel_fro(got, want), 1e-8) << cs.name;
    }
}

// Centres split over the ranks, every rank holding all evaluation rows (a 1×P grid): the chunk
// sums are reduced along the row communicator with rotating roots.
TEST(AgopTest, ColumnDistributedEqualsClosedFormWithSelfTermExcluded) {
    auto comm = test::world();
    const int n = 29, d = 6, c = 4;
    const MatrixXd z = points(n, d, 0.3), alpha = points(n, c, 1.7);
    RowPartition part(n, comm.size());
    for (const Case& cs : cases) {
        agop::AgopInput<double> in;
        in.points.rows = to_host_rows(z, 0, n);
        in.points.row_ids = ids(0, n);
        in.points.cols = to_host_rows(z, part.begin(comm.rank()), part.count(comm.rank()));
        in.points.col_ids = ids(part.begin(comm.rank()), part.count(comm.rank()));
        in.alpha = to_host_rows(alpha, 0, n);
        in.n = n;
        auto none = comm.split(0, comm.rank());

        HostMatrix got = agop::agop(cs.kf, in, {config::AgopKind::full, false, 5}, comm, none);

        EXPECT_LT(test::rel_fro(test::to_eigen(got), agop_closed_form(cs.kf, z, alpha)), 1e-13) << cs.name;
    }
}

TEST(AgopTest, DiagonalAndCenteredVariantsMatchTheirDefinitions) {
    auto comm = test::world();
    auto self = comm.split(comm.rank(), 0);
    const int n = 17, d = 4, c = 2;
    const MatrixXd z = points(n, d, 0.9), alpha = points(n, c, 0.2);
    const kernel::KernelFunction kf{1.0, 2.0};
    RowPartition part(n, comm.size());
    agop::AgopInput<double> in;
    in.points.rows = to_host_rows(z, part.begin(comm.rank()), part.count(comm.rank()));
    in.points.row_ids = ids(part.begin(comm.rank()), part.count(comm.rank()));
    in.points.cols = to_host_rows(z, 0, n);
    in.points.col_ids = ids(0, n);
    in.alpha = to_host_rows(alpha, 0, n);
    in.n = n;

    const MatrixXd full = test::to_eigen(agop::agop(kf, in, {config::AgopKind::full, false, 3}, self, comm));
    const MatrixXd diag = test::to_eigen(agop::agop(kf, in, {config::AgopKind::diag, false, 3}, self, comm));
    const MatrixXd centred = test::to_eigen(agop::agop(kf, in, {config::AgopKind::full, true, 3}, self, comm));

    EXPECT_LT(test::rel_fro(full, agop_closed_form(kf, z, alpha)), 1e-13);
    EXPECT_LT(test::rel_fro(diag, MatrixXd(full.diagonal())), 1e-13);
    // Centred: (1/n) Σ_i Σ_c (g_ic − ḡ_c)(g_ic − ḡ_c)ᵀ, with gradients recomputed here.
    MatrixXd want = MatrixXd::Zero(d, d);
    std::vector<MatrixXd> g(c, MatrixXd::Zero(n, d));
    for (int i = 0; i < n; ++i)
        for (int p = 0; p < n; ++p) {
            if (p == i) continue;
            const double w = kf.gradient_weight((z.row(i) - z.row(p)).squaredNorm());
            for (int k = 0; k < c; ++k) g[k].row(i) += kf.gradient_scale() * alpha(p, k) * w * (z.row(p) - z.row(i));
        }
    for (int k = 0; k < c; ++k) {
        MatrixXd centred_g = g[k].rowwise() - g[k].colwise().mean();
        want += centred_g.transpose() * centred_g / n;
    }
    EXPECT_LT(test::rel_fro(centred, want), 1e-12);
}

// methods.md §4.4: for the linear kernel the AGOP is BᵀB with B = αᵀX, of rank ≤ c. The linear
// kernel is not in the radial family, so this checks the M^{1/2} machinery on that closed form:
// normalise_and_sqrt(BᵀB) has exactly c non-zero eigenvalues and S² = M.
TEST(MatrixSqrtTest, LinearKernelAgopHasRankCAndSquareRootSquaresBack) {
    const int n = 20, d = 7, c = 3;
    const MatrixXd x = points(n, d, 0.5), alpha = points(n, c, 1.1);
    const MatrixXd b = alpha.transpose() * x;
    const MatrixXd agop_linear = b.transpose() * b;

    agop::FeatureMatrix fm = agop::normalise_and_sqrt(to_host_rows(agop_linear, 0, d));

    const MatrixXd m = test::to_eigen(fm.m), s = test::to_eigen(fm.sqrt_m);
    EXPECT_DOUBLE_EQ(m.maxCoeff(), 1.0);
    EXPECT_LT(test::rel_fro(s * s, m), 1e-12);
    for (int k = 0; k < d; ++k) {
        if (k < c) EXPECT_GT(fm.eigenvalues[k], 1e-6);
        else EXPECT_LT(std::abs(fm.eigenvalues[k]), 1e-12);
    }
}

}  // namespace drfm
