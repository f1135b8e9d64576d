#pragma once
// Private to the data module, and deliberately minimal: move-only owners of HDF5 ids shaped like
// io::Handle<Close> (same names, get(), operator bool) so they can be swapped for
// include/drfm/io/h5_handle.hpp, and a scope that silences HDF5's own error-stack printing (our
// exceptions carry the message).
#include <hdf5.h>

#include <utility>

namespace drfm::data::detail {

template <herr_t (*Close)(hid_t)>
class H5Handle {
public:
    H5Handle() noexcept = default;
    /// Takes `id`; a negative id (the call failed) owns nothing.
    explicit H5Handle(hid_t id) noexcept : id_(id) {}
    H5Handle(H5Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
    H5Handle& operator=(H5Handle&& other) noexcept {
        std::swap(id_, other.id_);
        return *this;
    }
    H5Handle(const H5Handle&) = delete;
    H5Handle& operator=(const H5Handle&) = delete;
    ~H5Handle() {
        if (id_ >= 0) (void)Close(id_);  // nowhere to report from a destructor
    }
    hid_t get() const noexcept { return id_; }
    explicit operator bool() const noexcept { return id_ >= 0; }

private:
    hid_t id_ = H5I_INVALID_HID;
};

using FileHandle = H5Handle<H5Fclose>;
using DatasetHandle = H5Handle<H5Dclose>;
using SpaceHandle = H5Handle<H5Sclose>;
using TypeHandle = H5Handle<H5Tclose>;
using PropertyListHandle = H5Handle<H5Pclose>;

class H5QuietErrors {
public:
    H5QuietErrors() noexcept {
        H5Eget_auto2(H5E_DEFAULT, &function_, &data_);
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
    ~H5QuietErrors() { H5Eset_auto2(H5E_DEFAULT, function_, data_); }
    H5QuietErrors(const H5QuietErrors&) = delete;
    H5QuietErrors& operator=(const H5QuietErrors&) = delete;

private:
    H5E_auto2_t function_ = nullptr;
    void* data_ = nullptr;
};

}  // namespace drfm::data::detail
