#include "drfm/mpi/environment.hpp"

int main(int argc, char** argv) {
    drfm::mpi::Environment env(argc, argv);
    return 0;
}
