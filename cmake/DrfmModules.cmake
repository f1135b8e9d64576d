# drfm_add_module(name SOURCES ... DEPENDS drfm::x ... [PUBLIC_LIBS ...])
# One static library per module, drfm::<name>, with the module DAG written in its DEPENDS.
add_library(drfm_warnings INTERFACE)
target_compile_options(drfm_warnings INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wno-unknown-pragmas>)

function(drfm_add_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  add_library(drfm_${name} STATIC ${ARG_SOURCES})
  add_library(drfm::${name} ALIAS drfm_${name})
  target_include_directories(drfm_${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>)
  target_link_libraries(drfm_${name} PUBLIC ${ARG_DEPENDS} ${ARG_PUBLIC_LIBS}
                                     PRIVATE drfm_warnings ${ARG_PRIVATE_LIBS})
endfunction()
