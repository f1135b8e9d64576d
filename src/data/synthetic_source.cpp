// The synthetic class mixture. Everything is a pure function of (data.seed, sample, feature)
// through the counter-based generator (core/random.hpp, stream synthetic_data), so every rank
// computes exactly its own rows and the data do not depend on the number of ranks:
//   centre_c = separation · g_c / ‖g_c‖,  g_c[j] = normal(seed, synthetic_data, layer 0, c, j)
//   sample i of a split: class c(i) = i mod K (any prefix is as balanced as possible),
//   x_i[j] = centre_{c(i)}[j] + normal(seed, synthetic_data, layer s, row i, col j),
// with layer s = 1 for the train split and 2 for the test split (disjoint counters: the test
// samples are new draws around the same centres).
#include "readers.hpp"

#include "drfm/core/random.hpp"

#include <cmath>
#include <sstream>

namespace drfm::data::detail {
namespace {

constexpr std::uint32_t centre_layer = 0;

std::uint32_t split_layer(Split split) { return split == Split::train ? 1 : 2; }

class SyntheticSource final : public Source {
public:
    SyntheticSource(const config::DataConfig& config, Split split, std::int64_t samples)
        : Source(describe(config), config.dim, class_cycle(samples, config.classes),
                 config.classes),
          seed_(config.data_seed), layer_(split_layer(split)) {
        const int k = config.classes, d = config.dim;
        centres_.resize(static_cast<size_t>(k) * d);
        for (int c = 0; c < k; ++c) {
            double* centre = &centres_[static_cast<size_t>(c) * d];
            double norm2 = 0.0;
            for (int j = 0; j < d; ++j) {
                centre[j] = random::normal(seed_, random::synthetic_data, centre_layer, c, j);
                norm2 += centre[j] * centre[j];
            }
            const double scale = config.separation / std::sqrt(norm2);
            for (int j = 0; j < d; ++j) centre[j] *= scale;
        }
    }

    void read_rows(const std::vector<std::int64_t>& file_rows, HostMatrix& out) const override {
        const std::int64_t d = features();
        for (size_t k = 0; k < file_rows.size(); ++k) {
            const std::int64_t i = file_rows[k];
            const double* centre = &centres_[static_cast<size_t>(labels()[i] * d)];
            for (std::int64_t j = 0; j < d; ++j) {
                out(static_cast<std::int64_t>(k), j) =
                    centre[j] + random::normal(seed_, random::synthetic_data, layer_,
                                               static_cast<std::uint64_t>(i),
                                               static_cast<std::uint64_t>(j));
            }
        }
    }

private:
    static std::string describe(const config::DataConfig& config) {
        std::ostringstream os;
        os << "synthetic mixture (" << config.classes << " classes, d = " << config.dim
           << ", separation " << config.separation << ", seed " << config.data_seed << ")";
        return os.str();
    }

    static std::vector<int> class_cycle(std::int64_t samples, int classes) {
        std::vector<int> labels(static_cast<size_t>(samples));
        for (std::int64_t i = 0; i < samples; ++i) labels[i] = static_cast<int>(i % classes);
        return labels;
    }

    std::uint64_t seed_;
    std::uint32_t layer_;
    std::vector<double> centres_;  // K × d, row-major
};

}  // namespace

std::unique_ptr<Source> open_synthetic(const config::DataConfig& config, Split split,
                                       std::int64_t samples) {
    return std::make_unique<SyntheticSource>(config, split, samples);
}

}  // namespace drfm::data::detail
