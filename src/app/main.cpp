// drfm_hpc: Deep Recursive Feature Machines and the kernel picture at cluster scale.
#include "drfm/app/program.hpp"
#include "drfm/mpi/environment.hpp"

int main(int argc, char** argv) {
    drfm::mpi::Environment env(argc, argv);
    return drfm::app::run_program(argc, argv);
}
