#include "drfm/core/row_partition.hpp"

#include <gtest/gtest.h>

namespace drfm {

TEST(RowPartitionTest, BlocksTileTheRowsAndOwnerInvertsThem) {
    for (std::int64_t n : {0, 1, 5, 7, 64, 1001}) {
        for (int parts : {1, 2, 3, 4, 7}) {
            RowPartition p(n, parts);
            std::int64_t next = 0;
            for (int r = 0; r < parts; ++r) {
                EXPECT_EQ(p.begin(r), next);
                EXPECT_LE(p.count(r), n / parts + 1);
                EXPECT_GE(p.count(r), n / parts);
                for (std::int64_t i = p.begin(r); i < p.end(r); ++i) EXPECT_EQ(p.owner(i), r);
                next = p.end(r);
            }
            EXPECT_EQ(next, n);
        }
    }
}

}  // namespace drfm
