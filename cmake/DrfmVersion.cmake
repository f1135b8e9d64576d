# Generates include/drfm/core/build_info.hpp at every build so the git sha (with -dirty) is current.
set(DRFM_BUILD_INFO ${PROJECT_BINARY_DIR}/include/drfm/core/build_info.hpp)
# Kokkos_DEVICES is a list ("OPENMP;SERIAL"): unjoined, the ';' would split the command argument.
string(REPLACE ";" "," _drfm_kokkos_devices "${Kokkos_DEVICES}")
add_custom_target(drfm_build_info
  COMMAND ${CMAKE_COMMAND} -DSRC=${PROJECT_SOURCE_DIR} -DOUT=${DRFM_BUILD_INFO}
          -DVERSION=${PROJECT_VERSION} -DMPI_VERSION=${MPI_CXX_VERSION}
          -DHDF5_VERSION=${HDF5_VERSION} -DKOKKOS_VERSION=${Kokkos_VERSION}
          -DKOKKOS_DEVICES=${_drfm_kokkos_devices} -DEIGEN_VERSION=${Eigen3_VERSION}
          -DTOML_VERSION=${tomlplusplus_VERSION} -DSCALAPACK_VERSION=${SCALAPACK_VERSION}
          "-DCODE_GENERATION=${DRFM_CODE_GENERATION}"
          -P ${PROJECT_SOURCE_DIR}/cmake/DrfmWriteBuildInfo.cmake
  BYPRODUCTS ${DRFM_BUILD_INFO}
  COMMENT "drfm: build info (version, git sha)"
  VERBATIM)
