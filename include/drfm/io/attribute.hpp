#pragma once
/// @file
/// String and numeric attributes on any object of a results file ("/" for the root).
/// Setting an attribute is a metadata change: collective, with the same value on every rank
/// (take values such as time stamps from rank 0 and broadcast them first). Setting an existing
/// attribute replaces it. Strings are stored as variable-length UTF-8 (h5py returns str).
#include "drfm/io/file.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace drfm::io {

void set_attribute(const File& file, const std::string& object, const std::string& name,
                   const std::string& value);
void set_attribute(const File& file, const std::string& object, const std::string& name,
                   double value);
void set_attribute(const File& file, const std::string& object, const std::string& name,
                   std::int64_t value);
void set_attribute(const File& file, const std::string& object, const std::string& name,
                   const std::vector<double>& values);
void set_attribute(const File& file, const std::string& object, const std::string& name,
                   const std::vector<std::int64_t>& values);

inline void set_attribute(const File& file, const std::string& object, const std::string& name,
                          const char* value) {
    set_attribute(file, object, name, std::string(value));
}
inline void set_attribute(const File& file, const std::string& object, const std::string& name,
                          int value) {
    set_attribute(file, object, name, static_cast<std::int64_t>(value));
}

/// Reads attribute `name` of `object`. T is std::string, double, std::int64_t,
/// std::vector<double> or std::vector<std::int64_t>; scalars must hold exactly one value.
template <class T>
T read_attribute(const File& file, const std::string& object, const std::string& name);

bool has_attribute(const File& file, const std::string& object, const std::string& name);

}  // namespace drfm::io
