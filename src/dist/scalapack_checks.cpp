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

}  // namespace drfm::dist::detail
