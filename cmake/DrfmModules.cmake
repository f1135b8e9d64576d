# drfm_add_module(name SOURCES ... DEPENDS drfm::x ... [PUBLIC_LIBS ...])
# One static library per module, drfm::<name>, with the module DAG written in its DEPENDS.

# The flags of every drfm target (modules, tests, benchmarks). No code reads errno after a math call
# or traps on floating-point exceptions; without -fno-math-errno -fno-trapping-math GCC can vectorise
# neither sqrt nor the selects of the element-wise kernels. -ffp-contract=off: no FMA contraction
# (GCC's default in C++ contracts wherever the target has FMA), so one expression rounds the same at
# every call site and in every build.
add_library(drfm_build_flags INTERFACE)
target_compile_options(drfm_build_flags INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wno-unknown-pragmas -fno-math-errno
                                 -fno-trapping-math -ffp-contract=off>)
# The element-wise kernels run 2x faster on AVX2 than on the x86-64 baseline (bench/RESULTS.md). A
# device backend's Kokkos carries its own host architecture (Kokkos_ARCH_*): the default is off there.
if(Kokkos_DEVICES MATCHES "CUDA|HIP|SYCL")
  set(_drfm_native_default OFF)
else()
  set(_drfm_native_default ON)
endif()
option(DRFM_NATIVE_ARCH "Compile for the build machine's CPU (-march=native); OFF for a binary that \
runs on any CPU of the architecture" ${_drfm_native_default})
# DRFM_NATIVE_ISA: the x86 vector extensions -march=native enables here, which drfm_hpc checks the
# running CPU for before main (src/app/cpu_check.cpp, one #ifdef per name in the list below) and
# --version reports.
set(DRFM_NATIVE_ISA "")
set(DRFM_CODE_GENERATION "the compiler's default target")
if(DRFM_NATIVE_ARCH)
  include(CheckCXXCompilerFlag)
  check_cxx_compiler_flag(-march=native DRFM_COMPILER_HAS_MARCH_NATIVE)
  if(DRFM_COMPILER_HAS_MARCH_NATIVE)
    target_compile_options(drfm_build_flags INTERFACE -march=native)
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -march=native -dM -E -x c++ /dev/null
                    OUTPUT_VARIABLE _drfm_macros ERROR_QUIET)
    foreach(isa SSE4_2 AVX AVX2 FMA AVX512F)
      if(_drfm_macros MATCHES "#define __${isa}__ 1")
        list(APPEND DRFM_NATIVE_ISA ${isa})
      endif()
    endforeach()
    # With AVX-512, GCC warns hundreds of times inside its own intrinsics, through Eigen's packets:
    # GCC 12 at their "undefined" operands (self-initialised on purpose; GCC bug 105593), GCC 16
    # with Eigen 5 in Eigen's AVX-512 TRSM kernels, whose packet blocks are partly filled on purpose.
    if("AVX512F" IN_LIST DRFM_NATIVE_ISA AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(drfm_build_flags INTERFACE -Wno-maybe-uninitialized)
    endif()
    string(REPLACE ";" " " _drfm_isa "${DRFM_NATIVE_ISA}")
    set(DRFM_CODE_GENERATION "-march=native (${_drfm_isa})")
  else()
    message(STATUS "drfm: the compiler does not accept -march=native; building for its default target")
  endif()
endif()
message(STATUS "drfm: DRFM_NATIVE_ARCH=${DRFM_NATIVE_ARCH}, code generation: ${DRFM_CODE_GENERATION}")

function(drfm_add_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  add_library(drfm_${name} STATIC ${ARG_SOURCES})
  add_library(drfm::${name} ALIAS drfm_${name})
  target_include_directories(drfm_${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>)
  target_link_libraries(drfm_${name} PUBLIC ${ARG_DEPENDS} ${ARG_PUBLIC_LIBS}
                                     PRIVATE drfm_build_flags ${ARG_PRIVATE_LIBS})
endfunction()

# drfm_host_only_sources(file ...): the files that include toml++ (config/config_builder.hpp). nvcc
# cannot compile toml++ (marzer/tomlplusplus#213), so where nvcc compiles Kokkos code these files,
# which hold no Kokkos, go to the host compiler alone: nvcc_wrapper's --host-only. Call it in the
# directory that adds the files' target (source properties are per directory).
function(drfm_host_only_sources)
  if(Kokkos_DEVICES MATCHES "CUDA" AND Kokkos_CXX_COMPILER_ID STREQUAL "NVIDIA")
    set_property(SOURCE ${ARGN} APPEND PROPERTY COMPILE_OPTIONS --host-only)
  endif()
endfunction()
