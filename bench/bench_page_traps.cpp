// What a page's first access costs on this node, the platform cost behind the kernel phase's first
// layer (bench/RESULTS.md). On bare metal a first touch is a minor fault of well under a
// microsecond; in a virtual machine whose hypervisor fills its own page tables (shadow paging) every
// first access of a 4 KiB page by the process traps to it, and the hypervisor may drop those
// entries again later. Times one anonymous mapping of `mib` MiB, seconds per GiB:
//   first_touch      one write per page in address order, no populate;
//   populate         madvise(MADV_POPULATE_WRITE) over the whole range (the guest's own faults);
//   after_populate   then one load per page (what the hypervisor still charges);
//   warm             one more load per page;
//   after_munmap     one load per page after a touched 64 MiB buffer was unmapped (refills);
//   huge_*           the same three steps on a 2 MiB-aligned range under MADV_HUGEPAGE.
// Usage: bench_page_traps [mib=512]
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

constexpr std::size_t page = 4096, huge_page = 2u << 20;

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

char* map_anonymous(std::size_t bytes) {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        std::perror("bench_page_traps: mmap");
        std::exit(1);
    }
    return static_cast<char*>(p);
}

/// Seconds for one load (or store) of each page of [p, p + bytes).
double per_page(volatile char* p, std::size_t bytes, bool store) {
    const auto start = std::chrono::steady_clock::now();
    char sink = 0;
    for (std::size_t i = 0; i < bytes; i += page) {
        if (store) p[i] = 1;
        else sink = static_cast<char>(sink + p[i]);
    }
    (void)sink;
    return seconds_since(start);
}

double populate(char* p, std::size_t bytes) {
    const auto start = std::chrono::steady_clock::now();
#ifdef MADV_POPULATE_WRITE
    if (madvise(p, bytes, MADV_POPULATE_WRITE) != 0) std::perror("bench_page_traps: populate");
#endif
    return seconds_since(start);
}

/// Maps, touches and unmaps 64 MiB: on shadow-paging hypervisors this drops the process's entries.
void unmap_a_touched_buffer() {
    const std::size_t bytes = 64u << 20;
    char* p = map_anonymous(bytes);
    per_page(p, bytes, true);
    munmap(p, bytes);
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t mib = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 512;
    const std::size_t bytes = mib << 20;
    const double per_gib = 1024.0 / static_cast<double>(mib);

    char* cold = map_anonymous(bytes);
    const double first_touch = per_page(cold, bytes, true);
    munmap(cold, bytes);

    char* p = map_anonymous(bytes);
    const double populated = populate(p, bytes);
    const double after_populate = per_page(p, bytes, false);
    const double warm = per_page(p, bytes, false);
    unmap_a_touched_buffer();
    const double after_munmap = per_page(p, bytes, false);

    char* raw = map_anonymous(bytes + huge_page);
    char* h = reinterpret_cast<char*>((reinterpret_cast<std::uintptr_t>(raw) + huge_page - 1) /
                                      huge_page * huge_page);
    madvise(h, bytes, MADV_HUGEPAGE);  // a hint: with THP "never" the numbers are 4 KiB pages'
    const double huge_populate = populate(h, bytes);
    const double huge_after_populate = per_page(h, bytes, false);
    unmap_a_touched_buffer();
    const double huge_after_munmap = per_page(h, bytes, false);

    std::printf("page_traps mib=%zu first_touch=%.3f populate=%.3f after_populate=%.3f warm=%.3f "
                "after_munmap=%.3f huge_populate=%.3f huge_after_populate=%.3f "
                "huge_after_munmap=%.3f (seconds per GiB)\n",
                mib, first_touch * per_gib, populated * per_gib, after_populate * per_gib,
                warm * per_gib, after_munmap * per_gib, huge_populate * per_gib,
                huge_after_populate * per_gib, huge_after_munmap * per_gib);
    munmap(p, bytes);
    munmap(raw, bytes + huge_page);
    return 0;
}
