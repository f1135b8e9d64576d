#pragma once
/// @file
/// Reading the input file: TOML (toml++) → strict schema check → `key=value` overrides (AMReX
/// ParmParse order: after the file, last wins, same validation) → cross-key checks → Config.
/// Every failure is a ConfigError whose message starts with where the value came from
/// ("input.toml:12:5: " or "command-line override 'model.bandwidth=4': ") and names the key.
/// Deterministic: every rank that parses the same file and overrides gets the same Config or the
/// same error (the caller wraps the call in mpi::collective).
///
/// This header is free of toml++, which nvcc cannot compile; the steps that handle the parsed
/// document are in config_builder.hpp.
#include "drfm/config/config.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace drfm::config {

/// The whole text of the input file at `path`.
/// @throws ConfigError when the file is missing, a directory or unreadable.
std::string read_input_file(const std::string& path);

/// Parses TOML text (named `source_name` in messages) and applies `overrides` in order.
Config parse_config(std::string_view toml_text, const std::string& source_name,
                    const std::vector<std::string>& overrides);

/// Reads and parses the file at `path`, then applies `overrides` in order.
/// @throws ConfigError when the file is missing or unreadable, malformed, or any key is invalid.
Config load_config(const std::string& path, const std::vector<std::string>& overrides);

/// Every key with its effective value, as TOML that load_config reads back to the same Config.
std::string resolved_toml(const Config& config);

/// The "did you mean" target for an unknown dotted key: a close spelling of a whole key, or the
/// same key name in another section ("data.depth" → "model.depth"); "" when nothing is close.
std::string suggest_key(std::string_view dotted_key);

}  // namespace drfm::config
