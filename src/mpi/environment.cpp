#include "drfm/mpi/environment.hpp"

#include "drfm/core/error.hpp"
#include "drfm/core/log.hpp"

#include <Kokkos_Core.hpp>
#include <mpi.h>

#include <map>
#include <string>

namespace drfm::mpi {
namespace {
std::map<std::string, std::function<void()>>& finalizers() {
    static std::map<std::string, std::function<void()>> registry;
    return registry;
}
}  // namespace

Environment::Environment(int& argc, char**& argv) {
    int provided = 0;
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        throw MpiError("MPI_Init_thread failed: is the program started by mpirun/srun?", __FILE__,
                       __LINE__);
    }
    // Errors come back as codes, so DRFM_MPI can turn them into messages.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    log::set_world_rank(rank);
    Kokkos::initialize(argc, argv);
}

Environment::~Environment() {
    Kokkos::finalize();
    for (auto& entry : finalizers()) entry.second();
    finalizers().clear();
    MPI_Finalize();
}

void Environment::at_finalize(const char* key, std::function<void()> fn) {
    finalizers().emplace(key, std::move(fn));
}

}  // namespace drfm::mpi
