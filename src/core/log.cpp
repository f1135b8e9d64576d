#include "drfm/core/log.hpp"

namespace drfm::log {
namespace {
int g_world_rank = 0;
}

void set_world_rank(int rank) noexcept { g_world_rank = rank; }
int world_rank() noexcept { return g_world_rank; }

Line::~Line() {
    buffer_ << '\n';
    switch (kind_) {
        case Kind::info:
            if (g_world_rank == 0) std::cout << buffer_.str() << std::flush;
            break;
        case Kind::warn:
            if (g_world_rank == 0) std::cerr << "warning: " << buffer_.str() << std::flush;
            break;
        case Kind::all:
            std::cerr << "[rank " << g_world_rank << "] " << buffer_.str() << std::flush;
            break;
    }
}

}  // namespace drfm::log
