#pragma once
// Private to the data module: sequential reading through zlib, which reads gzip streams and plain
// files alike, so every reader handles `name` and `name.gz` with one code path.
#include <zlib.h>

#include <cstdint>
#include <string>

namespace drfm::data::detail {

class GzFile {
public:
    /// Opens for reading; InputDataError naming the file when it cannot be opened.
    explicit GzFile(const std::string& path);
    ~GzFile();
    GzFile(const GzFile&) = delete;
    GzFile& operator=(const GzFile&) = delete;

    /// Reads up to `bytes` (fewer only at the end of the data); InputDataError on corrupt data.
    std::int64_t read(void* buffer, std::int64_t bytes);
    /// Reads exactly `bytes`, else InputDataError "truncated" naming `what` and the byte offset.
    void read_exact(void* buffer, std::int64_t bytes, const std::string& what);
    /// Moves to an (uncompressed) offset at or after the current one; compressed files are
    /// decompressed up to there, so readers visit their rows in increasing order.
    void seek_forward(std::int64_t offset);
    /// The uncompressed offset of the next byte.
    std::int64_t position() const noexcept { return position_; }
    /// True for a gzip stream (valid after the first read).
    bool compressed() const;
    const std::string& path() const noexcept { return path_; }

private:
    [[noreturn]] void fail_corrupt() const;

    std::string path_;
    gzFile file_ = nullptr;
    std::int64_t position_ = 0;
};

/// The whole (uncompressed) content of a file.
std::string read_whole_file(const std::string& path);

}  // namespace drfm::data::detail
