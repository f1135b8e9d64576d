#include "drfm/config/schema.hpp"

#include <algorithm>
#include <climits>
#include <type_traits>
#include <utility>

namespace drfm::config {
namespace {

// How each C++ field type maps to a TOML value type and back.
template <class T, class Enable = void>
struct Traits;

template <>
struct Traits<bool> {
    static constexpr ValueType type = ValueType::boolean;
    static Value to_value(bool v) { return v; }
    static bool from_value(const Value& v) { return std::get<bool>(v); }
};

template <class T>
struct Traits<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>> {
    static constexpr ValueType type = ValueType::integer;
    static Value to_value(T v) { return static_cast<std::int64_t>(v); }
    static T from_value(const Value& v) { return static_cast<T>(std::get<std::int64_t>(v)); }
};

template <>
struct Traits<double> {
    static constexpr ValueType type = ValueType::floating;
    static Value to_value(double v) { return v; }
    static double from_value(const Value& v) { return std::get<double>(v); }
};

template <>
struct Traits<std::string> {
    static constexpr ValueType type = ValueType::string;
    static Value to_value(const std::string& v) { return v; }
    static std::string from_value(const Value& v) { return std::get<std::string>(v); }
};

template <>
struct Traits<std::chrono::seconds> {
    static constexpr ValueType type = ValueType::duration;
    static Value to_value(std::chrono::seconds v) { return static_cast<std::int64_t>(v.count()); }
    static std::chrono::seconds from_value(const Value& v) {
        return std::chrono::seconds(std::get<std::int64_t>(v));
    }
};

template <>
struct Traits<std::optional<std::pair<int, int>>> {
    static constexpr ValueType type = ValueType::grid;
    static Value to_value(const std::optional<std::pair<int, int>>& v) {
        if (!v) return std::string("auto");
        return std::to_string(v->first) + "x" + std::to_string(v->second);
    }
    // @pre check_value accepted the text, so it is "auto" or "PxQ" with P, Q in [1, INT_MAX].
    static std::optional<std::pair<int, int>> from_value(const Value& v) {
        const auto& text = std::get<std::string>(v);
        if (text == "auto") return std::nullopt;
        auto x = text.find_first_of("xX");
        return std::make_pair(std::stoi(text.substr(0, x)), std::stoi(text.substr(x + 1)));
    }
};

template <class E>
struct Traits<E, std::enable_if_t<std::is_enum_v<E>>> {
    static constexpr ValueType type = ValueType::choice;
    static Value to_value(E v) { return std::string(to_string(v)); }
    // @pre check_value accepted the name.
    static E from_value(const Value& v) {
        const auto& names = EnumNames<E>::names;
        auto it = std::find(names.begin(), names.end(), std::get<std::string>(v));
        return static_cast<E>(it - names.begin());
    }
};

template <class T>
std::vector<std::string_view> choices_of() {
    if constexpr (std::is_enum_v<T>) {
        const auto& names = EnumNames<T>::names;
        return {names.begin(), names.end()};
    } else {
        return {};
    }
}

template <class T>
double type_max_of() {
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        return static_cast<double>(std::numeric_limits<T>::max());
    } else if constexpr (std::is_same_v<T, std::chrono::seconds>) {
        return static_cast<double>(std::numeric_limits<std::int64_t>::max());
    } else {
        return std::numeric_limits<double>::infinity();
    }
}

// One schema entry for the field Config::*Section.*Field; its type decides the TOML type.
template <auto Section, auto Field>
KeySpec entry(std::string_view key, Range range, std::string_view meaning, int open_choice = 0) {
    using T = std::decay_t<decltype(std::declval<Config&>().*Section.*Field)>;
    KeySpec spec{key, Traits<T>::type, choices_of<T>(), range, type_max_of<T>(), meaning,
                 open_choice, nullptr, nullptr};
    spec.get = [](const Config& c) -> Value { return Traits<T>::to_value(c.*Section.*Field); };
    spec.set = [](Config& c, const Value& v) { c.*Section.*Field = Traits<T>::from_value(v); };
    return spec;
}

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr Range any{};
constexpr Range at_least(double lo) { return Range{lo, inf, false, false}; }
constexpr Range above(double lo) { return Range{lo, inf, true, false}; }
constexpr Range between(double lo, double hi) { return Range{lo, hi, false, false}; }
constexpr Range non_empty = at_least(1);  // strings: length ≥ 1

using C = Config;
using D = DataConfig;
using M = ModelConfig;
using O = OutputConfig;
using P = ParallelConfig;
using A = AnalysisConfig;
using R = RunConfig;

std::vector<KeySpec> build_schema() {
    return {
        entry<&C::data, &D::source>("data.source", any, "where the samples come from"),
        entry<&C::data, &D::path>("data.path", non_empty,
            "IDX folder, or the HDF5/CSV training file (required for hdf5 and csv)"),
        entry<&C::data, &D::n_train>("data.n_train", at_least(2),
            "number of training samples, chosen by data.subset"),
        entry<&C::data, &D::n_test>("data.n_test", at_least(0),
            "number of test samples (the first of the test split); 0: no test split"),
        entry<&C::data, &D::subset>("data.subset", any,
            "first: the first n_train in file order; balanced: ⌊n_train/classes⌋ per class", 4),
        entry<&C::data, &D::test_standardize>("data.test_standardize", any,
            "standardise the test set with its own (self) or the training statistics", 5),
        entry<&C::data, &D::label_column>("data.label_column", at_least(-1),
            "csv: 0-based column of the label; -1: the last column"),
        entry<&C::data, &D::header>("data.header", any, "csv: the first row is a header"),
        entry<&C::data, &D::test_path>("data.test_path", any,
            "csv/hdf5: test file; \"\": none (then data.n_test must be 0)"),
        entry<&C::data, &D::features_dataset>("data.features_dataset", non_empty,
            "hdf5: dataset of the n×d features"),
        entry<&C::data, &D::labels_dataset>("data.labels_dataset", non_empty,
            "hdf5: dataset of the n integer labels"),
        entry<&C::data, &D::snapshots>("data.snapshots", non_empty,
            "features mode: group of one n×p feature dataset per snapshot (natural name order), "
            "or one such dataset"),
        entry<&C::data, &D::outputs>("data.outputs", any,
            "features mode: group of the network's n×C outputs, one per snapshot and named like "
            "it; \"\": least-squares linear readout"),
        entry<&C::data, &D::classes>("data.classes", between(2, 1000),
            "synthetic: number of classes"),
        entry<&C::data, &D::dim>("data.dim", at_least(1), "synthetic: input dimension d"),
        entry<&C::data, &D::separation>("data.separation", at_least(0),
            "synthetic: norm of each class centre (random direction); noise is N(0, 1)"),
        entry<&C::data, &D::data_seed>("data.seed", at_least(0), "synthetic: generator seed", 15),

        entry<&C::model, &M::kernel>("model.kernel", any, "kernel of the RFM at every layer"),
        entry<&C::model, &M::bandwidth>("model.bandwidth", above(0), "kernel bandwidth L", 7),
        entry<&C::model, &M::exponent>("model.exponent", Range{0, 2, true, false},
            "gen_laplace: exponent p of exp(-(‖S(x−z)‖/L)^p)"),
        entry<&C::model, &M::ridge>("model.ridge", any,
            "ridge λ of the kernel solve; ≤ 0: interpolation (LU solve)", 1),
        entry<&C::model, &M::depth>("model.depth", at_least(1), "number of Deep RFM layers"),
        entry<&C::model, &M::rfm_iters>("model.rfm_iters", at_least(1),
            "RFM iterations T per layer", 13),
        entry<&C::model, &M::agop>("model.agop", any, "full d×d AGOP or its diagonal", 10),
        entry<&C::model, &M::centering>("model.centering", any,
            "subtract the per-output mean gradient over all n points", 10),
        entry<&C::model, &M::features>("model.features", any,
            "random feature map between layers: ReLU or cosine (RFF)"),
        entry<&C::model, &M::width>("model.width", at_least(1),
            "relu: output width k (cosine: the input dimension is used)", 6),
        entry<&C::model, &M::rff_gamma>("model.rff_gamma", above(0),
            "cosine: Cauchy scale γ of the frequencies", 7),
        entry<&C::model, &M::seed>("model.seed", at_least(0), "seed of the random features", 15),
        entry<&C::model, &M::final_predictor>("model.final_predictor", any,
            "predictor after the last layer: none or a KRR on the last features", 14),
        entry<&C::model, &M::precision>("model.precision", any,
            "float64; float32 (kernel, solve, AGOP, features); mixed (float32 kernel tiles and "
            "AGOP GEMMs, float64 sums and a refined float64-accurate solve)", 12),

        entry<&C::output, &O::path>("output.path", non_empty, "HDF5 results file"),
        entry<&C::output, &O::overwrite>("output.overwrite", any,
            "replace an existing results file (false: it is never clobbered)"),

        entry<&C::parallel, &P::block_size>("parallel.block_size", at_least(1),
            "ScaLAPACK block size nb"),
        entry<&C::parallel, &P::grid>("parallel.grid", any,
            "process grid P×Q; auto: near-square, column-major"),
        entry<&C::parallel, &P::ranks_per_run>("parallel.ranks_per_run", at_least(0),
            "scans: ranks per run group; 0: all ranks in one group"),

        entry<&C::analysis, &A::mode>("analysis.mode", any,
            "deep_rfm: train a Deep RFM and analyse its layers; features: analyse the feature "
            "snapshots of a trained network (data.snapshots); network: analyse the layers of a "
            "trained MLP's checkpoints (analysis.checkpoints) on the data"),
        entry<&C::analysis, &A::checkpoints>("analysis.checkpoints", any,
            "network mode: HDF5 file with one group per checkpoint holding W1..WL [out×in] and "
            "W_out (required there)"),
        entry<&C::analysis, &A::kernel_eigs>("analysis.kernel_eigs", any,
            "top-k eigenpairs of the n×n kernel matrix per layer (about 3 n²/P doubles per "
            "rank while they are computed; --dry-run counts them)"),
        entry<&C::analysis, &A::kernel_eigs_k>("analysis.kernel_eigs_k", at_least(1),
            "number k of kernel eigenpairs (≤ data.n_train)"),
        entry<&C::analysis, &A::gram_tile>("analysis.gram_tile", at_least(1),
            "Gram pictures: tiles per side T (T×T block averages; T ≤ n)"),

        entry<&C::run, &R::walltime>("run.walltime", at_least(0),
            "wall-time budget of the job; 0: none (stop early with exit 75 before it ends)"),
        entry<&C::run, &R::walltime_margin>("run.walltime_margin", at_least(0),
            "time kept in reserve before run.walltime to write results and state"),
        entry<&C::run, &R::checkpoint>("run.checkpoint", any,
            "layer: write each run's state after every layer, so that a re-run resumes at the next "
            "layer; none: runs restart from layer 1; auto: layer under a wall-time budget "
            "(run.walltime) or in a Slurm job, else none"),
        entry<&C::run, &R::checkpoint_dir>("run.checkpoint_dir", any,
            "directory of the layer checkpoints; \"\": the directory of output.path"),
        entry<&C::run, &R::keep_checkpoint>("run.keep_checkpoint", any,
            "keep a run's last layer checkpoint when the run is done (false: removed)"),
    };
}

}  // namespace

const std::vector<KeySpec>& schema() {
    static const std::vector<KeySpec> table = build_schema();
    return table;
}

const std::vector<std::string_view>& section_names() {
    static const std::vector<std::string_view> names = [] {
        std::vector<std::string_view> out;
        for (const auto& spec : schema())
            if (out.empty() || out.back() != spec.section()) out.push_back(spec.section());
        return out;
    }();
    return names;
}

const KeySpec* find_key(std::string_view dotted_key) {
    for (const auto& spec : schema())
        if (spec.key == dotted_key) return &spec;
    return nullptr;
}

}  // namespace drfm::config
