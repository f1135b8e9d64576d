// Checking and printing of key values: ranges, choices, grid and duration syntax, TOML literals.
#include "drfm/config/schema.hpp"
#include "drfm/config/suggest.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace drfm::config {
namespace {

// Shortest decimal text that reads back as exactly `x`.
std::string shortest(double x) {
    char buffer[32];
    for (int precision = 1; precision <= 17; ++precision) {
        std::snprintf(buffer, sizeof buffer, "%.*g", precision, x);
        if (std::strtod(buffer, nullptr) == x) break;
    }
    return buffer;
}

// Integral numbers print without exponent ("1", "2147483647"), others as shortest().
std::string number_text(double x) {
    if (x == std::floor(x) && std::abs(x) < 1e16) return std::to_string(static_cast<long long>(x));
    return shortest(x);
}

std::string toml_string(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\t': out += "\\t"; break;
            case '\n': out += "\\n"; break;
            case '\f': out += "\\f"; break;
            case '\r': out += "\\r"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                    char escape[8];
                    std::snprintf(escape, sizeof escape, "\\u%04X", static_cast<unsigned>(c));
                    out += escape;
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

std::string choices_text(const KeySpec& spec) {
    std::string out;
    for (auto name : spec.choices) out += (out.empty() ? "" : ", ") + toml_string(name);
    return out;
}

// Interval text: ">= 1", "> 0", "(0, 2]", "[2, 1000]", "any" (ASCII: it goes to logs and grep).
std::string interval_text(const Range& r) {
    bool has_lo = std::isfinite(r.lo), has_hi = std::isfinite(r.hi);
    if (has_lo && has_hi)
        return (r.lo_open ? "(" : "[") + number_text(r.lo) + ", " + number_text(r.hi) +
               (r.hi_open ? ")" : "]");
    if (has_lo) return (r.lo_open ? "> " : ">= ") + number_text(r.lo);
    if (has_hi) return (r.hi_open ? "< " : "<= ") + number_text(r.hi);
    return "any";
}

bool inside(const Range& r, double x) {
    bool lo_ok = r.lo_open ? x > r.lo : x >= r.lo;
    bool hi_ok = r.hi_open ? x < r.hi : x <= r.hi;
    return lo_ok && hi_ok;
}

// Digits only, 1..9 of them (no sign, no overflow); -1 otherwise.
std::int64_t small_number(std::string_view text) {
    if (text.empty() || text.size() > 9) return -1;
    std::int64_t v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return -1;
        v = 10 * v + (c - '0');
    }
    return v;
}

std::string check_grid(const std::string& text) {
    if (text == "auto") return "";
    const std::string_view view = text;
    auto x = view.find_first_of("xX");
    std::int64_t p = x == std::string_view::npos ? -1 : small_number(view.substr(0, x));
    std::int64_t q = x == std::string_view::npos ? -1 : small_number(view.substr(x + 1));
    if (p >= 1 && q >= 1) return "";
    return "malformed grid " + toml_string(text) +
           ": expected \"PxQ\" with positive integers P and Q (e.g. \"2x4\"), or \"auto\"";
}

std::string check_number(const KeySpec& spec, double x, const std::string& shown) {
    if (!std::isfinite(x)) return "must be a finite number, got " + shown;
    if (!inside(spec.range, x)) return "must be " + interval_text(spec.range) + ", got " + shown;
    if (x > spec.type_max) return "must be <= " + number_text(spec.type_max) + ", got " + shown;
    return "";
}

}  // namespace

std::int64_t parse_duration(std::string_view text) {
    std::int64_t days = 0;
    if (auto dash = text.find('-'); dash != std::string_view::npos) {
        days = small_number(text.substr(0, dash));
        if (days < 0) return -1;
        text = text.substr(dash + 1);
    } else if (text.find(':') == std::string_view::npos) {
        return small_number(text);
    }
    auto first = text.find(':'), second = text.rfind(':');
    if (first == std::string_view::npos || first == second) return -1;
    std::int64_t h = small_number(text.substr(0, first));
    std::int64_t m = small_number(text.substr(first + 1, second - first - 1));
    std::int64_t s = small_number(text.substr(second + 1));
    if (h < 0 || m < 0 || m >= 60 || s < 0 || s >= 60) return -1;
    return ((days * 24 + h) * 60 + m) * 60 + s;
}

std::string check_value(const KeySpec& spec, const Value& value) {
    switch (spec.type) {
        case ValueType::integer:
        case ValueType::duration: {
            auto v = std::get<std::int64_t>(value);
            return check_number(spec, static_cast<double>(v), std::to_string(v));
        }
        case ValueType::floating: {
            double v = std::get<double>(value);
            return check_number(spec, v, shortest(v));
        }
        case ValueType::boolean: return "";
        case ValueType::string: {
            const auto& text = std::get<std::string>(value);
            if (inside(spec.range, static_cast<double>(text.size()))) return "";
            return spec.range.lo >= 1 ? "must not be empty" : "length out of range";
        }
        case ValueType::choice: {
            const auto& text = std::get<std::string>(value);
            for (auto name : spec.choices)
                if (name == text) return "";
            std::string problem = "unknown value " + toml_string(text) + "; valid choices: " +
                                  choices_text(spec);
            if (auto guess = closest(text, spec.choices))
                problem += " (did you mean " + toml_string(*guess) + "?)";
            return problem;
        }
        case ValueType::grid: return check_grid(std::get<std::string>(value));
    }
    return "";
}

std::string format_value(const KeySpec& spec, const Value& value) {
    switch (spec.type) {
        case ValueType::integer:
        case ValueType::duration: return std::to_string(std::get<std::int64_t>(value));
        case ValueType::floating: {
            std::string text = shortest(std::get<double>(value));
            if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
            return text;
        }
        case ValueType::boolean: return std::get<bool>(value) ? "true" : "false";
        case ValueType::string:
        case ValueType::choice:
        case ValueType::grid: return toml_string(std::get<std::string>(value));
    }
    return "";
}

std::string default_text(const KeySpec& spec) { return format_value(spec, spec.get(Config{})); }

std::string range_text(const KeySpec& spec) {
    switch (spec.type) {
        case ValueType::choice: return choices_text(spec);
        case ValueType::grid: return "\"auto\" or \"PxQ\", P, Q >= 1";
        case ValueType::boolean: return "true, false";
        case ValueType::string: return spec.range.lo >= 1 ? "non-empty" : "any";
        case ValueType::duration: return interval_text(spec.range) + " s";
        default: return interval_text(spec.range);
    }
}

std::string_view type_name(ValueType type) {
    switch (type) {
        case ValueType::integer: return "integer";
        case ValueType::floating: return "float";
        case ValueType::boolean: return "bool";
        case ValueType::string: return "string";
        case ValueType::choice: return "choice";
        case ValueType::grid: return "grid";
        case ValueType::duration: return "duration";
    }
    return "";
}

std::vector<std::string> markdown_rows() {
    std::vector<std::string> rows;
    for (const auto& spec : schema()) {
        std::ostringstream row;
        row << "| `" << spec.key << "` | " << type_name(spec.type) << " | `" << default_text(spec)
            << "` | " << range_text(spec) << " | " << spec.meaning << " | "
            << (spec.open_choice > 0 ? "§8." + std::to_string(spec.open_choice) : "") << " |";
        rows.push_back(row.str());
    }
    return rows;
}

}  // namespace drfm::config
