# Finds every external dependency and fixes the known packaging bugs of Debian 12 (docs/build.md).
find_package(MPI 3.1 REQUIRED COMPONENTS C CXX)

# Generic = the libblas.so.3/liblapack.so.3 alternatives, i.e. OpenBLAS once installed; ScaLAPACK
# links the same ones, so both see one BLAS.
set(BLA_VENDOR Generic)
find_package(BLAS REQUIRED)
find_package(LAPACK REQUIRED)

# find_package(scalapack) is broken on Debian 12 (its config points to a non-existent .so).
find_package(PkgConfig REQUIRED)
pkg_check_modules(SCALAPACK REQUIRED IMPORTED_TARGET scalapack-openmpi)

set(HDF5_PREFER_PARALLEL TRUE)
find_package(HDF5 REQUIRED COMPONENTS C HL)  # HL: dimension scales (H5DS)
if(NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR "drfm_hpc needs a parallel (MPI) HDF5, found a serial one (${HDF5_C_LIBRARIES}). "
                      "On Debian: apt-get install libhdf5-openmpi-dev (scripts/setup.sh does it).")
endif()

# No version in the call: Eigen's config accepts only its own major version (3.4 refuses 3.3...5,
# 5.0 refuses 3.3), and both 3.4 and 5 serve.
find_package(Eigen3 REQUIRED NO_MODULE)
if(Eigen3_VERSION VERSION_LESS 3.3)
  message(FATAL_ERROR "drfm_hpc needs Eigen 3.3 or newer, found ${Eigen3_VERSION} (${Eigen3_DIR}).")
endif()
find_package(tomlplusplus 3 REQUIRED)
find_package(ZLIB REQUIRED)

find_package(Kokkos 3.4 REQUIRED)
# Debian's Kokkos::kokkos carries the non-existent include dir /usr/lib/include.
if(Kokkos_INCLUDE_DIRS AND EXISTS "${Kokkos_INCLUDE_DIRS}/Kokkos_Core.hpp")
  get_target_property(_drfm_kokkos_inc Kokkos::kokkos INTERFACE_INCLUDE_DIRECTORIES)
  if(_drfm_kokkos_inc AND NOT EXISTS "${_drfm_kokkos_inc}")
    set_target_properties(Kokkos::kokkos PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${Kokkos_INCLUDE_DIRS}")
  endif()
endif()
message(STATUS "drfm: Kokkos ${Kokkos_VERSION}, devices: ${Kokkos_DEVICES}")

# KokkosBlas (include/drfm/core/device_blas.hpp): cuBLAS on CUDA, the host BLAS on host backends. A
# standalone KokkosKernels exports Kokkos::kokkoskernels; Debian's (Trilinos 13.2) exports only
# trilinos_kokkoskernels, without include dirs, and has no version file (so none is asked for here).
find_package(KokkosKernels REQUIRED)
if(NOT TARGET Kokkos::kokkoskernels)
  if(NOT TARGET trilinos_kokkoskernels OR NOT EXISTS "${KokkosKernels_INCLUDE_DIRS}/KokkosBlas3_gemm.hpp")
    message(FATAL_ERROR "drfm: KokkosKernels found (${KokkosKernels_DIR}) without the target "
                        "Kokkos::kokkoskernels or trilinos_kokkoskernels and KokkosBlas3_gemm.hpp")
  endif()
  # Debian's is built on Debian's Kokkos (trilinos_kokkoscore): with another Kokkos (Kokkos_ROOT) the
  # program would carry two Kokkos runtimes and two KokkosCore_config.h.
  get_target_property(_drfm_kokkos_libs Kokkos::kokkos INTERFACE_LINK_LIBRARIES)
  if(NOT "trilinos_kokkoscore" IN_LIST _drfm_kokkos_libs)
    message(FATAL_ERROR "drfm: the KokkosKernels found (${KokkosKernels_DIR}) is Debian's, built on "
                        "Debian's Kokkos, not on the Kokkos in ${Kokkos_DIR}. Build KokkosKernels "
                        "against that Kokkos and pass -DKokkosKernels_ROOT=<its prefix>.")
  endif()
  get_filename_component(_drfm_kk_inc "${KokkosKernels_INCLUDE_DIRS}" REALPATH)
  add_library(Kokkos::kokkoskernels INTERFACE IMPORTED)
  set_target_properties(Kokkos::kokkoskernels PROPERTIES INTERFACE_LINK_LIBRARIES trilinos_kokkoskernels
                                                         INTERFACE_INCLUDE_DIRECTORIES "${_drfm_kk_inc}")
endif()
