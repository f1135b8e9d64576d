#include "drfm/app/scan.hpp"

#include "drfm/config/config_builder.hpp"
#include "drfm/config/load.hpp"
#include "drfm/config/schema.hpp"
#include "drfm/core/error.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>

namespace drfm::app {
namespace {

using config::ConfigBuilder;
using config::KeySpec;
using Position = std::pair<std::uint32_t, std::uint32_t>;  // line, column in the input file

[[noreturn]] void raise(const std::string& where, const std::string& message) {
    throw ConfigError(where + ": " + message, __FILE__, __LINE__);
}

std::string location(const toml::source_region& region, const std::string& fallback) {
    std::string path = region.path && !region.path->empty() ? *region.path : fallback;
    return path + ":" + std::to_string(region.begin.line) + ":" +
           std::to_string(region.begin.column);
}

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

/// One scanned key: its list of values as written in [scan].
struct Entry {
    const KeySpec* spec = nullptr;
    const toml::array* values = nullptr;
    Position position;
    std::string where;  ///< file:line:col of the list
};

/// One axis of the product: a single key, or a zip group of keys with lists of equal length.
struct Axis {
    std::vector<Entry> entries;  ///< in file order
    std::int64_t stride = 1;     ///< runs between consecutive values of this axis
    std::int64_t length() const {
        return static_cast<std::int64_t>(entries.front().values->size());
    }
    Position position() const { return entries.front().position; }
};

struct ZipGroup {
    std::vector<std::string> keys;
    std::string where;
};

/// The [scan] section, read but not yet expanded.
struct ScanSection {
    std::vector<Entry> entries;
    std::vector<ZipGroup> zips;
    std::optional<RunSlice> slice;
    std::string source;

    const Entry* find(std::string_view key) const {
        for (const auto& e : entries)
            if (e.spec->key == key) return &e;
        return nullptr;
    }

    void add(const std::string& key, const toml::node& node) {
        const std::string where = location(node.source(), source);
        const KeySpec* spec = config::find_key(key);
        if (!spec) {
            std::string message = "[scan] " + quoted(key) + " is not an input key";
            if (auto guess = config::suggest_key(key); !guess.empty())
                message += "; did you mean " + quoted(guess) + "?";
            raise(where, message + " ([scan] takes section.key = [values], seeds, zip and runs)");
        }
        if (spec->section() != "data" && spec->section() != "model")
            raise(where, "[scan] " + key + ": only [data] and [model] keys can be scanned");
        const toml::array* values = node.as_array();
        if (!values || values->empty())
            raise(where, "[scan] " + key + ": expected a non-empty list of values, e.g. " + key +
                             " = [" + config::default_text(*spec) + ", ...]");
        if (const Entry* other = find(key))
            raise(where, "[scan] " + key + " is scanned twice (also at " + other->where +
                             "; `seeds` is model.seed)");
        const auto& begin = node.source().begin;
        entries.push_back({spec, values, {begin.line, begin.column}, where});
    }

    void add_zip(const toml::node& node) {
        const std::string where = location(node.source(), source);
        const char* shape = "[scan] zip: expected a list of key lists, e.g. "
                            "zip = [[\"model.ridge\", \"data.n_train\"]]";
        const toml::array* groups = node.as_array();
        if (!groups) raise(where, shape);
        for (const auto& group_node : *groups) {
            const toml::array* group = group_node.as_array();
            if (!group || group->empty()) raise(where, shape);
            ZipGroup zip{{}, location(group_node.source(), source)};
            for (const auto& key : *group) {
                auto text = key.value_exact<std::string>();
                if (!text) raise(zip.where, shape);
                zip.keys.push_back(*text);
            }
            zips.push_back(std::move(zip));
        }
    }

    void set_slice(const toml::node& node) {
        const std::string where = location(node.source(), source);
        auto text = node.value_exact<std::string>();
        slice = text ? parse_run_slice(*text) : std::nullopt;
        if (!slice)
            raise(where, "[scan] runs: expected a string \"A:B\" (runs A..B-1, 0-based) or \"A:\"");
    }
};

ScanSection read_section(const toml::table* scan, const std::string& source) {
    ScanSection section;
    section.source = source;
    if (!scan) return section;
    for (auto&& [k, node] : *scan) {
        const std::string key(k.str());
        if (key == "seeds") section.add("model.seed", node);
        else if (key == "zip") section.add_zip(node);
        else if (key == "runs") section.set_slice(node);
        else if (const toml::table* table = node.as_table())
            for (auto&& [name, value] : *table)
                section.add(key + "." + std::string(name.str()), value);
        else section.add(key, node);
    }
    return section;
}

/// Groups the entries into axes (zip groups first checked), in file order, with their strides.
std::vector<Axis> make_axes(const ScanSection& section) {
    std::vector<Axis> axes;
    std::map<std::string, std::string> zipped;  // key → where of its zip group
    for (const auto& zip : section.zips) {
        Axis axis;
        for (const auto& key : zip.keys) {
            const Entry* entry = section.find(key);
            if (!entry)
                raise(zip.where, "[scan] zip: " + quoted(key) + " has no list in [scan]; give "
                                     "it one, e.g. " + key + " = [...]");
            if (!zipped.emplace(key, zip.where).second)
                raise(zip.where, "[scan] zip: " + key + " is in two zip groups");
            axis.entries.push_back(*entry);
        }
        std::sort(axis.entries.begin(), axis.entries.end(),
                  [](const Entry& a, const Entry& b) { return a.position < b.position; });
        for (const auto& e : axis.entries)
            if (e.values->size() != axis.entries.front().values->size())
                raise(zip.where, "[scan] zip: the lists of a zip group must have equal "
                                     "lengths, but " +
                                     std::string(axis.entries.front().spec->key) + " has " +
                                     std::to_string(axis.length()) + " values and " +
                                     std::string(e.spec->key) + " has " +
                                     std::to_string(e.values->size()) + " (" + e.where + ")");
        axes.push_back(std::move(axis));
    }
    for (const auto& entry : section.entries)
        if (!zipped.count(std::string(entry.spec->key))) axes.push_back(Axis{{entry}});
    std::sort(axes.begin(), axes.end(),
              [](const Axis& a, const Axis& b) { return a.position() < b.position(); });
    std::int64_t stride = 1;
    for (auto it = axes.rbegin(); it != axes.rend(); ++it) {
        it->stride = stride;
        if (stride > max_scan_runs / it->length())
            raise(it->entries.front().where,
                  "[scan] the scan has more than " + std::to_string(max_scan_runs) +
                      " runs; split it into several input files");
        stride *= it->length();
    }
    return axes;
}

void refuse_scanned_overrides(const ScanSection& section,
                              const std::vector<std::string>& overrides) {
    for (const auto& text : overrides) {
        std::string key = text.substr(0, text.find('='));
        key.erase(0, key.find_first_not_of(" \t"));
        key.erase(key.find_last_not_of(" \t") + 1);
        if (const Entry* entry = section.find(key))
            raise("command-line override " + quoted(text),
                  key + " is scanned by [scan] (" + entry->where +
                      "), whose values would replace it; remove the override or the scan entry");
    }
}

/// The value of `spec` in `config` as a TOML literal.
std::string value_text(const KeySpec& spec, const config::Config& config) {
    return config::format_value(spec, spec.get(config));
}

/// The canonical [scan] section: one line per key in axis order, zip groups, the slice.
std::string render_section(const std::vector<Axis>& axes, const std::vector<config::Config>& all,
                           const std::optional<RunSlice>& slice) {
    if (axes.empty() && !slice) return "";
    std::string out = "\n[scan]\n";
    std::string zips;
    for (const auto& axis : axes) {
        for (const auto& e : axis.entries) {
            out += std::string(e.spec->key) + " = [";
            for (std::int64_t j = 0; j < axis.length(); ++j)
                out += (j ? ", " : "") + value_text(*e.spec, all[j * axis.stride]);
            out += "]\n";
        }
        if (axis.entries.size() < 2) continue;
        zips += zips.empty() ? "[" : ", [";
        for (std::size_t i = 0; i < axis.entries.size(); ++i)
            zips += (i ? ", \"" : "\"") + std::string(axis.entries[i].spec->key) + "\"";
        zips += "]";
    }
    if (!zips.empty()) out += "zip = [" + zips + "]\n";
    if (slice) {
        out += "runs = \"" + std::to_string(slice->first) + ":";
        out += (slice->last >= 0 ? std::to_string(slice->last) : "") + "\"\n";
    }
    return out;
}

/// /runs/<name> of every scanned key for the runs [first, last) of `all`.
std::vector<ScanParameter> make_parameters(const std::vector<Axis>& axes,
                                           const std::vector<config::Config>& all,
                                           std::int64_t first, std::int64_t last) {
    std::map<std::string_view, int> name_count;
    for (const auto& axis : axes)
        for (const auto& e : axis.entries) ++name_count[e.spec->name()];
    std::vector<ScanParameter> out;
    for (const auto& axis : axes) {
        for (const auto& e : axis.entries) {
            const KeySpec& spec = *e.spec;
            ScanParameter p;
            p.key = spec.key;
            p.name = name_count[spec.name()] > 1
                         ? std::string(spec.section()) + "_" + std::string(spec.name())
                         : std::string(spec.name());
            p.description = std::string(spec.meaning) + " (scanned input key " + p.key + ")";
            for (std::int64_t j = 0; j < axis.length(); ++j) {
                const config::Value v = spec.get(all[j * axis.stride]);
                if (auto s = std::get_if<std::string>(&v);
                    s && std::find(p.labels.begin(), p.labels.end(), *s) == p.labels.end())
                    p.labels.push_back(*s);
            }
            for (std::int64_t i = first; i < last; ++i) {
                const config::Value v = spec.get(all[i]);
                double x = 0.0;
                if (auto b = std::get_if<bool>(&v)) x = *b ? 1.0 : 0.0;
                else if (auto n = std::get_if<std::int64_t>(&v)) x = static_cast<double>(*n);
                else if (auto f = std::get_if<double>(&v)) x = *f;
                else x = static_cast<double>(
                         std::find(p.labels.begin(), p.labels.end(), std::get<std::string>(v)) -
                         p.labels.begin());
                p.values.push_back(x);
            }
            out.push_back(std::move(p));
        }
    }
    return out;
}

}  // namespace

Scan parse_scan(std::string_view toml_text, const std::string& source_name,
                const std::vector<std::string>& overrides, const std::string& runs_option) {
    const toml::table root = config::parse_document(toml_text, source_name);
    ScanSection section = read_section(root["scan"].as_table(), source_name);
    if (root.contains("scan") && !root["scan"].as_table())
        raise(location(root["scan"].node()->source(), source_name), "[scan] must be a section");
    if (!runs_option.empty()) {
        section.slice = parse_run_slice(runs_option);
        if (!section.slice)
            raise("command line", "option '--runs': malformed slice '" + runs_option +
                                      "': expected A:B (runs A..B-1, 0-based) or A:");
    }
    const std::vector<Axis> axes = make_axes(section);
    refuse_scanned_overrides(section, overrides);

    ConfigBuilder base(source_name);
    base.apply_document(root, {"scan"});
    for (const auto& text : overrides) base.apply_override(text);
    // Features mode analyses the snapshots of one file in one run: there is nothing to scan.
    const config::AnalysisMode mode = base.current().analysis.mode;
    if (mode != config::AnalysisMode::deep_rfm && (root.contains("scan") || section.slice))
        raise(root.contains("scan") ? location(root["scan"].node()->source(), source_name)
                                    : std::string("command line: --runs"),
              "[scan] and --runs cannot be combined with analysis.mode = \"" +
                  std::string(config::to_string(mode)) + "\", which analyses one file in one "
                  "run; remove them, or use one input file per file");

    const std::int64_t total = axes.empty() ? 1 : axes.front().length() * axes.front().stride;
    std::vector<config::Config> all;
    all.reserve(static_cast<std::size_t>(total));
    for (std::int64_t i = 0; i < total; ++i) {
        ConfigBuilder run = base;
        for (const auto& axis : axes) {
            const std::int64_t j = (i / axis.stride) % axis.length();
            for (const auto& e : axis.entries) {
                const toml::node& value = *e.values->get(static_cast<std::size_t>(j));
                run.set(*e.spec, value, location(value.source(), source_name) + " ([scan])");
            }
        }
        all.push_back(run.finish());
    }

    Scan scan;
    scan.total_runs = total;
    scan.sliced = section.slice.has_value();
    std::int64_t first = 0, last = total;
    if (section.slice) {
        first = section.slice->first;
        if (section.slice->last >= 0) last = std::min(total, section.slice->last);
        if (first >= total)
            raise(runs_option.empty() ? source_name + ": [scan] runs" : "command line: --runs",
                  "the slice starts at run " + std::to_string(first) + " but the scan has only " +
                      std::to_string(total) + " runs (0.." + std::to_string(total - 1) + ")");
    }
    scan.parameters = make_parameters(axes, all, first, last);
    if (scan.sliced) {
        ScanParameter index{"", "scan_index", "position of the run in the whole expanded scan "
                            "(this file holds a slice of it)", {}, {}};
        for (std::int64_t i = first; i < last; ++i) index.values.push_back(static_cast<double>(i));
        scan.parameters.push_back(std::move(index));
    }
    scan.resolved_toml = config::resolved_toml(base.current()) +
                         render_section(axes, all, section.slice);
    for (std::int64_t i = first; i < last; ++i) scan.scan_index.push_back(i);
    scan.runs.assign(std::make_move_iterator(all.begin() + first),
                     std::make_move_iterator(all.begin() + last));
    return scan;
}

Scan load_scan(const std::string& path, const std::vector<std::string>& overrides,
               const std::string& runs_option) {
    return parse_scan(config::read_input_file(path), path, overrides, runs_option);
}

std::string describe_runs(const Scan& scan, std::size_t max_rows) {
    const std::size_t count = scan.runs.size();
    std::string out = "scan: " + std::to_string(scan.total_runs) + " run" +
                      (scan.total_runs == 1 ? "" : "s");
    if (scan.sliced)
        out += ", of which this invocation runs " + std::to_string(count) + " (" +
               std::to_string(scan.scan_index.front()) + ".." +
               std::to_string(scan.scan_index.back()) + ")";
    if (scan.parameters.empty()) return out;
    std::vector<std::vector<std::string>> table{{"run"}};
    for (const auto& p : scan.parameters)
        if (!p.key.empty()) table[0].push_back(p.name);
    for (std::size_t i = 0; i < std::min(count, max_rows); ++i) {
        std::vector<std::string> row{std::to_string(scan.scan_index[i])};
        for (const auto& p : scan.parameters)
            if (!p.key.empty()) row.push_back(value_text(*config::find_key(p.key), scan.runs[i]));
        table.push_back(std::move(row));
    }
    std::vector<std::size_t> width(table[0].size(), 0);
    for (const auto& row : table)
        for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    for (const auto& row : table) {
        out += "\n ";
        for (std::size_t c = 0; c < row.size(); ++c)
            out += std::string(width[c] - row[c].size() + 2, ' ') + row[c];
    }
    if (count > max_rows) out += "\n  ... (" + std::to_string(count - max_rows) + " more)";
    return out;
}

}  // namespace drfm::app
