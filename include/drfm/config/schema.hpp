#pragma once
/// @file
/// The one schema table of the input file: every key with its type, default, range or choices and
/// meaning. It drives parsing, validation, the resolved dump, the documentation check and (later)
/// scans, which set keys programmatically through `find_key(...)->set`.
#include "drfm/config/config.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace drfm::config {

/// What a key holds in the TOML file.
enum class ValueType {
    integer,   ///< TOML integer (an integral float such as 5e4 is accepted)
    floating,  ///< TOML float or integer
    boolean,   ///< true / false
    string,    ///< TOML string
    choice,    ///< TOML string out of a fixed list (an enum of config.hpp)
    grid,      ///< "auto" or "PxQ"
    duration,  ///< integer seconds, "HH:MM:SS" or "D-HH:MM:SS"
};

/// A key's value in canonical form: integer and duration → int64 (seconds), floating → double,
/// boolean → bool, string, choice and grid → string.
using Value = std::variant<bool, std::int64_t, double, std::string>;

/// Allowed interval of a number (for strings: of the length). Infinite bounds mean none.
struct Range {
    double lo = -std::numeric_limits<double>::infinity();
    double hi = std::numeric_limits<double>::infinity();
    bool lo_open = false;
    bool hi_open = false;
};

/// One key of the schema.
struct KeySpec {
    std::string_view key;                   ///< dotted, "model.bandwidth"
    ValueType type;
    std::vector<std::string_view> choices;  ///< choice: valid names, in the enum's order
    Range range;
    double type_max;                        ///< largest value the C++ field can hold (integers)
    std::string_view meaning;               ///< one line, for docs and --help
    int open_choice;                        ///< item of methods.md §8 this key decides; 0: none
    Value (*get)(const Config&);            ///< the field's current value
    void (*set)(Config&, const Value&);     ///< @pre check_value(*this, v) is empty

    std::string_view section() const { return key.substr(0, key.find('.')); }
    std::string_view name() const { return key.substr(key.find('.') + 1); }
};

/// All keys, grouped by section, sections in the order of `section_names()`.
const std::vector<KeySpec>& schema();

/// The sections of the file, in dump order.
const std::vector<std::string_view>& section_names();

/// The key spec of a dotted key, or nullptr when there is none.
const KeySpec* find_key(std::string_view dotted_key);

/// Why `value` is not valid for `spec` (range, choices, grid syntax), or "" when it is.
/// @pre the alternative held by `value` is the canonical one of spec.type.
std::string check_value(const KeySpec& spec, const Value& value);

/// `value` as a TOML literal that loads back to the same value (floats round-trip exactly).
std::string format_value(const KeySpec& spec, const Value& value);

/// The key's default, as a TOML literal.
std::string default_text(const KeySpec& spec);

/// What the key accepts, in ASCII: "> 0", ">= 1", "(0, 2]", "\"laplace\", \"gaussian\"", ...
std::string range_text(const KeySpec& spec);

/// Short type name for docs: "integer", "float", "bool", "string", "choice", "grid", "duration".
std::string_view type_name(ValueType type);

/// One Markdown table row per key, "| `key` | type | default | range | meaning | §8.n |";
/// docs/input.md must contain each row (a test checks it), so the docs cannot drift from the code.
std::vector<std::string> markdown_rows();

/// Seconds of a duration string: "3600", "HH:MM:SS" or "D-HH:MM:SS"; -1 when malformed.
std::int64_t parse_duration(std::string_view text);

/// Names of an enum's values, in declaration order (the TOML spelling).
template <class E>
struct EnumNames;
template <> struct EnumNames<DataSource> {
    static constexpr std::array<std::string_view, 4> names{"idx", "hdf5", "csv", "synthetic"};
};
template <> struct EnumNames<Subset> {
    static constexpr std::array<std::string_view, 2> names{"first", "balanced"};
};
template <> struct EnumNames<TestStandardize> {
    static constexpr std::array<std::string_view, 2> names{"self", "train"};
};
template <> struct EnumNames<KernelKind> {
    static constexpr std::array<std::string_view, 3> names{"laplace", "gaussian", "gen_laplace"};
};
template <> struct EnumNames<AgopKind> {
    static constexpr std::array<std::string_view, 2> names{"full", "diag"};
};
template <> struct EnumNames<FeatureMap> {
    static constexpr std::array<std::string_view, 2> names{"relu", "cosine"};
};
template <> struct EnumNames<FinalPredictor> {
    static constexpr std::array<std::string_view, 2> names{"none", "krr"};
};
template <> struct EnumNames<Precision> {
    static constexpr std::array<std::string_view, 3> names{"float64", "float32", "mixed"};
};
template <> struct EnumNames<AnalysisMode> {
    static constexpr std::array<std::string_view, 3> names{"deep_rfm", "features", "network"};
};
template <> struct EnumNames<CheckpointMode> {
    static constexpr std::array<std::string_view, 3> names{"auto", "layer", "none"};
};

/// The TOML spelling of an enum value, e.g. to_string(KernelKind::gen_laplace) == "gen_laplace".
template <class E>
std::string_view to_string(E value) {
    return EnumNames<E>::names[static_cast<std::size_t>(value)];
}

}  // namespace drfm::config
