#include "drfm/core/system_memory.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <fstream>

#include <sys/mman.h>
#include <unistd.h>

namespace drfm::system_memory {
namespace {

/// The value of the line "key <number> kB" of a /proc file, in bytes (0 if absent or unreadable).
double proc_kib_entry(const char* path, const std::string& key) {
    std::ifstream file(path);
    std::string line;
    while (std::getline(file, line))
        if (line.compare(0, key.size(), key) == 0)
            return std::strtod(line.c_str() + key.size(), nullptr) * 1024.0;
    return 0.0;
}

}  // namespace

double resident_bytes() { return proc_kib_entry("/proc/self/status", "VmRSS:"); }
double peak_resident_bytes() { return proc_kib_entry("/proc/self/status", "VmHWM:"); }
double node_available_bytes() { return proc_kib_entry("/proc/meminfo", "MemAvailable:"); }

bool huge_pages_always() {
    std::ifstream file("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string modes;
    std::getline(file, modes);
    return modes.find("[always]") != std::string::npos;
}

void populate_for_writing(void* begin, std::size_t bytes) {
#ifdef MADV_POPULATE_WRITE
    const std::uintptr_t page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
    const std::uintptr_t first = (reinterpret_cast<std::uintptr_t>(begin) + page - 1) / page * page;
    const std::uintptr_t last = (reinterpret_cast<std::uintptr_t>(begin) + bytes) / page * page;
    // Ignored on failure: EINVAL before Linux 5.14; anything else, the writes will meet too.
    if (last > first)
        (void)madvise(reinterpret_cast<void*>(first), last - first, MADV_POPULATE_WRITE);
#else
    (void)begin;
    (void)bytes;
#endif
}

bool is_resident(const void* address) {
    const std::uintptr_t page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
    unsigned char state = 0;
    void* start = reinterpret_cast<void*>(reinterpret_cast<std::uintptr_t>(address) / page * page);
    return mincore(start, 1, &state) == 0 && (state & 1) != 0;
}

std::string format_bytes(double bytes) {
    constexpr double mib = 1024.0 * 1024.0, gib = 1024.0 * mib;
    char buf[32];
    if (bytes >= gib) std::snprintf(buf, sizeof buf, "%.2f GiB", bytes / gib);
    else std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / mib);
    return buf;
}

}  // namespace drfm::system_memory
