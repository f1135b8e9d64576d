#include "drfm/io/h5_handle.hpp"

#include <mutex>
#include <sstream>
#include <vector>

namespace drfm::io {

namespace {

struct StackEntry {
    std::string function;
    std::string description;
    hid_t minor = H5I_INVALID_HID;
};

herr_t collect_entry(unsigned /*n*/, const H5E_error2_t* error, void* out) {
    auto* entries = static_cast<std::vector<StackEntry>*>(out);
    entries->push_back({error->func_name ? error->func_name : "?",
                        error->desc ? error->desc : "", error->min_num});
    return 0;
}

std::string minor_message(hid_t minor) {
    char text[256] = {};
    H5E_type_t type;
    if (H5Eget_msg(minor, &type, text, sizeof(text)) < 0) return "";
    return text;
}

std::string describe(const StackEntry& e) {
    std::string text = e.function + "(): " + e.description;
    std::string minor = minor_message(e.minor);
    return minor.empty() ? text : text + " [" + minor + "]";
}

/// The advice for the user, chosen from the failure classes anywhere in the stack.
std::string hint_for(const std::vector<StackEntry>& stack) {
    for (const auto& e : stack) {
        hid_t m = e.minor;
        if (m == H5E_NOTHDF5)
            return "the file is not an HDF5 file or is damaged; choose another output.path";
        if (m == H5E_FILEEXISTS || m == H5E_FILEOPEN)
            return "the file exists or is already open in this process; choose another "
                   "output.path or set output.overwrite=true";
        if (m == H5E_CANTOPENFILE || m == H5E_CANTLOCKFILE || m == H5E_CANTCREATE ||
            m == H5E_MPI || m == H5E_MPIERRSTR)
            return "check that the directory exists and is writable on every node, that no "
                   "other program holds the file open, and that the file system supports MPI-IO "
                   "(without file locks set HDF5_USE_FILE_LOCKING=FALSE)";
        if (m == H5E_WRITEERROR || m == H5E_NOSPACE || m == H5E_TRUNCATED)
            return "the file system may be full or over quota, or the file was truncated";
        if (m == H5E_NOTFOUND)
            return "the object is missing: the file was not written by this version of "
                   "drfm_hpc's results schema (see docs/results.md)";
        if (m == H5E_EXISTS || m == H5E_ALREADYEXISTS)
            return "the object already exists: the layout was defined twice";
        if (m == H5E_BADRANGE || m == H5E_BADSELECT || m == H5E_OVERFLOW)
            return "the selection lies outside the dataset: check run/layer indices against "
                   "the layout";
    }
    return "an unexpected HDF5 failure in the results writer; please report it with this message";
}

}  // namespace

void silence_hdf5_error_printing() {
    static std::once_flag once;
    std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

namespace detail {

void throw_h5(const char* call, const std::string& where, const char* file, int line) {
    std::vector<StackEntry> stack;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect_entry, &stack);
    H5Eclear2(H5E_DEFAULT);
    std::ostringstream os;
    os << "HDF5 call " << call << " failed on '" << where << "'";
    // Upward walk: innermost first. The API entry (last) says what was attempted, the
    // innermost one why it failed; the frames in between add nothing for a user.
    if (!stack.empty()) {
        os << ": " << describe(stack.back());
        if (stack.size() > 1) os << "; cause: " << describe(stack.front());
    }
    os << ". Hint: " << hint_for(stack) << ".";
    throw Hdf5Error(os.str(), file, line);
}

}  // namespace detail

}  // namespace drfm::io
