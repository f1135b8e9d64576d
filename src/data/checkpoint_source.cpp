// Network checkpoints (analysis.mode = "network"): the top-level groups of one HDF5 file, each
// with W1..WL and W_out. Built from the HDF5 reader's pieces (readers.hpp), so opening, checks
// and messages are those of data.source = "hdf5".
#include "drfm/data/checkpoints.hpp"

#include "readers.hpp"

#include "drfm/core/error.hpp"
#include "drfm/data/snapshots.hpp"
#include "drfm/io/dataset.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

namespace drfm::data {
namespace {

constexpr const char* key = "analysis.checkpoints";

/// "W<k>" with k a positive integer without leading zeros: k, else 0.
int hidden_index(const std::string& name) {
    if (name.size() < 2 || name[0] != 'W' || name[1] == '0') return 0;
    for (std::size_t i = 1; i < name.size(); ++i)
        if (!std::isdigit(static_cast<unsigned char>(name[i]))) return 0;
    return name.size() > 6 ? 0 : std::stoi(name.substr(1));
}

}  // namespace

Checkpoints::Checkpoints(const std::string& path, std::int64_t input_dim, int classes,
                         const mpi::Comm& comm)
    : path_(path), comm_(comm), h5file_(detail::open_hdf5_file(path, comm, "checkpoint file (analysis.checkpoints)")),
      input_dim_(input_dim), classes_(classes) {
    std::vector<std::string> groups;
    mpi::collective(comm, [&] {
        DRFM_CHECK(io::append_link_names(h5file_->get(), "/", H5_INDEX_NAME, groups) >= 0,
                   InputDataError, path, ": cannot list the file's top level (", key, ")");
        DRFM_CHECK(!groups.empty(), InputDataError, path, ": the file is empty; ", key,
                   " needs one group per checkpoint holding W1..WL and ", readout_dataset);
    });
    std::stable_sort(groups.begin(), groups.end(), natural_less);
    names_ = groups;
    for (std::size_t s = 0; s < size(); ++s) {
        const auto members = detail::hdf5_datasets(*h5file_, path, "/" + names_[s], key, comm);
        std::set<int> hidden;
        bool readout = false;
        for (const auto& member : members) {
            const std::string name = member.substr(member.rfind('/') + 1);
            if (name == readout_dataset) readout = true;
            else if (int k = hidden_index(name)) hidden.insert(k);
        }
        const int depth = hidden.empty() ? 0 : *hidden.rbegin();
        mpi::collective(comm, [&] {
            const std::string where = path + ": checkpoint '" + names_[s] + "' (" + key + ")";
            DRFM_CHECK(readout, InputDataError, where, " has no dataset '", readout_dataset,
                       "' (the final layer, [classes x width])");
            DRFM_CHECK(depth >= 1, InputDataError, where,
                       " has no hidden layer: expected datasets W1, W2, ... ([out x in])");
            for (int k = 1; k <= depth; ++k)
                DRFM_CHECK(hidden.count(k), InputDataError, where, " lacks dataset '/",
                           names_[s], "/W", k, "' (it has W", depth, ")");
            DRFM_CHECK(s == 0 || depth == depth_, InputDataError, where, " has ", depth,
                       " hidden layers but checkpoint '", names_[0], "' has ", depth_);
        });
        depth_ = depth;
        const std::vector<HostMatrix> weights = read(s);  // checks every shape
        if (s == 0)
            for (int k = 0; k < depth; ++k)
                widths_.push_back(static_cast<std::int64_t>(weights[k].extent(0)));
    }
}

std::vector<HostMatrix> Checkpoints::read(std::size_t s) const {
    DRFM_CHECK(s < size(), Error, "checkpoint ", s, " of ", size());
    std::vector<HostMatrix> out;
    std::int64_t in = input_dim_;
    for (int k = 1; k <= depth_; ++k) {
        const std::string name = "/" + names_[s] + "/W" + std::to_string(k);
        HostMatrix w = detail::read_hdf5_matrix(*h5file_, path_, name, key, comm_);
        mpi::collective(comm_, [&] {
            DRFM_CHECK(static_cast<std::int64_t>(w.extent(1)) == in, InputDataError, path_,
                       ": dataset '", name, "' (", key, ") is ", w.extent(0), " x ", w.extent(1),
                       " but its input has ", in, k == 1 ? " features (the data's d)" :
                       " features (the rows of the previous layer)",
                       "; expected [out x ", in, "] as PyTorch stores Linear.weight");
            DRFM_CHECK(widths_.empty() || static_cast<std::int64_t>(w.extent(0)) == widths_[k - 1],
                       InputDataError, path_, ": dataset '", name, "' has ", w.extent(0),
                       " rows but W", k, " of checkpoint '", names_[0], "' has ", widths_[k - 1]);
        });
        in = static_cast<std::int64_t>(w.extent(0));
        out.push_back(w);
    }
    const std::string name = "/" + names_[s] + "/" + readout_dataset;
    HostMatrix w = detail::read_hdf5_matrix(*h5file_, path_, name, key, comm_);
    mpi::collective(comm_, [&] {
        DRFM_CHECK(static_cast<std::int64_t>(w.extent(1)) == in &&
                       static_cast<std::int64_t>(w.extent(0)) == classes_,
                   InputDataError, path_, ": dataset '", name, "' (", key, ") is ", w.extent(0),
                   " x ", w.extent(1), "; expected [", classes_, " x ", in,
                   "] (the data's classes x the last hidden width)");
    });
    out.push_back(w);
    return out;
}

std::string Checkpoints::description() const {
    std::ostringstream os;
    os << "network " << path_ << ": " << size() << (size() == 1 ? " checkpoint" : " checkpoints")
       << " (" << names_.front() << (size() > 1 ? " ... " + names_.back() : "") << "), "
       << depth() << " hidden layers " << input_dim_;
    for (auto w : widths_) os << "->" << w;
    os << "->" << classes_ << " (bias-free Linear + ReLU)";
    return os.str();
}

}  // namespace drfm::data
