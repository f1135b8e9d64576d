#include "drfm/config/load.hpp"

#include "drfm/config/config_builder.hpp"
#include "drfm/config/suggest.hpp"
#include "drfm/core/error.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace drfm::config {
namespace {

[[noreturn]] void raise(const std::string& where, const std::string& message) {
    throw ConfigError(where + ": " + message, __FILE__, __LINE__);
}

[[noreturn]] void raise(const std::string& where, std::string_view key,
                        const std::string& problem) {
    raise(where, std::string(key) + ": " + problem);
}

std::string location(const toml::source_region& region, const std::string& fallback) {
    std::string path = region.path && !region.path->empty() ? *region.path : fallback;
    return path + ":" + std::to_string(region.begin.line) + ":" +
           std::to_string(region.begin.column);
}

std::string single_quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

// "integer 5", "string \"five\"", "array": what the user wrote, for wrong-type messages.
std::string describe(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::integer: return "integer " + std::to_string(*node.value<int64_t>());
        case toml::node_type::floating_point: {
            std::ostringstream os;
            os.precision(15);  // what the user typed, without binary noise
            os << *node.value<double>();
            return "float " + os.str();
        }
        case toml::node_type::boolean:
            return *node.value<bool>() ? "boolean true" : "boolean false";
        case toml::node_type::string: return "string \"" + *node.value<std::string>() + "\"";
        case toml::node_type::array: return "an array";
        case toml::node_type::table: return "a table";
        case toml::node_type::date: return "a date";
        case toml::node_type::time: return "a time";
        case toml::node_type::date_time: return "a date-time";
        default: return "nothing";
    }
}

std::string expected(const KeySpec& spec) {
    switch (spec.type) {
        case ValueType::integer: return "an integer";
        case ValueType::floating: return "a number";
        case ValueType::boolean: return "true or false";
        case ValueType::string: return "a string";
        case ValueType::choice: return "a string, one of " + range_text(spec);
        case ValueType::grid: return "a string \"PxQ\" or \"auto\"";
        case ValueType::duration:
            return "a duration: integer seconds or a string \"HH:MM:SS\" or \"D-HH:MM:SS\"";
    }
    return "";
}

bool is_string_like(ValueType type) {
    return type == ValueType::string || type == ValueType::choice || type == ValueType::grid ||
           type == ValueType::duration;
}

// The node as the key's canonical Value; throws when the TOML type does not fit the key.
Value to_value(const KeySpec& spec, const toml::node& node, const std::string& where) {
    switch (spec.type) {
        case ValueType::integer: {
            if (auto i = node.value_exact<int64_t>()) return *i;
            auto f = node.value_exact<double>();
            // 5e4 is accepted as 50000; 5.5 and 1e30 are not integers of int64.
            if (f && std::isfinite(*f) && *f == std::floor(*f) && std::abs(*f) < 9.2e18)
                return static_cast<std::int64_t>(*f);
            break;
        }
        case ValueType::floating:
            if (auto i = node.value_exact<int64_t>()) return static_cast<double>(*i);
            if (auto f = node.value_exact<double>()) return *f;
            break;
        case ValueType::boolean:
            if (auto b = node.value_exact<bool>()) return *b;
            break;
        case ValueType::string:
        case ValueType::choice:
        case ValueType::grid:
            if (auto s = node.value_exact<std::string>()) return *s;
            break;
        case ValueType::duration: {
            if (auto i = node.value_exact<int64_t>()) return *i;
            if (auto t = node.value_exact<toml::time>())  // an unquoted 01:30:00
                return std::int64_t{t->hour} * 3600 + t->minute * 60 + t->second;
            auto s = node.value_exact<std::string>();
            if (!s) break;
            std::int64_t seconds = parse_duration(*s);
            if (seconds < 0)
                raise(where, spec.key, "malformed duration \"" + *s +
                                           "\": expected integer seconds, \"HH:MM:SS\" or "
                                           "\"D-HH:MM:SS\"");
            return seconds;
        }
    }
    raise(where, spec.key, "expected " + expected(spec) + ", got " + describe(node));
}

std::string unknown_key_message(std::string_view dotted_key) {
    std::string message = "unknown key " + single_quoted(dotted_key);
    std::string guess = suggest_key(dotted_key);
    if (!guess.empty()) message += "; did you mean " + single_quoted(guess) + "?";
    return message + " (docs/input.md lists every key)";
}

std::string unknown_section_message(std::string_view section) {
    std::string message = "unknown section [" + std::string(section) + "]";
    if (auto guess = closest(section, section_names()))
        message += "; did you mean [" + *guess + "]?";
    message += " (sections:";
    for (auto name : section_names()) message += " [" + std::string(name) + "]";
    return message + ")";
}

bool contains(const std::vector<std::string_view>& list, std::string_view item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

std::string trim(std::string_view text) {
    auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return "";
    auto last = text.find_last_not_of(" \t");
    return std::string(text.substr(first, last - first + 1));
}

}  // namespace

std::string suggest_key(std::string_view dotted_key) {
    auto dot = dotted_key.rfind('.');
    std::string_view name = dot == std::string_view::npos ? dotted_key : dotted_key.substr(dot + 1);
    std::string_view section = dot == std::string_view::npos ? "" : dotted_key.substr(0, dot);
    std::string best;
    std::size_t best_score = typo_limit(name) + 1;
    for (const auto& spec : schema()) {
        // A typo anywhere, an abbreviated name, or the right name in another section.
        std::size_t score = edit_distance(dotted_key, spec.key);
        if (section == spec.section()) score = std::min(score, typo_distance(name, spec.name()));
        if (edit_distance(name, spec.name()) == 0) score = std::min<std::size_t>(score, 1);
        if (score < best_score) {
            best_score = score;
            best = std::string(spec.key);
        }
    }
    return best;
}

ConfigBuilder::ConfigBuilder(std::string source_name) : source_name_(std::move(source_name)) {}

void ConfigBuilder::set(const KeySpec& spec, const toml::node& value, const std::string& where) {
    Value v = to_value(spec, value, where);
    if (std::string problem = check_value(spec, v); !problem.empty())
        raise(where, spec.key, problem);
    spec.set(config_, v);
    origin_.insert_or_assign(std::string(spec.key), where);
}

void ConfigBuilder::apply_document(const toml::table& root,
                                   const std::vector<std::string_view>& skip_sections) {
    for (auto&& [section_key, section_node] : root) {
        std::string_view section = section_key.str();
        std::string where = location(section_key.source(), source_name_);
        if (contains(skip_sections, section)) continue;
        bool known = contains(section_names(), section);
        const toml::table* table = section_node.as_table();
        if (known && !table)
            raise(where, "[" + std::string(section) + "] must be a section (a table), got " +
                             describe(section_node));
        if (!known && !table) raise(where, unknown_key_message(section));
        if (!known) raise(where, unknown_section_message(section));
        for (auto&& [key, node] : *table) {
            std::string dotted = std::string(section) + "." + std::string(key.str());
            const KeySpec* spec = find_key(dotted);
            if (!spec) raise(location(key.source(), source_name_), unknown_key_message(dotted));
            set(*spec, node, location(node.source(), source_name_));
        }
    }
}

void ConfigBuilder::apply_override(const std::string& text) {
    const std::string where = "command-line override " + single_quoted(text);
    auto eq = text.find('=');
    if (eq == std::string::npos) raise(where, "expected section.key=value");
    std::string key = trim(std::string_view(text).substr(0, eq));
    std::string value = trim(std::string_view(text).substr(eq + 1));
    const KeySpec* spec = find_key(key);
    if (!spec) raise(where, unknown_key_message(key));
    if (value.empty()) raise(where, key, "missing value after '='");

    std::optional<toml::table> parsed;
    std::string parse_problem;
    try {
        const std::string doc = "v = " + value;
        parsed = toml::parse(std::string_view(doc), std::string_view("override"));
    } catch (const toml::parse_error& e) {
        parse_problem = std::string(e.description());
    }
    const toml::node* node = parsed && parsed->size() == 1 ? parsed->get("v") : nullptr;
    bool typed_fits = node && (node->is_string() || !is_string_like(spec->type) ||
                               (spec->type == ValueType::duration && node->is_integer()));
    if (typed_fits) return set(*spec, *node, where);
    if (is_string_like(spec->type)) return set(*spec, toml::value<std::string>(value), where);
    raise(where, key, "cannot read '" + value + "' as " + expected(*spec) +
                          (parse_problem.empty() ? "" : " (" + parse_problem + ")"));
}

std::string ConfigBuilder::origin_of(std::string_view key) const {
    auto it = origin_.find(key);
    return it != origin_.end() ? it->second : source_name_;
}

std::string ConfigBuilder::origin_of_any(std::initializer_list<std::string_view> keys) const {
    for (auto key : keys)
        if (origin_.count(key)) return origin_of(key);
    return origin_of(*keys.begin());
}

void ConfigBuilder::check_combinations() const {
    const Config& c = config_;
    const auto source = std::string(to_string(c.data.source));
    const bool file_source = c.data.source == DataSource::csv || c.data.source == DataSource::hdf5;
    if (file_source && !origin_.count("data.path"))
        raise(origin_of("data.source"), "data.path",
              "required when data.source = \"" + source + "\" (the default is the IDX folder)");
    // Features mode analyses the snapshots of one file: no test split, no Deep RFM kernel.
    const bool features = c.analysis.mode == AnalysisMode::features;
    if (features && c.data.source != DataSource::hdf5)
        raise(origin_of_any({"data.source", "analysis.mode"}), "data.source",
              "must be \"hdf5\" with analysis.mode = \"features\" (the snapshots are HDF5 "
              "datasets), got \"" + source + "\"");
    // Network mode analyses the checkpoints of one trained MLP on the data.
    const bool network = c.analysis.mode == AnalysisMode::network;
    if (network && c.analysis.checkpoints.empty())
        raise(origin_of_any({"analysis.checkpoints", "analysis.mode"}), "analysis.checkpoints",
              "required with analysis.mode = \"network\": the HDF5 file of the network's "
              "checkpoints (docs/input.md, \"Network checkpoints\")");
    // Neither mode trains a Deep RFM: no kernel matrix, no final predictor.
    const std::string mode = "analysis.mode = \"" + std::string(to_string(c.analysis.mode)) + "\"";
    if ((features || network) && c.analysis.kernel_eigs)
        raise(origin_of_any({"analysis.kernel_eigs", "analysis.mode"}), "analysis.kernel_eigs",
              "the Deep RFM kernel matrix does not exist with " + mode +
                  (features ? " (the feature kernel's spectrum is /spectra/rho)" : "") +
                  "; set it to false");
    if ((features || network) && c.model.final_predictor != FinalPredictor::none)
        raise(origin_of_any({"model.final_predictor", "analysis.mode"}), "model.final_predictor",
              "must be \"none\" with " + mode + (features ? " (there are no Deep RFM layers)"
                                                       : " (the network is the predictor)"));
    if (c.model.precision == Precision::mixed && c.model.ridge <= 0.0)
        raise(origin_of_any({"model.precision", "model.ridge"}), "model.precision",
              "\"mixed\" refines a Cholesky solve, which needs model.ridge > 0; interpolation "
              "(model.ridge <= 0) runs in \"float64\" or \"float32\"");
    if (file_source && !features && c.data.n_test > 0 && c.data.test_path.empty())
        raise(origin_of_any({"data.n_test", "data.source"}), "data.test_path",
              "required when data.n_test = " + std::to_string(c.data.n_test) +
                  " > 0 with data.source = \"" + source +
                  "\"; give the test file or set data.n_test = 0");
    if (c.data.source == DataSource::synthetic && c.data.n_train < c.data.classes)
        raise(origin_of_any({"data.n_train", "data.classes"}), "data.n_train",
              "must be >= data.classes = " + std::to_string(c.data.classes) +
                  " with data.source = \"synthetic\", got " + std::to_string(c.data.n_train));
    if (c.data.test_standardize == TestStandardize::self && c.data.n_test == 1)
        raise(origin_of("data.n_test"), "data.n_test",
              "must not be 1 with data.test_standardize = \"self\" (one sample has no standard "
              "deviation); use 0, >= 2, or data.test_standardize = \"train\"");
    if (c.analysis.kernel_eigs && c.analysis.kernel_eigs_k > c.data.n_train)
        raise(origin_of_any({"analysis.kernel_eigs_k", "data.n_train"}), "analysis.kernel_eigs_k",
              "must be <= data.n_train = " + std::to_string(c.data.n_train) + ", got " +
                  std::to_string(c.analysis.kernel_eigs_k));
    if (c.run.walltime.count() > 0 && c.run.walltime_margin >= c.run.walltime)
        raise(origin_of_any({"run.walltime_margin", "run.walltime"}), "run.walltime_margin",
              "must be < run.walltime = " + std::to_string(c.run.walltime.count()) + " s, got " +
                  std::to_string(c.run.walltime_margin.count()) + " s");
}

Config ConfigBuilder::finish() const {
    check_combinations();
    Config out = config_;
    out.source_file = source_name_;
    out.resolved_toml = resolved_toml(out);
    return out;
}

toml::table parse_document(std::string_view toml_text, const std::string& source_name) {
    try {
        return toml::parse(toml_text, source_name);
    } catch (const toml::parse_error& e) {
        raise(location(e.source(), source_name), "malformed TOML: " + std::string(e.description()));
    }
}

std::string read_input_file(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        raise(path, "cannot read the input file: it is a directory");
    std::ifstream in(path, std::ios::binary);
    if (!in) raise(path, std::string("cannot open the input file: ") + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) raise(path, "error while reading the input file");
    return text.str();
}

Config parse_config(std::string_view toml_text, const std::string& source_name,
                    const std::vector<std::string>& overrides) {
    const toml::table root = parse_document(toml_text, source_name);
    ConfigBuilder builder(source_name);
    builder.apply_document(root);
    for (const auto& text : overrides) builder.apply_override(text);
    return builder.finish();
}

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
    return parse_config(read_input_file(path), path, overrides);
}

std::string resolved_toml(const Config& config) {
    std::string out = "# drfm_hpc resolved configuration: defaults + input file + overrides\n";
    std::string_view section;
    for (const auto& spec : schema()) {
        if (spec.section() != section) {
            section = spec.section();
            out += "\n[" + std::string(section) + "]\n";
        }
        out += std::string(spec.name()) + " = " + format_value(spec, spec.get(config)) + "\n";
    }
    return out;
}

}  // namespace drfm::config
