#include "drfm/mpi/environment.hpp"

#include "drfm/core/error.hpp"
#include "drfm/core/log.hpp"

#include <Kokkos_Core.hpp>
#include <mpi.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

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
    // Kokkos sees only its own --kokkos-* options (it would answer a plain --help with its own
    // help); they are then taken out of argv, which is left to the program's parser.
    std::vector<char*> kokkos_argv{argv[0]};
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
        if (std::string_view(argv[i]).rfind("--kokkos-", 0) == 0)
            kokkos_argv.push_back(argv[i]);
        else
            argv[kept++] = argv[i];
    }
    argc = kept;
    argv[argc] = nullptr;
    int kokkos_argc = static_cast<int>(kokkos_argv.size());
    kokkos_argv.push_back(nullptr);
    char** kokkos_args = kokkos_argv.data();
    Kokkos::initialize(kokkos_argc, kokkos_args);
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
