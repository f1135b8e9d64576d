# Generates include/drfm/core/build_info.hpp at every build so the git sha (with -dirty) is current.
set(DRFM_BUILD_INFO ${PROJECT_BINARY_DIR}/include/drfm/core/build_info.hpp)
add_custom_target(drfm_build_info
  COMMAND ${CMAKE_COMMAND} -DSRC=${PROJECT_SOURCE_DIR} -DOUT=${DRFM_BUILD_INFO}
          -DVERSION=${PROJECT_VERSION} -DMPI_VERSION=${MPI_CXX_VERSION}
          -DHDF5_VERSION=${HDF5_VERSION} -DKOKKOS_VERSION=${Kokkos_VERSION}
          -DKOKKOS_DEVICES=${Kokkos_DEVICES} -DEIGEN_VERSION=${Eigen3_VERSION}
          -DTOML_VERSION=${tomlplusplus_VERSION} -DSCALAPACK_VERSION=${SCALAPACK_VERSION}
          -P ${PROJECT_SOURCE_DIR}/cmake/DrfmWriteBuildInfo.cmake
  BYPRODUCTS ${DRFM_BUILD_INFO}
  COMMENT "drfm: build info (version, git sha)")
