#include "drfm/core/system_memory.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

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

// populate_for_writing maps exactly the pages that lie wholly inside its range (mincore: which
// pages of a fresh mapping are resident), so that writing them then costs no page fault, and it
// leaves what the pages hold as it was.
TEST(SystemMemoryTest, PopulateMapsThePagesWhollyInsideTheRange) {
    const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE)), pages = 8;
    void* map = mmap(nullptr, pages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    ASSERT_NE(map, MAP_FAILED);
    char* base = static_cast<char*>(map);
    base[6 * page] = 42;  // mapped already: must keep its value
    auto resident = [&] {
        std::vector<unsigned char> v(pages);
        EXPECT_EQ(mincore(map, pages * page, v.data()), 0);
        std::string s;
        for (unsigned char c : v) s += (c & 1) ? '1' : '0';
        return s;
    };
    ASSERT_EQ(resident(), "00000010");
    if (madvise(base + 6 * page, page, MADV_POPULATE_WRITE) != 0)
        GTEST_SKIP() << "MADV_POPULATE_WRITE unsupported (Linux < 5.14)";
    // From 100 bytes into page 1 to 50 bytes into page 6: pages 2..5 lie wholly inside.
    system_memory::populate_for_writing(base + page + 100, 5 * page - 50);
    EXPECT_EQ(resident(), "00111110");
    for (std::size_t p = 0; p < pages; ++p)  // the same answer, one address at a time
        EXPECT_EQ(system_memory::is_resident(base + p * page + 17), p >= 2 && p <= 6) << p;
    EXPECT_EQ(base[6 * page], 42);
    EXPECT_EQ(base[3 * page], 0);
    rusage before{}, after{};
    getrusage(RUSAGE_SELF, &before);
    for (std::size_t p = 2; p < 6; ++p) base[p * page] = 1;
    getrusage(RUSAGE_SELF, &after);
    EXPECT_EQ(after.ru_minflt, before.ru_minflt) << "writing populated pages faulted";
    system_memory::populate_for_writing(base + 7 * page + 1, page - 1);  // no whole page: nothing
    EXPECT_EQ(resident(), "00111110");
    munmap(map, pages * page);
}

TEST(SystemMemoryTest, FormatsMiBBelowOneGiB) {
    EXPECT_EQ(system_memory::format_bytes(179.4 * (1 << 20)), "179.4 MiB");
    EXPECT_EQ(system_memory::format_bytes(1.5 * (1 << 30)), "1.50 GiB");
}

}  // namespace drfm
