// IDX reader (the MNIST / Fashion-MNIST file layout, http://yann.lecun.com/exdb/mnist/): a 4-byte
// magic number 0x00 0x00 <type> <ndims>, ndims big-endian uint32 sizes, then the data row-major.
#include "readers.hpp"

#include "gz_file.hpp"

#include "drfm/core/error.hpp"

#include <array>
#include <filesystem>
#include <iomanip>
#include <sstream>

namespace drfm::data::detail {
namespace {

constexpr unsigned char unsigned_byte_type = 0x08;

struct IdxHeader {
    std::vector<std::int64_t> dims;
    std::int64_t bytes = 0;  ///< header length: where the data start
    std::int64_t items() const { return dims.empty() ? 0 : dims[0]; }
    std::int64_t item_size() const {
        std::int64_t size = 1;
        for (size_t k = 1; k < dims.size(); ++k) size *= dims[k];
        return size;
    }
};

std::string hex_bytes(const unsigned char* bytes, int count) {
    std::ostringstream os;
    os << "0x" << std::hex << std::setfill('0');
    for (int k = 0; k < count; ++k) os << std::setw(2) << static_cast<int>(bytes[k]);
    return os.str();
}

// Reads and checks the header of an IDX file of unsigned bytes with ndims in [min_dims, max_dims].
IdxHeader read_header(GzFile& file, int min_dims, int max_dims) {
    std::array<unsigned char, 4> magic{};
    file.read_exact(magic.data(), 4, "the IDX magic number");
    DRFM_CHECK(magic[0] == 0 && magic[1] == 0, InputDataError, file.path(), ": bad magic number ",
               hex_bytes(magic.data(), 4), " at byte offset 0: not an IDX file");
    DRFM_CHECK(magic[2] == unsigned_byte_type, InputDataError, file.path(), ": IDX element type ",
               hex_bytes(&magic[2], 1), " at byte offset 2 is not supported (only unsigned bytes, ",
               "0x08, as in MNIST)");
    const int ndims = magic[3];
    DRFM_CHECK(ndims >= min_dims && ndims <= max_dims, InputDataError, file.path(), ": IDX header ",
               "at byte offset 3 says ", ndims, " dimensions, expected ",
               min_dims == max_dims ? std::to_string(min_dims)
                                    : std::to_string(min_dims) + " to " + std::to_string(max_dims));
    IdxHeader header;
    for (int k = 0; k < ndims; ++k) {
        std::array<unsigned char, 4> b{};
        file.read_exact(b.data(), 4, "the IDX dimension sizes");
        std::int64_t size = (std::int64_t{b[0]} << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
        DRFM_CHECK(size > 0 || k == 0, InputDataError, file.path(), ": IDX dimension ", k,
                   " at byte offset ", 4 + 4 * k, " is 0");
        header.dims.push_back(size);
    }
    header.bytes = 4 + 4 * std::int64_t{ndims};
    return header;
}

// A plain file must be exactly header + data long; a gzip stream is checked where it is read.
void check_plain_size(const GzFile& file, const IdxHeader& header, const char* what) {
    if (file.compressed()) return;
    const auto expected = header.bytes + header.items() * header.item_size();
    std::error_code ec;
    const auto actual = static_cast<std::int64_t>(std::filesystem::file_size(file.path(), ec));
    DRFM_CHECK(actual == expected, InputDataError, file.path(), ": ", actual,
               " bytes, but its IDX ", "header announces ", header.items(), " ", what, " of ",
               header.item_size(), " bytes, i.e. ", expected, " bytes: ",
               actual < expected ? "the file is truncated" : "wrong dimensions in the header");
}

// <folder>/<base> or <folder>/<base>.gz (the plain file wins when both exist).
std::string find_idx_file(const std::string& folder, const std::string& base) {
    std::error_code ec;
    DRFM_CHECK(std::filesystem::is_directory(folder, ec), InputDataError, "IDX data folder '",
               folder, "' (data.path) does not exist or is not a directory");
    const auto plain = (std::filesystem::path(folder) / base).string();
    for (const auto& candidate : {plain, plain + ".gz"}) {
        if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
    }
    DRFM_THROW(InputDataError, "IDX data folder '", folder, "' has neither ", base, " nor ", base,
               ".gz (expected the MNIST layout: train-images-idx3-ubyte[.gz], ",
               "train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], ",
               "t10k-labels-idx1-ubyte[.gz])");
}

std::vector<int> read_idx_labels(const std::string& path) {
    GzFile file(path);
    IdxHeader header = read_header(file, 1, 1);
    check_plain_size(file, header, "labels");
    std::vector<unsigned char> bytes(static_cast<size_t>(header.items()));
    file.read_exact(bytes.data(), header.items(), std::to_string(header.items()) + " labels");
    unsigned char extra = 0;
    DRFM_CHECK(file.read(&extra, 1) == 0, InputDataError, path, ": data continue after the ",
               header.items(), " labels its header announces (byte offset ", file.position() - 1,
               "): wrong dimensions in the header");
    return std::vector<int>(bytes.begin(), bytes.end());
}

class IdxSource final : public Source {
public:
    IdxSource(std::string images, std::int64_t data_offset, std::int64_t d, std::vector<int> labels)
        : Source(std::move(images), d, std::move(labels)), data_offset_(data_offset) {}

    void read_rows(const std::vector<std::int64_t>& file_rows, HostMatrix& out) const override {
        const std::int64_t d = features();
        GzFile file(name());
        std::vector<unsigned char> pixels(static_cast<size_t>(d));
        for (std::int64_t k : ascending_order(file_rows)) {
            const std::int64_t row = file_rows[k];
            file.seek_forward(data_offset_ + row * d);
            file.read_exact(pixels.data(), d, "image " + std::to_string(row));
            // torchvision ToTensor: pixel / 255 in [0, 1].
            for (std::int64_t j = 0; j < d; ++j) out(k, j) = pixels[j] / 255.0;
        }
    }

private:
    std::int64_t data_offset_;
};

}  // namespace

std::unique_ptr<Source> open_idx(const std::string& folder, Split split, const mpi::Comm& comm) {
    const std::string prefix = split == Split::train ? "train" : "t10k";
    std::unique_ptr<Source> source;
    // Every rank reads the headers and the (small) label file itself: local work only.
    mpi::collective(comm, [&] {
        const auto images = find_idx_file(folder, prefix + "-images-idx3-ubyte");
        const auto labels_file = find_idx_file(folder, prefix + "-labels-idx1-ubyte");
        GzFile file(images);
        IdxHeader header = read_header(file, 2, 4);
        check_plain_size(file, header, "images");
        auto labels = read_idx_labels(labels_file);
        DRFM_CHECK(static_cast<std::int64_t>(labels.size()) == header.items(), InputDataError,
                   images, " has ", header.items(), " images but ", labels_file, " has ",
                   labels.size(), " labels");
        source = std::make_unique<IdxSource>(images, header.bytes, header.item_size(),
                                             std::move(labels));
    });
    return source;
}

}  // namespace drfm::data::detail
