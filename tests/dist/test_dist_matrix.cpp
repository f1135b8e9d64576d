// DistMatrix: descriptor fields, local block placement (checked with ScaLAPACK's indxl2g_),
// replicate, clone, and the checked int narrowing.
#include "drfm/dist/dist_matrix.hpp"
#include "drfm/dist/scalapack_fwd.hpp"
#include "drfm/dist/scalapack_types.hpp"
#include "dist/dist_test_utils.hpp"

#include <climits>

namespace drfm::dist {

TEST(DistMatrixTest, DescriptorHasTheScalapackFields) {
    test::for_each_grid([](const BlacsGrid& grid) {
        DistMatrix m(grid, GlobalSize{37, 23}, BlockSize{7, 5});

        const Descriptor& d = m.desc();

        int rows = 37, mb = 7, zero = 0, nprow = grid.nprow(), myrow = grid.myrow();
        EXPECT_EQ(d.dtype(), 1);
        EXPECT_EQ(d.ctxt(), grid.context());
        EXPECT_EQ(d.m(), 37);
        EXPECT_EQ(d.n(), 23);
        EXPECT_EQ(d.mb(), 7);
        EXPECT_EQ(d.nb(), 5);
        EXPECT_EQ(d.rsrc(), 0);
        EXPECT_EQ(d.csrc(), 0);
        EXPECT_EQ(d.lld(), std::max(1, numroc_(&rows, &mb, &myrow, &zero, &nprow)));
        EXPECT_EQ(d.data()[8], d.lld());
    });
}

TEST(DistMatrixTest, FillPlacesEntriesWhereScalapackExpectsThem) {
    test::for_each_grid([](const BlacsGrid& grid) {
        for (int nb : test::block_sizes) {
            SCOPED_TRACE("nb " + std::to_string(nb));
            auto m = test::dist_matrix(grid, 37, 23, nb, test::general_entry);

            ConstHostMatrix local = std::as_const(m).local();

            int zero = 0, nprow = grid.nprow(), npcol = grid.npcol();
            int myrow = grid.myrow(), mycol = grid.mycol();
            int rows = 37, cols = 23;
            ASSERT_EQ(static_cast<int>(local.extent(0)),
                      numroc_(&rows, &nb, &myrow, &zero, &nprow));
            ASSERT_EQ(static_cast<int>(local.extent(1)),
                      numroc_(&cols, &nb, &mycol, &zero, &npcol));
            for (int j = 0; j < static_cast<int>(local.extent(1)); ++j) {
                int j1 = j + 1;
                int gj = indxl2g_(&j1, &nb, &mycol, &zero, &npcol) - 1;
                for (int i = 0; i < static_cast<int>(local.extent(0)); ++i) {
                    int i1 = i + 1;
                    int gi = indxl2g_(&i1, &nb, &myrow, &zero, &nprow) - 1;
                    EXPECT_EQ(local(i, j), test::general_entry(gi, gj));
                }
            }
        }
    });
}

TEST(DistMatrixTest, ReplicateEqualsTheGlobalMatrix) {
    test::for_each_grid([](const BlacsGrid& grid) {
        for (int nb : test::block_sizes) {
            for (std::int64_t n : test::matrix_sizes) {
                SCOPED_TRACE("nb " + std::to_string(nb) + " n " + std::to_string(n));
                auto m = test::dist_matrix(grid, n, 13, nb, test::general_entry);

                Eigen::MatrixXd full = test::to_eigen(m.replicate());

                // Exact: every entry has one owner, the others add zeros.
                EXPECT_EQ(full, test::eigen_matrix(n, 13, test::general_entry));
            }
        }
    });
}

TEST(DistMatrixTest, CloneIsADeepCopy) {
    auto grid = BlacsGrid::near_square(test::world());
    auto original = test::dist_matrix(grid, 9, 9, 2, test::general_entry);

    DistMatrix copy = original.clone();
    Kokkos::deep_copy(copy.local(), 0.0);

    EXPECT_EQ(test::to_eigen(original.replicate()), test::eigen_matrix(9, 9, test::general_entry));
    EXPECT_EQ(test::to_eigen(copy.replicate()), Eigen::MatrixXd::Zero(9, 9));
}

TEST(DistMatrixTest, InvalidShapeOrBlockIsAnError) {
    auto grid = BlacsGrid::near_square(test::world());

    EXPECT_THROW(DistMatrix(grid, GlobalSize{-1, 3}, BlockSize{2, 2}), Error);
    EXPECT_THROW(DistMatrix(grid, GlobalSize{4, 3}, BlockSize{0, 2}), Error);
}

TEST(DistMatrixTest, ToBlasIntRejectsWhatDoesNotFit) {
    EXPECT_EQ(to_blas_int(INT_MAX, "x"), INT_MAX);
    EXPECT_EQ(to_blas_int(0, "x"), 0);
    EXPECT_THROW(to_blas_int(std::int64_t{INT_MAX} + 1, "x"), ResourceError);
    EXPECT_THROW(to_blas_int(-1, "x"), ResourceError);
    try {
        to_blas_int(std::int64_t{60000} * 60000, "local elements");
        FAIL() << "expected a ResourceError";
    } catch (const ResourceError& e) {
        EXPECT_NE(std::string(e.what()).find("local elements = 3600000000"), std::string::npos)
            << e.what();
    }
}

TEST(ScalapackTypesTest, EnumsMapToScalapackCharacters) {
    EXPECT_EQ(to_char(Uplo::lower), 'L');
    EXPECT_EQ(to_char(Uplo::upper), 'U');
    EXPECT_EQ(to_char(Trans::none), 'N');
    EXPECT_EQ(to_char(Trans::transpose), 'T');
    EXPECT_EQ(to_char(Job::values), 'N');
    EXPECT_EQ(to_char(Job::vectors), 'V');
    EXPECT_EQ(to_char(Range::all), 'A');
    EXPECT_EQ(to_char(Range::index), 'I');
    EXPECT_EQ(to_char(Norm::one), '1');
    EXPECT_EQ(to_char(Norm::inf), 'I');
    EXPECT_EQ(to_char(Norm::max), 'M');
    EXPECT_EQ(to_char(Norm::fro), 'F');
    EXPECT_STREQ(to_string(Trans::transpose), "transpose");
}

}  // namespace drfm::dist
