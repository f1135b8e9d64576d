#include "drfm/dist/scalapack_types.hpp"

#include "drfm/core/error.hpp"

#include <limits>

namespace drfm::dist {

char to_char(Uplo value) noexcept { return value == Uplo::lower ? 'L' : 'U'; }
char to_char(Trans value) noexcept { return value == Trans::none ? 'N' : 'T'; }
char to_char(Job value) noexcept { return value == Job::values ? 'N' : 'V'; }
char to_char(Range value) noexcept { return value == Range::all ? 'A' : 'I'; }

char to_char(Norm value) noexcept {
    switch (value) {
        case Norm::one: return '1';
        case Norm::inf: return 'I';
        case Norm::max: return 'M';
        case Norm::fro: return 'F';
    }
    return 'F';
}

const char* to_string(Uplo value) noexcept { return value == Uplo::lower ? "lower" : "upper"; }
const char* to_string(Trans value) noexcept { return value == Trans::none ? "none" : "transpose"; }
const char* to_string(Job value) noexcept { return value == Job::values ? "values" : "vectors"; }
const char* to_string(Range value) noexcept { return value == Range::all ? "all" : "index"; }

const char* to_string(Norm value) noexcept {
    switch (value) {
        case Norm::one: return "one";
        case Norm::inf: return "inf";
        case Norm::max: return "max";
        case Norm::fro: return "fro";
    }
    return "fro";
}

}  // namespace drfm::dist
