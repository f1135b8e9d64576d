#pragma once
/// @file
/// The small schema-driven writer: groups, dimensions (HDF5 dimension scales with coordinate
/// values, as netCDF-4/xarray expect), NaN-filled datasets over named dimensions, and slab
/// writes/reads. Arrays are row-major (C order) with the first dimension slowest — exactly the
/// shape numpy, h5py and xarray show. Object paths are absolute ("/metrics/nc1") or relative
/// to the root ("metrics/nc1").
///
/// Collective calls (define_*, and slab transfers with Transfer::collective) must be made by
/// every rank of the file's communicator with identical arguments, except the slab and data of
/// a write, which are per rank.
#include "drfm/io/file.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace drfm::io {

/// Element type of a dataset. f64 datasets are filled with NaN (= "not computed"); i32 with 0.
enum class Element { f64, i32 };

/// One row of a layout table: a dataset over named dimensions of its group.
struct DatasetSpec {
    std::string group;              ///< "/metrics"
    std::string name;               ///< "nc1"
    std::vector<std::string> dims;  ///< dimension names, slowest first; defined in `group`
    std::string description;        ///< what the quantity is (attribute `description`)
    std::string units = "1";        ///< attribute `units` ("1": dimensionless)
    std::string formula;            ///< attribute `formula` (omitted when empty)
    Element element = Element::f64;

    std::string path() const { return group + "/" + name; }
};

/// A hyperslab: `count` elements from `offset` along each dimension. An empty slab (no
/// dimensions, or a zero count) selects nothing: what a rank with nothing to write passes.
struct Slab {
    std::vector<std::uint64_t> offset;
    std::vector<std::uint64_t> count;

    std::uint64_t size() const noexcept;
    bool empty() const noexcept { return size() == 0; }
};

/// Collective. Creates `group` and any missing parents (members kept in creation order).
void define_group(const File& file, const std::string& group);

/// Collective. Dimension `name` of `group`: a 1-D dimension-scale dataset holding the
/// coordinate values, with attribute `description`.
void define_dimension(const File& file, const std::string& group, const std::string& name,
                      const std::vector<std::int64_t>& coordinates, const std::string& description);
/// Collective. As above with string labels, stored as fixed-length UTF-8 with attribute
/// `_Encoding = "utf-8"` (xarray then decodes them to str; parallel HDF5 cannot write
/// variable-length strings).
void define_dimension(const File& file, const std::string& group, const std::string& name,
                      const std::vector<std::string>& labels, const std::string& description);

/// Collective. Creates the dataset of `spec` with the shape of its dimensions, the fill value
/// (NaN or 0) written at creation, the dimension scales attached and the attributes set.
/// Layout: contiguous (see docs/results.md).
void define_dataset(const File& file, const DatasetSpec& spec);

/// Collective. An f64 dataset of `shape` (slowest first) without dimension scales or fill value,
/// with attribute `description`: for bulk state whose every element is written next (layer
/// checkpoints), which a fill would write twice.
void define_array(const File& file, const std::string& path, const std::vector<std::uint64_t>& shape,
                  const std::string& description);

/// Not collective. Byte offset in the file of the contiguous, allocated dataset `path`: where a
/// plain pwrite(2) may put its elements (row-major, little-endian float64 for define_array's).
std::uint64_t dataset_offset(const File& file, const std::string& path);

/// Writes `size` values (row-major over `slab.count`) into dataset `path`.
/// @pre size == slab.size(); `data` may be null when the slab is empty.
template <class T>
void write_slab(const File& file, const std::string& path, const Slab& slab, const T* data,
                std::size_t size, Transfer transfer = Transfer::collective);

template <class T>
void write_slab(const File& file, const std::string& path, const Slab& slab,
                const std::vector<T>& data, Transfer transfer = Transfer::collective) {
    write_slab(file, path, slab, data.data(), data.size(), transfer);
}

/// Reads the slab of dataset `path`, row-major. T is double or std::int32_t (converted from
/// the stored type by HDF5).
template <class T>
std::vector<T> read_slab(const File& file, const std::string& path, const Slab& slab,
                         Transfer transfer = Transfer::collective);
/// As above, into `out` (`size` == slab.size() values); `out` may be null when the slab is empty.
template <class T>
void read_slab(const File& file, const std::string& path, const Slab& slab, T* out,
               std::size_t size, Transfer transfer = Transfer::collective);

/// Shape of dataset `path`, slowest dimension first. Not collective: any subset of the ranks may
/// ask (metadata reads are independent, file.cpp).
std::vector<std::uint64_t> dataset_shape(const File& file, const std::string& path);

/// Collective: whether dataset `path` holds strings (string coordinates) rather than numbers.
bool holds_strings(const File& file, const std::string& path);

/// Collective read of a whole 1-D string dataset (string coordinates).
std::vector<std::string> read_labels(const File& file, const std::string& path);

/// Names of the members of `group` in creation order.
std::vector<std::string> list_members(const File& file, const std::string& group);

/// Appends the names of the links of group `name` at `location` ("." for the location itself) to
/// `names`, in `index` order. Returns H5Literate_by_name's status, negative on failure, so that
/// each caller reports a failure in its own words (or, listing names for a message, not at all).
herr_t append_link_names(hid_t location, const char* name, H5_index_t index,
                         std::vector<std::string>& names);

/// True if `path` names an existing link (all of its parent groups must exist too).
bool exists(const File& file, const std::string& path);

}  // namespace drfm::io
