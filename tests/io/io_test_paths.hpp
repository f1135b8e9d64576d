#pragma once
// File names for the io tests: one per test and rank count, so ctest may run np1/np2/np4 at once.
#include <string>

#include "support/test_utils.hpp"

namespace drfm::test {

inline std::string io_test_path(const std::string& stem) {
    return stem + "_np" + std::to_string(world().size()) + ".h5";
}

}  // namespace drfm::test
