#include "drfm/data/preprocess.hpp"

#include "drfm/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace drfm::data {
namespace {

// Exact, order-independent column sums. A value v of column j becomes the integer
// I = trunc(v · 2^s_j) with |I| < 2^95 (s_j from the column's largest |v|), split into three
// 32-bit limbs of |I| with the sign of I. Limb sums are int64 (exact for n < 2^30) and integer
// addition is associative, so any partition of the rows over any number of ranks gives the same
// bits. The truncation below 2^−94 of the column maximum is far below double rounding.
constexpr int fixed_point_bits = 94;
constexpr double two32 = 4294967296.0;
constexpr double two64 = two32 * two32;
constexpr std::int64_t limb_base = std::int64_t{1} << 32;

// 2^s as two factors, each a normal double for any s a double's exponent range produces.
struct Scale {
    int exponent = 0;
    double first = 1.0, second = 1.0;
};

Scale fixed_point_scale(double max_abs) {
    Scale scale;
    if (max_abs == 0.0) return scale;
    int e = 0;
    std::frexp(max_abs, &e);  // max_abs = m · 2^e, m in [0.5, 1)
    scale.exponent = fixed_point_bits - e;
    scale.first = std::ldexp(1.0, scale.exponent / 2);
    scale.second = std::ldexp(1.0, scale.exponent - scale.exponent / 2);
    return scale;
}

// Multiplications by powers of two and truncating conversions only: every step is exact or a
// deterministic truncation, and cheap (no libm calls in the loop).
inline void accumulate(double v, const Scale& scale, std::int64_t* limbs) {
    const double a = std::fabs(v) * scale.first * scale.second;
    const auto hi = static_cast<std::int64_t>(a * (1.0 / two64));
    const double rest = a - static_cast<double>(hi) * two64;  // the bits of a below 2^64: exact
    const auto mid = static_cast<std::int64_t>(rest * (1.0 / two32));
    const auto lo = static_cast<std::int64_t>(rest - static_cast<double>(mid) * two32);
    const std::int64_t sign = v < 0.0 ? -1 : 1;
    limbs[0] += sign * lo;
    limbs[1] += sign * mid;
    limbs[2] += sign * hi;
}

std::int64_t floor_div_base(std::int64_t v) {
    std::int64_t q = v / limb_base;
    return (v % limb_base < 0) ? q - 1 : q;
}

double limbs_to_double(std::int64_t l0, std::int64_t l1, std::int64_t l2, int exponent) {
    std::int64_t carry = floor_div_base(l0);
    l0 -= carry * limb_base;
    l1 += carry;
    carry = floor_div_base(l1);
    l1 -= carry * limb_base;
    l2 += carry;
    double low = static_cast<double>(l1) * two32 + static_cast<double>(l0);
    return std::ldexp(static_cast<double>(l2) * two64 + low, -exponent);
}

/// Σ_i f(i, j) over all rows of all ranks for every column j, with |f| ≤ bound[j]. Collective.
template <class F>
std::vector<double> exact_column_sums(const HostMatrix& x, const std::vector<double>& bound,
                                      const mpi::Comm& comm, F f) {
    const auto rows = static_cast<std::int64_t>(x.extent(0));
    const auto d = static_cast<std::int64_t>(x.extent(1));
    std::vector<Scale> scale(static_cast<size_t>(d));
    std::vector<std::int64_t> limbs(static_cast<size_t>(3 * d), 0);
    for (std::int64_t j = 0; j < d; ++j) {
        scale[j] = fixed_point_scale(bound[j]);
        std::int64_t l[3] = {0, 0, 0};  // a local accumulator keeps the loop in registers
        for (std::int64_t i = 0; i < rows; ++i) accumulate(f(i, j), scale[j], l);
        std::copy(l, l + 3, &limbs[static_cast<size_t>(3 * j)]);
    }
    comm.allreduce_sum(limbs.data(), 3 * d);
    std::vector<double> sums(static_cast<size_t>(d));
    for (std::int64_t j = 0; j < d; ++j) {
        sums[j] = limbs_to_double(limbs[3 * j], limbs[3 * j + 1], limbs[3 * j + 2],
                                  scale[j].exponent);
    }
    return sums;
}

std::string counts_text(const std::vector<std::int64_t>& counts) {
    std::ostringstream os;
    for (size_t c = 0; c < counts.size(); ++c) os << (c ? ", " : "") << c << ": " << counts[c];
    return os.str();
}

}  // namespace

std::vector<std::int64_t> select_subset(const std::vector<int>& labels, std::int64_t n,
                                        config::Subset subset, int classes,
                                        const std::string& file) {
    const auto available = static_cast<std::int64_t>(labels.size());
    std::vector<std::int64_t> rows;
    std::vector<std::int64_t> counts(static_cast<size_t>(classes), 0);
    if (subset == config::Subset::first) {
        DRFM_CHECK(n <= available, InputDataError, file, ": data.n_train = ", n,
                   " but the file has ", available, " samples; lower data.n_train to at most ",
                   available);
        rows.resize(static_cast<size_t>(n));
        for (std::int64_t i = 0; i < n; ++i) {
            rows[i] = i;
            ++counts[labels[i]];
        }
    } else {
        const std::int64_t per_class = classes > 0 ? n / classes : 0;
        DRFM_CHECK(per_class > 0, InputDataError, file, ": data.subset = balanced needs at least ",
                   "one sample per class, but data.n_train = ", n, " < ", classes, " classes");
        for (std::int64_t i = 0; i < available && rows.size() < size_t(per_class * classes); ++i) {
            if (counts[labels[i]] < per_class) {
                rows.push_back(i);
                ++counts[labels[i]];
            }
        }
        for (int c = 0; c < classes; ++c) {
            DRFM_CHECK(counts[c] == per_class, InputDataError, file, ": class ", c, " has only ",
                       counts[c], " samples, but data.subset = balanced with data.n_train = ", n,
                       " needs ", per_class, " per class (", classes, " classes)");
        }
    }
    for (int c = 0; c < classes; ++c) {
        DRFM_CHECK(counts[c] > 0, InputDataError, file, ": class ", c, " has no sample among the ",
                   rows.size(), " selected (class counts ", counts_text(counts), "); labels ",
                   "must be 0..K-1 with every class present: use more samples or ",
                   "data.subset = balanced");
    }
    return rows;
}

std::vector<std::int64_t> class_order(const std::vector<std::int64_t>& rows,
                                      const std::vector<int>& labels) {
    std::vector<std::int64_t> ordered(rows);
    std::stable_sort(ordered.begin(), ordered.end(), [&](std::int64_t a, std::int64_t b) {
        return labels[static_cast<size_t>(a)] < labels[static_cast<size_t>(b)];
    });
    return ordered;
}

ColumnStats column_stats(const HostMatrix& x, const mpi::Comm& comm) {
    const auto rows = static_cast<std::int64_t>(x.extent(0));
    const auto d = static_cast<std::int64_t>(x.extent(1));
    ColumnStats stats;
    stats.n = comm.sum(rows);
    DRFM_CHECK(stats.n < (std::int64_t{1} << 30), InputDataError, "standardisation supports fewer ",
               "than 2^30 samples, got ", stats.n);

    // Column maxima of x and −x: the range bounds the fixed-point scales and finds constants.
    constexpr double lowest = -std::numeric_limits<double>::infinity();
    std::vector<double> extremes(static_cast<size_t>(2 * d), lowest);
    for (std::int64_t j = 0; j < d; ++j) {
        for (std::int64_t i = 0; i < rows; ++i) {
            extremes[j] = std::max(extremes[j], x(i, j));
            extremes[d + j] = std::max(extremes[d + j], -x(i, j));
        }
    }
    DRFM_MPI(MPI_Allreduce(MPI_IN_PLACE, extremes.data(), mpi::to_mpi_count(2 * d, "column range"),
                           MPI_DOUBLE, MPI_MAX, comm.get()));

    stats.mean.assign(static_cast<size_t>(d), 0.0);
    stats.std.assign(static_cast<size_t>(d), 0.0);
    stats.constant.assign(static_cast<size_t>(d), 1);
    if (stats.n == 0) return stats;

    std::vector<double> bound(static_cast<size_t>(d));
    for (std::int64_t j = 0; j < d; ++j) bound[j] = std::max(extremes[j], extremes[d + j]);
    auto sums = exact_column_sums(x, bound, comm, [&](std::int64_t i, std::int64_t j) {
        return x(i, j);
    });
    for (std::int64_t j = 0; j < d; ++j) {
        stats.mean[j] = sums[j] / static_cast<double>(stats.n);
        stats.constant[j] = extremes[j] == -extremes[d + j] ? 1 : 0;
        // (x − mean)² is largest at an end of the range; computed the same way, it bounds all.
        double spread = std::max(extremes[j] - stats.mean[j], stats.mean[j] + extremes[d + j]);
        bound[j] = spread * spread;
    }
    const auto& mean = stats.mean;
    auto squares = exact_column_sums(x, bound, comm, [&](std::int64_t i, std::int64_t j) {
        double centred = x(i, j) - mean[j];
        return centred * centred;
    });
    for (std::int64_t j = 0; j < d; ++j) {
        if (!stats.constant[j]) {
            stats.std[j] = std::sqrt(squares[j] / static_cast<double>(stats.n - 1));
        }
    }
    return stats;
}

void standardize(HostMatrix& x, const ColumnStats& stats) {
    const auto rows = static_cast<std::int64_t>(x.extent(0));
    const auto d = static_cast<std::int64_t>(x.extent(1));
    DRFM_CHECK(static_cast<std::int64_t>(stats.mean.size()) == d, InputDataError,
               "standardisation statistics have ", stats.mean.size(), " features, data have ", d);
    for (std::int64_t j = 0; j < d; ++j) {
        const bool zero = stats.constant[j] || stats.std[j] == 0.0;
        const double mean = stats.mean[j], std = stats.std[j];
        for (std::int64_t i = 0; i < rows; ++i) x(i, j) = zero ? 0.0 : (x(i, j) - mean) / std;
    }
}

}  // namespace drfm::data
