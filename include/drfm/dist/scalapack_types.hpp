#pragma once
/// @file
/// The typed vocabulary of the ScaLAPACK boundary: strong enums instead of option characters
/// (converted to 'L', 'T', 'V', ... here and nowhere else) and the checked narrowing of 64-bit
/// sizes to the 32-bit integers of ScaLAPACK/BLACS.
#include "drfm/core/blas.hpp"

#include <cstdint>

namespace drfm::dist {

/// Which triangle of a symmetric matrix a routine reads.
enum class Uplo { lower, upper };
/// op(A) = A or Aᵀ.
enum class Trans { none, transpose };
/// Eigenvalues only, or eigenvalues and eigenvectors.
enum class Job { values, vectors };
/// All eigenpairs, or those with indices il..iu.
enum class Range { all, index };
/// Matrix norm: max column sum, max row sum, max |a_ij|, Frobenius.
enum class Norm { one, inf, max, fro };

/// The ScaLAPACK option character of each enum value.
char to_char(Uplo value) noexcept;
char to_char(Trans value) noexcept;
char to_char(Job value) noexcept;
char to_char(Range value) noexcept;
char to_char(Norm value) noexcept;

/// Readable names for logs and error messages.
const char* to_string(Uplo value) noexcept;
const char* to_string(Trans value) noexcept;
const char* to_string(Job value) noexcept;
const char* to_string(Range value) noexcept;
const char* to_string(Norm value) noexcept;

/// Checked narrowing to ScaLAPACK's int (one definition for all of drfm: core/blas.hpp).
using blas::to_blas_int;

}  // namespace drfm::dist
