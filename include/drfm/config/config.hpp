#pragma once
/// @file
/// The typed, validated configuration of one drfm_hpc invocation (docs/input.md is the schema).
/// Plain structs per TOML section; choices are enums; every field has its documented default.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace drfm::config {

enum class DataSource { idx, hdf5, csv, synthetic };
enum class Subset { first, balanced };
enum class TestStandardize { self, train };
enum class KernelKind { laplace, gaussian, gen_laplace };
enum class AgopKind { full, diag };
enum class FeatureMap { relu, cosine };
enum class FinalPredictor { none, krr };
/// model.precision: the scalar of the numeric core (methods.md "Precision", docs/methods.md).
enum class Precision { float64, float32, mixed };
enum class AnalysisMode { deep_rfm, features, network };
/// run.checkpoint: `automatic` is "auto" (layer checkpoints under a wall-time budget or Slurm).
enum class CheckpointMode { automatic, layer, none };

struct DataConfig {
    DataSource source = DataSource::idx;
    std::string path = "/usr/share/datasets/fashion-mnist";  ///< folder (idx) or file (hdf5, csv)
    std::int64_t n_train = 5000;          ///< first n (subset=first) or n/classes per class
    std::int64_t n_test = 1000;           ///< 0: no test split
    Subset subset = Subset::first;
    TestStandardize test_standardize = TestStandardize::self;
    // csv
    std::int64_t label_column = -1;       ///< -1: the last column
    bool header = false;                  ///< csv: first row is a header
    std::string test_path;                ///< csv/hdf5: test file ("" → no test split from file)
    // hdf5
    std::string features_dataset = "features";
    std::string labels_dataset = "labels";
    // hdf5, analysis.mode = features (data/snapshots.hpp)
    std::string snapshots = "snapshots";  ///< group of n×p feature datasets, or one dataset
    std::string outputs;                  ///< group of n×C network outputs; "": linear readout
    // synthetic
    int classes = 10;
    int dim = 32;
    double separation = 2.0;
    std::uint64_t data_seed = 0;
};

struct ModelConfig {
    KernelKind kernel = KernelKind::laplace;
    double bandwidth = 2.0;               ///< L
    double exponent = 1.0;                ///< p of the generalised Laplace kernel
    double ridge = 1e-3;                  ///< λ; ≤ 0 means interpolation (LU solve)
    int depth = 6;
    int rfm_iters = 1;
    AgopKind agop = AgopKind::full;
    bool centering = false;
    FeatureMap features = FeatureMap::relu;
    std::int64_t width = 512;             ///< ReLU width (cosine: width = input dimension)
    double rff_gamma = 0.5;               ///< Cauchy scale γ of the cosine features
    std::uint64_t seed = 0;
    FinalPredictor final_predictor = FinalPredictor::none;
    Precision precision = Precision::float64;
};

struct OutputConfig {
    std::string path = "results/drfm.h5";
    bool overwrite = false;
};

struct ParallelConfig {
    int block_size = 128;
    std::optional<std::pair<int, int>> grid;  ///< "PxQ"; default: near-square, column-major
    int ranks_per_run = 0;                    ///< scans: 0 → all ranks in one group
};

struct AnalysisConfig {
    AnalysisMode mode = AnalysisMode::deep_rfm;  ///< features: analyse a network's snapshots
    std::string checkpoints;              ///< network: HDF5 file of the MLP's checkpoints
    bool kernel_eigs = false;             ///< top-k eigenpairs of the n×n kernel matrix
    int kernel_eigs_k = 20;
    int gram_tile = 256;                  ///< Gram pictures: tile size (block-averaged)
};

struct RunConfig {
    std::chrono::seconds walltime{0};          ///< wall-time budget of the job; 0: none
    std::chrono::seconds walltime_margin{120}; ///< kept in reserve to write results and state
    CheckpointMode checkpoint = CheckpointMode::automatic;  ///< layer checkpoints (app/run_checkpoints.hpp)
    std::string checkpoint_dir;                ///< "": the directory of output.path
    bool keep_checkpoint = false;              ///< keep a run's last checkpoint when it is done
};

struct Config {
    DataConfig data;
    ModelConfig model;
    OutputConfig output;
    ParallelConfig parallel;
    AnalysisConfig analysis;
    RunConfig run;
    std::string source_file;              ///< the TOML file it came from
    std::string resolved_toml;            ///< every key with its effective value (defaults filled)
};

}  // namespace drfm::config
