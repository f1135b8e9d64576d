#pragma once
/// @file
/// The layout of a drfm_hpc results file, in one place: which groups, dimensions and datasets
/// exist for given sizes. docs/results.md describes the same table for readers; the io tests
/// check that every dataset written here is named there.
#include "drfm/io/dataset.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace drfm::io {

/// Version of the layout below; bumped on any incompatible change (resume refuses others).
inline constexpr std::int64_t schema_version = 1;

/// A per-run scalar stored as /runs/<name>[run] (a scan parameter: ridge, bandwidth, seed, ...).
struct RunParameter {
    std::string name;
    std::string description;
    std::string units = "1";

    bool operator==(const RunParameter& o) const {
        return name == o.name && description == o.description && units == o.units;
    }
};

/// The sizes the whole file is created with (all known from the Config before any compute).
struct ResultsLayout {
    std::int64_t runs = 1;          ///< runs of the scan (1 without a scan)
    std::int64_t depth = 1;         ///< layers per run
    /// Names as the `layer` coordinates (features mode: the snapshot names, `depth` of them);
    /// empty: the numbers 1..depth.
    std::vector<std::string> layer_labels;
    std::vector<std::string> reprs{"X", "MX", "PhiMX"};
    std::vector<std::string> splits{"train", "test"};
    std::int64_t max_k = 0;         ///< longest spectrum stored (k dimension)
    std::int64_t picture_size = 0;  ///< side t of the block-averaged Gram tiles
    std::vector<std::string> phases;  ///< timed phases of a layer (app::phase_names())
    std::vector<RunParameter> parameters;
    /// Name of the leading dimension: "run", or "checkpoint" in network mode (one entry per
    /// checkpoint of the network, its status in /runs/status).
    std::string run_dimension = "run";
    /// Names as the coordinates of the leading dimension; empty: the numbers 0..runs−1.
    std::vector<std::string> run_labels;
    /// Network mode: the NFA correlations of each layer (/metrics/nfa, /metrics/nfa_sqrt).
    bool network = false;

    bool operator==(const ResultsLayout& o) const {
        return runs == o.runs && depth == o.depth && layer_labels == o.layer_labels &&
               run_dimension == o.run_dimension && run_labels == o.run_labels &&
               network == o.network &&
               reprs == o.reprs && splits == o.splits &&
               max_k == o.max_k && picture_size == o.picture_size && phases == o.phases &&
               parameters == o.parameters;
    }
    bool operator!=(const ResultsLayout& o) const { return !(*this == o); }
};

/// One dimension of one group, with its coordinates (numbers or labels, one of them used).
struct DimensionSpec {
    std::string group;
    std::string name;
    std::string description;
    std::vector<std::int64_t> values;  ///< numeric coordinates
    std::vector<std::string> labels;   ///< string coordinates (used when non-empty)
};

/// Labels of the `centering` dimension of /spectra: the feature matrix F as is, and with its
/// columns centred (F − 1 f̄ᵀ).
inline const std::vector<std::string> centering_labels{"uncentred", "centred"};

/// The groups of the layout, in file order.
std::vector<std::string> results_groups();

/// Every dimension of every group, with coordinates, for `layout`.
std::vector<DimensionSpec> results_dimensions(const ResultsLayout& layout);

/// Every dataset of the layout (the table of docs/results.md).
std::vector<DatasetSpec> results_schema(const ResultsLayout& layout);

/// Collective: creates all groups, dimensions and datasets of `layout` in `file`.
void define_results_layout(const File& file, const ResultsLayout& layout);

}  // namespace drfm::io
