#pragma once
/// @file
/// The one place that declares the BLACS and ScaLAPACK routines drfm calls. ScaLAPACK ships no C
/// header. The Fortran routines take every argument by pointer and, compiled by gfortran, one
/// hidden `size_t` length per CHARACTER argument, appended after the visible arguments in order.
/// (pdgemm_ is C code that ignores them; passing them anyway is harmless on the x86-64/aarch64
/// ABIs.)
/// Only the typed wrappers in src/dist/ call these (the LAPACK ones on a one-process grid);
/// everything else uses drfm::dist's API.
#include <mpi.h>

#include <cstddef>

extern "C" {

// ---- BLACS (C interface) ----
void Cblacs_pinfo(int* mypnum, int* nprocs);
void Cblacs_get(int context, int what, int* value);
void Cblacs_gridinit(int* context, const char* order, int nprow, int npcol);
void Cblacs_gridinfo(int context, int* nprow, int* npcol, int* myrow, int* mycol);
void Cblacs_gridexit(int context);
void Cblacs_exit(int not_done);
int Csys2blacs_handle(MPI_Comm comm);
void Cfree_blacs_system_handle(int handle);

// ---- ScaLAPACK tools (1-based indices) ----
int numroc_(const int* n, const int* nb, const int* iproc, const int* isrcproc, const int* nprocs);
int indxl2g_(const int* indxloc, const int* nb, const int* iproc, const int* isrcproc,
             const int* nprocs);
int indxg2p_(const int* indxglob, const int* nb, const int* iproc, const int* isrcproc,
             const int* nprocs);
int indxg2l_(const int* indxglob, const int* nb, const int* iproc, const int* isrcproc,
             const int* nprocs);
void descinit_(int* desc, const int* m, const int* n, const int* mb, const int* nb,
               const int* irsrc, const int* icsrc, const int* context, const int* lld, int* info);

// ---- LAPACK, for a 1x1 grid, whose local block is the whole matrix ----
void spotrf_(const char* uplo, const int* n, float* a, const int* lda, int* info,
             std::size_t uplo_len);
void spotrs_(const char* uplo, const int* n, const int* nrhs, const float* a, const int* lda,
             float* b, const int* ldb, int* info, std::size_t uplo_len);
void sgetrf_(const int* m, const int* n, float* a, const int* lda, int* ipiv, int* info);
void sgetrs_(const char* trans, const int* n, const int* nrhs, const float* a, const int* lda,
             const int* ipiv, float* b, const int* ldb, int* info, std::size_t trans_len);
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info,
             std::size_t uplo_len);
void dpotrs_(const char* uplo, const int* n, const int* nrhs, const double* a, const int* lda,
             double* b, const int* ldb, int* info, std::size_t uplo_len);
void dgetrf_(const int* m, const int* n, double* a, const int* lda, int* ipiv, int* info);
void dgetrs_(const char* trans, const int* n, const int* nrhs, const double* a, const int* lda,
             const int* ipiv, double* b, const int* ldb, int* info, std::size_t trans_len);

// ---- PBLAS / ScaLAPACK computational routines ----
void pdgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
             const double* alpha, const double* a, const int* ia, const int* ja, const int* desca,
             const double* b, const int* ib, const int* jb, const int* descb, const double* beta,
             double* c, const int* ic, const int* jc, const int* descc, std::size_t transa_len,
             std::size_t transb_len);

void pdpotrf_(const char* uplo, const int* n, double* a, const int* ia, const int* ja,
              const int* desca, int* info, std::size_t uplo_len);
void pdpotrs_(const char* uplo, const int* n, const int* nrhs, const double* a, const int* ia,
              const int* ja, const int* desca, double* b, const int* ib, const int* jb,
              const int* descb, int* info, std::size_t uplo_len);

void pspotrf_(const char* uplo, const int* n, float* a, const int* ia, const int* ja,
              const int* desca, int* info, std::size_t uplo_len);
void pspotrs_(const char* uplo, const int* n, const int* nrhs, const float* a, const int* ia,
              const int* ja, const int* desca, float* b, const int* ib, const int* jb,
              const int* descb, int* info, std::size_t uplo_len);
void psgetrf_(const int* m, const int* n, float* a, const int* ia, const int* ja,
              const int* desca, int* ipiv, int* info);
void psgetrs_(const char* trans, const int* n, const int* nrhs, const float* a, const int* ia,
              const int* ja, const int* desca, const int* ipiv, float* b, const int* ib,
              const int* jb, const int* descb, int* info, std::size_t trans_len);

void pdgetrf_(const int* m, const int* n, double* a, const int* ia, const int* ja,
              const int* desca, int* ipiv, int* info);
void pdgetrs_(const char* trans, const int* n, const int* nrhs, const double* a, const int* ia,
              const int* ja, const int* desca, const int* ipiv, double* b, const int* ib,
              const int* jb, const int* descb, int* info, std::size_t trans_len);

void pdsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* ia,
              const int* ja, const int* desca, double* w, double* z, const int* iz, const int* jz,
              const int* descz, double* work, const int* lwork, int* iwork, const int* liwork,
              int* info, std::size_t jobz_len, std::size_t uplo_len);
// pdsyevx, not pdsyevr: ScaLAPACK 2.2.1's pdsyevr returns wrong eigenvectors with INFO = 0 for
// few eigenpairs and nb > ~18·nprow (shared/notes/toolchain.md §3.4).
void pdsyevx_(const char* jobz, const char* range, const char* uplo, const int* n, double* a,
              const int* ia, const int* ja, const int* desca, const double* vl, const double* vu,
              const int* il, const int* iu, const double* abstol, int* m, int* nz, double* w,
              const double* orfac, double* z, const int* iz, const int* jz, const int* descz,
              double* work, const int* lwork, int* iwork, const int* liwork, int* ifail,
              int* iclustr, double* gap, int* info, std::size_t jobz_len, std::size_t range_len,
              std::size_t uplo_len);

void pdgemr2d_(const int* m, const int* n, const double* a, const int* ia, const int* ja,
               const int* desca, double* b, const int* ib, const int* jb, const int* descb,
               const int* context);

double pdlange_(const char* norm, const int* m, const int* n, const double* a, const int* ia,
                const int* ja, const int* desca, double* work, std::size_t norm_len);

}  // extern "C"
