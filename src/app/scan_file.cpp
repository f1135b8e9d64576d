#include "drfm/app/scan_file.hpp"

#include "drfm/config/schema.hpp"
#include "drfm/io/attribute.hpp"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>

namespace drfm::app {
namespace {

namespace fs = std::filesystem;

bool excluded(const std::string& key) {
    for (const char* prefix : {"output.", "parallel.", "run."})
        if (key.rfind(prefix, 0) == 0) return true;
    return false;
}

std::string trim(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r");
    if (first == std::string::npos) return "";
    return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

/// What an existing file at the output path holds.
struct Existing {
    bool readable = false;
    std::string problem;  ///< why it is not readable
    std::string config, hash, status;
};

Existing inspect(const mpi::Comm& comm, const std::string& path) {
    Existing found;
    try {
        // Metadata reads are collective (one rank reads, all receive): every rank gets the same
        // values or the same error, and mpi::collective makes the error collective.
        mpi::collective(comm, [&] {
            io::File file = io::File::open(comm, path, io::OpenMode::read_only);
            for (const char* name : {"config", "config_hash", "status"})
                DRFM_CHECK(io::has_attribute(file, "/", name), InputDataError,
                           "it has no root attribute '", name, "'");
            found.config = io::read_attribute<std::string>(file, "/", "config");
            found.hash = io::read_attribute<std::string>(file, "/", "config_hash");
            found.status = io::read_attribute<std::string>(file, "/", "status");
        });
        found.readable = true;
    } catch (const Error& e) {
        found.problem = e.what();
    }
    return found;
}

[[noreturn]] void refuse(const std::string& message) {
    throw collective(ConfigError(message, __FILE__, __LINE__));
}

void write_parameters(const io::ResultsFile& results, const Scan& scan) {
    for (const auto& p : scan.parameters) {
        const std::string path = "/runs/" + p.name;
        results.write_record(path, {}, p.values);
        if (p.labels.empty()) continue;
        std::string joined;
        for (const auto& label : p.labels) joined += (joined.empty() ? "" : "\n") + label;
        io::set_attribute(results.file(), path, "labels", joined);
    }
}

/// 16 random hex digits from rank 0, the same on every rank.
std::string random_instance(const mpi::Comm& comm) {
    std::uint64_t value = 0;
    if (comm.is_root()) {
        std::random_device device;
        value = (static_cast<std::uint64_t>(device()) << 32) ^ device();
    }
    comm.bcast(&value, 1, 0);
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
    return text;
}

/// The root attribute `precision`: the runs' model.precision, or "scanned" when they differ
/// (then /runs/precision holds each run's).
std::string precision_attribute(const Scan& scan) {
    const config::Precision first = scan.base().model.precision;
    for (const config::Config& run : scan.runs)
        if (run.model.precision != first) return "scanned";
    return std::string(config::to_string(first));
}

/// Creates the whole file under a temporary name, then renames it to `path` (replacing any
/// file there only once the new one is complete on disk).
void create(const mpi::Comm& comm, const std::string& path, const Scan& scan,
            const io::ResultsLayout& layout, const std::string& grid) {
    const std::string temporary = path + ".creating";
    {
        io::ResultsFile results =
            io::ResultsFile::create(comm, temporary, true, layout, {scan.resolved_toml, grid});
        io::set_attribute(results.file(), "/", "config_hash", config_hash(scan.resolved_toml));
        io::set_attribute(results.file(), "/", "instance", random_instance(comm));
        io::set_attribute(results.file(), "/", "precision", precision_attribute(scan));
        write_parameters(results, scan);
        results.file().flush();
    }  // closed, "incomplete"
    mpi::collective(comm, [&] {
        if (!comm.is_root()) return;
        std::error_code ec;
        fs::rename(temporary, path, ec);
        DRFM_CHECK(!ec, Hdf5Error, "cannot rename '", temporary, "' to '", path, "': ",
                   ec.message(), "; check the permissions of its directory");
    });
}

}  // namespace

std::vector<std::pair<std::string, std::string>> fingerprint_lines(
    const std::string& resolved_toml) {
    std::vector<std::pair<std::string, std::string>> out;
    std::istringstream in(resolved_toml);
    std::string line, section;
    while (std::getline(in, line)) {
        line = trim(line);
        if (line.empty() || line[0] == '#') continue;
        if (line.front() == '[' && line.back() == ']') {
            section = line.substr(1, line.size() - 2);
            continue;
        }
        const auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        const std::string key = section + "." + trim(line.substr(0, eq));
        if (!excluded(key)) out.emplace_back(key, trim(line.substr(eq + 1)));
    }
    return out;
}

std::string config_hash(const std::string& resolved_toml) {
    std::uint64_t hash = 14695981039346656037ull;  // FNV-1a 64
    for (const auto& [key, value] : fingerprint_lines(resolved_toml)) {
        for (char c : key + " = " + value + "\n") {
            hash ^= static_cast<unsigned char>(c);
            hash *= 1099511628211ull;
        }
    }
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
    return text;
}

std::string describe_differences(const std::string& in_file, const std::string& now,
                                 std::size_t max_items) {
    std::map<std::string, std::pair<std::string, std::string>> values;  // key → (file, now)
    const std::string absent = "(not set)";
    for (const auto& [k, v] : fingerprint_lines(in_file)) values[k] = {v, absent};
    for (const auto& [k, v] : fingerprint_lines(now)) {
        auto it = values.find(k);
        if (it == values.end()) values[k] = {absent, v};
        else it->second.second = v;
    }
    std::string out;
    std::size_t count = 0;
    for (const auto& [key, pair] : values) {
        if (pair.first == pair.second) continue;
        if (++count > max_items) continue;
        out += (out.empty() ? "" : "; ") + key + " = " + pair.first + " in the file, " +
               pair.second + " now";
    }
    if (count > max_items) out += "; and " + std::to_string(count - max_items) + " more";
    return out;
}

ScanFile open_scan_file(const mpi::Comm& comm, const Scan& scan, const io::ResultsLayout& layout,
                        const std::string& grid, bool restart) {
    const config::Config& base = scan.base();
    const std::string& path = base.output.path;
    int exists = 0;
    if (comm.is_root()) {
        std::error_code ec;
        exists = fs::exists(path, ec) ? 1 : 0;
    }
    comm.bcast(&exists, 1, 0);

    bool replace = restart || !exists;
    if (!replace) {
        const Existing found = inspect(comm, path);
        const std::string hash = config_hash(scan.resolved_toml);
        const std::string options =
            "run with --restart to start over (the file is replaced), set output.overwrite=true, "
            "or choose another output.path";
        if (!found.readable) {
            if (!base.output.overwrite)
                refuse("results file '" + path + "' exists but cannot be resumed: " +
                       found.problem + "; " + options);
            replace = true;
        } else if (found.hash != hash) {
            if (!base.output.overwrite)
                refuse("results file '" + path + "' holds the results of a different "
                       "configuration, which cannot be mixed with this one: " +
                       describe_differences(found.config, scan.resolved_toml) + "; " + options);
            replace = true;
        } else {
            // Same configuration: resume; overwrite=true re-computes only a finished file.
            replace = base.output.overwrite && found.status == "complete";
        }
    }
    if (replace) create(comm, path, scan, layout, grid);

    ScanFile out{io::ResultsFile::open(comm, path), {}, replace, {}};
    if (out.results.layout() != layout)
        refuse("results file '" + path + "' has another layout (runs, depth, spectrum length, "
               "Gram tile size or parameters) than this configuration needs; run with --restart "
               "to start over, or choose another output.path");
    out.statuses = out.results.statuses();
    if (io::has_attribute(out.results.file(), "/", "instance"))
        out.instance = io::read_attribute<std::string>(out.results.file(), "/", "instance");
    return out;
}

}  // namespace drfm::app
