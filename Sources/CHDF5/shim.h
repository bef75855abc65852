#ifndef WORKBENCH_CHDF5_SHIM_H
#define WORKBENCH_CHDF5_SHIM_H
// Macros that Swift cannot import, returned from static inline functions.
#include <hdf5.h>

static inline hid_t wb_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t wb_H5S_ALL(void) { return H5S_ALL; }
static inline unsigned wb_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned wb_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }
static inline unsigned wb_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned wb_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline hsize_t wb_H5S_UNLIMITED(void) { return H5S_UNLIMITED; }
static inline haddr_t wb_HADDR_UNDEF(void) { return HADDR_UNDEF; }
static inline hid_t wb_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t wb_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t wb_H5P_LINK_CREATE(void) { return H5P_LINK_CREATE; }
static inline hid_t wb_H5P_DATASET_ACCESS(void) { return H5P_DATASET_ACCESS; }
static inline hid_t wb_H5E_DEFAULT(void) { return H5E_DEFAULT; }

static inline hid_t wb_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t wb_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t wb_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t wb_H5T_NATIVE_INT8(void) { return H5T_NATIVE_INT8; }
static inline hid_t wb_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
static inline hid_t wb_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t wb_H5T_NATIVE_UINT32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t wb_H5T_C_S1(void) { return H5T_C_S1; }
static inline size_t wb_H5T_VARIABLE(void) { return H5T_VARIABLE; }

/// Silence HDF5's automatic error printing on the default stack.
static inline herr_t wb_silence_errors(void) { return H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/// Walk callback collecting the innermost error description.
static inline herr_t wb_error_walk_cb(unsigned n, const H5E_error2_t *err, void *client) {
    char *buf = (char *)client;
    if (n == 0 && err && err->desc) {
        snprintf(buf, 512, "%s (%s)", err->desc, err->func_name ? err->func_name : "?");
    }
    return 0;
}
/// Copy the top message of the current error stack into `buf` (512 bytes) and clear the stack.
static inline void wb_last_error(char *buf) {
    buf[0] = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, wb_error_walk_cb, buf);
    H5Eclear2(H5E_DEFAULT);
}
#endif
