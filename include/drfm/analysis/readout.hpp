#pragma once
/// @file
/// The least-squares linear readout of a feature map (methods.md §5.3, f = F Aᵀ): the "learned
/// function" of the kernel picture when only the features of a network are known (features mode
/// without the network's outputs).
#include "drfm/core/views.hpp"
#include "drfm/mpi/comm.hpp"

namespace drfm::analysis {

/// f = F A with A = (FᵀF)⁺ FᵀY: the minimum-norm least-squares fit of the targets Y by the
/// features F without a bias. The pseudo-inverse keeps the eigenvalues of FᵀF above
/// kernel_rank_cutoff × the largest, the numerical rank the kernel picture keeps, so f lies in the
/// span of its kept eigenfunctions (Π(r) = 1 in both the uncentred and the centred picture, since
/// F_c A is in the span of F_c). With FᵀF of full rank p ≤ n it is the ordinary least squares;
/// with p ≥ n and F of full row rank f = Y (interpolation).
/// One Allreduce of p² + pC numbers; cost 2np(p + C)/ranks + O(p³); memory O(p² + pC) per rank.
/// @param features this rank's rows of F (n_local × p)
/// @param targets  this rank's rows of Y (n_local × C)
/// @returns this rank's rows of f (n_local × C)
/// @throws InputDataError (collective) on inconsistent shapes or no samples; NumericalError or
///         ScalapackError (collective) when the eigensolve fails (e.g. NaN features).
HostMatrix linear_readout(const HostMatrix& features, const HostMatrix& targets,
                          const mpi::Comm& comm);

}  // namespace drfm::analysis
