// A Kokkos Tools library that times Kokkos::deep_copy, split into copies between host and device
// memory and copies within one side, for bench/precision_bench.py's "share of time in host↔device
// copies". Load it with KOKKOS_TOOLS_LIBS (Kokkos 4/5) or KOKKOS_PROFILE_LIBRARY (Kokkos 3) set to
// the library's path; at Kokkos::finalize it appends one line per process to the file named by
// DRFM_COPY_TIMER_OUT (standard error without it):
//   drfm_copy_timer pid=123 host_device_copies=45 host_device_bytes=1.2e+09 host_device_s=0.83
//   same_side_copies=210 same_side_bytes=3.4e+08 same_side_s=0.05
// It uses only the C interface of Kokkos Tools (no Kokkos header), so one build serves every
// Kokkos. On a host backend every view is host memory and host_device_copies is 0.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <unistd.h>

namespace {

struct Tally {
    std::uint64_t copies = 0;
    double bytes = 0.0, seconds = 0.0;
};

Tally host_device, same_side;
Tally* current = nullptr;
std::chrono::steady_clock::time_point started;

/// Host-accessible memory spaces by the names Kokkos gives their profiling handles.
bool is_host(const char* space) {
    for (const char* host : {"Host", "CudaHostPinned", "HIPHostPinned", "SYCLHostUSM"})
        if (std::strcmp(space, host) == 0) return true;
    return false;
}

}  // namespace

extern "C" {

/// The C interface's handle: a memory space's name.
struct Kokkos_Profiling_SpaceHandle {
    char name[64];
};

void kokkosp_init_library(int, std::uint64_t, std::uint32_t, void*) {}

void kokkosp_begin_deep_copy(Kokkos_Profiling_SpaceHandle dst, const char*, const void*,
                             Kokkos_Profiling_SpaceHandle src, const char*, const void*,
                             std::uint64_t bytes) {
    current = is_host(dst.name) == is_host(src.name) ? &same_side : &host_device;
    current->copies += 1;
    current->bytes += static_cast<double>(bytes);
    started = std::chrono::steady_clock::now();
}

void kokkosp_end_deep_copy() {
    if (current == nullptr) return;
    current->seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    current = nullptr;
}

void kokkosp_finalize_library() {
    const char* path = std::getenv("DRFM_COPY_TIMER_OUT");
    std::FILE* out = path != nullptr ? std::fopen(path, "a") : stderr;
    if (out == nullptr) {
        std::fprintf(stderr, "drfm_copy_timer: cannot append to DRFM_COPY_TIMER_OUT=%s\n", path);
        out = stderr;
    }
    std::fprintf(out,
                 "drfm_copy_timer pid=%ld host_device_copies=%llu host_device_bytes=%.6g "
                 "host_device_s=%.6g same_side_copies=%llu same_side_bytes=%.6g same_side_s=%.6g\n",
                 static_cast<long>(getpid()),
                 static_cast<unsigned long long>(host_device.copies), host_device.bytes,
                 host_device.seconds, static_cast<unsigned long long>(same_side.copies),
                 same_side.bytes, same_side.seconds);
    if (out != stderr) std::fclose(out);
}

}  // extern "C"
