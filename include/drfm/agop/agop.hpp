#pragma once
/// @file
/// The Average Gradient Outer Product of a fitted kernel predictor (methods.md §2.3), distributed
/// over the 2D block-cyclic layout of the kernel matrix.
///
/// Process (r, c) of the grid holds the rows R of its block-rows and the columns C of its
/// block-columns. For evaluation rows in chunks of b rows of R it forms the gradient weights
/// W = w(x_R, z_C) (b×|C|) and its share of the kernel-weighted sums over its centres,
///   H_c = (W ⊙ α_C[:, c]) Z_C   (b×d, one GEMM per output c — never an n×c×d tensor),
///   Q   = W α_C                 (b×c),
/// sums the shares along its process row (one MPI_Reduce per chunk, roots rotating over the row so
/// every process turns an equal share of chunks into gradients), and the root forms
///   G_c = s (H_c − Q[:, c] ⊙ X_b),   AGOP_raw += Σ_c G_cᵀ G_c   (SYRK).
/// One Allreduce of d×d over all ranks finishes: AGOP = AGOP_raw / n.
/// Memory per process O(b·|C| + b·c·d + d²). Flops 2n²cd/P for the centre term (the dominant one).
///
/// Points are in the coordinates of the kernel (x S with S = M^{1/2} of the kernel's M, see
/// kernel_function.hpp); the result is the AGOP in those coordinates, Â. The caller maps it back with
/// AGOP = S Â S (because M (z − x) = S (ẑ − x̂)).
#include "drfm/config/config.hpp"
#include "drfm/core/views.hpp"
#include "drfm/kernel/kernel_block.hpp"
#include "drfm/mpi/comm.hpp"

namespace drfm::agop {

/// T: the scalar of the GEMMs (float or double, model.precision).
template <class T>
struct AgopInput {
    kernel::BasicGridPoints<T> points;  ///< my block-rows R (evaluation points) and block-columns C
    HostMatrix alpha;           ///< all n×c ridge coefficients, replicated (rounded to T for the GEMMs)
    std::int64_t n = 0;         ///< number of evaluation points averaged over
};

struct AgopOptions {
    config::AgopKind kind = config::AgopKind::full;  ///< diag: only the diagonal (d×1 result)
    bool centering = false;  ///< per-output centering over all n points (methods.md §2.3, §8.10)
    std::int64_t chunk_rows = 256;  ///< b
};

/// Returns Â (d×d, or d×1 for the diagonal), identical on every rank. The weights, sums, gradients
/// and each chunk's SYRK are in T; the chunks' Gram matrices are added up in Sum (double for
/// model.precision = "mixed", T otherwise) and returned widened to double.
/// @pre row_comm holds exactly the processes sharing my block-rows (same R), ordered by column;
///      comm holds all processes of the grid.
template <class T, class Sum = T>
HostMatrix agop(const kernel::KernelFunction& kf, const AgopInput<T>& in, const AgopOptions& opt,
                const mpi::Comm& row_comm, const mpi::Comm& comm);

}  // namespace drfm::agop
