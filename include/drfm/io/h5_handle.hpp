#pragma once
/// @file
/// Move-only RAII owners of HDF5 identifiers and the one checking macro for HDF5 calls.
/// `DRFM_H5(call, where)` returns the call's value when it is >= 0 and otherwise throws an
/// Hdf5Error naming the call, the object (`where`, e.g. "out.h5:/metrics/nc1"), the innermost
/// entries of HDF5's error stack and a hint for the user. HDF5's own printing of the error
/// stack to stderr is switched off (every failure is reported through the exception instead).
#include "drfm/core/error.hpp"

#include <hdf5.h>

#include <string>
#include <utility>

/// Checks the hid_t/herr_t/htri_t returned by an HDF5 call; negative → Hdf5Error.
#define DRFM_H5(call, where) \
    ::drfm::io::detail::check_h5((call), #call, (where), __FILE__, __LINE__)

namespace drfm::io {

namespace detail {
/// Throws the Hdf5Error for a failed call, consuming HDF5's error stack.
[[noreturn]] void throw_h5(const char* call, const std::string& where, const char* file, int line);

template <class T>
T check_h5(T result, const char* call, const std::string& where, const char* file, int line) {
    if (result < 0) throw_h5(call, where, file, line);
    return result;
}
}  // namespace detail

/// Turns off HDF5's automatic error-stack printing for this process (idempotent). Called by
/// every entry point that opens a file, so a failure shows up once, inside the exception.
void silence_hdf5_error_printing();

/// Owner of one HDF5 identifier closed by `Close`. Move-only; the destructor closes and never
/// throws (a failing close is then unreportable, so use close() where failure matters).
template <herr_t (*Close)(hid_t)>
class Handle {
public:
    Handle() noexcept = default;
    /// Takes ownership of `id` (check it with DRFM_H5 first).
    explicit Handle(hid_t id) noexcept : id_(id) {}
    Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
    Handle& operator=(Handle&& other) noexcept {
        if (this != &other) {
            reset();
            id_ = std::exchange(other.id_, H5I_INVALID_HID);
        }
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() { reset(); }

    hid_t get() const noexcept { return id_; }
    explicit operator bool() const noexcept { return id_ >= 0; }

    /// Closes now and reports a failure as Hdf5Error (`where` names the object).
    void close(const std::string& where) {
        hid_t id = std::exchange(id_, H5I_INVALID_HID);
        if (id >= 0) DRFM_H5(Close(id), where);
    }

    /// Closes quietly; used by the destructor.
    void reset() noexcept {
        if (id_ >= 0) (void)Close(id_);  // nowhere to report from a destructor
        id_ = H5I_INVALID_HID;
    }

private:
    hid_t id_ = H5I_INVALID_HID;
};

using FileHandle = Handle<H5Fclose>;
using GroupHandle = Handle<H5Gclose>;
using DatasetHandle = Handle<H5Dclose>;
using SpaceHandle = Handle<H5Sclose>;
using TypeHandle = Handle<H5Tclose>;
using PropertyListHandle = Handle<H5Pclose>;
using AttributeHandle = Handle<H5Aclose>;

}  // namespace drfm::io
