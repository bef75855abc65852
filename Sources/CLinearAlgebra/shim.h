#ifndef WORKBENCH_CLINEARALGEBRA_SHIM_H
#define WORKBENCH_CLINEARALGEBRA_SHIM_H
#include <cblas.h>
#include <lapacke.h>

/// OpenBLAS spawns its own threads; inside Dispatch workers that oversubscribes the cores.
static inline void wb_blas_set_threads(int n) { openblas_set_num_threads(n); }
#endif
