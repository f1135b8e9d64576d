#include "drfm/analysis/kernel_picture.hpp"

#include "analysis/analysis_test_utils.hpp"
#include "dist/dist_test_utils.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>

namespace drfm {
namespace {

using test::near_rel;

/// Features F, ±1 targets f* and learned outputs f, held whole by every rank (tests only).
struct Problem {
    Eigen::MatrixXd features, targets, predictions;
};

/// methods.md §7.3: n = 12, p = 5, C = 3, f = F Aᵀ (bias-free).
Problem method_b_vector() {
    const int n = 12, p = 5, c = 3;
    Problem pr{Eigen::MatrixXd(n, p), Eigen::MatrixXd::Constant(n, c, -1.0), Eigen::MatrixXd()};
    Eigen::MatrixXd a(c, p);
    for (int i = 0; i < n; ++i) {
        pr.targets(i, i / 4) = 1.0;
        for (int j = 0; j < p; ++j)
            pr.features(i, j) = std::max(0.0, std::sin(0.9 * i + 1.7 * j) + 1.5 * (j == i / 4));
    }
    for (int k = 0; k < c; ++k)
        for (int j = 0; j < p; ++j) a(k, j) = std::cos(0.5 * k + 0.8 * j);
    pr.predictions = pr.features * a.transpose();
    return pr;
}

/// n samples of p ReLU-like features, C = 3 classes in blocks, f = F Aᵀ + b (with a bias).
Problem general_problem(int n, int p) {
    const int c = 3;
    Problem pr{Eigen::MatrixXd(n, p), Eigen::MatrixXd::Constant(n, c, -1.0), Eigen::MatrixXd()};
    Eigen::MatrixXd a(c, p);
    for (int i = 0; i < n; ++i) {
        pr.targets(i, i * c / n) = 1.0;
        for (int j = 0; j < p; ++j)
            pr.features(i, j) = std::max(0.0, std::sin(0.7 * i + 1.9 * j + 0.05 * i * j)) +
                                0.8 * (j % c == i * c / n);
    }
    for (int k = 0; k < c; ++k)
        for (int j = 0; j < p; ++j) a(k, j) = std::sin(1.1 * k + 0.4 * j + 0.3);
    pr.predictions = (pr.features * a.transpose()).rowwise() + Eigen::RowVector3d(0.5, -0.2, 1.0);
    return pr;
}

/// The n×n route written plainly (methods.md §5.2–5.5): eigendecomposition of (1/n) F Fᵀ,
/// e_k(x_i) = √n U_ik, ⟨g, h⟩ = (1/n) Σ_i g_i h_i; centring subtracts column means of F, f*, f.
analysis::Spectrum brute_force(Problem pr, bool centred) {
    const double n = static_cast<double>(pr.features.rows());
    const int c = static_cast<int>(pr.targets.cols());
    if (centred) {
        for (Eigen::MatrixXd* m : {&pr.features, &pr.targets, &pr.predictions})
            *m = m->rowwise() - m->colwise().mean();
    }
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(pr.features * pr.features.transpose() / n);
    analysis::Spectrum out;
    double top = eig.eigenvalues().maxCoeff(), total = 0, tail = 0, pi = 0, pi_star = 0;
    double t_norm = pr.targets.squaredNorm() / n, f_norm = pr.predictions.squaredNorm() / n;
    for (Eigen::Index k = eig.eigenvalues().size() - 1; k >= 0; --k) {
        double rho = eig.eigenvalues()(k);
        if (rho <= 1e-10 * top) break;
        Eigen::VectorXd e = std::sqrt(n) * eig.eigenvectors().col(k);
        double q_star = 0, q = 0;
        for (int col = 0; col < c; ++col) {
            q_star += std::pow(e.dot(pr.targets.col(col)) / n, 2);
            q += std::pow(e.dot(pr.predictions.col(col)) / n, 2);
        }
        out.rho.push_back(rho);
        out.quality.push_back(q_star / t_norm);
        out.utility.push_back(q / f_norm);
        out.pi_star.push_back(pi_star += q_star / t_norm);
        out.pi.push_back(pi += q / f_norm);
        int rank = static_cast<int>(out.rho.size());
        if (out.k_90 < 0 && pi >= 0.9) out.k_90 = rank;
        if (out.k_99 < 0 && pi >= 0.99) out.k_99 = rank;
        total += rho;
        if (rank > c) tail += rho;
    }
    double entropy = 0;
    for (double rho : out.rho) entropy -= rho / total * std::log(rho / total);
    size_t top_c = std::min<size_t>(c, out.rho.size());
    out.d_eff = std::exp(entropy);
    out.tail_c = out.dlr_spectral = tail / total;
    out.dlr_function = 1.0 - out.pi[top_c - 1];
    out.one_minus_pi_star_c = 1.0 - out.pi_star[top_c - 1];
    return out;
}

analysis::Spectrum distributed(const Problem& pr, bool centred, const mpi::Comm& comm) {
    return analysis::kernel_picture(test::local_rows(pr.features, comm),
                                    test::local_rows(pr.targets, comm),
                                    test::local_rows(pr.predictions, comm), centred, comm);
}

void expect_vectors_near(const std::vector<double>& a, const std::vector<double>& b, double tol) {
    ASSERT_EQ(a.size(), b.size());
    for (size_t k = 0; k < a.size(); ++k) EXPECT_NEAR(a[k], b[k], tol) << "k = " << k + 1;
}

/// Entries are O(1) (ρ of these problems, fractions, d_eff ≤ p): an absolute tolerance.
void expect_same(const analysis::Spectrum& a, const analysis::Spectrum& b, double tol) {
    expect_vectors_near(a.rho, b.rho, tol);
    expect_vectors_near(a.quality, b.quality, tol);
    expect_vectors_near(a.utility, b.utility, tol);
    expect_vectors_near(a.pi_star, b.pi_star, tol);
    expect_vectors_near(a.pi, b.pi, tol);
    EXPECT_NEAR(a.d_eff, b.d_eff, tol);
    EXPECT_NEAR(a.tail_c, b.tail_c, tol);
    EXPECT_NEAR(a.one_minus_pi_star_c, b.one_minus_pi_star_c, tol);
    EXPECT_NEAR(a.dlr_function, b.dlr_function, tol);
    EXPECT_NEAR(a.dlr_spectral, b.dlr_spectral, tol);
    EXPECT_EQ(a.k_90, b.k_90);
    EXPECT_EQ(a.k_99, b.k_99);
}

namespace {

/// methods.md §7.3 (10 significant digits): the Method-B vector's spectrum and scalars, whichever
/// route computed them.
void expect_method_b_reference(const analysis::Spectrum& got, double residual_bound) {
    expect_vectors_near(got.rho, {2.0770325379, 1.1929049185, 0.7341125882, 0.1361940202,
                                  0.0436092809}, 1e-9);
    expect_vectors_near(got.quality, {0.146239875, 0.3396625354, 0.2144727576, 0.1008762855,
                                      0.0755546747}, 1e-9);
    expect_vectors_near(got.utility, {0.2848487345, 0.169069583, 0.4759120428, 0.0126268506,
                                      0.0575427891}, 1e-9);
    expect_vectors_near(got.pi_star, {0.146239875, 0.4859024104, 0.700375168, 0.8012514535,
                                      0.8768061282}, 1e-9);
    expect_vectors_near(got.pi, {0.2848487345, 0.4539183175, 0.9298303603, 0.9424572109, 1.0},
                        1e-9);
    EXPECT_NEAR(got.d_eff, 3.2215270434, 1e-9);
    EXPECT_NEAR(got.dlr_function, 0.0701696397, 1e-9);
    EXPECT_NEAR(got.one_minus_pi_star_c, 0.2996248320, 1e-9);
    EXPECT_NEAR(got.tail_c, 0.0429755267, 1e-9);
    EXPECT_EQ(got.dlr_spectral, got.tail_c);
    EXPECT_EQ(got.k_90, 3);
    EXPECT_EQ(got.k_99, 5);
    EXPECT_LE(got.eig_residual, residual_bound);
}

}  // namespace

TEST(KernelPictureTest, MethodBVectorMatchesReference) {
    auto comm = test::world();

    auto got = distributed(method_b_vector(), false, comm);

    expect_method_b_reference(got, 1e-14);
}

TEST(KernelPictureTest, UncentredMatchesNxNRoute) {
    auto comm = test::world();
    Problem pr = general_problem(30, 8);

    auto got = distributed(pr, false, comm);

    expect_same(got, brute_force(pr, false), 1e-12);
}

TEST(KernelPictureTest, CentredMatchesNxNRouteAndCarriesBiasedFunction) {
    auto comm = test::world();
    Problem pr = general_problem(30, 8);

    auto got = distributed(pr, true, comm);

    expect_same(got, brute_force(pr, true), 1e-12);
    EXPECT_NEAR(got.pi.back(), 1.0, 1e-12);  // f = F Aᵀ + b lies in the centred span
}

TEST(KernelPictureTest, WideFeaturesDropNumericallyZeroEigenvalues) {
    auto comm = test::world();
    Problem pr = general_problem(7, 12);  // p > n: rank ≤ 7 (≤ 6 centred)

    auto uncentred = distributed(pr, false, comm);
    auto centred = distributed(pr, true, comm);

    EXPECT_EQ(uncentred.rho.size(), 7u);
    EXPECT_EQ(centred.rho.size(), 6u);
    expect_same(uncentred, brute_force(pr, false), 1e-12);
    expect_same(centred, brute_force(pr, true), 1e-12);
}

TEST(KernelPictureTest, FewerSamplesThanRanksLeaveRanksEmpty) {
    auto comm = test::world();
    Problem pr = general_problem(3, 2);  // at 4 ranks, rank 3 holds no rows

    auto got = distributed(pr, false, comm);

    expect_same(got, brute_force(pr, false), 1e-12);
}

TEST(KernelPictureTest, AllRankCountsMatchSerialComputation) {
    auto comm = test::world();
    Problem pr = general_problem(30, 8);

    for (bool centred : {false, true}) {
        auto parallel = distributed(pr, centred, comm);
        auto serial = distributed(pr, centred, test::self_comm(comm));

        expect_same(parallel, serial, 1e-12);
    }
}

TEST(KernelPictureTest, MismatchedRowsOnOneRankThrowOnEveryRank) {
    auto comm = test::world();
    Problem pr = general_problem(30, 8);
    HostMatrix targets = test::local_rows(pr.targets, comm);
    if (comm.rank() == comm.size() - 1)
        targets = HostMatrix("drfm::test::short_targets", targets.extent(0) - 1, 3);

    EXPECT_THROW(analysis::kernel_picture(test::local_rows(pr.features, comm), targets,
                                          test::local_rows(pr.predictions, comm), false, comm),
                 Error);
}

/// The kernel picture by a forced route on `grid`, every rank passing its RowPartition rows.
analysis::Spectrum by_route(const Problem& pr, bool centred, analysis::KernelRoute route,
                            const dist::BlacsGrid& grid, int block) {
    analysis::KernelPictureOptions options;
    options.centred = centred;
    options.route = route;
    options.block_size = block;
    const mpi::Comm& comm = grid.comm();
    return analysis::kernel_picture(test::local_rows(pr.features, comm),
                                    test::local_rows(pr.targets, comm),
                                    test::local_rows(pr.predictions, comm), options, grid);
}

TEST(KernelRouteTest, AutomaticTakesCovarianceOnlyWhenFeaturesAreNarrowerThanSamples) {
    using analysis::KernelRoute;

    EXPECT_EQ(analysis::resolve_route(KernelRoute::automatic, 10000, 512), KernelRoute::covariance);
    EXPECT_EQ(analysis::resolve_route(KernelRoute::automatic, 512, 512), KernelRoute::gram);
    EXPECT_EQ(analysis::resolve_route(KernelRoute::automatic, 7, 12), KernelRoute::gram);
    EXPECT_EQ(analysis::resolve_route(KernelRoute::gram, 10000, 512), KernelRoute::gram);
    EXPECT_EQ(analysis::resolve_route(KernelRoute::covariance, 7, 12), KernelRoute::covariance);
    EXPECT_STREQ(analysis::to_string(KernelRoute::gram), "gram");
}

TEST(KernelRouteTest, AutomaticRouteIsReportedInTheSpectrum) {
    auto comm = test::world();

    auto narrow = distributed(general_problem(30, 8), false, comm);
    auto wide = distributed(general_problem(7, 12), false, comm);

    EXPECT_EQ(narrow.route, analysis::KernelRoute::covariance);
    EXPECT_EQ(wide.route, analysis::KernelRoute::gram);
}

TEST(KernelRouteTest, GramRouteReproducesMethodBVector) {
    auto comm = test::world();
    analysis::KernelPictureOptions options;
    options.route = analysis::KernelRoute::gram;
    options.block_size = 5;  // 12 rows: two full blocks and a partial one
    Problem pr = method_b_vector();

    auto got = analysis::kernel_picture(test::local_rows(pr.features, comm),
                                        test::local_rows(pr.targets, comm),
                                        test::local_rows(pr.predictions, comm), options, comm);

    EXPECT_EQ(got.route, analysis::KernelRoute::gram);
    expect_method_b_reference(got, 1e-13);
}

/// Both routes against each other and against the serial Eigen eigendecomposition of (1/n)FFᵀ,
/// for p < n and p > n, on every grid shape the rank count allows and at block sizes that cut
/// the n rows into one, several and single-row blocks. The problems have ρ and all metrics O(1),
/// so an absolute 1e-11 (about 50 000 ε) bounds rounding of n, p <= 40 with margin.
TEST(KernelRouteTest, RoutesAgreeWithEachOtherAndSerialEigenOnEveryGrid) {
    auto comm = test::world();
    const double tol = 1e-11;
    for (auto [n, p] : {std::pair{30, 8}, std::pair{20, 37}, std::pair{7, 12}}) {
        Problem pr = general_problem(n, p);
        for (bool centred : {false, true}) {
            SCOPED_TRACE("n " + std::to_string(n) + ", p " + std::to_string(p) +
                         (centred ? ", centred" : ", uncentred"));
            auto serial = brute_force(pr, centred);
            for (dist::GridShape shape : test::grid_shapes(comm.size())) {
                dist::BlacsGrid grid(comm, shape.rows, shape.cols);
                for (int nb : {1, 7, 64}) {
                    SCOPED_TRACE("grid " + std::to_string(shape.rows) + "x" +
                                 std::to_string(shape.cols) + ", nb " + std::to_string(nb));

                    auto gram = by_route(pr, centred, analysis::KernelRoute::gram, grid, nb);
                    auto cov = by_route(pr, centred, analysis::KernelRoute::covariance, grid, nb);

                    EXPECT_EQ(gram.rho.size(), static_cast<size_t>(std::min(n - centred, p)));
                    expect_same(gram, cov, tol);
                    expect_same(gram, serial, tol);
                    EXPECT_LE(gram.eig_residual, 1e-12);
                }
            }
        }
    }
}

/// Float feature rows (model.precision = "float32") on both routes against the serial
/// eigendecomposition of their values: computed on in double, so to the 1e-11 above, far below
/// float rounding (~1e-7).
TEST(KernelRouteTest, FloatRowsMatchSerialEigenOfTheirValuesOnBothRoutes) {
    auto comm = test::world();
    const dist::BlacsGrid grid = dist::BlacsGrid::near_square(comm);
    for (auto [n, p] : {std::pair{30, 8}, std::pair{20, 37}}) {
        const Problem pr = general_problem(n, p);
        Problem rounded = pr;
        rounded.features = test::rounded_to_float(pr.features);
        for (bool centred : {false, true}) {
            for (auto route : {analysis::KernelRoute::covariance, analysis::KernelRoute::gram}) {
                SCOPED_TRACE("n " + std::to_string(n) + ", p " + std::to_string(p) +
                             (centred ? ", centred, " : ", uncentred, ") + analysis::to_string(route));
                analysis::KernelPictureOptions options;
                options.centred = centred;
                options.route = route;
                options.block_size = 7;

                auto got = analysis::kernel_picture(test::local_rows<float>(pr.features, comm),
                                                    test::local_rows(pr.targets, comm),
                                                    test::local_rows(pr.predictions, comm),
                                                    options, grid);

                EXPECT_EQ(got.route, route);
                expect_same(got, brute_force(rounded, centred), 1e-11);
            }
        }
    }
}

TEST(KernelRouteTest, CentredGramRouteCarriesTheBiasedFunction) {
    auto comm = test::world();
    dist::BlacsGrid grid = dist::BlacsGrid::near_square(comm);

    auto got = by_route(general_problem(30, 8), true, analysis::KernelRoute::gram, grid, 4);

    EXPECT_NEAR(got.pi.back(), 1.0, 1e-12);  // f = F Aᵀ + b lies in the centred span
}

TEST(KernelRouteTest, ZeroFeaturesKeepNoEigenvalueOnEitherRoute) {
    auto comm = test::world();
    dist::BlacsGrid grid = dist::BlacsGrid::near_square(comm);
    Problem pr = general_problem(9, 4);
    pr.features.setZero();

    for (auto route : {analysis::KernelRoute::gram, analysis::KernelRoute::covariance}) {
        auto got = by_route(pr, false, route, grid, 4);

        EXPECT_TRUE(got.rho.empty()) << analysis::to_string(route);
        EXPECT_TRUE(std::isnan(got.d_eff)) << analysis::to_string(route);
        EXPECT_EQ(got.eig_residual, 0.0) << analysis::to_string(route);
    }
}

TEST(KernelRouteTest, GramRouteRejectsRowsOutsideTheBalancedBlocksOnEveryRank) {
    auto comm = test::world();
    if (comm.size() < 2) GTEST_SKIP() << "one rank always holds the balanced block";
    dist::BlacsGrid grid = dist::BlacsGrid::near_square(comm);
    // Rank 0 takes the first row of rank 1: 10 + 10 rows become 11 + 9.
    Problem pr = general_problem(10 * comm.size(), 3);
    const int r = comm.rank();
    const int begin = r == 0 ? 0 : 10 * r + (r == 1 ? 1 : 0);
    const int count = r == 0 ? 11 : (r == 1 ? 9 : 10);
    auto rows = [&](const Eigen::MatrixXd& m) {
        HostMatrix out("drfm::test::unbalanced", count, m.cols());
        for (Eigen::Index j = 0; j < m.cols(); ++j)
            for (int i = 0; i < count; ++i) out(i, j) = m(begin + i, j);
        return out;
    };
    analysis::KernelPictureOptions options;
    options.route = analysis::KernelRoute::gram;

    try {
        analysis::kernel_picture(rows(pr.features), rows(pr.targets), rows(pr.predictions),
                                 options, grid);
        FAIL() << "expected an input error";
    } catch (const Error& e) {  // agreed by mpi::collective: an Error with the input exit code
        EXPECT_TRUE(e.is_collective());
        EXPECT_EQ(e.exit_code(), ExitCode::input);
        EXPECT_NE(std::string(e.what()).find("balanced contiguous blocks"), std::string::npos)
            << e.what();
    }
}

TEST(SymmetricSpectrumTest, RecoversKnownEigenvaluesDescending) {
    // A = Q diag(λ) Qᵀ with the Householder reflection Q = I − 2vvᵀ/‖v‖².
    Eigen::VectorXd lambda(5), v(5);
    lambda << 3.0, -1.0, 0.5, 2.0, 1e-3;
    v << 1.0, -2.0, 0.5, 3.0, 1.5;
    Eigen::MatrixXd q = Eigen::MatrixXd::Identity(5, 5) - 2.0 * v * v.transpose() / v.squaredNorm();
    Eigen::MatrixXd a = q * lambda.asDiagonal() * q.transpose();

    auto got = analysis::symmetric_spectrum(a);

    std::vector<double> expected(lambda.data(), lambda.data() + 5);
    std::sort(expected.begin(), expected.end(), std::greater<>());
    expect_vectors_near(got, expected, 1e-14);
}

}  // namespace
}  // namespace drfm
