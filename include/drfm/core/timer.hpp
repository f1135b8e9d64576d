#pragma once
/// @file Wall-clock stopwatch for the per-phase timings that go to the log and the results.
#include <chrono>

namespace drfm {

class Stopwatch {
public:
    Stopwatch() : start_(clock::now()) {}
    /// Seconds since construction or the last restart.
    double seconds() const {
        return std::chrono::duration<double>(clock::now() - start_).count();
    }
    void restart() { start_ = clock::now(); }

private:
    using clock = std::chrono::steady_clock;
    clock::time_point start_;
};

}  // namespace drfm
