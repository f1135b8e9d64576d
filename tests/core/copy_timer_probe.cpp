// Three deep copies of 1000 doubles for test_copy_timer (tests/core/CMakeLists.txt): host to host,
// execution space to execution space, host to execution space. The Kokkos Tools library
// bench/kokkos_copy_timer.cpp, loaded from the environment, reports them by side: on a host
// backend all three are on one side, on a device backend the last one crosses.
#include "drfm/core/views.hpp"

int main(int argc, char** argv) {
    Kokkos::initialize(argc, argv);
    {
        const drfm::HostVector a("drfm::probe::a", 1000), b("drfm::probe::b", 1000);
        const drfm::DeviceVector c("drfm::probe::c", 1000), e("drfm::probe::e", 1000);
        Kokkos::deep_copy(b, a);
        Kokkos::deep_copy(e, c);
        Kokkos::deep_copy(c, a);
    }
    Kokkos::finalize();
    return 0;
}
