#include "data_files.hpp"

#include <hdf5.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace drfm::test {

TempDir::TempDir(const mpi::Comm& comm) : comm_(comm) {
    std::string made;
    if (comm.is_root()) {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "drfm_data_XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        made = pattern;
    }
    path_ = comm.bcast_string(made, 0);
}

TempDir::~TempDir() {
    comm_.barrier();
    if (comm_.is_root()) {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
}

void write_bytes(const std::string& path, const std::string& bytes, bool gz) {
    if (gz) {
        gzFile f = gzopen(path.c_str(), "wb");
        ASSERT_NE(f, nullptr) << path;
        ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())),
                  static_cast<int>(bytes.size()));
        ASSERT_EQ(gzclose(f), Z_OK);
    } else {
        std::ofstream out(path, std::ios::binary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        ASSERT_TRUE(out.good()) << path;
    }
}

void write_idx(const std::string& path, const std::vector<std::uint32_t>& dims,
               const std::vector<unsigned char>& bytes, bool gz) {
    std::string content = {0, 0, 0x08, static_cast<char>(dims.size())};
    for (std::uint32_t v : dims) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            content += static_cast<char>((v >> shift) & 0xff);
        }
    }
    content.append(bytes.begin(), bytes.end());
    write_bytes(path, content, gz);
}

void write_hdf5(const std::string& path, const std::vector<unsigned long long>& dims,
                const std::vector<double>& values, const std::vector<double>& labels,
                bool float_labels, const std::string& features, const std::string& labels_name) {
    hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ASSERT_GE(file, 0) << path;
    std::vector<hsize_t> shape(dims.begin(), dims.end());
    hid_t space = H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr);
    hid_t set = H5Dcreate2(file, features.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT,
                           H5P_DEFAULT);
    ASSERT_GE(set, 0);
    ASSERT_GE(H5Dwrite(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0);
    H5Dclose(set);
    H5Sclose(space);
    hsize_t n = labels.size();
    space = H5Screate_simple(1, &n, nullptr);
    set = H5Dcreate2(file, labels_name.c_str(), float_labels ? H5T_IEEE_F64LE : H5T_STD_I32LE,
                     space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ASSERT_GE(set, 0);
    ASSERT_GE(H5Dwrite(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, labels.data()), 0);
    H5Dclose(set);
    H5Sclose(space);
    ASSERT_GE(H5Fclose(file), 0);
}

std::string csv_text(const RawData& data, int label_column, bool header) {
    const auto d = data.x.cols();
    const auto fields = d + 1;
    const auto label_field = label_column < 0 ? fields - 1 : label_column;
    std::ostringstream os;
    if (header) {
        for (Eigen::Index f = 0; f < fields; ++f) os << (f ? "," : "") << "col" << f;
        os << "\r\n";  // CRLF in the header, LF below: both must be accepted
    }
    char number[64];
    for (Eigen::Index i = 0; i < data.x.rows(); ++i) {
        Eigen::Index j = 0;
        for (Eigen::Index f = 0; f < fields; ++f) {
            if (f) os << ",";
            if (f == label_field) {
                os << data.labels[static_cast<size_t>(i)];
            } else {
                std::snprintf(number, sizeof number, "%.17g", data.x(i, j++));
                os << number;
            }
        }
        os << "\n";
    }
    return os.str();
}

std::vector<unsigned char> idx_pixels(std::int64_t n, std::int64_t d, int seed) {
    std::vector<unsigned char> pixels(static_cast<size_t>(n * d));
    for (std::int64_t i = 0; i < n; ++i) {
        for (std::int64_t j = 0; j < d; ++j) {
            std::int64_t v = (i * 37 + j * 11 + i * j * 5 + seed * 13) % 256;
            if (j == 0) v = 0;        // constant border pixel (like MNIST)
            if (j == d - 1) v = 255;  // constant, non-zero
            pixels[static_cast<size_t>(i * d + j)] = static_cast<unsigned char>(v);
        }
    }
    return pixels;
}

std::vector<int> idx_labels(std::int64_t n, int classes, int seed) {
    std::vector<int> labels(static_cast<size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
        labels[i] = static_cast<int>((i * 7 + i / 3 + seed) % classes);
    }
    return labels;
}

namespace {
RawData write_idx_split(const TempDir& dir, const std::string& prefix, std::int64_t n,
                        std::int64_t d, int classes, int seed, bool gz, bool write) {
    const auto pixels = idx_pixels(n, d, seed);
    const auto labels = idx_labels(n, classes, seed);
    const std::string suffix = gz ? ".gz" : "";
    if (write) {
        // d = 2 × (d/2) "pixels": a 3-dimensional image file like MNIST's n × 28 × 28.
        write_idx(dir.file(prefix + "-images-idx3-ubyte" + suffix),
                  {static_cast<std::uint32_t>(n), 2, static_cast<std::uint32_t>(d / 2)}, pixels,
                  gz);
        write_idx(dir.file(prefix + "-labels-idx1-ubyte" + suffix),
                  {static_cast<std::uint32_t>(n)},
                  std::vector<unsigned char>(labels.begin(), labels.end()), gz);
    }
    RawData raw;
    raw.x.resize(n, d);
    for (std::int64_t i = 0; i < n; ++i) {
        for (std::int64_t j = 0; j < d; ++j) raw.x(i, j) = pixels[i * d + j] / 255.0;
    }
    raw.labels = labels;
    return raw;
}
}  // namespace

config::DataConfig idx_config(const TempDir& dir, std::int64_t n_train, std::int64_t n_test) {
    config::DataConfig c;
    c.source = config::DataSource::idx;
    c.path = dir.path();
    c.n_train = n_train;
    c.n_test = n_test;
    return c;
}

IdxSet write_idx_set(const TempDir& dir, std::int64_t n_train, std::int64_t n_test, std::int64_t d,
                     int classes, bool gz, const mpi::Comm& comm) {
    IdxSet set;
    set.train = write_idx_split(dir, "train", n_train, d, classes, 0, gz, comm.is_root());
    set.test = write_idx_split(dir, "t10k", n_test, d, classes, 5, gz, comm.is_root());
    comm.barrier();
    return set;
}

std::vector<std::int64_t> reference_subset(const std::vector<int>& labels, std::int64_t n,
                                           config::Subset subset, int classes) {
    std::vector<std::int64_t> rows;
    if (subset == config::Subset::first) {
        for (std::int64_t i = 0; i < n; ++i) rows.push_back(i);
        return rows;
    }
    std::vector<std::int64_t> taken(static_cast<size_t>(classes), 0);
    for (size_t i = 0; i < labels.size(); ++i) {
        if (taken[labels[i]] < n / classes) {
            ++taken[labels[i]];
            rows.push_back(static_cast<std::int64_t>(i));
        }
    }
    return rows;
}

Reference reference_split(const RawData& raw, const std::vector<std::int64_t>& subset,
                          const Reference* train_stats) {
    Reference ref;
    int classes = 0;
    for (auto row : subset) classes = std::max(classes, raw.labels[row] + 1);
    for (int c = 0; c < classes; ++c) {  // class order by selection, stable by construction
        for (auto row : subset) {
            if (raw.labels[row] == c) ref.source_index.push_back(row);
        }
    }
    const auto n = static_cast<Eigen::Index>(ref.source_index.size());
    const auto d = raw.x.cols();
    ref.x.resize(n, d);
    for (Eigen::Index i = 0; i < n; ++i) {
        ref.x.row(i) = raw.x.row(ref.source_index[i]);
        ref.labels.push_back(raw.labels[ref.source_index[i]]);
    }
    ref.mean = ref.x.colwise().mean();
    const Eigen::MatrixXd centred = ref.x.rowwise() - ref.mean;
    ref.std = (centred.array().square().colwise().sum() / double(n - 1)).sqrt();
    for (Eigen::Index j = 0; j < d; ++j) {
        ref.constant.push_back(ref.x.col(j).maxCoeff() == ref.x.col(j).minCoeff());
    }
    const Reference& stats = train_stats ? *train_stats : ref;
    for (Eigen::Index j = 0; j < d; ++j) {
        for (Eigen::Index i = 0; i < n; ++i) {
            ref.x(i, j) = stats.constant[j] ? 0.0 : (ref.x(i, j) - stats.mean(j)) / stats.std(j);
        }
    }
    return ref;
}

Eigen::MatrixXd gather_x(const data::Dataset& set, const mpi::Comm& comm) {
    std::vector<double> mine;
    for (size_t i = 0; i < set.x.extent(0); ++i) {
        for (size_t j = 0; j < set.x.extent(1); ++j) mine.push_back(set.x(i, j));
    }
    auto all = comm.allgatherv(mine);
    Eigen::MatrixXd x(set.n, set.d);
    for (Eigen::Index i = 0; i < set.n; ++i) {
        for (Eigen::Index j = 0; j < set.d; ++j) x(i, j) = all[static_cast<size_t>(i * set.d + j)];
    }
    return x;
}

double max_abs_diff(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    EXPECT_EQ(a.rows(), b.rows());
    EXPECT_EQ(a.cols(), b.cols());
    if (a.rows() != b.rows() || a.cols() != b.cols()) return INFINITY;
    return a.size() == 0 ? 0.0 : (a - b).cwiseAbs().maxCoeff();
}

mpi::Comm self_comm(const mpi::Comm& comm) { return comm.split(comm.rank(), 0); }

}  // namespace drfm::test
