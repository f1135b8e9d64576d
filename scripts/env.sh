# Sourced by the scripts: the MPI/BLAS environment drfm_hpc runs in on a workstation or CI box.
# Root in containers needs the two OMPI_ALLOW variables; more ranks than cores need oversubscription
# and yielding; one BLAS/OpenMP thread per rank (docs/build.md explains each).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
export MPLBACKEND=Agg
