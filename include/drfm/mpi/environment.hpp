#pragma once
/// @file
/// Process start-up and tear-down in the one right order: MPI_Init_thread (FUNNELED) →
/// Kokkos::initialize → … → Kokkos::finalize → registered finalizers (BLACS) → MPI_Finalize.
/// Created once in `main`; every other RAII object must die before it.
#include <functional>

namespace drfm::mpi {

class Environment {
public:
    Environment(int& argc, char**& argv);
    ~Environment();
    Environment(const Environment&) = delete;
    Environment& operator=(const Environment&) = delete;
    Environment(Environment&&) = delete;
    Environment& operator=(Environment&&) = delete;

    /// Runs `fn` after Kokkos::finalize and before MPI_Finalize (e.g. Cblacs_exit). Registered
    /// at most once per key; used by modules that own library state tied to MPI.
    static void at_finalize(const char* key, std::function<void()> fn);
};

}  // namespace drfm::mpi
