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
# Search order: KokkosKernels_ROOT, CMAKE_PREFIX_PATH, then (HINTS) the prefix of the Kokkos found
# above, before the system prefixes: -DKokkos_ROOT=PREFIX alone picks the KokkosKernels that
# scripts/build_kokkos_openmp.sh installs into the same PREFIX, not Debian's in /usr.
get_filename_component(_drfm_kokkos_prefix "${Kokkos_DIR}/../../.." ABSOLUTE)
find_package(KokkosKernels REQUIRED HINTS "${_drfm_kokkos_prefix}")
string(CONCAT _drfm_kk_hint "pass -DKokkosKernels_ROOT=<the prefix of a KokkosKernels built on the Kokkos in "
                            "${Kokkos_DIR}> (with a Kokkos from scripts/build_kokkos_openmp.sh PREFIX: rerun the "
                            "script, it adds KokkosKernels to PREFIX, which -DKokkos_ROOT=PREFIX then finds)")
if(TARGET Kokkos::kokkoskernels)
  # A standalone KokkosKernels' config asks for its Kokkos with find_dependency(Kokkos HINTS <dir>);
  # Kokkos is already found here, so a KokkosKernels built on another Kokkos would load silently.
  file(STRINGS "${KokkosKernels_DIR}/KokkosKernelsConfig.cmake" _drfm_kk_dep REGEX "find_dependency\\(Kokkos")
  if(_drfm_kk_dep MATCHES "HINTS[ \t]+([^ \t)]+)")
    get_filename_component(_drfm_kk_kokkos "${CMAKE_MATCH_1}" REALPATH)
    get_filename_component(_drfm_our_kokkos "${Kokkos_DIR}" REALPATH)
    if(NOT _drfm_kk_kokkos STREQUAL _drfm_our_kokkos)
      message(FATAL_ERROR "drfm: the KokkosKernels found (${KokkosKernels_DIR}) was built on the Kokkos in "
                          "${_drfm_kk_kokkos}, not on the one in ${Kokkos_DIR}: ${_drfm_kk_hint}.")
    endif()
  endif()
endif()
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
                        "Debian's Kokkos, not on the Kokkos in ${Kokkos_DIR}: ${_drfm_kk_hint}.")
  endif()
  get_filename_component(_drfm_kk_inc "${KokkosKernels_INCLUDE_DIRS}" REALPATH)
  add_library(Kokkos::kokkoskernels INTERFACE IMPORTED)
  set_target_properties(Kokkos::kokkoskernels PROPERTIES INTERFACE_LINK_LIBRARIES trilinos_kokkoskernels
                                                         INTERFACE_INCLUDE_DIRECTORIES "${_drfm_kk_inc}")
endif()
message(STATUS "drfm: KokkosKernels from ${KokkosKernels_DIR}")
