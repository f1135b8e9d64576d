#pragma once
/// @file
/// The program behind `main`: command line → configuration → (plan | run), and the one error
/// policy. A collective error (raised on every rank together) is printed once by rank 0 and the
/// program exits with its code after a clean shutdown; an error on some ranks only is printed with
/// its rank and ends the whole job with MPI_Abort, so no rank is left waiting.
namespace drfm::app {

/// @pre MPI and Kokkos are initialised (mpi::Environment).
int run_program(int argc, char** argv);

}  // namespace drfm::app
