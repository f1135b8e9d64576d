// The Deep RFM engine against the exact reference values of methods.md §7.2 (test vector S1),
// obtained by running the authors' rfm library with the deterministic weights of §7.1.
#include "app/app_test_utils.hpp"
#include "drfm/analysis/nc_metrics.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <string>

namespace drfm {
namespace {

using test::near_rel;

constexpr int classes = 3, per_class = 20, dim = 8, width = 16;

/// §7.2 S1: X0[i, j] = sin(1.3 i + 0.7 j) + 2·1[j = c(i)], c(i) = ⌊i/20⌋, standardised per column.
data::Data s1_data(const mpi::Comm& comm) {
    const int n = classes * per_class;
    Eigen::MatrixXd x0(n, dim);
    std::vector<int> labels(n);
    for (int i = 0; i < n; ++i) {
        labels[i] = i / per_class;
        for (int j = 0; j < dim; ++j) x0(i, j) = std::sin(1.3 * i + 0.7 * j) + (j == labels[i] ? 2.0 : 0.0);
    }
    return test::make_data(test::standardised(x0), labels, Eigen::MatrixXd(0, dim), {}, classes, comm);
}

config::Config s1_config(config::KernelKind kernel, double ridge, int depth,
                         config::Precision precision) {
    config::Config cfg;
    cfg.model.precision = precision;
    cfg.model.kernel = kernel;
    cfg.model.bandwidth = 2.0;
    cfg.model.ridge = ridge;
    cfg.model.depth = depth;
    cfg.model.width = width;
    cfg.parallel.block_size = 8;  // several blocks per process even at n = 60
    return cfg;
}

std::vector<app::LayerResult> run_s1(const data::Data& data, config::KernelKind kernel, double ridge,
                                     int depth,
                                     config::Precision precision = config::Precision::float64) {
    const dist::BlacsGrid grid = dist::BlacsGrid::near_square(test::world());
    return test::run_layers(data, s1_config(kernel, ridge, depth, precision), grid,
                            test::sin_weights_factory(width));
}

/// One row of the first §7.2 table.
struct LayerValues {
    double alpha_sum, alpha_absmax, tr_raw, max_raw, tr_m;
    double top3[3];
};

/// One row of the second §7.2 table.
struct NcValues {
    double nc1_code, nc1_tr, nc1_pap, nc2_code;
};

double trace(const HostMatrix& m) {
    double t = 0.0;
    for (size_t i = 0; i < m.extent(0); ++i) t += m(i, i);
    return t;
}

double max_entry(const HostMatrix& m) {
    return *std::max_element(m.data(), m.data() + m.size());
}

double alpha_sum(const HostMatrix& a) { return std::accumulate(a.data(), a.data() + a.size(), 0.0); }

double alpha_absmax(const HostMatrix& a) {
    double out = 0.0;
    for (size_t i = 0; i < a.size(); ++i) out = std::max(out, std::abs(a.data()[i]));
    return out;
}

/// `tol` for values printed with 11 significant digits, `tol9` for those printed with 9.
void expect_layer(const app::LayerResult& r, const LayerValues& want, double tol, double tol9) {
    EXPECT_TRUE(near_rel(alpha_sum(r.alpha), want.alpha_sum, tol));
    EXPECT_TRUE(near_rel(alpha_absmax(r.alpha), want.alpha_absmax, tol));
    EXPECT_TRUE(near_rel(trace(r.raw_agop), want.tr_raw, tol));
    EXPECT_TRUE(near_rel(max_entry(r.raw_agop), want.max_raw, tol));
    EXPECT_TRUE(near_rel(trace(r.feature_matrix.m), want.tr_m, tol));
    for (int k = 0; k < 3; ++k) EXPECT_TRUE(near_rel(r.feature_matrix.eigenvalues[k], want.top3[k], tol9)) << k;
}

/// NC metrics of X, M^{1/2}X and Φ(M^{1/2}X) of a layer.
std::array<analysis::NcMetrics, 3> nc_of(const app::LayerResult& r, const data::Data& data) {
    const mpi::Comm comm = test::world();
    const std::vector<int> labels = test::my_labels(data.train, comm.rank());
    auto nc = [&](const FloatOrDoubleMatrix& rows) {
        return analysis::nc_metrics(rows.in<double>("drfm::test::rows"), labels, classes, comm);
    };
    return {nc(r.x), nc(r.mx), nc(r.phi)};
}

void expect_nc(const analysis::NcMetrics& got, const NcValues& want, double tol) {
    EXPECT_TRUE(near_rel(got.nc1_code, want.nc1_code, tol));
    EXPECT_TRUE(near_rel(got.nc1, want.nc1_tr, tol));
    EXPECT_TRUE(near_rel(got.nc1_papyan, want.nc1_pap, tol));
    EXPECT_TRUE(near_rel(got.nc2, want.nc2_code, tol));
}

// §7.2 tolerance for a float64 Laplace implementation: 1e-6 relative (the library's float32
// expanded self-distances on the kernel diagonal move its values by up to ~7e-8).
constexpr double laplace_tol = 1e-6;

/// §7.2 S1, Laplace, λ = 1e-3, three layers.
const LayerValues laplace_want[3] = {
    {-1.8908964536e+00, 9.4424588275e-01, 1.0929060686e+01, 3.4035560650e+00, 3.2110711496e+00,
     {1.54473626, 1.48306017, 9.70794924e-02}},
    {-1.5945739824e+00, 7.9945381868e-01, 4.0241261672e+00, 8.0951577206e-01, 4.9710287385e+00,
     {2.19289435, 1.56446779, 4.67782128e-01}},
    {-1.5498478985e+00, 1.0268380937e+00, 3.1770403631e+00, 4.7005107840e-01, 6.7589258042e+00,
     {2.47386974, 2.10305911, 7.06943334e-01}},
};
const NcValues laplace_want_nc[3][3] = {
    {{1.07861400e+00, 3.23584200e+00, 1.67131927e-02, 1.01649678e-04},
     {6.65515055e-02, 1.99654516e-01, 2.01002435e-03, 1.13011773e-05},
     {9.07222084e-02, 2.72166625e-01, 5.58858679e-03, 1.33344661e-03}},
    {{8.51537927e-02, 2.55461378e-01, 1.74997488e-03, 1.51648433e-03},
     {1.69415847e-02, 5.08247541e-02, 1.37325475e-03, 1.80395506e-03},
     {5.19536235e-02, 1.55860870e-01, 1.82377488e-02, 1.29131772e-02}},
    {{3.70405314e-02, 1.11121594e-01, 8.11926875e-03, 5.91639619e-03},
     {1.11612866e-02, 3.34838597e-02, 7.41693952e-03, 2.57263245e-03},
     {1.37914919e-02, 4.13744758e-02, 9.76767525e-03, 1.19014639e-02}},
};

/// The quantities of both §7.2 tables of one layer, in table order.
std::vector<double> table_values(const app::LayerResult& r, const data::Data& data) {
    std::vector<double> v{alpha_sum(r.alpha), alpha_absmax(r.alpha), trace(r.raw_agop),
                          max_entry(r.raw_agop), trace(r.feature_matrix.m)};
    for (int k = 0; k < 3; ++k) v.push_back(r.feature_matrix.eigenvalues[k]);
    for (const analysis::NcMetrics& nc : nc_of(r, data))
        v.insert(v.end(), {nc.nc1_code, nc.nc1, nc.nc1_papyan, nc.nc2});
    return v;
}

/// The same quantities as tabulated for S1 Laplace layer l (0-based).
std::vector<double> reference_values(int l) {
    const LayerValues& w = laplace_want[l];
    std::vector<double> v{w.alpha_sum, w.alpha_absmax, w.tr_raw, w.max_raw, w.tr_m,
                          w.top3[0], w.top3[1], w.top3[2]};
    for (const NcValues& nc : laplace_want_nc[l]) v.insert(v.end(), {nc.nc1_code, nc.nc1_tr, nc.nc1_pap, nc.nc2_code});
    return v;
}

double max_relative_deviation(const std::vector<double>& got, const std::vector<double>& want) {
    double dev = 0.0;
    for (size_t i = 0; i < want.size(); ++i)
        dev = std::max(dev, std::abs(got.at(i) - want[i]) / std::abs(want[i]));
    return dev;
}

TEST(DeepRfmS1Test, LaplaceThreeLayersMatchReferenceValues) {
    // Arrange
    const data::Data data = s1_data(test::world());

    // Act
    const std::vector<app::LayerResult> layers = run_s1(data, config::KernelKind::laplace, 1e-3, 3);

    // Assert
    ASSERT_EQ(layers.size(), 3u);
    for (int l = 0; l < 3; ++l) {
        SCOPED_TRACE("layer " + std::to_string(l + 1));
        expect_layer(layers[l], laplace_want[l], laplace_tol, laplace_tol);
        const auto nc = nc_of(layers[l], data);
        for (int r = 0; r < 3; ++r) {
            SCOPED_TRACE("representation " + std::to_string(r));
            expect_nc(nc[r], laplace_want_nc[l][r], laplace_tol);
        }
    }
}

TEST(DeepRfmS1Test, Float32ThreeLayersWithinTheSpecsFloat32Tolerances) {
    // Arrange: §7.2's float32 tolerances, 1e-3 at layer 1 and 1e-2 at layers 2-3.
    const double tol[3] = {1e-3, 1e-2, 1e-2};
    const data::Data data = s1_data(test::world());

    // Act
    const std::vector<app::LayerResult> layers =
        run_s1(data, config::KernelKind::laplace, 1e-3, 3, config::Precision::float32);

    // Assert
    ASSERT_EQ(layers.size(), 3u);
    for (int l = 0; l < 3; ++l)
        EXPECT_LE(max_relative_deviation(table_values(layers[l], data), reference_values(l)), tol[l])
            << "layer " << l + 1;
}

TEST(DeepRfmS1Test, MixedAndFloat32StayNearFloat64) {
    // Arrange. Measured largest deviations from float64 over both tables (1, 2 and 4 ranks):
    // float32 6.4e-7-2.7e-5 / 7.3e-6-2.1e-5 / 1.3e-5-4.0e-5 at layers 1/2/3, mixed
    // 1.2e-6-4.4e-6 / 5.9e-6-3.8e-5 / 1.2e-5-3.9e-5. Both share the float32 kernel tiles, whose
    // rounding (the expanded distances of §2.3, amplified by cond(K + λI) ≈ 6e4 at layer 2)
    // dominates at n = 60: mixed's float64 solve and sums do not make it reliably closer here
    // (at 1 and 2 ranks its layer-2 M eigenvalues are 3-10x further off than float32's, at 4
    // ranks 3x closer). Its solve is checked on its own in tests/solve/test_refined_solve.cpp.
    const double tol = 2e-4;
    const data::Data data = s1_data(test::world());
    auto run = [&](config::Precision p) { return run_s1(data, config::KernelKind::laplace, 1e-3, 3, p); };

    // Act
    const auto f64 = run(config::Precision::float64);
    const auto f32 = run(config::Precision::float32);
    const auto mixed = run(config::Precision::mixed);

    // Assert
    for (int l = 0; l < 3; ++l) {
        SCOPED_TRACE("layer " + std::to_string(l + 1));
        const std::vector<double> want = table_values(f64[l], data);
        EXPECT_LE(max_relative_deviation(table_values(f32[l], data), want), tol);
        EXPECT_LE(max_relative_deviation(table_values(mixed[l], data), want), tol);
        // Not equal to float64: the precision was applied.
        EXPECT_GT(max_relative_deviation(table_values(f32[l], data), want), 1e-9);
        EXPECT_GT(max_relative_deviation(table_values(mixed[l], data), want), 1e-9);
    }
}

TEST(DeepRfmS1Test, RidgelessLayerOneMatchesReferenceValues) {
    // Arrange
    const data::Data data = s1_data(test::world());

    // Act: ridge 0 → interpolation with the LU solve
    const std::vector<app::LayerResult> layers = run_s1(data, config::KernelKind::laplace, 0.0, 1);

    // Assert
    const app::LayerResult& r = layers.at(0);
    EXPECT_TRUE(near_rel(alpha_sum(r.alpha), -1.8909622633e+00, laplace_tol));
    EXPECT_TRUE(near_rel(trace(r.raw_agop), 1.0940670261e+01, laplace_tol));
    EXPECT_TRUE(near_rel(trace(r.feature_matrix.m), 3.2109634987e+00, laplace_tol));
    const auto nc = nc_of(r, data);
    EXPECT_TRUE(near_rel(nc[1].nc1_code, 6.65210736e-02, laplace_tol));
    EXPECT_TRUE(near_rel(nc[1].nc2, 1.12305024e-05, laplace_tol));
    EXPECT_TRUE(near_rel(nc[2].nc1_code, 9.06869392e-02, laplace_tol));
}

TEST(DeepRfmS1Test, GaussianLayerOneMatchesReferenceValues) {
    // Arrange: §7.2 asks ≤ 1e-9 relative for Gaussian; values printed with 9 significant digits
    // carry up to 5e-9 relative rounding of their own, so those get 1e-9 + 5e-9.
    const double tol = 1e-9, tol9 = 6e-9;
    const LayerValues want{-1.2712671950e+00, 7.1929214242e+00, 2.1049276829e+01, 6.8785903231e+00,
                           3.0601149132e+00, {1.56479398, 1.47507785, 1.33855967e-02}};
    const data::Data data = s1_data(test::world());

    // Act
    const std::vector<app::LayerResult> layers = run_s1(data, config::KernelKind::gaussian, 1e-3, 1);

    // Assert
    const app::LayerResult& r = layers.at(0);
    expect_layer(r, want, tol, tol9);
    const auto nc = nc_of(r, data);
    EXPECT_TRUE(near_rel(nc[1].nc1_code, 8.13462973e-03, tol9));
    EXPECT_TRUE(near_rel(nc[1].nc2, 2.17017056e-07, tol9));
    EXPECT_TRUE(near_rel(nc[2].nc1_code, 1.48378816e-02, tol9));
    EXPECT_TRUE(near_rel(nc[2].nc2, 8.36080300e-04, tol9));
}

}  // namespace
}  // namespace drfm
