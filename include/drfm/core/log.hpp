#pragma once
/// @file
/// Line-atomic logging from the I/O rank. `log::info() << ...` prints one line on rank 0 of the
/// world when the temporary dies; `log::all()` prints on every rank with a `[rank r]` prefix;
/// `log::warn()` goes to stderr on rank 0. Nothing else in drfm writes to std::cout.
#include <iostream>
#include <sstream>

namespace drfm::log {

/// Set once by mpi::Environment: this process's world rank.
void set_world_rank(int rank) noexcept;
int world_rank() noexcept;

class Line {
public:
    enum class Kind { info, warn, all };
    explicit Line(Kind kind) : kind_(kind) {}
    Line(const Line&) = delete;
    Line& operator=(const Line&) = delete;
    ~Line();
    template <class T>
    Line& operator<<(const T& value) {
        buffer_ << value;
        return *this;
    }

private:
    Kind kind_;
    std::ostringstream buffer_;
};

inline Line info() { return Line(Line::Kind::info); }
inline Line warn() { return Line(Line::Kind::warn); }
inline Line all() { return Line(Line::Kind::all); }

}  // namespace drfm::log
