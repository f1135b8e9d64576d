#include "drfm/core/system_memory.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>

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

std::string format_bytes(double bytes) {
    constexpr double mib = 1024.0 * 1024.0, gib = 1024.0 * mib;
    char buf[32];
    if (bytes >= gib) std::snprintf(buf, sizeof buf, "%.2f GiB", bytes / gib);
    else std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / mib);
    return buf;
}

}  // namespace drfm::system_memory
