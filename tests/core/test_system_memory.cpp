#include "drfm/core/system_memory.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>

namespace drfm {

// Touching 64 MiB of fresh memory raises the resident size and the high-water mark by that much
// (the /proc numbers against the count of bytes written); freeing it lowers the first only.
TEST(SystemMemoryTest, ResidentAndPeakFollowTouchedMemory) {
    constexpr std::size_t bytes = std::size_t{64} << 20;
    const double before = system_memory::resident_bytes();
    ASSERT_GT(before, 0.0) << "/proc/self/status unreadable";
    double touched = 0.0;
    {
        // Above glibc's mmap threshold: the pages are mapped at the first write and unmapped
        // at the delete.
        std::unique_ptr<char[]> block(new char[bytes]);
        std::memset(block.get(), 1, bytes);
        touched = system_memory::resident_bytes() - before;
        EXPECT_EQ(block[bytes / 2], 1);
    }
    EXPECT_NEAR(touched, static_cast<double>(bytes), 4.0 * (1 << 20));
    EXPECT_GE(system_memory::peak_resident_bytes(), before + 0.95 * static_cast<double>(bytes));
    EXPECT_LT(system_memory::resident_bytes(), before + 0.5 * static_cast<double>(bytes));
    EXPECT_GT(system_memory::node_available_bytes(), 0.0);
}

TEST(SystemMemoryTest, FormatsMiBBelowOneGiB) {
    EXPECT_EQ(system_memory::format_bytes(179.4 * (1 << 20)), "179.4 MiB");
    EXPECT_EQ(system_memory::format_bytes(1.5 * (1 << 30)), "1.50 GiB");
}

}  // namespace drfm
