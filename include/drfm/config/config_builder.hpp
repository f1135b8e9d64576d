#pragma once
/// @file
/// The steps of reading an input, for callers that hold the TOML document themselves (a scan reads
/// its [scan] section from the same document): parse_document, then a ConfigBuilder key by key.
///
/// The one project header that includes toml++. nvcc cannot compile toml++ (3.3 and 3.4 with
/// CUDA 13: "'__T0' was not declared", marzer/tomlplusplus#213), so a file that includes this header
/// must not include Kokkos; in a CUDA build it goes to the host compiler alone
/// (drfm_host_only_sources in cmake/DrfmModules.cmake).
#include "drfm/config/config.hpp"
#include "drfm/config/schema.hpp"

#include <toml++/toml.h>

#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace drfm::config {

/// Builds a Config key by key. Copyable, so a scan can start each run from the same base (file +
/// overrides) and set its own keys before `finish()`.
class ConfigBuilder {
public:
    /// `source_name` names the file in messages about keys left at their defaults.
    explicit ConfigBuilder(std::string source_name);

    /// Applies every key of a parsed document; sections named in `skip_sections` are left to the
    /// caller (the future [scan] section). Unknown sections and keys are errors.
    void apply_document(const toml::table& root,
                        const std::vector<std::string_view>& skip_sections = {});

    /// Converts, validates and sets one key; `where` ("file:line:col", "command-line override
    /// '...'", "[scan] run 3") starts any error message.
    void set(const KeySpec& spec, const toml::node& value, const std::string& where);

    /// Applies one override "section.key=value". The value is read as a TOML value; for string,
    /// choice, grid and duration keys a bare word is taken as the string (data.source=csv).
    void apply_override(const std::string& text);

    /// The cross-key checks (e.g. data.path is required for csv), then the Config with
    /// source_file and resolved_toml filled in.
    Config finish() const;

    /// The values set so far (defaults for keys not set).
    const Config& current() const noexcept { return config_; }

private:
    /// The cross-key rules of docs/input.md; an error points at where one of the keys was set.
    void check_combinations() const;
    /// Where `key` was set last, or the source file when it holds its default.
    std::string origin_of(std::string_view key) const;
    /// origin_of the first of `keys` that was set explicitly (else of the first).
    std::string origin_of_any(std::initializer_list<std::string_view> keys) const;

    Config config_;
    std::string source_name_;
    std::map<std::string, std::string, std::less<>> origin_;
};

/// Parses TOML text named `source_name` in messages (the first step of parse_config; scans read
/// their [scan] section from the same document).
/// @throws ConfigError "file:line:col: malformed TOML: ..." on a syntax error.
toml::table parse_document(std::string_view toml_text, const std::string& source_name);

}  // namespace drfm::config
