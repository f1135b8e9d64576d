#pragma once
/// @file
/// Memory of this process and of its node, read from Linux's /proc and /sys; 0 (or false) where
/// it cannot be read (another OS, a sandbox without them). The plan's baseline and its THP rule,
/// the memory guard and the peak that a run reports at its end come from here; so do two page
/// hints for large buffers (map before the first write, ask whether a page is resident).
#include <cstddef>
#include <string>

namespace drfm::system_memory {

double resident_bytes();        ///< this process now (VmRSS)
double peak_resident_bytes();   ///< this process's high-water mark since it started (VmHWM)
double node_available_bytes();  ///< what the node can still give without swapping (MemAvailable)

/// Whether this node's transparent huge pages are "always" (/sys/kernel/mm/transparent_hugepage/
/// enabled): then any touch of a 2 MiB-aligned range can make the whole of it resident.
bool huge_pages_always();

/// Map the pages that lie wholly inside [begin, begin + bytes) for writing, in one system call,
/// before they are first written. Where each first touch of a page traps on its own, that costs
/// several times more (measured in bench/RESULTS.md). Only a hint: nothing happens on kernels
/// older than Linux 5.14 or outside Linux, and a failure is left to the writes themselves.
void populate_for_writing(void* begin, std::size_t bytes);

/// Whether the page holding `address` is resident (mincore); false where that cannot be asked.
bool is_resident(const void* address);

/// "0.27 GiB" or "179.4 MiB": GiB from 1 GiB up, MiB below.
std::string format_bytes(double bytes);

}  // namespace drfm::system_memory
