// A binary built with -march=native (DRFM_NATIVE_ARCH) dies with SIGILL, somewhere, on a CPU that
// lacks the build machine's vector extensions: a compute node older than the login node, say. This
// check runs before main and before the static initialisers of the native code (constructor
// priority 101) and turns that into one line that says what to do. Compiled for the x86-64
// baseline; src/app/CMakeLists.txt defines DRFM_NEEDS_<ISA> for each extension the build used.
#if defined(__GNUC__) && (defined(__x86_64__) || defined(_M_X64))
#include <cstdio>
#include <cstdlib>

namespace {

[[noreturn, maybe_unused]] void unsupported(const char* isa) {
    std::fprintf(stderr,
                 "drfm_hpc: this binary was compiled for the build machine's CPU (-march=native, "
                 "DRFM_NATIVE_ARCH=ON), which has %s; this CPU does not. Rebuild on a node like "
                 "this one, or configure with -DDRFM_NATIVE_ARCH=OFF for a binary that runs on any "
                 "x86-64 (docs/build.md).\n",
                 isa);
    std::_Exit(1);
}

__attribute__((constructor(101))) void check_instruction_sets() {
    __builtin_cpu_init();
#ifdef DRFM_NEEDS_SSE4_2
    if (!__builtin_cpu_supports("sse4.2")) unsupported("SSE4.2");
#endif
#ifdef DRFM_NEEDS_AVX
    if (!__builtin_cpu_supports("avx")) unsupported("AVX");
#endif
#ifdef DRFM_NEEDS_AVX2
    if (!__builtin_cpu_supports("avx2")) unsupported("AVX2");
#endif
#ifdef DRFM_NEEDS_FMA
    if (!__builtin_cpu_supports("fma")) unsupported("FMA");
#endif
#ifdef DRFM_NEEDS_AVX512F
    if (!__builtin_cpu_supports("avx512f")) unsupported("AVX-512F");
#endif
}

}  // namespace
#endif
