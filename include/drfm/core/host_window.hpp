#pragma once
/// @file
/// Windows of host memory (a tile of a ScaLAPACK local block, a row range of gathered points) on
/// the execution space. Where its kernels can reach host memory (the host backends) a window is
/// used in place, uncopied; on a device backend it is copied, once, at this boundary. Kokkos copies
/// only contiguous views between memory spaces, so a window narrower than its leading dimension
/// goes through one contiguous host copy.
#include "drfm/core/blas.hpp"
#include "drfm/core/views.hpp"

namespace drfm {

/// Whether kernels on ExecSpace work on host memory in place.
inline constexpr bool exec_reaches_host =
    Kokkos::SpaceAccessibility<ExecSpace, Kokkos::HostSpace>::accessible;

/// `w` as a LayoutLeft host view with w's leading dimension, not owning it.
template <class T>
auto host_view(const blas::BasicMatRef<T>& w) {
    using Whole = Kokkos::View<T**, Kokkos::LayoutLeft, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>;
    const Whole whole(w.data, static_cast<size_t>(w.ld), static_cast<size_t>(w.cols));
    return Kokkos::subview(whole, std::make_pair(std::int64_t{0}, w.rows), Kokkos::ALL);
}

/// A host window to read on the execution space: the window itself, or a device copy.
template <class T>
DeviceMatrixOf<T> readable_on_device(const blas::BasicMatRef<T>& w) {
    if constexpr (exec_reaches_host) {
        return host_view(w);
    } else {
        HostMatrixOf<T> contiguous = make_host_matrix<T>("drfm::staged_window", w.rows, w.cols);
        Kokkos::deep_copy(contiguous, host_view(w));
        return to_device(contiguous);
    }
}

/// A host window that kernels on the execution space write: view() is the window itself on host
/// backends; on a device backend a device buffer (`scratch`'s memory when it is large enough),
/// which finish() copies into the window.
template <class T>
class DeviceTile {
public:
    explicit DeviceTile(const blas::BasicMatRef<T>& window, const DeviceMatrixOf<T>& scratch = {})
        : window_(window) {
        if constexpr (exec_reaches_host) {
            view_ = host_view(window);
        } else {
            view_ = static_cast<std::int64_t>(scratch.size()) >= window.rows * window.cols
                        ? leading_block(scratch, window.rows, window.cols)
                        : DeviceMatrixOf<T>(Kokkos::view_alloc(std::string("drfm::device_tile"),
                                                               Kokkos::WithoutInitializing),
                                            window.rows, window.cols);
        }
    }
    const DeviceMatrixOf<T>& view() const noexcept { return view_; }
    /// The tile's values in the window (fences the execution space).
    void finish() const {
        if constexpr (exec_reaches_host) {
            ExecSpace().fence();
        } else {
            HostMatrixOf<T> contiguous =
                make_host_matrix<T>("drfm::staged_window", window_.rows, window_.cols);
            Kokkos::deep_copy(contiguous, view_);
            Kokkos::deep_copy(host_view(window_), contiguous);
        }
    }

private:
    blas::BasicMatRef<T> window_;
    DeviceMatrixOf<T> view_;
};

}  // namespace drfm
