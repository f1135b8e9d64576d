// Every Kokkos kernel, View allocation, deep copy and region that drfm code creates carries a label
// starting with "drfm::" (style rule; ArborX's tstKokkosToolsAnnotations). Kokkos Tools callbacks
// record the labels while a few drfm kernels run; their numbers are checked against closed forms.
#include "drfm/agop/agop.hpp"
#include "drfm/agop/matrix_sqrt.hpp"
#include "drfm/features/random_features.hpp"
#include "drfm/kernel/kernel_block.hpp"
#include "support/test_utils.hpp"

#include <cmath>
#include <set>
#include <string>
#include <vector>

namespace drfm {
namespace {

namespace tools = Kokkos::Tools::Experimental;

/// Labels seen while a LabelRecorder is alive (the callbacks are plain function pointers).
struct Seen {
    std::set<std::string> kernels;
    std::vector<std::string> bad;  ///< "<event>: <label>" for every label breaking the rule
};
Seen& seen() {
    static Seen s;
    return s;
}

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

// KokkosKernels names its own kernels and regions "KokkosBlas::..." (the GEMM of
// core/device_blas.hpp): the library's, not ours to rename.
bool library_label(const std::string& label) {
    return starts_with(label, "KokkosBlas::") || starts_with(label, "KokkosKernels::");
}

// Kokkos' own kernels are "Kokkos::..."; those that act on one View name it in brackets
// ("Kokkos::View::initialization [label]"), and that label is ours.
bool kernel_label_ok(const std::string& label) {
    if (starts_with(label, "drfm::") || library_label(label)) return true;
    if (!starts_with(label, "Kokkos::")) return false;
    const auto open = label.find(" [");
    return open == std::string::npos || starts_with(label.substr(open + 2), "drfm::");
}

void on_kernel(const char* event, const char* name) {
    const std::string label = name ? name : "";
    seen().kernels.insert(label);
    if (!kernel_label_ok(label)) seen().bad.push_back(std::string(event) + ": " + label);
}

void check_label(const char* event, const char* name) {
    const std::string label = name ? name : "";
    if (!starts_with(label, "drfm::")) seen().bad.push_back(std::string(event) + ": '" + label + "'");
}

/// Installs the callbacks for its lifetime (Kokkos 3.4+ API) and removes them again.
class LabelRecorder {
public:
    LabelRecorder() {
        seen() = Seen{};
        tools::set_begin_parallel_for_callback(
            [](const char* name, std::uint32_t, std::uint64_t*) { on_kernel("parallel_for", name); });
        tools::set_begin_parallel_reduce_callback(
            [](const char* name, std::uint32_t, std::uint64_t*) { on_kernel("parallel_reduce", name); });
        tools::set_begin_parallel_scan_callback(
            [](const char* name, std::uint32_t, std::uint64_t*) { on_kernel("parallel_scan", name); });
        tools::set_allocate_data_callback(
            [](Kokkos_Profiling_SpaceHandle, const char* name, const void*, std::uint64_t) {
                check_label("allocate", name);
            });
        // Unmanaged views (wrapping existing memory) have no label: only named views are checked.
        tools::set_begin_deep_copy_callback([](Kokkos_Profiling_SpaceHandle, const char* dst_name,
                                               const void*, Kokkos_Profiling_SpaceHandle,
                                               const char* src_name, const void*, std::uint64_t) {
            if (dst_name && *dst_name) check_label("deep_copy dst", dst_name);
            if (src_name && *src_name) check_label("deep_copy src", src_name);
        });
        tools::set_push_region_callback([](const char* name) {
            if (!name || !library_label(name)) check_label("region", name);
        });
    }
    ~LabelRecorder() {
        tools::set_begin_parallel_for_callback(nullptr);
        tools::set_begin_parallel_reduce_callback(nullptr);
        tools::set_begin_parallel_scan_callback(nullptr);
        tools::set_allocate_data_callback(nullptr);
        tools::set_begin_deep_copy_callback(nullptr);
        tools::set_push_region_callback(nullptr);
    }
    LabelRecorder(const LabelRecorder&) = delete;
    LabelRecorder& operator=(const LabelRecorder&) = delete;
};

HostMatrix host_matrix(std::int64_t rows, std::int64_t cols, std::initializer_list<double> by_row) {
    HostMatrix m("drfm::test::matrix", rows, cols);
    auto it = by_row.begin();
    for (std::int64_t i = 0; i < rows; ++i)
        for (std::int64_t j = 0; j < cols; ++j) m(i, j) = *it++;
    return m;
}

TEST(KokkosLabelsTest, DrfmKernelsUseOnlyDrfmLabels) {
    LabelRecorder recorder;

    // normalise_rows: (3, 4) → (0.6, 0.8); a zero row stays zero.
    HostMatrix x = host_matrix(2, 2, {3.0, 4.0, 0.0, 0.0});
    features::normalise_rows(x);
    EXPECT_NEAR(x(0, 0), 0.6, 1e-15);
    EXPECT_NEAR(x(0, 1), 0.8, 1e-15);
    EXPECT_EQ(x(1, 0), 0.0);

    // kernel_block (Laplace, L = 2): k(a, b) = exp(−‖a − b‖/2), exactly 1 for the same sample id.
    const kernel::KernelFunction laplace{1.0, 2.0};
    HostMatrix a = host_matrix(2, 2, {0.0, 0.0, 1.0, 1.0});
    HostMatrix b = host_matrix(2, 2, {3.0, 4.0, 1.0, 1.0});
    HostMatrix k("drfm::test::k", 2, 2);
    kernel::kernel_block(laplace, kernel::BlockValue::kernel, a, kernel::squared_row_norms(a), {0, 3},
                         b, kernel::squared_row_norms(b), {2, 3}, k);
    EXPECT_NEAR(k(0, 0), std::exp(-2.5), 1e-14);
    EXPECT_NEAR(k(0, 1), std::exp(-std::sqrt(2.0) / 2.0), 1e-14);
    EXPECT_NEAR(k(1, 0), std::exp(-std::sqrt(13.0) / 2.0), 1e-14);
    EXPECT_EQ(k(1, 1), 1.0);

    // agop::transform with a diagonal √M: column j scaled by s_j.
    HostMatrix s = host_matrix(2, 1, {2.0, 0.5});
    HostMatrix t = agop::transform(b, s);
    EXPECT_EQ(t(0, 0), 6.0);
    EXPECT_EQ(t(0, 1), 2.0);

    // agop::agop, one point x = (0, 0) and one centre z = (3, 4) with α = 2: the gradient is
    // g = (α/L)·k(r)/r·(z − x) with r = 5 (methods.md §2.3), the AGOP g gᵀ.
    agop::AgopInput<double> in;
    in.points.rows = host_matrix(1, 2, {0.0, 0.0});
    in.points.row_ids = {1};
    in.points.cols = host_matrix(1, 2, {3.0, 4.0});
    in.points.col_ids = {0};
    in.alpha = host_matrix(2, 1, {2.0, 0.0});
    in.n = 1;
    auto self = mpi::Comm::borrow(MPI_COMM_SELF);
    HostMatrix g_outer = agop::agop(laplace, in, {config::AgopKind::full, false, 4}, self, self);
    const double g_scale = 2.0 / 2.0 * std::exp(-2.5) / 5.0;
    const double g[2] = {3.0 * g_scale, 4.0 * g_scale};
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) EXPECT_NEAR(g_outer(i, j), g[i] * g[j], 1e-15);

    // Random features, both maps: ReLU output ≥ 0, cosine output in [−√(2/D), √(2/D)].
    config::ModelConfig model;
    model.width = 3;
    for (auto map : {config::FeatureMap::relu, config::FeatureMap::cosine}) {
        model.features = map;
        const auto weights = features::make_weights(model, 1, 2);
        HostMatrix phi = features::apply(weights, b);
        const double bound = map == config::FeatureMap::relu ? 1e300 : std::sqrt(2.0 / 2.0);
        const double lower = map == config::FeatureMap::relu ? 0.0 : -bound;
        for (size_t j = 0; j < phi.extent(1); ++j)
            for (size_t i = 0; i < phi.extent(0); ++i) {
                EXPECT_GE(phi(i, j), lower);
                EXPECT_LE(phi(i, j), bound);
            }
    }

    for (const char* label : {"drfm::features::normalise_rows", "drfm::kernel::squared_row_norms",
                              "drfm::kernel::kernel_block", "drfm::agop::transform_diagonal",
                              "drfm::agop::scale_columns", "drfm::agop::form_gradient",
                              "drfm::features::make_weights", "drfm::features::activation"})
        EXPECT_EQ(seen().kernels.count(label), 1u) << label << " did not run (callbacks not called?)";
    EXPECT_TRUE(seen().bad.empty()) << "first offending label: " << seen().bad.front();
}

// A free function: CUDA forbids extended lambdas in TEST bodies (private member functions).
void run_foreign_kernel() {
    Kokkos::View<double*, MemSpace> v("scratch", 4);
    Kokkos::parallel_for("fill", Kokkos::RangePolicy<ExecSpace>(0, 4), KOKKOS_LAMBDA(int i) { v(i) = i; });
    Kokkos::fence();
}

TEST(KokkosLabelsTest, RecorderFlagsForeignLabels) {
    LabelRecorder recorder;

    run_foreign_kernel();

    // The View's initialisation is "Kokkos::View::initialization [scratch]" in Kokkos 3.4, and in
    // 4.x "... [scratch] via memset" too, or alone, or nothing: each counts as the one entry.
    const std::string init = "parallel_for: Kokkos::View::initialization [scratch]";
    std::set<std::string> bad = {init};
    for (const std::string& b : seen().bad) bad.insert(starts_with(b, init) ? init : b);
    EXPECT_EQ(bad, (std::set<std::string>{"allocate: 'scratch'", init, "parallel_for: fill"}));
}

}  // namespace
}  // namespace drfm
