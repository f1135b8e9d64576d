#include "drfm/io/dataset.hpp"

#include "drfm/io/attribute.hpp"

#include <hdf5_hl.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <type_traits>

namespace drfm::io {

namespace {

template <class T>
hid_t native_type() {
    if constexpr (std::is_same_v<T, double>) return H5T_NATIVE_DOUBLE;
    else if constexpr (std::is_same_v<T, std::int32_t>) return H5T_NATIVE_INT32;
    else return H5T_NATIVE_INT64;
}

std::string join(const std::string& group, const std::string& name) {
    return group.empty() || group.back() == '/' ? group + name : group + "/" + name;
}

/// Opening reads metadata only, independently (file.cpp), so any subset of the ranks may open.
DatasetHandle open_dataset(const File& file, const std::string& path) {
    return DatasetHandle(
        DRFM_H5(H5Dopen2(file.id(), path.c_str(), H5P_DEFAULT), file.where(path)));
}

std::vector<hsize_t> extent(hid_t dataset, const std::string& where) {
    SpaceHandle space(DRFM_H5(H5Dget_space(dataset), where));
    int rank = DRFM_H5(H5Sget_simple_extent_ndims(space.get()), where);
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    DRFM_H5(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), where);
    return dims;
}

/// Contiguous, allocated and filled at creation. Parallel HDF5 allocates early anyway; doing it
/// here makes the fill (NaN = "not written yet") explicit and keeps later writes free of
/// metadata changes, so rank groups may write their runs independently. `fill` null: no fill
/// (define_array, whose every element is written next).
PropertyListHandle creation_properties(hid_t type, const void* fill, const std::string& where) {
    PropertyListHandle dcpl(DRFM_H5(H5Pcreate(H5P_DATASET_CREATE), where));
    DRFM_H5(H5Pset_layout(dcpl.get(), H5D_CONTIGUOUS), where);
    DRFM_H5(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY), where);
    if (!fill) {  // every element is written next: no fill
        DRFM_H5(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER), where);
        return dcpl;
    }
    DRFM_H5(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_IFSET), where);
    DRFM_H5(H5Pset_fill_value(dcpl.get(), type, fill), where);
    return dcpl;
}

/// A 1-D dataset written whole by rank 0 (the others select nothing), for coordinates.
void create_filled_1d(const File& file, const std::string& path, hid_t file_type, hid_t mem_type,
                      hsize_t n, const void* values, const void* fill) {
    const std::string where = file.where(path);
    SpaceHandle space(DRFM_H5(H5Screate_simple(1, &n, nullptr), where));
    auto dcpl = creation_properties(file_type, fill, where);
    DatasetHandle dset(DRFM_H5(H5Dcreate2(file.id(), path.c_str(), file_type, space.get(),
                                          H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                               where));
    SpaceHandle mem(DRFM_H5(H5Screate_simple(1, &n, nullptr), where));
    if (!file.comm().is_root() || n == 0) {
        DRFM_H5(H5Sselect_none(space.get()), where);
        DRFM_H5(H5Sselect_none(mem.get()), where);
    }
    auto dxpl = transfer_properties(Transfer::collective);
    DRFM_H5(H5Dwrite(dset.get(), mem_type, mem.get(), space.get(), dxpl.get(), values), where);
    dset.close(where);
}

/// Makes the dataset at `path` a dimension scale named after its last path component.
void make_scale(const File& file, const std::string& path, const std::string& name,
                const std::string& description) {
    auto dset = open_dataset(file, path);
    DRFM_H5(H5DSset_scale(dset.get(), name.c_str()), file.where(path));
    dset.close(file.where(path));
    set_attribute(file, path, "description", description);
}

TypeHandle fixed_utf8_type(std::size_t width, const std::string& where) {
    TypeHandle type(DRFM_H5(H5Tcopy(H5T_C_S1), where));
    DRFM_H5(H5Tset_size(type.get(), width), where);
    DRFM_H5(H5Tset_strpad(type.get(), H5T_STR_NULLTERM), where);
    DRFM_H5(H5Tset_cset(type.get(), H5T_CSET_UTF8), where);
    return type;
}

/// File space with `slab` selected and the matching memory space (both empty for an empty slab).
std::pair<SpaceHandle, SpaceHandle> select(hid_t dataset, const Slab& slab,
                                           const std::string& where) {
    SpaceHandle file_space(DRFM_H5(H5Dget_space(dataset), where));
    if (slab.empty()) {
        hsize_t one = 1;
        SpaceHandle mem(DRFM_H5(H5Screate_simple(1, &one, nullptr), where));
        DRFM_H5(H5Sselect_none(mem.get()), where);
        DRFM_H5(H5Sselect_none(file_space.get()), where);
        return {std::move(file_space), std::move(mem)};
    }
    auto dims = extent(dataset, where);
    DRFM_CHECK(slab.offset.size() == dims.size() && slab.count.size() == dims.size(), Error,
               where, ": slab of rank ", slab.count.size(), " for a dataset of rank ",
               dims.size());
    for (std::size_t i = 0; i < dims.size(); ++i)
        DRFM_CHECK(slab.offset[i] + slab.count[i] <= dims[i], Error, where, ": slab [",
                   slab.offset[i], ", ", slab.offset[i] + slab.count[i], ") of dimension ", i,
                   " exceeds its extent ", dims[i]);
    std::vector<hsize_t> offset(slab.offset.begin(), slab.offset.end());
    std::vector<hsize_t> count(slab.count.begin(), slab.count.end());
    DRFM_H5(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, offset.data(), nullptr,
                                count.data(), nullptr),
            where);
    SpaceHandle mem(DRFM_H5(
        H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), where));
    return {std::move(file_space), std::move(mem)};
}

}  // namespace

std::uint64_t Slab::size() const noexcept {
    if (count.empty()) return 0;
    std::uint64_t n = 1;
    for (auto c : count) n *= c;
    return n;
}

bool exists(const File& file, const std::string& path) {
    // H5Lexists fails (rather than answering false) when a parent is missing: walk down.
    std::size_t pos = 0;
    while (pos != std::string::npos) {
        pos = path.find('/', pos + 1);
        std::string prefix = path.substr(0, pos);
        if (prefix.empty() || prefix == "/") continue;
        if (DRFM_H5(H5Lexists(file.id(), prefix.c_str(), H5P_DEFAULT), file.where(prefix)) <= 0)
            return false;
    }
    return true;
}

void define_group(const File& file, const std::string& group) {
    if (exists(file, group)) return;
    const std::string where = file.where(group);
    PropertyListHandle lcpl(DRFM_H5(H5Pcreate(H5P_LINK_CREATE), where));
    DRFM_H5(H5Pset_create_intermediate_group(lcpl.get(), 1), where);
    PropertyListHandle gcpl(DRFM_H5(H5Pcreate(H5P_GROUP_CREATE), where));
    DRFM_H5(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
            where);
    GroupHandle g(DRFM_H5(
        H5Gcreate2(file.id(), group.c_str(), lcpl.get(), gcpl.get(), H5P_DEFAULT), where));
    g.close(where);
}

void define_dimension(const File& file, const std::string& group, const std::string& name,
                      const std::vector<std::int64_t>& coordinates,
                      const std::string& description) {
    const std::string path = join(group, name);
    const std::int64_t fill = 0;
    create_filled_1d(file, path, H5T_STD_I64LE, H5T_NATIVE_INT64, coordinates.size(),
                     coordinates.data(), &fill);
    make_scale(file, path, name, description);
}

void define_dimension(const File& file, const std::string& group, const std::string& name,
                      const std::vector<std::string>& labels, const std::string& description) {
    const std::string path = join(group, name);
    // Width >= 2: a one-byte string type would read as a netCDF char array in xarray.
    std::size_t width = 2;
    for (const auto& s : labels) width = std::max(width, s.size() + 1);
    std::vector<char> buffer(labels.size() * width, '\0');
    for (std::size_t i = 0; i < labels.size(); ++i)
        std::memcpy(buffer.data() + i * width, labels[i].data(), labels[i].size());
    auto type = fixed_utf8_type(width, file.where(path));
    std::vector<char> fill(width, '\0');
    create_filled_1d(file, path, type.get(), type.get(), labels.size(), buffer.data(),
                     fill.data());
    set_attribute(file, path, "_Encoding", "utf-8");
    make_scale(file, path, name, description);
}

void define_dataset(const File& file, const DatasetSpec& spec) {
    const std::string path = spec.path();
    const std::string where = file.where(path);
    std::vector<DatasetHandle> scales;
    std::vector<hsize_t> shape;
    for (const auto& dim : spec.dims) {
        const std::string dim_path = join(spec.group, dim);
        DRFM_CHECK(exists(file, dim_path), Error, where, ": dimension '", dim,
                   "' is not defined in ", spec.group, " (define_dimension first)");
        scales.push_back(open_dataset(file, dim_path));
        shape.push_back(extent(scales.back().get(), file.where(dim_path)).at(0));
    }
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::int32_t zero = 0;
    bool f64 = spec.element == Element::f64;
    hid_t type = f64 ? H5T_IEEE_F64LE : H5T_STD_I32LE;
    auto dcpl = creation_properties(f64 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT32,
                                    f64 ? static_cast<const void*>(&nan) : &zero, where);
    SpaceHandle space(DRFM_H5(
        H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr), where));
    DatasetHandle dset(DRFM_H5(H5Dcreate2(file.id(), path.c_str(), type, space.get(),
                                          H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                               where));
    for (std::size_t i = 0; i < scales.size(); ++i)
        DRFM_H5(H5DSattach_scale(dset.get(), scales[i].get(), static_cast<unsigned>(i)), where);
    dset.close(where);
    set_attribute(file, path, "description", spec.description);
    set_attribute(file, path, "units", spec.units);
    if (!spec.formula.empty()) set_attribute(file, path, "formula", spec.formula);
}

void define_array(const File& file, const std::string& path, const std::vector<std::uint64_t>& shape,
                  const std::string& description) {
    const std::string where = file.where(path);
    auto dcpl = creation_properties(H5T_NATIVE_DOUBLE, nullptr, where);
    const std::vector<hsize_t> dims(shape.begin(), shape.end());
    SpaceHandle space(DRFM_H5(
        H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), where));
    DatasetHandle dset(DRFM_H5(H5Dcreate2(file.id(), path.c_str(), H5T_IEEE_F64LE, space.get(),
                                          H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                               where));
    dset.close(where);
    set_attribute(file, path, "description", description);
}

std::uint64_t dataset_offset(const File& file, const std::string& path) {
    auto dset = open_dataset(file, path);
    const haddr_t offset = H5Dget_offset(dset.get());
    DRFM_CHECK(offset != HADDR_UNDEF, Hdf5Error, file.where(path),
               ": has no storage offset (not contiguous, or not allocated)");
    dset.close(file.where(path));
    return static_cast<std::uint64_t>(offset);
}

template <class T>
void write_slab(const File& file, const std::string& path, const Slab& slab, const T* data,
                std::size_t size, Transfer transfer) {
    const std::string where = file.where(path);
    DRFM_CHECK(size == slab.size(), Error, where, ": ", size, " values for a slab of ",
               slab.size());
    auto dset = open_dataset(file, path);
    auto [file_space, mem_space] = select(dset.get(), slab, where);
    auto dxpl = transfer_properties(transfer);
    const T dummy{};  // HDF5 rejects a null buffer even for an empty selection
    DRFM_H5(H5Dwrite(dset.get(), native_type<T>(), mem_space.get(), file_space.get(), dxpl.get(),
                     data ? data : &dummy),
            where);
    dset.close(where);
}

template <class T>
void read_slab(const File& file, const std::string& path, const Slab& slab, T* out,
               std::size_t size, Transfer transfer) {
    const std::string where = file.where(path);
    DRFM_CHECK(size == slab.size(), Error, where, ": room for ", size, " values for a slab of ",
               slab.size());
    auto dset = open_dataset(file, path);
    auto [file_space, mem_space] = select(dset.get(), slab, where);
    auto dxpl = transfer_properties(transfer);
    T dummy{};  // HDF5 rejects a null buffer even for an empty selection
    DRFM_H5(H5Dread(dset.get(), native_type<T>(), mem_space.get(), file_space.get(), dxpl.get(),
                    out ? out : &dummy),
            where);
    dset.close(where);
}

template <class T>
std::vector<T> read_slab(const File& file, const std::string& path, const Slab& slab,
                         Transfer transfer) {
    std::vector<T> out(static_cast<std::size_t>(slab.size()));
    read_slab(file, path, slab, out.data(), out.size(), transfer);
    return out;
}

template void write_slab<double>(const File&, const std::string&, const Slab&, const double*,
                                 std::size_t, Transfer);
template void write_slab<std::int32_t>(const File&, const std::string&, const Slab&,
                                       const std::int32_t*, std::size_t, Transfer);
template std::vector<double> read_slab<double>(const File&, const std::string&, const Slab&,
                                               Transfer);
template std::vector<std::int32_t> read_slab<std::int32_t>(const File&, const std::string&,
                                                           const Slab&, Transfer);
template std::vector<std::int64_t> read_slab<std::int64_t>(const File&, const std::string&,
                                                           const Slab&, Transfer);
template void read_slab<double>(const File&, const std::string&, const Slab&, double*,
                                std::size_t, Transfer);

std::vector<std::uint64_t> dataset_shape(const File& file, const std::string& path) {
    auto dset = open_dataset(file, path);
    auto dims = extent(dset.get(), file.where(path));
    return {dims.begin(), dims.end()};
}

bool holds_strings(const File& file, const std::string& path) {
    const std::string where = file.where(path);
    auto dset = open_dataset(file, path);
    TypeHandle type(DRFM_H5(H5Dget_type(dset.get()), where));
    return DRFM_H5(H5Tget_class(type.get()), where) == H5T_STRING;
}

std::vector<std::string> read_labels(const File& file, const std::string& path) {
    const std::string where = file.where(path);
    auto dset = open_dataset(file, path);
    TypeHandle type(DRFM_H5(H5Dget_type(dset.get()), where));
    DRFM_CHECK(H5Tget_class(type.get()) == H5T_STRING &&
                   DRFM_H5(H5Tis_variable_str(type.get()), where) == 0,
               Hdf5Error, where, " is not a fixed-length string dataset");
    std::size_t width = H5Tget_size(type.get());
    auto dims = extent(dset.get(), where);
    DRFM_CHECK(dims.size() == 1, Hdf5Error, where, " is not one-dimensional");
    std::vector<char> buffer(std::max<std::size_t>(dims[0] * width, 1), '\0');
    auto dxpl = transfer_properties(Transfer::collective);
    DRFM_H5(H5Dread(dset.get(), type.get(), H5S_ALL, H5S_ALL, dxpl.get(), buffer.data()), where);
    std::vector<std::string> labels;
    for (hsize_t i = 0; i < dims[0]; ++i) {
        const char* s = buffer.data() + i * width;
        labels.emplace_back(s, strnlen(s, width));
    }
    return labels;
}

namespace {
herr_t collect_name(hid_t, const char* name, const H5L_info_t*, void* out) {
    static_cast<std::vector<std::string>*>(out)->emplace_back(name);
    return 0;
}
}  // namespace

herr_t append_link_names(hid_t location, const char* name, H5_index_t index,
                         std::vector<std::string>& names) {
    return H5Literate_by_name(location, name, index, H5_ITER_INC, nullptr, collect_name, &names,
                              H5P_DEFAULT);
}

std::vector<std::string> list_members(const File& file, const std::string& group) {
    const std::string where = file.where(group);
    GroupHandle g(DRFM_H5(H5Gopen2(file.id(), group.c_str(), H5P_DEFAULT), where));
    PropertyListHandle gcpl(DRFM_H5(H5Gget_create_plist(g.get()), where));
    unsigned order = 0;
    DRFM_H5(H5Pget_link_creation_order(gcpl.get(), &order), where);
    auto index = (order & H5P_CRT_ORDER_INDEXED) ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
    std::vector<std::string> names;
    DRFM_H5(append_link_names(g.get(), ".", index, names), where);
    return names;
}

}  // namespace drfm::io
