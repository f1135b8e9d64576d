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

function(drfm_add_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  add_library(drfm_${name} STATIC ${ARG_SOURCES})
  add_library(drfm::${name} ALIAS drfm_${name})
  target_include_directories(drfm_${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>)
  target_link_libraries(drfm_${name} PUBLIC ${ARG_DEPENDS} ${ARG_PUBLIC_LIBS}
                                     PRIVATE drfm_build_flags ${ARG_PRIVATE_LIBS})
endfunction()
