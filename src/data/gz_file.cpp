#include "gz_file.hpp"

#include "drfm/core/error.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace drfm::data::detail {

GzFile::GzFile(const std::string& path) : path_(path) {
    errno = 0;
    file_ = gzopen(path.c_str(), "rb");
    DRFM_CHECK(file_ != nullptr, InputDataError, path, ": cannot open for reading (",
               errno ? std::strerror(errno) : "out of memory", ")");
    // A larger buffer than zlib's 8 KiB default: fewer system calls for whole-file reads.
    gzbuffer(file_, 1 << 18);
}

GzFile::~GzFile() {
    if (file_ != nullptr) gzclose(file_);
}

void GzFile::fail_corrupt() const {
    int code = 0;
    const char* message = gzerror(file_, &code);
    DRFM_THROW(InputDataError, path_,
               ": corrupt or unreadable data near (uncompressed) byte offset ", position_, ": ",
               message ? message : "zlib error", " (zlib code ", code, ")");
}

std::int64_t GzFile::read(void* buffer, std::int64_t bytes) {
    auto* out = static_cast<unsigned char*>(buffer);
    std::int64_t total = 0;
    while (total < bytes) {
        // gzread takes an unsigned count and returns an int: read in chunks below 2^30.
        auto chunk = static_cast<unsigned>(std::min<std::int64_t>(bytes - total, 1 << 30));
        int got = gzread(file_, out + total, chunk);
        if (got < 0) fail_corrupt();
        total += got;
        position_ += got;
        if (got == 0) break;
    }
    return total;
}

void GzFile::read_exact(void* buffer, std::int64_t bytes, const std::string& what) {
    const std::int64_t offset = position_;
    const std::int64_t got = read(buffer, bytes);
    DRFM_CHECK(got == bytes, InputDataError, path_, ": truncated: expected ", bytes, " bytes of ",
               what, " at byte offset ", offset, compressed() ? " (uncompressed)" : "", ", got ",
               got);
}

void GzFile::seek_forward(std::int64_t offset) {
    if (offset == position_) return;
    DRFM_CHECK(offset > position_, InputDataError, path_, ": internal: backward seek to ", offset);
    z_off_t reached = gzseek(file_, static_cast<z_off_t>(offset), SEEK_SET);
    if (reached < 0) fail_corrupt();
    position_ = reached;
}

bool GzFile::compressed() const { return gzdirect(file_) == 0; }

std::string read_whole_file(const std::string& path) {
    GzFile file(path);
    std::string text;
    constexpr std::int64_t chunk = 1 << 20;
    std::int64_t got = 0;
    do {
        const auto old = static_cast<std::int64_t>(text.size());
        text.resize(static_cast<size_t>(old + chunk));
        got = file.read(text.data() + old, chunk);
        text.resize(static_cast<size_t>(old + got));
    } while (got == chunk);
    return text;
}

}  // namespace drfm::data::detail
