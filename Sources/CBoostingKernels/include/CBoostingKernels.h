#ifndef WB_BOOSTING_KERNELS_H
#define WB_BOOSTING_KERNELS_H
#include <stdint.h>

/// Every dispatching kernel below picks the widest path this CPU has (CPUID, checked once), lowered
/// by the environment variable WORKBENCH_KERNELS: `avx2` (no AVX-512: the paths Zen 3 and
/// Haswell take) or `portable` (the scalar loops); any other value or none: the widest.
/// The kernels that stream columns prefetch them 2 KiB ahead with the hint their `prefetch`
/// argument names (below). Neither the variable nor the hint changes a result, only the time.

/// Prefetch hints of `wb_partition_columns` and `wb_hist5_q32_columns`: non-temporal (PREFETCHNTA)
/// on the source bytes, or T0 on them plus a write prefetch of the positions each side of a
/// partition is about to store. Which is faster depends on the CPU (T0 on Emerald Rapids,
/// non-temporal on Zen 5): the trainer times both (`PrefetchTuner`).
enum { WB_PREFETCH_NTA = 0, WB_PREFETCH_T0 = 1 };
/// The CPU vendor's hint, where the trainer starts and what it keeps on a tie: T0 on Intel,
/// non-temporal elsewhere.
int wb_prefetch_vendor_hint(void);
/// The hint the environment variable WORKBENCH_PREFETCH sets (`t0` or `nta`: no timing), or −1
/// (unset, `auto` or anything else: the trainer times both).
int wb_prefetch_forced(void);

/// Where a column's bins sit in its bytes: the whole byte, or the low or high nibble of a byte
/// that holds two 0–4 features (`wb_pack_nibbles`).
enum { WB_FIELD_BYTE = 0, WB_FIELD_LOW = 1, WB_FIELD_HIGH = 2 };

/// `dst[i] = low[r] | high[r] << 4` with `r = rows[i]` (or `i` when `rows` is NULL): two columns of
/// bins 0…15 in one, a byte per row (the trainer packs pairs of 0–4 features so that a partition
/// moves half the bytes).
void wb_pack_nibbles(const uint8_t *low, const uint8_t *high, const int32_t *rows, int64_t count, uint8_t *dst);

/// Left-side byte masks of a node's rows, 8 rows per word: byte j of `masks[i]` is 0xFF when the
/// bin in `split[8i + j]` (its `field`: `WB_FIELD_BYTE`, `_LOW` or `_HIGH`) is `<= threshold` (the
/// row goes left), else 0; `leftCounts[i]` is the number of such rows in the word. Rows past
/// `count` in the last word are 0. Returns the left count.
/// AVX2 (checked at run time), 32 rows per step, or 8 rows per 64-bit word (SWAR); the same masks.
int64_t wb_split_masks(const uint8_t *split, int64_t count, uint8_t threshold, int field,
                       uint64_t *masks, uint8_t *leftCounts);
int64_t wb_split_masks_portable(const uint8_t *split, int64_t count, uint8_t threshold, int field,
                                uint64_t *masks, uint8_t *leftCounts);

/// The column partition's paths: 3 AVX-512 VBMI2 compress (Zen 4/5, Ice Lake and later: 64 bytes
/// per compress pair), 2 AVX2 (16 bytes per PSHUFB pair), 1 PEXT (BMI2 on a CPU where PEXT is fast:
/// not AMD before Zen 3; 8 bytes per PEXT pair), 0 portable (each row's destination computed once
/// for all columns, then one load and one store per byte). Returns the widest path this CPU has
/// (lowered by WORKBENCH_KERNELS) that is at most `path`. All paths give the same bytes.
int wb_partition_path(int path);

/// A split's plan for `wb_partition_columns` on `path` (lowered as by `wb_partition_path`): what
/// depends only on the masks, computed once for all columns and read (never written) by every
/// thread that partitions some of them. Compress: a 64-bit row mask per 64 rows (count / 8
/// bytes); AVX2: a shuffle and a left count per 16 rows (17 bytes per 16 rows); PEXT: nothing;
/// portable: each row's destination (4 bytes per row). `plan` must hold `4 · count` bytes and be
/// 4-byte aligned (the trainer passes its partition scratch: nothing is allocated per split).
void wb_partition_plan(int path, int64_t count, int64_t left, const uint64_t *masks, const uint8_t *leftCounts,
                       void *plan);

/// Stable partition of `count` bytes of each of `columnCount` columns by the masks of
/// `wb_split_masks`, out of place: column c's left rows (in row order) go to `dst[c][0 ..< left]`,
/// its right rows to `dst[c][left ..< count]` (`left`: the masks' left count); `src[c]` and
/// `dst[c]` must not overlap, and nothing outside `dst[c][0 ..< count]` is written. Columns are
/// done one after another, so `dst[c]` may be an earlier column's source (the trainer's chain).
/// `plan`: what `wb_partition_plan` wrote for the same `path`, `count`, `left` and masks;
/// `prefetch`: `WB_PREFETCH_NTA` or `WB_PREFETCH_T0`.
void wb_partition_columns(int path, const uint8_t *const *src, uint8_t *const *dst, int64_t columnCount,
                          int64_t count, int64_t left, const uint64_t *masks, const uint8_t *leftCounts,
                          const void *plan, int prefetch);

/// 1 when `wb_partition_columns` may use PEXT (alone, or for tails) on this CPU.
int wb_partition_uses_pext(void);

/// 1 when `wb_partition_columns` uses AVX-512 VBMI2 compress on this CPU.
int wb_partition_uses_compress(void);

/// Bins 1…4 of a 0–4 feature over `count` consecutive rows: adds each bin's row count to
/// `counts[b − 1]` and its sum of `q` (the rows' 32-bit fixed-point gradients) to `sums[b − 1]`.
/// Sums run in 32 bits over blocks of `block` rows (a multiple of 32, ≤ 4096), so the caller
/// needs `block · max|q| < 2^31`; the results are exact integers, the same on every path. AVX2
/// (checked at run time) or the portable scatter of packed `2^40 + q` into small per-bin tables.
void wb_hist5_q32(const uint8_t *bins, const int32_t *q, int64_t count, int64_t block,
                  int64_t *counts, int64_t *sums);
void wb_hist5_q32_portable(const uint8_t *bins, const int32_t *q, int64_t count, int64_t block,
                           int64_t *counts, int64_t *sums);
int wb_hist5_uses_avx2(void);

/// `wb_hist5_q32` for `columnCount` columns over the same `count` rows: adds column c's counts of
/// bins 1…4 to `out[8c ..< 8c + 4]` and its sums of `q` to `out[8c + 4 ..< 8c + 8]`. Column c's
/// bins are `fields[c]` of its bytes (NULL: all `WB_FIELD_BYTE`; a byte or nibble holds 0…4, the
/// other nibble of a packed byte too). A packed column's low field followed by its high one (the same
/// pointer twice) is read once per block of rows on the AVX2 path, from cache the second time on the
/// others. With AVX-512
/// VNNI (Zen 4/5, Ice Lake and later; checked at run time) `q + bias` is split once into 3 or 4
/// byte planes in `scratch` (`4 · count` bytes) and each column costs 4 byte shuffles and 16–20
/// VPDPBUSD per 64 rows; else the same planes through AVX2 VPMADDUBSW; else the portable scatter
/// of `wb_hist5_q32`, four columns per pass sharing each row's q. Same integers on every path;
/// `block` as for `wb_hist5_q32`. With `mask` (not NULL), only the rows whose `mask[i] ^ flip` is
/// 0xFF count (the others' bytes must make it 0): the split masks' bytes of a parent node with
/// `flip` 0 give its left child's bins, with 0xFF its right child's, read from the parent's rows.
/// `prefetch`: `WB_PREFETCH_NTA` or `WB_PREFETCH_T0`.
void wb_hist5_q32_columns(const uint8_t *const *columns, const uint8_t *fields, int64_t columnCount, const int32_t *q,
                          int64_t count, int64_t block, int64_t *out, uint8_t *scratch, const uint8_t *mask,
                          uint8_t flip, int prefetch);
/// `wb_hist5_q32_columns` on a chosen path (0 portable, 1 AVX2, 2 AVX-512 VNNI), lowered to the best
/// this CPU has (tests compare the paths).
void wb_hist5_q32_columns_path(const uint8_t *const *columns, const uint8_t *fields, int64_t columnCount,
                               const int32_t *q, int64_t count, int64_t block, int64_t *out, uint8_t *scratch,
                               const uint8_t *mask, uint8_t flip, int path, int prefetch);
/// 1 when `wb_hist5_q32_columns` uses AVX-512 VNNI on this CPU.
int wb_hist5_uses_vnni(void);

/// Stable partition of `order[0 ..< count]` by the masks of `wb_split_masks` (left rows first);
/// `scratch` holds `count` values. Returns the left count. AVX-512 compress, 16 rows per step,
/// where `wb_partition_uses_compress`; else with AVX2 8 rows per step (a table lookup and VPERMD
/// per side); else the portable loop (8 rows per mask word, places from byte prefix sums). Same
/// values on every path.
int64_t wb_partition_order(int32_t *order, int64_t count, const uint64_t *masks, int32_t *scratch);
/// The AVX2 path of `wb_partition_order` where this CPU has AVX2, else the portable one.
int64_t wb_partition_order_avx2(int32_t *order, int64_t count, const uint64_t *masks, int32_t *scratch);
int64_t wb_partition_order_portable(int32_t *order, int64_t count, const uint64_t *masks, int32_t *scratch);

#endif
