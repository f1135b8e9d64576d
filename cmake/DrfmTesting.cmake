# drfm_add_test(name SOURCES ... LIBS ... [RANKS 1 2 4] [LABELS ...] [TIMEOUT s])
# Builds one gtest executable with the MPI main (tests/support/main_mpi.cpp) and registers one
# ctest per rank count, named <name>_np<r>.
find_package(GTest REQUIRED)

# Root in containers, more ranks than cores, and one BLAS thread per rank (docs/build.md).
set(DRFM_TEST_ENV
  OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_yield_when_idle=1
  OMPI_MCA_rmaps_base_oversubscribe=1 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 OMP_PROC_BIND=false)

add_library(drfm_test_main STATIC ${PROJECT_SOURCE_DIR}/tests/support/main_mpi.cpp)
target_include_directories(drfm_test_main PUBLIC ${PROJECT_SOURCE_DIR}/tests)
target_link_libraries(drfm_test_main PUBLIC drfm::mpi GTest::gtest Eigen3::Eigen PRIVATE drfm_build_flags)

# mpiexec line for np ranks, with oversubscription allowed.
function(drfm_mpiexec_command out np)
  set(${out} ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${np} --oversubscribe ${MPIEXEC_PREFLAGS}
      PARENT_SCOPE)
endfunction()

function(drfm_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;RANKS;LABELS" ${ARGN})
  if(NOT ARG_RANKS)
    set(ARG_RANKS 1 2 4)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE drfm_test_main ${ARG_LIBS} drfm_build_flags)
  foreach(np ${ARG_RANKS})
    drfm_mpiexec_command(launch ${np})
    add_test(NAME ${name}_np${np} COMMAND ${launch} $<TARGET_FILE:${name}> ${MPIEXEC_POSTFLAGS})
    set_tests_properties(${name}_np${np} PROPERTIES PROCESSORS ${np} ENVIRONMENT "${DRFM_TEST_ENV}"
      TIMEOUT ${ARG_TIMEOUT} LABELS "np_${np};${ARG_LABELS}")
  endforeach()
endfunction()
