// Distribution's index math against ScaLAPACK's own tool routines (numroc_, indxl2g_, indxg2p_,
// indxg2l_; 1-based), over sizes that are and are not multiples of the block and grid.
#include "drfm/dist/distribution.hpp"
#include "drfm/dist/scalapack_fwd.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace drfm::dist {
namespace {

struct Axis {
    int n, nb, nprocs, me;
};

// Every (n, nb, P, p) combination of a small table: rows use it, columns a shifted copy, so that
// rows and columns differ in every Distribution built below.
std::vector<Axis> axes() {
    std::vector<Axis> out;
    for (int n : {0, 1, 5, 37, 100, 128})
        for (int nb : {1, 3, 7, 64})
            for (int nprocs : {1, 2, 3, 4})
                for (int me = 0; me < nprocs; ++me) out.push_back({n, nb, nprocs, me});
    return out;
}

Distribution make(const Axis& r, const Axis& c) {
    return Distribution(GlobalSize{r.n, c.n}, BlockSize{r.nb, c.nb}, GridShape{r.nprocs, c.nprocs},
                        GridCoord{r.me, c.me});
}

std::string describe(const Axis& a) {
    return "n=" + std::to_string(a.n) + " nb=" + std::to_string(a.nb) +
           " P=" + std::to_string(a.nprocs) + " p=" + std::to_string(a.me);
}

const int zero = 0;

}  // namespace

TEST(DistributionTest, LocalSizesMatchNumroc) {
    auto all = axes();
    for (size_t t = 0; t < all.size(); ++t) {
        const Axis& r = all[t];
        const Axis& c = all[(t * 7 + 3) % all.size()];
        SCOPED_TRACE("rows " + describe(r) + ", cols " + describe(c));

        Distribution d = make(r, c);

        EXPECT_EQ(d.local_rows(), numroc_(&r.n, &r.nb, &r.me, &zero, &r.nprocs));
        EXPECT_EQ(d.local_cols(), numroc_(&c.n, &c.nb, &c.me, &zero, &c.nprocs));
        EXPECT_EQ(d.lld(), std::max(1, numroc_(&r.n, &r.nb, &r.me, &zero, &r.nprocs)));
    }
}

TEST(DistributionTest, GlobalIndicesMatchIndxl2g) {
    auto all = axes();
    for (size_t t = 0; t < all.size(); ++t) {
        const Axis& r = all[t];
        const Axis& c = all[(t * 5 + 1) % all.size()];
        SCOPED_TRACE("rows " + describe(r) + ", cols " + describe(c));

        Distribution d = make(r, c);

        for (int l = 0; l < d.local_rows(); ++l) {
            int l1 = l + 1;
            EXPECT_EQ(d.global_row(LocalIndex{l}).value + 1,
                      indxl2g_(&l1, &r.nb, &r.me, &zero, &r.nprocs));
        }
        for (int l = 0; l < d.local_cols(); ++l) {
            int l1 = l + 1;
            EXPECT_EQ(d.global_col(LocalIndex{l}).value + 1,
                      indxl2g_(&l1, &c.nb, &c.me, &zero, &c.nprocs));
        }
    }
}

TEST(DistributionTest, OwnersAndLocalIndicesMatchIndxg2pAndIndxg2l) {
    auto all = axes();
    for (size_t t = 0; t < all.size(); ++t) {
        const Axis& r = all[t];
        const Axis& c = all[(t * 11 + 2) % all.size()];
        SCOPED_TRACE("rows " + describe(r) + ", cols " + describe(c));

        Distribution d = make(r, c);

        for (int g = 0; g < r.n; ++g) {
            int g1 = g + 1;
            EXPECT_EQ(d.owner_row(GlobalIndex{g}), indxg2p_(&g1, &r.nb, &r.me, &zero, &r.nprocs));
            EXPECT_EQ(d.local_row(GlobalIndex{g}).value + 1,
                      indxg2l_(&g1, &r.nb, &r.me, &zero, &r.nprocs));
        }
        for (int g = 0; g < c.n; ++g) {
            int g1 = g + 1;
            EXPECT_EQ(d.owner_col(GlobalIndex{g}), indxg2p_(&g1, &c.nb, &c.me, &zero, &c.nprocs));
            EXPECT_EQ(d.local_col(GlobalIndex{g}).value + 1,
                      indxg2l_(&g1, &c.nb, &c.me, &zero, &c.nprocs));
        }
    }
}

TEST(DistributionTest, MyGlobalRowsAreTheRowsIOwnInIncreasingOrder) {
    for (const Axis& r : axes()) {
        SCOPED_TRACE(describe(r));
        Distribution d = make(r, r);

        auto rows = d.my_global_rows();
        auto cols = d.my_global_cols();

        // Brute force: scan every global row and keep those indxg2p_ gives to me.
        std::vector<std::int64_t> expected;
        for (int g = 0; g < r.n; ++g) {
            int g1 = g + 1;
            if (indxg2p_(&g1, &r.nb, &r.me, &zero, &r.nprocs) == r.me) expected.push_back(g);
        }
        EXPECT_EQ(rows, expected);
        EXPECT_EQ(cols, expected);
    }
}

TEST(DistributionTest, IsLocalMeansOwnedByMyRowAndColumn) {
    Distribution d(GlobalSize{37, 20}, BlockSize{7, 3}, GridShape{2, 3}, GridCoord{1, 2});

    // Row 7 is in block 1 → process row 1; column 6 is in block 2 → process column 2.
    EXPECT_TRUE(d.is_local(GlobalIndex{7}, GlobalIndex{6}));
    EXPECT_FALSE(d.is_local(GlobalIndex{0}, GlobalIndex{6}));
    EXPECT_FALSE(d.is_local(GlobalIndex{7}, GlobalIndex{3}));
}

}  // namespace drfm::dist
