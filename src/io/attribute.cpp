#include "drfm/io/attribute.hpp"

#include <type_traits>

namespace drfm::io {

namespace {

using ObjectHandle = Handle<H5Oclose>;

ObjectHandle open_object(const File& file, const std::string& object) {
    return ObjectHandle(
        DRFM_H5(H5Oopen(file.id(), object.c_str(), H5P_DEFAULT), file.where(object)));
}

TypeHandle variable_utf8_type(const std::string& where) {
    TypeHandle type(DRFM_H5(H5Tcopy(H5T_C_S1), where));
    DRFM_H5(H5Tset_size(type.get(), H5T_VARIABLE), where);
    DRFM_H5(H5Tset_cset(type.get(), H5T_CSET_UTF8), where);
    return type;
}

SpaceHandle attribute_space(const std::size_t* length, const std::string& where) {
    if (length == nullptr) return SpaceHandle(DRFM_H5(H5Screate(H5S_SCALAR), where));
    hsize_t n = *length;
    return SpaceHandle(DRFM_H5(H5Screate_simple(1, &n, nullptr), where));
}

/// Creates (replacing) attribute `name` of `object` and writes `buffer` of memory type `mem`.
void write_attribute(const File& file, const std::string& object, const std::string& name,
                     hid_t file_type, hid_t mem_type, const std::size_t* length,
                     const void* buffer) {
    const std::string where = file.where(object) + " attribute '" + name + "'";
    auto obj = open_object(file, object);
    if (DRFM_H5(H5Aexists(obj.get(), name.c_str()), where) > 0)
        DRFM_H5(H5Adelete(obj.get(), name.c_str()), where);
    auto space = attribute_space(length, where);
    AttributeHandle attr(DRFM_H5(
        H5Acreate2(obj.get(), name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
        where));
    DRFM_H5(H5Awrite(attr.get(), mem_type, buffer), where);
    attr.close(where);
}

struct OpenAttribute {
    AttributeHandle attr;
    std::string where;
    hssize_t points;
};

OpenAttribute open_attribute(const File& file, const std::string& object, const std::string& name) {
    std::string where = file.where(object) + " attribute '" + name + "'";
    auto obj = open_object(file, object);
    AttributeHandle attr(DRFM_H5(H5Aopen(obj.get(), name.c_str(), H5P_DEFAULT), where));
    SpaceHandle space(DRFM_H5(H5Aget_space(attr.get()), where));
    hssize_t points = DRFM_H5(H5Sget_simple_extent_npoints(space.get()), where);
    return {std::move(attr), std::move(where), points};
}

template <class T>
hid_t native_type() {
    if constexpr (std::is_same_v<T, double>) return H5T_NATIVE_DOUBLE;
    else return H5T_NATIVE_INT64;
}

template <class T>
std::vector<T> read_numbers(const File& file, const std::string& object, const std::string& name) {
    auto a = open_attribute(file, object, name);
    std::vector<T> values(static_cast<std::size_t>(a.points));
    if (!values.empty()) DRFM_H5(H5Aread(a.attr.get(), native_type<T>(), values.data()), a.where);
    return values;
}

template <class T>
T read_scalar(const File& file, const std::string& object, const std::string& name) {
    auto values = read_numbers<T>(file, object, name);
    DRFM_CHECK(values.size() == 1, Hdf5Error, file.where(object), " attribute '", name,
               "' holds ", values.size(), " values where one was expected");
    return values[0];
}

std::string read_string(const File& file, const std::string& object, const std::string& name) {
    auto a = open_attribute(file, object, name);
    TypeHandle type(DRFM_H5(H5Aget_type(a.attr.get()), a.where));
    DRFM_CHECK(H5Tget_class(type.get()) == H5T_STRING && a.points == 1, Hdf5Error, a.where,
               " is not a scalar string");
    if (DRFM_H5(H5Tis_variable_str(type.get()), a.where) > 0) {
        auto mem = variable_utf8_type(a.where);
        char* text = nullptr;
        DRFM_H5(H5Aread(a.attr.get(), mem.get(), &text), a.where);
        std::string out = text ? text : "";
        H5free_memory(text);
        return out;
    }
    std::string buffer(H5Tget_size(type.get()), '\0');
    DRFM_H5(H5Aread(a.attr.get(), type.get(), buffer.data()), a.where);
    return buffer.substr(0, buffer.find('\0'));
}

}  // namespace

void set_attribute(const File& file, const std::string& object, const std::string& name,
                   const std::string& value) {
    auto type = variable_utf8_type(file.where(object));
    const char* text = value.c_str();
    write_attribute(file, object, name, type.get(), type.get(), nullptr, &text);
}

void set_attribute(const File& file, const std::string& object, const std::string& name,
                   double value) {
    write_attribute(file, object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, nullptr, &value);
}

void set_attribute(const File& file, const std::string& object, const std::string& name,
                   std::int64_t value) {
    write_attribute(file, object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, nullptr, &value);
}

void set_attribute(const File& file, const std::string& object, const std::string& name,
                   const std::vector<double>& values) {
    std::size_t n = values.size();
    write_attribute(file, object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &n, values.data());
}

void set_attribute(const File& file, const std::string& object, const std::string& name,
                   const std::vector<std::int64_t>& values) {
    std::size_t n = values.size();
    write_attribute(file, object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &n, values.data());
}

template <class T>
T read_attribute(const File& file, const std::string& object, const std::string& name) {
    if constexpr (std::is_same_v<T, std::string>) return read_string(file, object, name);
    else if constexpr (std::is_arithmetic_v<T>) return read_scalar<T>(file, object, name);
    else return read_numbers<typename T::value_type>(file, object, name);
}

template std::string read_attribute<std::string>(const File&, const std::string&,
                                                 const std::string&);
template double read_attribute<double>(const File&, const std::string&, const std::string&);
template std::int64_t read_attribute<std::int64_t>(const File&, const std::string&,
                                                   const std::string&);
template std::vector<double> read_attribute<std::vector<double>>(const File&, const std::string&,
                                                                 const std::string&);
template std::vector<std::int64_t> read_attribute<std::vector<std::int64_t>>(
    const File&, const std::string&, const std::string&);

bool has_attribute(const File& file, const std::string& object, const std::string& name) {
    auto obj = open_object(file, object);
    return DRFM_H5(H5Aexists(obj.get(), name.c_str()), file.where(object)) > 0;
}

}  // namespace drfm::io
