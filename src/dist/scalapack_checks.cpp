#include "scalapack_checks.hpp"

#include "drfm/dist/scalapack_types.hpp"

#include <cmath>
#include <limits>

namespace drfm::dist::detail {

int agreed_info(const BlacsGrid& grid, const char* routine, int info) {
    constexpr int none = std::numeric_limits<int>::max();
    int agreed = grid.comm().min(info == 0 ? none : info);
    if (agreed == none) return 0;
    if (agreed < 0) {
        // ScaLAPACK: -(100·i + j) for entry j of array argument i, -i for scalar argument i.
        int code = -agreed;
        std::string what = code > 100 ? drfm::detail::concat("entry ", code % 100, " of argument ",
                                                       code / 100)
                                      : drfm::detail::concat("argument ", code);
        throw collective(ScalapackError(
            drfm::detail::concat(routine, " returned info = ", agreed, ": ", what,
                                 " had an illegal value (a drfm bug: please report it with the "
                                 "matrix size, block size and grid)"),
            __FILE__, __LINE__));
    }
    return agreed;
}

int agreed_workspace(const BlacsGrid& grid, double queried, const char* what) {
    int length = 0;
    mpi::collective(grid.comm(), [&] {
        double slack = std::ceil(queried) + 1.0;
        DRFM_CHECK(slack < 9.0e18, ResourceError, what, " workspace of ", queried,
                   " elements is out of range");
        length = to_blas_int(static_cast<std::int64_t>(slack), what);
    });
    return length;
}

void require_same_grid(const DistMatrix& a, const DistMatrix& b, const char* routine) {
    DRFM_CHECK(a.desc().ctxt() == b.desc().ctxt(), Error, routine,
               ": the matrices live on different BLACS grids (contexts ", a.desc().ctxt(), " and ",
               b.desc().ctxt(), ")");
}

void require_square(const DistMatrix& a, const char* routine) {
    DRFM_CHECK(a.rows() == a.cols() && a.desc().mb() == a.desc().nb(), Error, routine,
               " needs a square matrix in square blocks, got ", a.rows(), "x", a.cols(), " in ",
               a.desc().mb(), "x", a.desc().nb(), " blocks");
}

void require_rhs(const DistMatrix& a, const DistMatrix& b, const char* routine) {
    require_same_grid(a, b, routine);
    DRFM_CHECK(b.rows() == a.rows() && b.desc().mb() == a.desc().mb(), Error, routine,
               ": right-hand side is ", b.rows(), "x", b.cols(), " in ", b.desc().mb(),
               "-row blocks, the matrix ", a.rows(), "x", a.cols(), " in ", a.desc().mb(),
               "-row blocks (rows and row blocks must match)");
}

}  // namespace drfm::dist::detail
