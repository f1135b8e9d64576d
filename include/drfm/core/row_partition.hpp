#pragma once
/// @file
/// `RowPartition`: n rows split into `parts` contiguous, balanced blocks (the first n % parts blocks
/// get one row more). Samples live this way on the ranks of a communicator: rank r owns rows
/// [begin(r), begin(r) + count(r)). Pure index math, no MPI.
#include <cstdint>

namespace drfm {

class RowPartition {
public:
    RowPartition() = default;
    RowPartition(std::int64_t n, int parts) noexcept : n_(n), parts_(parts) {}

    std::int64_t size() const noexcept { return n_; }
    int parts() const noexcept { return parts_; }
    std::int64_t count(int part) const noexcept {
        return n_ / parts_ + (part < n_ % parts_ ? 1 : 0);
    }
    std::int64_t begin(int part) const noexcept {
        std::int64_t q = n_ / parts_, r = n_ % parts_;
        return part * q + (part < r ? part : r);
    }
    std::int64_t end(int part) const noexcept { return begin(part) + count(part); }
    /// The part owning global row i (0 <= i < n).
    int owner(std::int64_t i) const noexcept {
        std::int64_t q = n_ / parts_, r = n_ % parts_;
        std::int64_t big = r * (q + 1);  // rows held by the larger blocks
        return static_cast<int>(i < big ? i / (q + 1) : r + (i - big) / q);
    }

private:
    std::int64_t n_ = 0;
    int parts_ = 1;
};

}  // namespace drfm
