// Tree-local column partition of the GBDT trainer (Sources/Boosting/README.md, "Kernels").
#include "CBoostingKernels.h"
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

// A column's bytes stream from memory once per histogram or partition (a node's columns are larger
// than the caches at Numerai's width), and the hardware prefetcher alone left the kernels waiting
// on them: out of cache against in cache, 231k rows × 238 columns on Zen 5, the VNNI histogram took
// 0.20 against 0.06 ns per row and column, the AVX2 one 0.21 against 0.11, the AVX2 partition 0.13
// against 0.06 ns per byte. A software prefetch 2 KiB ahead brings them to 0.08, 0.11 and 0.09; in
// cache it costs nothing measurable. The AVX-512 partition (0.05 out of cache) showed no gain in
// that harness, but in training at 231k × 2,376, where perf put most of its samples after the load
// of the source bytes, the prefetch took 6–9 % off the whole tree (CPU ms per tree, interleaved
// runs: 32.2–38.7 without, 30.2–31.0 with). Prefetches never fault, so reading past a column's end
// is harmless.
#define WB_PREFETCH_DISTANCE 2048
// The hint (`WB_PREFETCH_NTA` or `WB_PREFETCH_T0`, the callers' `prefetch` argument) is chosen by
// the trainer, which times trees with each on the CPU that runs them (`PrefetchTuner`), starting
// from the vendor's (`wb_prefetch_vendor_hint`). On AMD (Zen 5) non-temporal was best: each byte
// is read once per pass and the gradient planes stay in L2; T0 and T1 gave 0.08 in some processes
// and 0.14 in others, NTA 0.08 in every run. On Intel (Emerald Rapids, family 6 model 207)
// PREFETCHNTA fills L1 only and the kernels kept waiting on L3 (VNNI histogram 0.16 ns per row and
// column out of cache, compress partition 0.18 ns per byte); T0 on the source bytes and a prefetch
// of the bytes each side of a partition is about to write (its stores otherwise wait on their
// lines' reads) bring them to 0.09 and 0.07–0.08, the in-cache speed. With non-temporal the writes
// are not prefetched (as when Zen 5 was measured). `PF` below is the hint, a constant where each
// kernel is inlined: 0 non-temporal, 1 T0 + writes.
#define WB_PREFETCH_READ(PF, p)                                                                        \
    do {                                                                                               \
        if (PF) __builtin_prefetch((const char *)(p) + WB_PREFETCH_DISTANCE, 0, 3);                    \
        else __builtin_prefetch((const char *)(p) + WB_PREFETCH_DISTANCE, 0, 0);                       \
    } while (0)
#define WB_PREFETCH_WRITE(PF, p)                                                                       \
    do {                                                                                               \
        if (PF) __builtin_prefetch((const char *)(p) + WB_PREFETCH_DISTANCE, 1, 3);                    \
    } while (0)

// What this CPU has (see `kernel_features`).
enum { WB_AVX2 = 1, WB_PEXT = 2, WB_COMPRESS = 4, WB_VNNI = 8 };
static int kernel_features(void);

// The portable 5-bin histograms (and the tails of the AVX2 one). Each row adds its packed
// `2^40 + q` to its bin's entry of a small table (a scatter: no compare per bin), rows of one
// column alternating between two tables so that equal bins in neighbouring rows do not wait on
// each other's store; four columns per pass share each row's q. A table entry holds
// `n · 2^40 + Σq`; it is read out every `128 · block` rows, where |Σq| < 128 · 2^31 = 2^38, so
// `n = (P + 2^39) >> 40` and `Σq = P − n · 2^40` exactly. Bins index an 8-entry table through
// `& 7` (the callers pass bins 0…4: nothing outside the table is written whatever the bytes).
// With `mask` (`MASKED`), row i counts only where `mask[i] ^ flip` is 0xFF (else 0: its bins are
// read as bin 0, which is never read out). `shifts[c]` (NULL: all 0) is 4 where column c's bins are
// the bytes' high nibbles; `& 7` drops the other nibble of a low one (nibbles hold bins 0…4).
__attribute__((always_inline))
static inline void hist5_scatter_body(const uint8_t *const *columns, const uint8_t *shifts, int64_t columnCount,
                                      const int32_t *q, int64_t count, int64_t block, int64_t *const *counts,
                                      int64_t *const *sums, const uint8_t *mask, uint8_t flip, const int MASKED) {
    const int64_t one = (int64_t)1 << 40;
    const int64_t span = 128 * block;
    for (int64_t c = 0; c < columnCount; c += 4) {
        int64_t w = columnCount - c < 4 ? columnCount - c : 4;
        const uint8_t *b[4];
        int h[4];
        for (int k = 0; k < 4; k++) {  // a short pass repeats its first column
            b[k] = columns[c + (k < w ? k : 0)];
            h[k] = shifts ? shifts[c + (k < w ? k : 0)] : 0;
        }
        for (int64_t start = 0; start < count; start += span) {
            int64_t end = start + span < count ? start + span : count;
            int64_t t[4][2][8] = {{{0}}};
            int64_t i = start;
            for (; i + 2 <= end; i += 2) {
                int64_t v0 = one + q[i], v1 = one + q[i + 1];
                const uint8_t k0 = MASKED ? (uint8_t)((mask[i] ^ flip) & 7) : 7;
                const uint8_t k1 = MASKED ? (uint8_t)((mask[i + 1] ^ flip) & 7) : 7;
                t[0][0][(b[0][i] >> h[0]) & k0] += v0; t[0][1][(b[0][i + 1] >> h[0]) & k1] += v1;
                t[1][0][(b[1][i] >> h[1]) & k0] += v0; t[1][1][(b[1][i + 1] >> h[1]) & k1] += v1;
                t[2][0][(b[2][i] >> h[2]) & k0] += v0; t[2][1][(b[2][i + 1] >> h[2]) & k1] += v1;
                t[3][0][(b[3][i] >> h[3]) & k0] += v0; t[3][1][(b[3][i + 1] >> h[3]) & k1] += v1;
            }
            for (; i < end; i++) {
                const uint8_t k0 = MASKED ? (uint8_t)((mask[i] ^ flip) & 7) : 7;
                for (int k = 0; k < 4; k++) t[k][0][(b[k][i] >> h[k]) & k0] += one + q[i];
            }
            for (int k = 0; k < w; k++) {
                for (int j = 1; j <= 4; j++) {
                    int64_t p = t[k][0][j] + t[k][1][j];
                    int64_t n = (p + (one >> 1)) >> 40;
                    counts[c + k][j - 1] += n;
                    sums[c + k][j - 1] += p - n * one;
                }
            }
        }
    }
}

static void hist5_scatter_columns(const uint8_t *const *columns, const uint8_t *shifts, int64_t columnCount,
                                  const int32_t *q, int64_t count, int64_t block, int64_t *const *counts,
                                  int64_t *const *sums, const uint8_t *mask, uint8_t flip) {
    if (mask) hist5_scatter_body(columns, shifts, columnCount, q, count, block, counts, sums, mask, flip, 1);
    else hist5_scatter_body(columns, shifts, columnCount, q, count, block, counts, sums, NULL, 0, 0);
}

static void hist5_portable(const uint8_t *bins, const int32_t *q, int64_t count, int64_t block,
                           int64_t *counts, int64_t *sums) {
    hist5_scatter_columns(&bins, NULL, 1, q, count, block, &counts, &sums, NULL, 0);
}

#if defined(__x86_64__)
// 32 rows per step: counts in byte lanes (compare, subtract; widened every block ≤ 4096 rows,
// i.e. ≤ 128 steps < 256), gradient parts in 8 × 32-bit lanes per group of 8 rows.
__attribute__((target("avx2")))
static void hist5_avx2(const uint8_t *bins, const int32_t *q, int64_t count, int64_t block,
                       int64_t *counts, int64_t *sums) {
    const __m256i one = _mm256_set1_epi8(1), two = _mm256_set1_epi8(2);
    const __m256i three = _mm256_set1_epi8(3), four = _mm256_set1_epi8(4);
    const __m256i d1 = _mm256_set1_epi32(1), d2 = _mm256_set1_epi32(2);
    const __m256i d3 = _mm256_set1_epi32(3), d4 = _mm256_set1_epi32(4);
    int64_t i = 0;
    while (count - i >= 32) {
        int64_t end = i + (block < 4096 ? block : 4096);
        if (end > count) end = count;
        __m256i c1 = _mm256_setzero_si256(), c2 = c1, c3 = c1, c4 = c1;
        __m256i a1 = c1, a2 = c1, a3 = c1, a4 = c1;
        for (; i + 32 <= end; i += 32) {
            __m256i b = _mm256_loadu_si256((const __m256i *)(bins + i));
            c1 = _mm256_sub_epi8(c1, _mm256_cmpeq_epi8(b, one));
            c2 = _mm256_sub_epi8(c2, _mm256_cmpeq_epi8(b, two));
            c3 = _mm256_sub_epi8(c3, _mm256_cmpeq_epi8(b, three));
            c4 = _mm256_sub_epi8(c4, _mm256_cmpeq_epi8(b, four));
            for (int g = 0; g < 4; g++) {
                __m256i bd = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(bins + i + 8 * g)));
                __m256i v = _mm256_loadu_si256((const __m256i *)(q + i + 8 * g));
                a1 = _mm256_add_epi32(a1, _mm256_and_si256(v, _mm256_cmpeq_epi32(bd, d1)));
                a2 = _mm256_add_epi32(a2, _mm256_and_si256(v, _mm256_cmpeq_epi32(bd, d2)));
                a3 = _mm256_add_epi32(a3, _mm256_and_si256(v, _mm256_cmpeq_epi32(bd, d3)));
                a4 = _mm256_add_epi32(a4, _mm256_and_si256(v, _mm256_cmpeq_epi32(bd, d4)));
            }
        }
        // Widen: byte counts by sum of absolute differences, 32-bit sums lane by lane.
        __m256i z = _mm256_setzero_si256();
        __m256i cs[4] = {_mm256_sad_epu8(c1, z), _mm256_sad_epu8(c2, z), _mm256_sad_epu8(c3, z), _mm256_sad_epu8(c4, z)};
        __m256i as[4] = {a1, a2, a3, a4};
        for (int k = 0; k < 4; k++) {
            int64_t lanes[4];
            _mm256_storeu_si256((__m256i *)lanes, cs[k]);
            counts[k] += lanes[0] + lanes[1] + lanes[2] + lanes[3];
            int32_t words[8];
            _mm256_storeu_si256((__m256i *)words, as[k]);
            int64_t t = 0;
            for (int w = 0; w < 8; w++) t += words[w];
            sums[k] += t;
        }
    }
    if (i < count) hist5_portable(bins + i, q + i, count - i, block, counts, sums);
}

// The OS saves the register state in `xcr0_bits` (XGETBV's XCR0; OSXSAVE must be set to ask):
// 0x6 for YMM, 0xE6 for ZMM and the mask registers.
static int os_saves(unsigned xcr0_bits) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) return 0;  // OSXSAVE
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (lo & xcr0_bits) == xcr0_bits;
}

// AVX2 and the OS saves the YMM registers.
static int has_avx2(void) {
    unsigned a, b, c, d;
    return os_saves(0x6) && __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 5));
}
#endif


void wb_hist5_q32(const uint8_t *bins, const int32_t *q, int64_t count, int64_t block,
                  int64_t *counts, int64_t *sums) {
#if defined(__x86_64__)
    if (wb_hist5_uses_avx2()) { hist5_avx2(bins, q, count, block, counts, sums); return; }
#endif
    hist5_portable(bins, q, count, block, counts, sums);
}

void wb_hist5_q32_portable(const uint8_t *bins, const int32_t *q, int64_t count, int64_t block,
                           int64_t *counts, int64_t *sums) {
    hist5_portable(bins, q, count, block, counts, sums);
}

// Words [first, …) of the masks: 8 rows per step in one 64-bit word (SWAR), then the last
// partial word row by row. Per byte, b ≤ t ⇔ the top bits say b < t, or they are equal and
// the low 7 bits say b ≤ t: `(t | H) − (b & ~H)` keeps the low 7 bits' t − b from borrowing
// across bytes (≥ 1 in every byte), its top bit set ⇔ low7(t) ≥ low7(b).
static int64_t split_masks_portable(const uint8_t *split, int64_t count, uint8_t threshold, int field,
                                    uint64_t *masks, uint8_t *leftCounts, int64_t first) {
    const uint64_t lows = 0x0101010101010101ull, highs = 0x8080808080808080ull, t = lows * threshold;
    const int shift = field == WB_FIELD_HIGH ? 4 : 0;
    const uint64_t keep = field == WB_FIELD_BYTE ? ~(uint64_t)0 : lows * 0x0F;
    int64_t left = 0, words = count / 8, i = first;
    for (; i < words; i++) {
        uint64_t x;
        memcpy(&x, split + 8 * i, 8);
        x = (x >> shift) & keep;  // the field in each byte (a high nibble's neighbour bits are cut off)
        uint64_t d = (t | highs) - (x & ~highs);
        uint64_t ones = (((~x & t) | (~(x ^ t) & d)) & highs) >> 7;  // 0x01 in the bytes that go left
        masks[i] = ones * 0xFF;
        int n = (int)((ones * lows) >> 56);
        leftCounts[i] = (uint8_t)n;
        left += n;
    }
    for (; i < (count + 7) / 8; i++) {
        uint64_t m = 0;
        int n = 0;
        for (int64_t j = 0; j < count - 8 * i; j++) {
            uint64_t goes = (uint8_t)((split[8 * i + j] >> shift) & keep) <= threshold;
            m |= (0 - goes) & ((uint64_t)0xFF << (8 * j));
            n += (int)goes;
        }
        masks[i] = m;
        leftCounts[i] = (uint8_t)n;
        left += n;
    }
    return left;
}

#if defined(__x86_64__)
// 32 rows per step: b ≤ t ⇔ max(b, t) = t gives the 0xFF/0 mask bytes directly; SAD of their
// low bits gives the four words' left counts.
__attribute__((target("avx2")))
static int64_t split_masks_avx2(const uint8_t *split, int64_t count, uint8_t threshold, int field,
                                uint64_t *masks, uint8_t *leftCounts) {
    const __m256i t = _mm256_set1_epi8((char)threshold), one = _mm256_set1_epi8(1), zero = _mm256_setzero_si256();
    const __m256i keep = _mm256_set1_epi8(field == WB_FIELD_BYTE ? (char)0xFF : 0x0F);
    const __m128i shift = _mm_cvtsi32_si128(field == WB_FIELD_HIGH ? 4 : 0);
    int64_t left = 0, i = 0;
    for (; i + 32 <= count; i += 32) {
        __m256i b = _mm256_and_si256(_mm256_srl_epi16(_mm256_loadu_si256((const __m256i *)(split + i)), shift), keep);
        __m256i m = _mm256_cmpeq_epi8(_mm256_max_epu8(b, t), t);
        _mm256_storeu_si256((__m256i *)(masks + i / 8), m);
        int64_t n[4];
        _mm256_storeu_si256((__m256i *)n, _mm256_sad_epu8(_mm256_and_si256(m, one), zero));
        for (int w = 0; w < 4; w++) leftCounts[i / 8 + w] = (uint8_t)n[w];
        left += n[0] + n[1] + n[2] + n[3];
    }
    return left + split_masks_portable(split, count, threshold, field, masks, leftCounts, i / 8);
}
#endif

int64_t wb_split_masks(const uint8_t *split, int64_t count, uint8_t threshold, int field,
                       uint64_t *masks, uint8_t *leftCounts) {
#if defined(__x86_64__)
    if (wb_hist5_uses_avx2()) return split_masks_avx2(split, count, threshold, field, masks, leftCounts);
#endif
    return split_masks_portable(split, count, threshold, field, masks, leftCounts, 0);
}

int64_t wb_split_masks_portable(const uint8_t *split, int64_t count, uint8_t threshold, int field,
                                uint64_t *masks, uint8_t *leftCounts) {
    return split_masks_portable(split, count, threshold, field, masks, leftCounts, 0);
}

void wb_pack_nibbles(const uint8_t *low, const uint8_t *high, const int32_t *rows, int64_t count, uint8_t *dst) {
    if (rows) {
        for (int64_t i = 0; i < count; i++) dst[i] = (uint8_t)(low[rows[i]] | high[rows[i]] << 4);
    } else {
        for (int64_t i = 0; i < count; i++) dst[i] = (uint8_t)(low[i] | high[i] << 4);
    }
}

// Rows [from, count) of one column, one at a time: left rows to dst[l…], right rows to
// dst[left + r…]: the portable partition, and the tail of the wider ones. Branch-free (the
// position is a select): a split is close to a coin flip, a branch would mispredict.
static inline void partition_tail_to(const uint8_t *src, uint8_t *dst, int64_t from, int64_t count, int64_t left,
                                     const uint64_t *masks, int64_t l, int64_t r) {
    for (int64_t i = from; i < count; i++) {
        int64_t goes = (int64_t)((masks[i >> 3] >> (8 * (i & 7))) & 1);
        int64_t at = goes ? l : left + r;
        dst[at] = src[i];
        l += goes;
        r += 1 - goes;
    }
}

// Left rows among the first `words` 8-row words of the masks (where a wide path's tail starts).
static inline int64_t left_in_words(const uint8_t *leftCounts, int64_t words) {
    int64_t l = 0;
    for (int64_t i = 0; i < words; i++) l += leftCounts[i];
    return l;
}

// The portable partition: each row's destination (left: the next left place, right: the next
// right one) is computed once from the masks for all columns (the plan: one int32 per row), then
// each column moves its bytes with one load and one store per row: no compare or select per
// column and row. Columns are done one after another (the caller may pass column c's source as
// column c + 1's destination).
static void plan_portable(int64_t count, int64_t left, const uint64_t *masks, int32_t *to) {
    int64_t l = 0, r = left;
    for (int64_t i = 0; i < count; i++) {
        int64_t goes = (int64_t)((masks[i >> 3] >> (8 * (i & 7))) & 1);
        to[i] = (int32_t)(goes ? l : r);
        l += goes;
        r += 1 - goes;
    }
}

static void partition_portable(const uint8_t *const *src, uint8_t *const *dst, int64_t columnCount,
                               int64_t count, const int32_t *to) {
    for (int64_t c = 0; c < columnCount; c++) {
        const uint8_t *s = src[c];
        uint8_t *d = dst[c];
        for (int64_t i = 0; i < count; i++) d[to[i]] = s[i];
    }
}

#if defined(__x86_64__)
// Words [from, count / 8) of one column, 8 rows per PEXT pair, then the tail: the PEXT
// partition, and the rest of the compress one after its 64-row blocks. A side's 8-byte store
// would run into the other side's bytes (or past the node) near its end: there only its bytes.
__attribute__((target("bmi2")))
static inline void partition_pext_to(const uint8_t *src, uint8_t *dst, int64_t from, int64_t count, int64_t left,
                                     const uint64_t *masks, const uint8_t *leftCounts, int64_t l, int64_t r) {
    int64_t words = count / 8;
    for (int64_t i = from; i < words; i++) {
        uint64_t x, m = masks[i];
        memcpy(&x, src + 8 * i, 8);
        uint64_t a = _pext_u64(x, m), b = _pext_u64(x, ~m);
        int64_t n = leftCounts[i];
        if (l + 8 <= left) memcpy(dst + l, &a, 8);
        else for (int64_t j = 0; j < n; j++) dst[l + j] = (uint8_t)(a >> (8 * j));
        if (left + r + 8 <= count) memcpy(dst + left + r, &b, 8);
        else for (int64_t j = 0; j < 8 - n; j++) dst[left + r + j] = (uint8_t)(b >> (8 * j));
        l += n;
        r += 8 - n;
    }
    partition_tail_to(src, dst, 8 * words, count, left, masks, l, r);
}

__attribute__((target("bmi2")))
static void partition_pext(const uint8_t *const *src, uint8_t *const *dst, int64_t columnCount, int64_t count,
                           int64_t left, const uint64_t *masks, const uint8_t *leftCounts) {
    for (int64_t c = 0; c < columnCount; c++) partition_pext_to(src[c], dst[c], 0, count, left, masks, leftCounts, 0, 0);
}

// 64 rows per step with AVX-512 VBMI2's byte compress (register form: on Zen 4 the memory form
// is slow), whole-vector stores except near a side's end (masked there); the tail as the PEXT path.
// Its plan: one bit per row (a 64-bit mask per 64 rows), built once for all columns, so each
// column reads 1 mask bit per row instead of the masks' byte.
__attribute__((target("avx512f,avx512bw")))
static void plan_compress(int64_t count, const uint64_t *masks, uint64_t *bits) {
    for (int64_t i = 0; i < count / 64; i++) bits[i] = _mm512_movepi8_mask(_mm512_loadu_si512((const void *)(masks + 8 * i)));
}

__attribute__((target("avx512f,avx512bw,avx512vbmi2,bmi2,popcnt"), always_inline))
static inline void partition_compress_body(const uint8_t *const *src, uint8_t *const *dst, int64_t columnCount,
                                           int64_t count, int64_t left, const uint64_t *masks,
                                           const uint8_t *leftCounts, const uint64_t *bits, const int PF) {
    int64_t blocks = count / 64;
    int64_t tailLeft = left_in_words(leftCounts, 8 * blocks);
    for (int64_t c = 0; c < columnCount; c++) {
        const uint8_t *s = src[c];
        uint8_t *d = dst[c], *right = dst[c] + left;
        int64_t l = 0, r = 0;
        for (int64_t i = 0; i < blocks; i++) {
            __mmask64 k = (__mmask64)bits[i];
            WB_PREFETCH_READ(PF, s + 64 * i);
            WB_PREFETCH_WRITE(PF, d + l);
            WB_PREFETCH_WRITE(PF, right + r);
            __m512i x = _mm512_loadu_si512((const void *)(s + 64 * i));
            __m512i a = _mm512_maskz_compress_epi8(k, x), b = _mm512_maskz_compress_epi8(~k, x);
            int64_t n = (int64_t)_mm_popcnt_u64(k);
            if (l + 64 <= left) _mm512_storeu_si512((void *)(d + l), a);
            else _mm512_mask_storeu_epi8(d + l, (__mmask64)_bzhi_u64(~0ull, (unsigned)n), a);
            if (left + r + 64 <= count) _mm512_storeu_si512((void *)(right + r), b);
            else _mm512_mask_storeu_epi8(right + r, (__mmask64)_bzhi_u64(~0ull, (unsigned)(64 - n)), b);
            l += n;
            r += 64 - n;
        }
        partition_pext_to(s, d, 8 * blocks, count, left, masks, leftCounts, tailLeft, 64 * blocks - tailLeft);
    }
}

__attribute__((target("avx512f,avx512bw,avx512vbmi2,bmi2,popcnt")))
static void partition_compress(const uint8_t *const *src, uint8_t *const *dst, int64_t columnCount, int64_t count,
                               int64_t left, const uint64_t *masks, const uint8_t *leftCounts, const uint64_t *bits,
                               int prefetch) {
    if (prefetch == WB_PREFETCH_T0) partition_compress_body(src, dst, columnCount, count, left, masks, leftCounts, bits, 1);
    else partition_compress_body(src, dst, columnCount, count, left, masks, leftCounts, bits, 0);
}

// The AVX2 partitions' shuffles: with `m` an 8-row word's left rows as bits, lane k of the
// shuffled word (PSHUFB bytes, VPERMD 32-bit lanes) takes row `left_first[m][k]`: the left rows
// in order, then the right rows; `left_first[~m]` puts the right rows first.
static const uint8_t left_first[256][8] = {
    {0, 1, 2, 3, 4, 5, 6, 7}, {0, 1, 2, 3, 4, 5, 6, 7}, {1, 0, 2, 3, 4, 5, 6, 7}, {0, 1, 2, 3, 4, 5, 6, 7},
    {2, 0, 1, 3, 4, 5, 6, 7}, {0, 2, 1, 3, 4, 5, 6, 7}, {1, 2, 0, 3, 4, 5, 6, 7}, {0, 1, 2, 3, 4, 5, 6, 7},
    {3, 0, 1, 2, 4, 5, 6, 7}, {0, 3, 1, 2, 4, 5, 6, 7}, {1, 3, 0, 2, 4, 5, 6, 7}, {0, 1, 3, 2, 4, 5, 6, 7},
    {2, 3, 0, 1, 4, 5, 6, 7}, {0, 2, 3, 1, 4, 5, 6, 7}, {1, 2, 3, 0, 4, 5, 6, 7}, {0, 1, 2, 3, 4, 5, 6, 7},
    {4, 0, 1, 2, 3, 5, 6, 7}, {0, 4, 1, 2, 3, 5, 6, 7}, {1, 4, 0, 2, 3, 5, 6, 7}, {0, 1, 4, 2, 3, 5, 6, 7},
    {2, 4, 0, 1, 3, 5, 6, 7}, {0, 2, 4, 1, 3, 5, 6, 7}, {1, 2, 4, 0, 3, 5, 6, 7}, {0, 1, 2, 4, 3, 5, 6, 7},
    {3, 4, 0, 1, 2, 5, 6, 7}, {0, 3, 4, 1, 2, 5, 6, 7}, {1, 3, 4, 0, 2, 5, 6, 7}, {0, 1, 3, 4, 2, 5, 6, 7},
    {2, 3, 4, 0, 1, 5, 6, 7}, {0, 2, 3, 4, 1, 5, 6, 7}, {1, 2, 3, 4, 0, 5, 6, 7}, {0, 1, 2, 3, 4, 5, 6, 7},
    {5, 0, 1, 2, 3, 4, 6, 7}, {0, 5, 1, 2, 3, 4, 6, 7}, {1, 5, 0, 2, 3, 4, 6, 7}, {0, 1, 5, 2, 3, 4, 6, 7},
    {2, 5, 0, 1, 3, 4, 6, 7}, {0, 2, 5, 1, 3, 4, 6, 7}, {1, 2, 5, 0, 3, 4, 6, 7}, {0, 1, 2, 5, 3, 4, 6, 7},
    {3, 5, 0, 1, 2, 4, 6, 7}, {0, 3, 5, 1, 2, 4, 6, 7}, {1, 3, 5, 0, 2, 4, 6, 7}, {0, 1, 3, 5, 2, 4, 6, 7},
    {2, 3, 5, 0, 1, 4, 6, 7}, {0, 2, 3, 5, 1, 4, 6, 7}, {1, 2, 3, 5, 0, 4, 6, 7}, {0, 1, 2, 3, 5, 4, 6, 7},
    {4, 5, 0, 1, 2, 3, 6, 7}, {0, 4, 5, 1, 2, 3, 6, 7}, {1, 4, 5, 0, 2, 3, 6, 7}, {0, 1, 4, 5, 2, 3, 6, 7},
    {2, 4, 5, 0, 1, 3, 6, 7}, {0, 2, 4, 5, 1, 3, 6, 7}, {1, 2, 4, 5, 0, 3, 6, 7}, {0, 1, 2, 4, 5, 3, 6, 7},
    {3, 4, 5, 0, 1, 2, 6, 7}, {0, 3, 4, 5, 1, 2, 6, 7}, {1, 3, 4, 5, 0, 2, 6, 7}, {0, 1, 3, 4, 5, 2, 6, 7},
    {2, 3, 4, 5, 0, 1, 6, 7}, {0, 2, 3, 4, 5, 1, 6, 7}, {1, 2, 3, 4, 5, 0, 6, 7}, {0, 1, 2, 3, 4, 5, 6, 7},
    {6, 0, 1, 2, 3, 4, 5, 7}, {0, 6, 1, 2, 3, 4, 5, 7}, {1, 6, 0, 2, 3, 4, 5, 7}, {0, 1, 6, 2, 3, 4, 5, 7},
    {2, 6, 0, 1, 3, 4, 5, 7}, {0, 2, 6, 1, 3, 4, 5, 7}, {1, 2, 6, 0, 3, 4, 5, 7}, {0, 1, 2, 6, 3, 4, 5, 7},
    {3, 6, 0, 1, 2, 4, 5, 7}, {0, 3, 6, 1, 2, 4, 5, 7}, {1, 3, 6, 0, 2, 4, 5, 7}, {0, 1, 3, 6, 2, 4, 5, 7},
    {2, 3, 6, 0, 1, 4, 5, 7}, {0, 2, 3, 6, 1, 4, 5, 7}, {1, 2, 3, 6, 0, 4, 5, 7}, {0, 1, 2, 3, 6, 4, 5, 7},
    {4, 6, 0, 1, 2, 3, 5, 7}, {0, 4, 6, 1, 2, 3, 5, 7}, {1, 4, 6, 0, 2, 3, 5, 7}, {0, 1, 4, 6, 2, 3, 5, 7},
    {2, 4, 6, 0, 1, 3, 5, 7}, {0, 2, 4, 6, 1, 3, 5, 7}, {1, 2, 4, 6, 0, 3, 5, 7}, {0, 1, 2, 4, 6, 3, 5, 7},
    {3, 4, 6, 0, 1, 2, 5, 7}, {0, 3, 4, 6, 1, 2, 5, 7}, {1, 3, 4, 6, 0, 2, 5, 7}, {0, 1, 3, 4, 6, 2, 5, 7},
    {2, 3, 4, 6, 0, 1, 5, 7}, {0, 2, 3, 4, 6, 1, 5, 7}, {1, 2, 3, 4, 6, 0, 5, 7}, {0, 1, 2, 3, 4, 6, 5, 7},
    {5, 6, 0, 1, 2, 3, 4, 7}, {0, 5, 6, 1, 2, 3, 4, 7}, {1, 5, 6, 0, 2, 3, 4, 7}, {0, 1, 5, 6, 2, 3, 4, 7},
    {2, 5, 6, 0, 1, 3, 4, 7}, {0, 2, 5, 6, 1, 3, 4, 7}, {1, 2, 5, 6, 0, 3, 4, 7}, {0, 1, 2, 5, 6, 3, 4, 7},
    {3, 5, 6, 0, 1, 2, 4, 7}, {0, 3, 5, 6, 1, 2, 4, 7}, {1, 3, 5, 6, 0, 2, 4, 7}, {0, 1, 3, 5, 6, 2, 4, 7},
    {2, 3, 5, 6, 0, 1, 4, 7}, {0, 2, 3, 5, 6, 1, 4, 7}, {1, 2, 3, 5, 6, 0, 4, 7}, {0, 1, 2, 3, 5, 6, 4, 7},
    {4, 5, 6, 0, 1, 2, 3, 7}, {0, 4, 5, 6, 1, 2, 3, 7}, {1, 4, 5, 6, 0, 2, 3, 7}, {0, 1, 4, 5, 6, 2, 3, 7},
    {2, 4, 5, 6, 0, 1, 3, 7}, {0, 2, 4, 5, 6, 1, 3, 7}, {1, 2, 4, 5, 6, 0, 3, 7}, {0, 1, 2, 4, 5, 6, 3, 7},
    {3, 4, 5, 6, 0, 1, 2, 7}, {0, 3, 4, 5, 6, 1, 2, 7}, {1, 3, 4, 5, 6, 0, 2, 7}, {0, 1, 3, 4, 5, 6, 2, 7},
    {2, 3, 4, 5, 6, 0, 1, 7}, {0, 2, 3, 4, 5, 6, 1, 7}, {1, 2, 3, 4, 5, 6, 0, 7}, {0, 1, 2, 3, 4, 5, 6, 7},
    {7, 0, 1, 2, 3, 4, 5, 6}, {0, 7, 1, 2, 3, 4, 5, 6}, {1, 7, 0, 2, 3, 4, 5, 6}, {0, 1, 7, 2, 3, 4, 5, 6},
    {2, 7, 0, 1, 3, 4, 5, 6}, {0, 2, 7, 1, 3, 4, 5, 6}, {1, 2, 7, 0, 3, 4, 5, 6}, {0, 1, 2, 7, 3, 4, 5, 6},
    {3, 7, 0, 1, 2, 4, 5, 6}, {0, 3, 7, 1, 2, 4, 5, 6}, {1, 3, 7, 0, 2, 4, 5, 6}, {0, 1, 3, 7, 2, 4, 5, 6},
    {2, 3, 7, 0, 1, 4, 5, 6}, {0, 2, 3, 7, 1, 4, 5, 6}, {1, 2, 3, 7, 0, 4, 5, 6}, {0, 1, 2, 3, 7, 4, 5, 6},
    {4, 7, 0, 1, 2, 3, 5, 6}, {0, 4, 7, 1, 2, 3, 5, 6}, {1, 4, 7, 0, 2, 3, 5, 6}, {0, 1, 4, 7, 2, 3, 5, 6},
    {2, 4, 7, 0, 1, 3, 5, 6}, {0, 2, 4, 7, 1, 3, 5, 6}, {1, 2, 4, 7, 0, 3, 5, 6}, {0, 1, 2, 4, 7, 3, 5, 6},
    {3, 4, 7, 0, 1, 2, 5, 6}, {0, 3, 4, 7, 1, 2, 5, 6}, {1, 3, 4, 7, 0, 2, 5, 6}, {0, 1, 3, 4, 7, 2, 5, 6},
    {2, 3, 4, 7, 0, 1, 5, 6}, {0, 2, 3, 4, 7, 1, 5, 6}, {1, 2, 3, 4, 7, 0, 5, 6}, {0, 1, 2, 3, 4, 7, 5, 6},
    {5, 7, 0, 1, 2, 3, 4, 6}, {0, 5, 7, 1, 2, 3, 4, 6}, {1, 5, 7, 0, 2, 3, 4, 6}, {0, 1, 5, 7, 2, 3, 4, 6},
    {2, 5, 7, 0, 1, 3, 4, 6}, {0, 2, 5, 7, 1, 3, 4, 6}, {1, 2, 5, 7, 0, 3, 4, 6}, {0, 1, 2, 5, 7, 3, 4, 6},
    {3, 5, 7, 0, 1, 2, 4, 6}, {0, 3, 5, 7, 1, 2, 4, 6}, {1, 3, 5, 7, 0, 2, 4, 6}, {0, 1, 3, 5, 7, 2, 4, 6},
    {2, 3, 5, 7, 0, 1, 4, 6}, {0, 2, 3, 5, 7, 1, 4, 6}, {1, 2, 3, 5, 7, 0, 4, 6}, {0, 1, 2, 3, 5, 7, 4, 6},
    {4, 5, 7, 0, 1, 2, 3, 6}, {0, 4, 5, 7, 1, 2, 3, 6}, {1, 4, 5, 7, 0, 2, 3, 6}, {0, 1, 4, 5, 7, 2, 3, 6},
    {2, 4, 5, 7, 0, 1, 3, 6}, {0, 2, 4, 5, 7, 1, 3, 6}, {1, 2, 4, 5, 7, 0, 3, 6}, {0, 1, 2, 4, 5, 7, 3, 6},
    {3, 4, 5, 7, 0, 1, 2, 6}, {0, 3, 4, 5, 7, 1, 2, 6}, {1, 3, 4, 5, 7, 0, 2, 6}, {0, 1, 3, 4, 5, 7, 2, 6},
    {2, 3, 4, 5, 7, 0, 1, 6}, {0, 2, 3, 4, 5, 7, 1, 6}, {1, 2, 3, 4, 5, 7, 0, 6}, {0, 1, 2, 3, 4, 5, 7, 6},
    {6, 7, 0, 1, 2, 3, 4, 5}, {0, 6, 7, 1, 2, 3, 4, 5}, {1, 6, 7, 0, 2, 3, 4, 5}, {0, 1, 6, 7, 2, 3, 4, 5},
    {2, 6, 7, 0, 1, 3, 4, 5}, {0, 2, 6, 7, 1, 3, 4, 5}, {1, 2, 6, 7, 0, 3, 4, 5}, {0, 1, 2, 6, 7, 3, 4, 5},
    {3, 6, 7, 0, 1, 2, 4, 5}, {0, 3, 6, 7, 1, 2, 4, 5}, {1, 3, 6, 7, 0, 2, 4, 5}, {0, 1, 3, 6, 7, 2, 4, 5},
    {2, 3, 6, 7, 0, 1, 4, 5}, {0, 2, 3, 6, 7, 1, 4, 5}, {1, 2, 3, 6, 7, 0, 4, 5}, {0, 1, 2, 3, 6, 7, 4, 5},
    {4, 6, 7, 0, 1, 2, 3, 5}, {0, 4, 6, 7, 1, 2, 3, 5}, {1, 4, 6, 7, 0, 2, 3, 5}, {0, 1, 4, 6, 7, 2, 3, 5},
    {2, 4, 6, 7, 0, 1, 3, 5}, {0, 2, 4, 6, 7, 1, 3, 5}, {1, 2, 4, 6, 7, 0, 3, 5}, {0, 1, 2, 4, 6, 7, 3, 5},
    {3, 4, 6, 7, 0, 1, 2, 5}, {0, 3, 4, 6, 7, 1, 2, 5}, {1, 3, 4, 6, 7, 0, 2, 5}, {0, 1, 3, 4, 6, 7, 2, 5},
    {2, 3, 4, 6, 7, 0, 1, 5}, {0, 2, 3, 4, 6, 7, 1, 5}, {1, 2, 3, 4, 6, 7, 0, 5}, {0, 1, 2, 3, 4, 6, 7, 5},
    {5, 6, 7, 0, 1, 2, 3, 4}, {0, 5, 6, 7, 1, 2, 3, 4}, {1, 5, 6, 7, 0, 2, 3, 4}, {0, 1, 5, 6, 7, 2, 3, 4},
    {2, 5, 6, 7, 0, 1, 3, 4}, {0, 2, 5, 6, 7, 1, 3, 4}, {1, 2, 5, 6, 7, 0, 3, 4}, {0, 1, 2, 5, 6, 7, 3, 4},
    {3, 5, 6, 7, 0, 1, 2, 4}, {0, 3, 5, 6, 7, 1, 2, 4}, {1, 3, 5, 6, 7, 0, 2, 4}, {0, 1, 3, 5, 6, 7, 2, 4},
    {2, 3, 5, 6, 7, 0, 1, 4}, {0, 2, 3, 5, 6, 7, 1, 4}, {1, 2, 3, 5, 6, 7, 0, 4}, {0, 1, 2, 3, 5, 6, 7, 4},
    {4, 5, 6, 7, 0, 1, 2, 3}, {0, 4, 5, 6, 7, 1, 2, 3}, {1, 4, 5, 6, 7, 0, 2, 3}, {0, 1, 4, 5, 6, 7, 2, 3},
    {2, 4, 5, 6, 7, 0, 1, 3}, {0, 2, 4, 5, 6, 7, 1, 3}, {1, 2, 4, 5, 6, 7, 0, 3}, {0, 1, 2, 4, 5, 6, 7, 3},
    {3, 4, 5, 6, 7, 0, 1, 2}, {0, 3, 4, 5, 6, 7, 1, 2}, {1, 3, 4, 5, 6, 7, 0, 2}, {0, 1, 3, 4, 5, 6, 7, 2},
    {2, 3, 4, 5, 6, 7, 0, 1}, {0, 2, 3, 4, 5, 6, 7, 1}, {1, 2, 3, 4, 5, 6, 7, 0}, {0, 1, 2, 3, 4, 5, 6, 7},
};

// AVX2 (Zen 3, Haswell), 16 rows per step. Per 8-row word, `left_first[m]` orders its rows left
// first; `join_halves[n0][n1]` then moves the second word's left rows next to the first's
// (n0, n1: the words' left counts), so one PSHUFB puts the group's n = n0 + n1 left rows first,
// then its right rows, and a second by `rotate[n]` puts the right rows first. Each is stored 16
// bytes wide at its side's place (the bytes past the side's rows are overwritten by the next
// group's). The split's plan, computed once for all columns, is what depends only on the masks:
// per group its shuffle and n (17 bytes; see `group_shuffles`); the places are running sums of n.
// It was both shuffles and both places (48 bytes per group), 3 bytes read per byte moved: at
// 500k rows the plan (1.5 MB) left L2 and the partition waited on it (Emerald Rapids, 500k rows
// × 70 columns, plan included: 0.146 -> 0.085 ns per byte; 200k: 0.099 -> 0.082; Zen 3's L2 is
// 512 KB). Near a side's end (a store would pass it) a group writes only its own bytes; the
// groups before the first such one run four per step without that check, which took 15 % of the
// loop (0.057 -> 0.049 ns per byte in cache, 200k rows on Zen 5). Columns are done one after
// another (the caller may pass column c's source as column c + 1's destination).
static const uint8_t join_halves[9][9][16] = {
    {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {8, 0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15}, {8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15}, {8, 9, 10, 0, 1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 14, 15}, {8, 9, 10, 11, 0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15}, {8, 9, 10, 11, 12, 0, 1, 2, 3, 4, 5, 6, 7, 13, 14, 15}, {8, 9, 10, 11, 12, 13, 0, 1, 2, 3, 4, 5, 6, 7, 14, 15}, {8, 9, 10, 11, 12, 13, 14, 0, 1, 2, 3, 4, 5, 6, 7, 15}, {8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7}},
    {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {0, 8, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15}, {0, 8, 9, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15}, {0, 8, 9, 10, 1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 14, 15}, {0, 8, 9, 10, 11, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15}, {0, 8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 13, 14, 15}, {0, 8, 9, 10, 11, 12, 13, 1, 2, 3, 4, 5, 6, 7, 14, 15}, {0, 8, 9, 10, 11, 12, 13, 14, 1, 2, 3, 4, 5, 6, 7, 15}, {0, 8, 9, 10, 11, 12, 13, 14, 15, 1, 2, 3, 4, 5, 6, 7}},
    {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {0, 1, 8, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15}, {0, 1, 8, 9, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15}, {0, 1, 8, 9, 10, 2, 3, 4, 5, 6, 7, 11, 12, 13, 14, 15}, {0, 1, 8, 9, 10, 11, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15}, {0, 1, 8, 9, 10, 11, 12, 2, 3, 4, 5, 6, 7, 13, 14, 15}, {0, 1, 8, 9, 10, 11, 12, 13, 2, 3, 4, 5, 6, 7, 14, 15}, {0, 1, 8, 9, 10, 11, 12, 13, 14, 2, 3, 4, 5, 6, 7, 15}, {0, 1, 8, 9, 10, 11, 12, 13, 14, 15, 2, 3, 4, 5, 6, 7}},
    {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {0, 1, 2, 8, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15}, {0, 1, 2, 8, 9, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15}, {0, 1, 2, 8, 9, 10, 3, 4, 5, 6, 7, 11, 12, 13, 14, 15}, {0, 1, 2, 8, 9, 10, 11, 3, 4, 5, 6, 7, 12, 13, 14, 15}, {0, 1, 2, 8, 9, 10, 11, 12, 3, 4, 5, 6, 7, 13, 14, 15}, {0, 1, 2, 8, 9, 10, 11, 12, 13, 3, 4, 5, 6, 7, 14, 15}, {0, 1, 2, 8, 9, 10, 11, 12, 13, 14, 3, 4, 5, 6, 7, 15}, {0, 1, 2, 8, 9, 10, 11, 12, 13, 14, 15, 3, 4, 5, 6, 7}},
    {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 8, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 8, 9, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 8, 9, 10, 4, 5, 6, 7, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 12, 13, 14, 15}, {0, 1, 2, 3, 8, 9, 10, 11, 12, 4, 5, 6, 7, 13, 14, 15}, {0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 4, 5, 6, 7, 14, 15}, {0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 4, 5, 6, 7, 15}, {0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 4, 5, 6, 7}},
    {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 8, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 8, 9, 5, 6, 7, 10, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 8, 9, 10, 5, 6, 7, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 8, 9, 10, 11, 5, 6, 7, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 5, 6, 7, 13, 14, 15}, {0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 5, 6, 7, 14, 15}, {0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 5, 6, 7, 15}, {0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 15, 5, 6, 7}},
    {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 5, 8, 6, 7, 9, 10, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 5, 8, 9, 6, 7, 10, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 5, 8, 9, 10, 6, 7, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 6, 7, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 6, 7, 13, 14, 15}, {0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 6, 7, 14, 15}, {0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 6, 7, 15}, {0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15, 6, 7}},
    {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 5, 6, 8, 7, 9, 10, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 5, 6, 8, 9, 7, 10, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 7, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 7, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 7, 13, 14, 15}, {0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 7, 14, 15}, {0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 7, 15}, {0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 7}},
    {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}},
};

// rotate[n]: byte k takes byte (k + n) mod 16 (the right rows of a left-first group first).
static const uint8_t rotate[17][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0},
    {2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1}, {3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2},
    {4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3}, {5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4},
    {6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5}, {7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6},
    {8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7}, {9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7, 8},
    {10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
    {12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
    {14, 15, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}, {15, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
};

// The plan in the caller's buffer (4 · count bytes): the groups' shuffles from its first 16-byte
// boundary, then their left counts (16 · g + g + 15 ≤ 4 · count bytes for g = ⌊count / 16⌋ ≥ 1).
static inline __m128i *group_shuffles(void *plan) { return (__m128i *)(((uintptr_t)plan + 15) & ~(uintptr_t)15); }
static inline uint8_t *group_lefts(void *plan, int64_t groups) { return (uint8_t *)(group_shuffles(plan) + groups); }

__attribute__((target("avx2")))
static void plan_shuffle(int64_t count, const uint64_t *masks, const uint8_t *leftCounts, void *buffer) {
    const __m128i high = _mm_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 8, 8, 8, 8, 8, 8, 8, 8);
    int64_t groups = count / 16;
    __m128i *shuffles = group_shuffles(buffer);
    uint8_t *lefts = group_lefts(buffer, groups);
    for (int64_t g = 0; g < groups; g++) {
        int64_t i = 16 * g, n0 = leftCounts[i / 8], n1 = leftCounts[i / 8 + 1];
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(masks + i / 8)));
        __m128i ia = _mm_castpd_si128(_mm_loadh_pd(_mm_castsi128_pd(_mm_loadl_epi64((const __m128i *)left_first[m & 0xFF])),
                                                   (const double *)left_first[m >> 8]));
        shuffles[g] = _mm_shuffle_epi8(_mm_add_epi8(ia, high), _mm_loadu_si128((const __m128i *)join_halves[n0][n1]));
        lefts[g] = (uint8_t)(n0 + n1);
    }
}

// Group g of one column's bytes left rows first (*a) and right rows first (*b); returns its left count.
__attribute__((target("avx2"), always_inline))
static inline int64_t group_sides(const uint8_t *s, const __m128i *shuffles, const uint8_t *lefts, int64_t g,
                                  __m128i *a, __m128i *b) {
    int64_t n = lefts[g];
    *a = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(s + 16 * g)), _mm_load_si128(shuffles + g));
    *b = _mm_shuffle_epi8(*a, _mm_loadu_si128((const __m128i *)rotate[n]));
    return n;
}

// Group g of one column: its left rows to dst + l, its right rows to dst + r (16 bytes each).
__attribute__((target("avx2"), always_inline))
static inline void shuffle_group(const uint8_t *s, uint8_t *d, const __m128i *shuffles, const uint8_t *lefts,
                                 int64_t g, int64_t *l, int64_t *r) {
    __m128i a, b;
    int64_t n = group_sides(s, shuffles, lefts, g, &a, &b);
    _mm_storeu_si128((__m128i *)(d + *l), a);
    _mm_storeu_si128((__m128i *)(d + *r), b);
    *l += n;
    *r += 16 - n;
}

// Groups g … g + 3, none near a side's end: the four left stores, then the four right ones.
// A store commits to L1 with the next one in the same cycle only when both are to one cache line
// (Intel since Ice Lake); alternating sides, as `shuffle_group` does, put every pair on two lines.
__attribute__((target("avx2"), always_inline))
static inline void shuffle_four(const uint8_t *s, uint8_t *d, const __m128i *shuffles, const uint8_t *lefts,
                                int64_t g, int64_t *l, int64_t *r) {
    __m128i a[4], b[4];
    int64_t n[4];
    for (int k = 0; k < 4; k++) n[k] = group_sides(s, shuffles, lefts, g + k, &a[k], &b[k]);
    int64_t gl = *l, gr = *r;
    for (int k = 0; k < 4; k++) { _mm_storeu_si128((__m128i *)(d + gl), a[k]); gl += n[k]; }
    for (int k = 0; k < 4; k++) { _mm_storeu_si128((__m128i *)(d + gr), b[k]); gr += 16 - n[k]; }
    *l = gl;
    *r = gr;
}

__attribute__((target("avx2"), always_inline))
static inline void partition_shuffle_body(const uint8_t *const *src, uint8_t *const *dst, int64_t columnCount,
                                          int64_t count, int64_t left, const uint64_t *masks,
                                          const uint8_t *leftCounts, const void *buffer, const int PF) {
    int64_t groups = count / 16;
    const __m128i *shuffles = group_shuffles((void *)buffer);
    const uint8_t *lefts = group_lefts((void *)buffer, groups);
    // The groups' places only grow, so those whose store could pass a side's end are the last
    // ones: walk back from the end (the places after the last group are known) to the first
    // group, at a multiple of 4, from which on they are checked.
    int64_t lt = left_in_words(leftCounts, 2 * groups);
    int64_t fast = groups, l = lt, r = left + 16 * groups - lt;
    while (fast > 0) {
        int64_t n = lefts[fast - 1];
        l -= n;
        r -= 16 - n;
        if (fast % 4 == 0 && l + 16 <= left && r + 16 <= count) break;
        fast--;
    }
    for (int64_t c = 0; c < columnCount; c++) {
        const uint8_t *s = src[c];
        uint8_t *d = dst[c];
        int64_t gl = 0, gr = left;
        for (int64_t g = 0; g < fast; g += 4) {
            WB_PREFETCH_READ(PF, s + 16 * g);
            WB_PREFETCH_WRITE(PF, d + gl);
            WB_PREFETCH_WRITE(PF, d + gr);
            shuffle_four(s, d, shuffles, lefts, g, &gl, &gr);
        }
        for (int64_t g = fast; g < groups; g++) {
            if (gl + 16 <= left && gr + 16 <= count) {
                shuffle_group(s, d, shuffles, lefts, g, &gl, &gr);
                continue;
            }
            __m128i a, b;
            int64_t n = group_sides(s, shuffles, lefts, g, &a, &b);
            uint8_t av[16], bv[16];
            _mm_storeu_si128((__m128i *)av, a);
            _mm_storeu_si128((__m128i *)bv, b);
            memcpy(d + gl, av, (size_t)n);
            memcpy(d + gr, bv, (size_t)(16 - n));
            gl += n;
            gr += 16 - n;
        }
        partition_tail_to(s, d, 16 * groups, count, left, masks, lt, 16 * groups - lt);
    }
}

__attribute__((target("avx2")))
static void partition_shuffle(const uint8_t *const *src, uint8_t *const *dst, int64_t columnCount, int64_t count,
                              int64_t left, const uint64_t *masks, const uint8_t *leftCounts, const void *buffer,
                              int prefetch) {
    if (prefetch == WB_PREFETCH_T0) partition_shuffle_body(src, dst, columnCount, count, left, masks, leftCounts, buffer, 1);
    else partition_shuffle_body(src, dst, columnCount, count, left, masks, leftCounts, buffer, 0);
}

// AVX-512 F + BW + VBMI2, and the OS saves the ZMM and mask registers.
static int has_compress(void) {
    unsigned a, b, c, d;
    if (!os_saves(0xE6) || !__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b & (1u << 16)) && (b & (1u << 30)) && (c & (1u << 6)) && (b & (1u << 8));
}

// CPUID leaf 0's vendor string (12 bytes: EBX, EDX, ECX), e.g. "AuthenticAMD", "GenuineIntel".
static int cpu_vendor_is(const char *vendor) {
    unsigned a, r[3];
    if (!__get_cpuid(0, &a, &r[0], &r[2], &r[1])) return 0;
    return memcmp(r, vendor, 12) == 0;
}

// PEXT is microcoded (tens of cycles) on AMD before Zen 3 (family 0x19).
static int fast_pext(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & (1u << 8))) return 0;  // BMI2
    int amd = cpu_vendor_is("AuthenticAMD");
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    unsigned family = ((a >> 8) & 0xF) + (((a >> 8) & 0xF) == 0xF ? ((a >> 20) & 0xFF) : 0);
    return !(amd && family < 0x19);
}
#endif

int wb_partition_path(int path) {
#if defined(__x86_64__)
    if (path >= 3 && wb_partition_uses_compress()) return 3;
    if (path >= 2 && wb_hist5_uses_avx2()) return 2;
    if (path >= 1 && wb_partition_uses_pext()) return 1;
#else
    (void)path;
#endif
    return 0;
}

void wb_partition_plan(int path, int64_t count, int64_t left, const uint64_t *masks, const uint8_t *leftCounts,
                       void *plan) {
    switch (wb_partition_path(path)) {
#if defined(__x86_64__)
    case 3: plan_compress(count, masks, (uint64_t *)plan); return;
    case 2: plan_shuffle(count, masks, leftCounts, plan); return;
    case 1: return;
#endif
    default: plan_portable(count, left, masks, (int32_t *)plan); return;
    }
}

void wb_partition_columns(int path, const uint8_t *const *src, uint8_t *const *dst, int64_t columnCount,
                          int64_t count, int64_t left, const uint64_t *masks, const uint8_t *leftCounts,
                          const void *plan, int prefetch) {
    switch (wb_partition_path(path)) {
#if defined(__x86_64__)
    case 3: partition_compress(src, dst, columnCount, count, left, masks, leftCounts, (const uint64_t *)plan, prefetch); return;
    case 2: partition_shuffle(src, dst, columnCount, count, left, masks, leftCounts, plan, prefetch); return;
    case 1: partition_pext(src, dst, columnCount, count, left, masks, leftCounts); return;
#endif
    default: partition_portable(src, dst, columnCount, count, (const int32_t *)plan); return;
    }
}

// ---- Five-bin histograms of many columns over one run of rows (wb_hist5_q32_columns) ----

#if defined(__x86_64__)
// AVX-512 VNNI: the rows' q + bias (unsigned, 3 or 4 bytes) is split once into byte planes
// (plane j, byte i = byte j of row i's q + bias); per column and 64 rows, a byte shuffle makes
// each bin's one-hot bytes and VPDPBUSD adds one-hot × plane bytes (4 rows per 32-bit lane), so
// a bin's sum is Σ_j plane_sum_j · 2^(8j) − count · bias: exact integers. A bin's count adds its
// one-hot bytes (VPADDB; a byte lane gains ≤ 1 per step, widened by VPSADBW every 255 steps).
// Two earlier forms: a VPDPBUSD of ones per bin needed more than the 32 ZMM registers with 4 planes
// and spilled (0.063–0.13 ns per row and column in cache against 0.041, Zen 5); the popcount of
// each bin's compare mask was turned by the compiler into a vector popcount of 11 instructions,
// most of them shuffles, which Intel runs on one port beside the bins' (0.087 ns in cache against
// 0.070 now, Emerald Rapids, 3 planes).
// A lane gains ≤ 4 · 255 per step; lanes are widened to 64 bits every 2^15 steps (< 2^31 / 1020).
__attribute__((target("avx512f,avx512bw,avx512vnni")))
static void planes_avx512(const int32_t *q, int64_t count, uint32_t bias, uint8_t *planes, int64_t stride, int nplanes) {
    const __m512i b = _mm512_set1_epi32((int)bias);
    int64_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512i v = _mm512_add_epi32(_mm512_loadu_si512((const void *)(q + i)), b);
        for (int j = 0; j < nplanes; j++)
            _mm_storeu_si128((__m128i *)(planes + j * stride + i), _mm512_cvtepi32_epi8(_mm512_srli_epi32(v, 8 * j)));
    }
    for (; i < count; i++) {
        uint32_t v = (uint32_t)q[i] + bias;
        for (int j = 0; j < nplanes; j++) planes[j * stride + i] = (uint8_t)(v >> (8 * j));
    }
}

__attribute__((target("avx512f,avx512bw,avx512vnni")))
static inline int64_t reduce32(__m512i v) {
    __m512i lo = _mm512_cvtepi32_epi64(_mm512_castsi512_si256(v));
    __m512i hi = _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(v, 1));
    return _mm512_reduce_add_epi64(_mm512_add_epi64(lo, hi));
}


// The sum of a vector's 64 bytes.
__attribute__((target("avx512f,avx512bw")))
static inline int64_t reduce8(__m512i v) { return _mm512_reduce_add_epi64(_mm512_sad_epu8(v, _mm512_setzero_si512())); }

#define WB_PLANES_BODY(NP, PF, HIGH)                                                                  \
    {                                                                                              \
        const __m512i flips = _mm512_set1_epi8((char)flip);                                        \
        /* one-hot tables: byte k of every 128-bit lane is 1 (bins 0…4 index a lane's bytes) */    \
        const __m512i t1 = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)); \
        const __m512i t2 = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)); \
        const __m512i t3 = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)); \
        const __m512i t4 = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)); \
        int64_t i = 0;                                                                             \
        while (i < count) {                                                                        \
            int64_t end = i + ((int64_t)64 << 15);                                                 \
            if (end > count) end = count;                                                          \
            int64_t n1 = 0, n2 = 0, n3 = 0, n4 = 0;                                                \
            __m512i s[4][NP];                                                                      \
            for (int k = 0; k < 4; k++) for (int j = 0; j < NP; j++) s[k][j] = _mm512_setzero_si512(); \
            while (i < end) {                                                                      \
                int64_t stop = end - i > 64 * 255 ? i + 64 * 255 : end;                            \
                __m512i c1 = _mm512_setzero_si512(), c2 = c1, c3 = c1, c4 = c1;                    \
                for (; i < stop; i += 64) {                                                        \
                    __mmask64 m = stop - i >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << (stop - i)) - 1); \
                    WB_PREFETCH_READ(PF, bins + i);                                                \
                    __m512i x = _mm512_maskz_loadu_epi8(m, bins + i);                              \
                    if (mask) x = _mm512_and_si512(x, _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, mask + i), flips)); \
                    if (HIGH) x = _mm512_srli_epi16(x, 4); /* the shuffle reads bits 0-3 (bit 7 is 0) */      \
                    __m512i p[NP];                                                                 \
                    for (int j = 0; j < NP; j++) p[j] = _mm512_maskz_loadu_epi8(m, planes + j * stride + i); \
                    __m512i h1 = _mm512_shuffle_epi8(t1, x), h2 = _mm512_shuffle_epi8(t2, x);      \
                    __m512i h3 = _mm512_shuffle_epi8(t3, x), h4 = _mm512_shuffle_epi8(t4, x);      \
                    c1 = _mm512_add_epi8(c1, h1);                                                  \
                    c2 = _mm512_add_epi8(c2, h2);                                                  \
                    c3 = _mm512_add_epi8(c3, h3);                                                  \
                    c4 = _mm512_add_epi8(c4, h4);                                                  \
                    for (int j = 0; j < NP; j++) {                                                 \
                        s[0][j] = _mm512_dpbusd_epi32(s[0][j], p[j], h1);                          \
                        s[1][j] = _mm512_dpbusd_epi32(s[1][j], p[j], h2);                          \
                        s[2][j] = _mm512_dpbusd_epi32(s[2][j], p[j], h3);                          \
                        s[3][j] = _mm512_dpbusd_epi32(s[3][j], p[j], h4);                          \
                    }                                                                              \
                }                                                                                  \
                n1 += reduce8(c1);                                                                 \
                n2 += reduce8(c2);                                                                 \
                n3 += reduce8(c3);                                                                 \
                n4 += reduce8(c4);                                                                 \
            }                                                                                      \
            int64_t ns[4] = {n1, n2, n3, n4};                                                      \
            for (int k = 0; k < 4; k++) {                                                          \
                int64_t n = ns[k];                                                                 \
                int64_t t = 0;                                                                     \
                for (int j = 0; j < NP; j++) t += reduce32(s[k][j]) << (8 * j);                    \
                counts[k] += n;                                                                    \
                sums[k] += t - n * (int64_t)bias;                                                  \
            }                                                                                      \
        }                                                                                          \
    }

// One kernel per plane count, prefetch hint and nibble (constants in the loop: no spills). HIGH:
// the bins are the bytes' high nibbles, shifted down (a low nibble needs nothing: the shuffle
// reads bits 0-3 of each byte and zeroes it only for bit 7, and nibbles hold bins 0…4).
#define WB_PLANES_KERNEL(NAME, NP, PF, HIGH)                                                                    \
    __attribute__((target("avx512f,avx512bw,avx512vnni")))                                                      \
    static void NAME(const uint8_t *bins, const uint8_t *planes, int64_t stride, int64_t count, uint32_t bias,  \
                     int64_t *counts, int64_t *sums, const uint8_t *mask, uint8_t flip) WB_PLANES_BODY(NP, PF, HIGH)
WB_PLANES_KERNEL(hist5_vnni3_nta, 3, 0, 0)
WB_PLANES_KERNEL(hist5_vnni4_nta, 4, 0, 0)
WB_PLANES_KERNEL(hist5_vnni3_t0, 3, 1, 0)
WB_PLANES_KERNEL(hist5_vnni4_t0, 4, 1, 0)
WB_PLANES_KERNEL(hist5_vnni3_nta_high, 3, 0, 1)
WB_PLANES_KERNEL(hist5_vnni4_nta_high, 4, 0, 1)
WB_PLANES_KERNEL(hist5_vnni3_t0_high, 3, 1, 1)
WB_PLANES_KERNEL(hist5_vnni4_t0_high, 4, 1, 1)

// The same planes with AVX2 (Zen 3, Haswell): VPMADDUBSW multiplies one-hot bytes by plane
// bytes and adds pairs (≤ 510) into 16-bit lanes, which take 64 steps (≤ 32640) before
// VPMADDWD widens them to 32 bits; counts add one-hot bytes (≤ 64 per byte lane, then VPSADBW).
// Two bins per pass keep the accumulators within the 16 YMM registers; both passes run over each
// 2,048-row block in turn, so the second reads the block's bins from L1.
// 32 rows per step: PSHUFB groups each 128-bit lane's bytes by plane (4 rows' byte j in dword j),
// VPERMD gathers each plane's 8 bytes of a vector into qword j, and a 4 × 4 transpose of qwords
// across the 4 vectors makes each plane's 32 bytes. Done as a byte loop per row it took 18 % of
// the AVX2 histograms' time at 500k × 700 (Emerald Rapids; 1.16 -> 0.21 ns per row, 3 planes).
__attribute__((target("avx2")))
static void planes_avx2(const int32_t *q, int64_t count, uint32_t bias, uint8_t *planes, int64_t stride, int nplanes) {
    const __m256i b = _mm256_set1_epi32((int)bias);
    const __m256i byPlane = _mm256_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15,
                                             0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    const __m256i lanes = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    int64_t i = 0;
    for (; i + 32 <= count; i += 32) {
        __m256i v[4];
        for (int k = 0; k < 4; k++) {
            __m256i x = _mm256_add_epi32(_mm256_loadu_si256((const __m256i *)(q + i + 8 * k)), b);
            v[k] = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(x, byPlane), lanes);
        }
        __m256i lo01 = _mm256_unpacklo_epi64(v[0], v[1]), hi01 = _mm256_unpackhi_epi64(v[0], v[1]);
        __m256i lo23 = _mm256_unpacklo_epi64(v[2], v[3]), hi23 = _mm256_unpackhi_epi64(v[2], v[3]);
        _mm256_storeu_si256((__m256i *)(planes + i), _mm256_permute2x128_si256(lo01, lo23, 0x20));
        _mm256_storeu_si256((__m256i *)(planes + stride + i), _mm256_permute2x128_si256(hi01, hi23, 0x20));
        _mm256_storeu_si256((__m256i *)(planes + 2 * stride + i), _mm256_permute2x128_si256(lo01, lo23, 0x31));
        if (nplanes == 4)
            _mm256_storeu_si256((__m256i *)(planes + 3 * stride + i), _mm256_permute2x128_si256(hi01, hi23, 0x31));
    }
    for (; i < count; i++) {
        uint32_t v = (uint32_t)q[i] + bias;
        for (int j = 0; j < nplanes; j++) planes[j * stride + i] = (uint8_t)(v >> (8 * j));
    }
}

__attribute__((target("avx2")))
static inline int64_t reduce32x8(__m256i v) {
    __m256i w = _mm256_add_epi64(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(v)),
                                 _mm256_cvtepi32_epi64(_mm256_extracti128_si256(v, 1)));
    int64_t lanes[4];
    _mm256_storeu_si256((__m256i *)lanes, w);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

// One pass (two bins, tables tA and tB) over rows [start, end) of a block (≤ 64 steps): adds the
// bins' counts (VPSADBW of the one-hot byte sums) to the 64-bit lanes of wn[0], wn[1] and their
// plane sums (VPMADDWD of the 16-bit lanes) to the 32-bit lanes of ws[0][·], ws[1][·]: vector adds
// only, reduced to integers once per call (a reduction per block took about 90 of the block's
// 1,024 vector operations in a loop bound by them). NP, MASKED and PREFETCH (0 none, else the
// policy + 1) are constants where it is inlined, so each copy keeps its accumulators in registers
// and has no test of the mask in its loop. MASKED: 0 all rows, 1 `mask ^ flip`, 2 and 3 the same
// in one instruction for flip 0 (`mask`) and 0xFF (`~mask`), the only flips the trainer passes.
// HIGH: the bins are the bytes' high nibbles, shifted down (one more instruction per step); a low
// nibble needs none, as PSHUFB reads bits 0-3 of each byte (it zeroes only for bit 7, and nibbles
// hold bins 0…4).
__attribute__((target("avx2"), always_inline))
static inline void hist5_planes_avx2_pass(const uint8_t *bins, const uint8_t *planes, int64_t stride, int64_t start,
                                          int64_t end, const uint8_t *mask, __m256i flips, __m256i tA, __m256i tB,
                                          const int NP, const int MASKED, const int PREFETCH, const int HIGH,
                                          __m256i *wn, __m256i (*ws)[4]) {
    const __m256i ones16 = _mm256_set1_epi16(1), zero = _mm256_setzero_si256();
    __m256i cA = zero, cB = zero;
    __m256i a0 = zero, a1 = zero, a2 = zero, a3 = zero, b0 = zero, b1 = zero, b2 = zero, b3 = zero;
    for (int64_t i = start; i < end; i += 32) {
        // Twice the distance: each block is read by two passes, so the same lead in time.
        if (PREFETCH) WB_PREFETCH_READ(PREFETCH - 1, bins + i + WB_PREFETCH_DISTANCE);
        __m256i x = _mm256_loadu_si256((const __m256i *)(bins + i));
        if (MASKED == 1) x = _mm256_and_si256(x, _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(mask + i)), flips));
        if (MASKED == 2) x = _mm256_and_si256(x, _mm256_loadu_si256((const __m256i *)(mask + i)));
        if (MASKED == 3) x = _mm256_andnot_si256(_mm256_loadu_si256((const __m256i *)(mask + i)), x);
        if (HIGH) x = _mm256_srli_epi16(x, 4);
        __m256i hA = _mm256_shuffle_epi8(tA, x), hB = _mm256_shuffle_epi8(tB, x);
        cA = _mm256_add_epi8(cA, hA);
        cB = _mm256_add_epi8(cB, hB);
        __m256i p0 = _mm256_loadu_si256((const __m256i *)(planes + i));
        __m256i p1 = _mm256_loadu_si256((const __m256i *)(planes + stride + i));
        __m256i p2 = _mm256_loadu_si256((const __m256i *)(planes + 2 * stride + i));
        a0 = _mm256_add_epi16(a0, _mm256_maddubs_epi16(p0, hA));
        b0 = _mm256_add_epi16(b0, _mm256_maddubs_epi16(p0, hB));
        a1 = _mm256_add_epi16(a1, _mm256_maddubs_epi16(p1, hA));
        b1 = _mm256_add_epi16(b1, _mm256_maddubs_epi16(p1, hB));
        a2 = _mm256_add_epi16(a2, _mm256_maddubs_epi16(p2, hA));
        b2 = _mm256_add_epi16(b2, _mm256_maddubs_epi16(p2, hB));
        if (NP == 4) {
            __m256i p3 = _mm256_loadu_si256((const __m256i *)(planes + 3 * stride + i));
            a3 = _mm256_add_epi16(a3, _mm256_maddubs_epi16(p3, hA));
            b3 = _mm256_add_epi16(b3, _mm256_maddubs_epi16(p3, hB));
        }
    }
    wn[0] = _mm256_add_epi64(wn[0], _mm256_sad_epu8(cA, zero));
    wn[1] = _mm256_add_epi64(wn[1], _mm256_sad_epu8(cB, zero));
    __m256i as[4] = {a0, a1, a2, a3}, bs[4] = {b0, b1, b2, b3};
    for (int j = 0; j < NP; j++) {
        ws[0][j] = _mm256_add_epi32(ws[0][j], _mm256_madd_epi16(as[j], ones16));
        ws[1][j] = _mm256_add_epi32(ws[1][j], _mm256_madd_epi16(bs[j], ones16));
    }
}

// Blocks of 64 steps (the 16-bit lanes' bound); both passes over a block while its bins are in L1
// (the first pass prefetches the bins ahead). A block adds ≤ 2 · 32640 to a 32-bit lane: the lanes
// are reduced to n and s every 2^10 blocks (2,097,152 rows, as the VNNI path; ≪ 2^31), and at the end.
// `high`: the bins are the bytes' high nibbles; `pair` (with a low `high` 0): the high nibbles' too,
// into `nh` and `sh`, by two more passes over each block (still in L1: each byte is read from
// memory once for both features).
__attribute__((target("avx2"), always_inline))
static inline void hist5_planes_avx2_blocks(const uint8_t *bins, const uint8_t *planes, int64_t stride, int64_t full,
                                            const uint8_t *mask, uint8_t flip, const int NP, const int MASKED,
                                            const int PF, int high, int pair, int64_t *n, int64_t (*s)[4],
                                            int64_t *nh, int64_t (*sh)[4]) {
    const __m256i flips = _mm256_set1_epi8((char)flip), zero = _mm256_setzero_si256();
    const __m256i t1 = _mm256_setr_epi8(0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m256i t2 = _mm256_setr_epi8(0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m256i t3 = _mm256_setr_epi8(0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m256i t4 = _mm256_setr_epi8(0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    const int64_t block = 64 * 32, flush = block << 10;
    for (int64_t first = 0; first < full; first += flush) {
        int64_t last = first + flush < full ? first + flush : full;
        __m256i wn[4] = {zero, zero, zero, zero}, ws[4][4], wnh[4] = {zero, zero, zero, zero}, wsh[4][4];
        for (int k = 0; k < 4; k++) for (int j = 0; j < 4; j++) ws[k][j] = wsh[k][j] = zero;
        for (int64_t start = first; start < last; start += block) {
            int64_t end = start + block < last ? start + block : last;
            if (high) {
                hist5_planes_avx2_pass(bins, planes, stride, start, end, mask, flips, t1, t2, NP, MASKED, PF + 1, 1, wn, ws);
                hist5_planes_avx2_pass(bins, planes, stride, start, end, mask, flips, t3, t4, NP, MASKED, 0, 1, wn + 2, ws + 2);
                continue;
            }
            hist5_planes_avx2_pass(bins, planes, stride, start, end, mask, flips, t1, t2, NP, MASKED, PF + 1, 0, wn, ws);
            hist5_planes_avx2_pass(bins, planes, stride, start, end, mask, flips, t3, t4, NP, MASKED, 0, 0, wn + 2, ws + 2);
            if (pair) {
                hist5_planes_avx2_pass(bins, planes, stride, start, end, mask, flips, t1, t2, NP, MASKED, 0, 1, wnh, wsh);
                hist5_planes_avx2_pass(bins, planes, stride, start, end, mask, flips, t3, t4, NP, MASKED, 0, 1, wnh + 2,
                                       wsh + 2);
            }
        }
        for (int k = 0; k < 4; k++) {
            int64_t l[4];
            _mm256_storeu_si256((__m256i *)l, wn[k]);
            n[k] += l[0] + l[1] + l[2] + l[3];
            for (int j = 0; j < NP; j++) s[k][j] += reduce32x8(ws[k][j]);
            if (!pair) continue;
            _mm256_storeu_si256((__m256i *)l, wnh[k]);
            nh[k] += l[0] + l[1] + l[2] + l[3];
            for (int j = 0; j < NP; j++) sh[k][j] += reduce32x8(wsh[k][j]);
        }
    }
}

// Counts and sums (bins 1…4) of rows [from, count) one at a time, the bins at bit `shift` of the
// bytes: the AVX2 histograms' tail.
static void hist5_planes_tail(const uint8_t *bins, int shift, const uint8_t *planes, int64_t stride, int64_t from,
                              int64_t count, int nplanes, uint32_t bias, int64_t *counts, int64_t *sums,
                              const uint8_t *mask, uint8_t flip) {
    for (int64_t i = from; i < count; i++) {
        int b = ((mask ? bins[i] & (mask[i] ^ flip) : bins[i]) >> shift) & 0x0F;
        if (b == 0 || b > 4) continue;
        uint32_t v = 0;
        for (int j = 0; j < nplanes; j++) v |= (uint32_t)planes[j * stride + i] << (8 * j);
        counts[b - 1] += 1;
        sums[b - 1] += (int64_t)v - (int64_t)bias;
    }
}

// `high`: the bins are the bytes' high nibbles. `pair` (with `high` 0): also the high nibbles'
// counts and sums, into `countsH` and `sumsH`, from the same reads.
__attribute__((target("avx2")))
static void hist5_planes_avx2(const uint8_t *bins, const uint8_t *planes, int64_t stride, int64_t count,
                              int nplanes, int t0, uint32_t bias, int64_t *counts, int64_t *sums,
                              const uint8_t *mask, uint8_t flip, int high, int pair, int64_t *countsH, int64_t *sumsH) {
    int64_t full = count / 32 * 32;
    int64_t n[4] = {0, 0, 0, 0}, s[4][4] = {{0}}, nh[4] = {0, 0, 0, 0}, sh[4][4] = {{0}};
    // One inlined copy per plane count, masking and prefetch hint (constants in its loops).
#define WB_AVX2_BLOCKS(NP, MASKED, PF) \
    hist5_planes_avx2_blocks(bins, planes, stride, full, mask, flip, NP, MASKED, PF, high, pair, n, s, nh, sh)
    int m = !mask ? 0 : flip == 0 ? 2 : flip == 0xFF ? 3 : 1;  // MASKED of `hist5_planes_avx2_pass`
#define WB_AVX2_BLOCKS_NP(NP)                                                                                  \
    do {                                                                                                       \
        if (t0) { if (m == 0) WB_AVX2_BLOCKS(NP, 0, 1); else if (m == 1) WB_AVX2_BLOCKS(NP, 1, 1);             \
                  else if (m == 2) WB_AVX2_BLOCKS(NP, 2, 1); else WB_AVX2_BLOCKS(NP, 3, 1); }                 \
        else { if (m == 0) WB_AVX2_BLOCKS(NP, 0, 0); else if (m == 1) WB_AVX2_BLOCKS(NP, 1, 0);                \
               else if (m == 2) WB_AVX2_BLOCKS(NP, 2, 0); else WB_AVX2_BLOCKS(NP, 3, 0); }                    \
    } while (0)
    if (nplanes == 3) WB_AVX2_BLOCKS_NP(3);
    else WB_AVX2_BLOCKS_NP(4);
#undef WB_AVX2_BLOCKS_NP
#undef WB_AVX2_BLOCKS
    for (int k = 0; k < 4; k++) {
        int64_t t = 0, th = 0;
        for (int j = 0; j < nplanes; j++) { t += s[k][j] << (8 * j); th += sh[k][j] << (8 * j); }
        counts[k] += n[k];
        sums[k] += t - n[k] * (int64_t)bias;
        if (!pair) continue;
        countsH[k] += nh[k];
        sumsH[k] += th - nh[k] * (int64_t)bias;
    }
    hist5_planes_tail(bins, high ? 4 : 0, planes, stride, full, count, nplanes, bias, counts, sums, mask, flip);
    if (pair) hist5_planes_tail(bins, 4, planes, stride, full, count, nplanes, bias, countsH, sumsH, mask, flip);
}

// AVX-512 F + BW + VNNI, and the OS saves the ZMM and mask registers.
static int has_vnni512(void) {
    unsigned a, b, c, d;
    if (!os_saves(0xE6) || !__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b & (1u << 16)) && (b & (1u << 30)) && (c & (1u << 11));
}
#endif


// What this CPU has, read once (a benign race: every thread computes the same value), lowered by
// WORKBENCH_KERNELS: `avx2` turns off the AVX-512 paths (what Zen 3 and Haswell take), `portable`
// every CPU-specific path, so a benchmark can time all paths on one machine.
static int kernel_features(void) {
    static int cached = -1;
    if (cached < 0) {
        int f = 0;
#if defined(__x86_64__)
        f = (has_avx2() ? WB_AVX2 : 0) | (fast_pext() ? WB_PEXT : 0) | (has_compress() ? WB_COMPRESS : 0)
            | (has_vnni512() ? WB_VNNI : 0);
#endif
        const char *cap = getenv("WORKBENCH_KERNELS");
        if (cap && strcmp(cap, "avx2") == 0) f &= WB_AVX2 | WB_PEXT;
        if (cap && strcmp(cap, "portable") == 0) f = 0;
        cached = f;
    }
    return cached;
}

int wb_prefetch_vendor_hint(void) {
#if defined(__x86_64__)
    return cpu_vendor_is("GenuineIntel") ? WB_PREFETCH_T0 : WB_PREFETCH_NTA;
#else
    return WB_PREFETCH_NTA;
#endif
}

int wb_prefetch_forced(void) {
    const char *hint = getenv("WORKBENCH_PREFETCH");
    if (hint && strcmp(hint, "t0") == 0) return WB_PREFETCH_T0;
    if (hint && strcmp(hint, "nta") == 0) return WB_PREFETCH_NTA;
    return -1;
}

int wb_hist5_uses_avx2(void) { return (kernel_features() & WB_AVX2) != 0; }
int wb_partition_uses_pext(void) { return (kernel_features() & WB_PEXT) != 0; }
int wb_partition_uses_compress(void) { return (kernel_features() & WB_COMPRESS) != 0; }
int wb_hist5_uses_vnni(void) { return (kernel_features() & WB_VNNI) != 0; }

static void hist5_columns(const uint8_t *const *columns, const uint8_t *fields, int64_t columnCount, const int32_t *q,
                          int64_t count, int64_t block, int64_t *out, uint8_t *scratch, const uint8_t *mask,
                          uint8_t flip, int path, int prefetch) {
#define WB_HIGH(c) (fields && fields[c] == WB_FIELD_HIGH)
#if defined(__x86_64__)
    if (path >= 1) {
        // Three planes when every |q| < 2^23 (q + 2^23 fits 24 bits), else four with bias 2^31.
        int32_t lo = 0, hi = 0;
        for (int64_t i = 0; i < count; i++) { lo = q[i] < lo ? q[i] : lo; hi = q[i] > hi ? q[i] : hi; }
        int np = lo >= -(1 << 23) && hi < (1 << 23) ? 3 : 4;
        uint32_t bias = np == 3 ? (1u << 23) : (1u << 31);
        int t0 = prefetch == WB_PREFETCH_T0;
        if (path == 2) {
            planes_avx512(q, count, bias, scratch, count, np);
            for (int64_t c = 0; c < columnCount; c++) {
                // A pair's high nibbles right after its low ones: the second read is from cache.
                void (*kernel)(const uint8_t *, const uint8_t *, int64_t, int64_t, uint32_t, int64_t *, int64_t *,
                               const uint8_t *, uint8_t) =
                    WB_HIGH(c) ? (np == 3 ? (t0 ? hist5_vnni3_t0_high : hist5_vnni3_nta_high)
                                          : (t0 ? hist5_vnni4_t0_high : hist5_vnni4_nta_high))
                               : (np == 3 ? (t0 ? hist5_vnni3_t0 : hist5_vnni3_nta) : (t0 ? hist5_vnni4_t0 : hist5_vnni4_nta));
                kernel(columns[c], scratch, count, count, bias, out + 8 * c, out + 8 * c + 4, mask, flip);
            }
        } else {
            planes_avx2(q, count, bias, scratch, count, np);
            for (int64_t c = 0; c < columnCount; c++) {
                // A column's low nibbles followed by its high nibbles: both from one read of each block.
                int pair = !WB_HIGH(c) && c + 1 < columnCount && columns[c + 1] == columns[c] && WB_HIGH(c + 1);
                int64_t *next = pair ? out + 8 * (c + 1) : NULL;
                hist5_planes_avx2(columns[c], scratch, count, count, np, t0, bias, out + 8 * c, out + 8 * c + 4, mask, flip,
                                  WB_HIGH(c), pair, next, next ? next + 4 : NULL);
                c += pair;
            }
        }
        return;
    }
#endif
    (void)scratch;
    uint8_t shifts[64];
    for (int64_t c0 = 0; c0 < columnCount; c0 += 64) {
        int64_t w = columnCount - c0 < 64 ? columnCount - c0 : 64;
        int64_t *counts[64], *sums[64];
        for (int64_t k = 0; k < w; k++) {
            counts[k] = out + 8 * (c0 + k);
            sums[k] = counts[k] + 4;
            shifts[k] = WB_HIGH(c0 + k) ? 4 : 0;
        }
        hist5_scatter_columns(columns + c0, shifts, w, q, count, block, counts, sums, mask, flip);
    }
#undef WB_HIGH
}

void wb_hist5_q32_columns(const uint8_t *const *columns, const uint8_t *fields, int64_t columnCount, const int32_t *q,
                          int64_t count, int64_t block, int64_t *out, uint8_t *scratch, const uint8_t *mask,
                          uint8_t flip, int prefetch) {
    hist5_columns(columns, fields, columnCount, q, count, block, out, scratch, mask, flip,
                  wb_hist5_uses_vnni() ? 2 : wb_hist5_uses_avx2() ? 1 : 0, prefetch);
}

void wb_hist5_q32_columns_path(const uint8_t *const *columns, const uint8_t *fields, int64_t columnCount,
                               const int32_t *q, int64_t count, int64_t block, int64_t *out, uint8_t *scratch,
                               const uint8_t *mask, uint8_t flip, int path, int prefetch) {
    int best = wb_hist5_uses_vnni() ? 2 : wb_hist5_uses_avx2() ? 1 : 0;
    hist5_columns(columns, fields, columnCount, q, count, block, out, scratch, mask, flip, path < best ? path : best,
                  prefetch);
}

// ---- Stable partition of the order (wb_partition_order) ----

// Rows [from, count) of the order one at a time, then the right rows copied back; returns the
// left count. The portable partition, and the tail of the AVX-512 one.
static inline int64_t partition_order_tail(int32_t *order, int64_t from, int64_t count, const uint64_t *masks,
                                           int32_t *scratch, int64_t l, int64_t r) {
    for (int64_t i = from; i < count; i++) {
        int64_t goes = (int64_t)((masks[i >> 3] >> (8 * (i & 7))) & 1);
        int32_t p = order[i];
        order[l] = p;
        scratch[r] = p;
        l += goes;
        r += 1 - goes;
    }
    memcpy(order + l, scratch, (size_t)r * sizeof(int32_t));
    return l;
}

// 8 rows per mask word: byte j of `(ones · 0x0101…) − ones` counts the word's left rows before
// row j, so every row's place is known without a chain through the previous row; each row is
// stored on both sides (the wrong side's store is overwritten later or lies past the end).
static int64_t partition_order_portable(int32_t *order, int64_t count, const uint64_t *masks, int32_t *scratch) {
    const uint64_t lows = 0x0101010101010101ull;
    int64_t l = 0, r = 0, words = count / 8;
    for (int64_t i = 0; i < words; i++) {
        uint64_t ones = masks[i] & lows;
        uint64_t before = ones * lows - ones;
        int32_t p[8];
        memcpy(p, order + 8 * i, sizeof p);
        for (int j = 0; j < 8; j++) {
            int64_t a = (int64_t)((before >> (8 * j)) & 0xFF);
            order[l + a] = p[j];
            scratch[r + j - a] = p[j];
        }
        int64_t n = (int64_t)((ones * lows) >> 56);
        l += n;
        r += 8 - n;
    }
    return partition_order_tail(order, 8 * words, count, masks, scratch, l, r);
}

#if defined(__x86_64__)
// AVX2 (Zen 3, Haswell): 8 rows per step, both sides' orders by one table lookup each and
// VPERMD; all 8 lanes are stored on each side (the lanes past a side's rows are overwritten by
// later rows or lie past its end: `l + 8 ≤ i + 8 ≤ count`, and likewise for `r`).
__attribute__((target("avx2,popcnt")))
static int64_t partition_order_avx2(int32_t *order, int64_t count, const uint64_t *masks, int32_t *scratch) {
    int64_t l = 0, r = 0, i = 0;
    for (; i + 8 <= count; i += 8) {
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_loadl_epi64((const __m128i *)(masks + i / 8)));
        __m256i x = _mm256_loadu_si256((const __m256i *)(order + i));
        __m256i a = _mm256_permutevar8x32_epi32(x, _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)left_first[m])));
        __m256i b = _mm256_permutevar8x32_epi32(x, _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)left_first[~m & 0xFF])));
        _mm256_storeu_si256((__m256i *)(order + l), a);
        _mm256_storeu_si256((__m256i *)(scratch + r), b);
        int64_t n = __builtin_popcount(m);
        l += n;
        r += 8 - n;
    }
    return partition_order_tail(order, i, count, masks, scratch, l, r);
}
#endif

#if defined(__x86_64__)
// 16 rows per step: the masks' 16 bytes give a 16-bit lane mask; compress in registers, masked
// stores (the memory form of VPCOMPRESSD is slow on Zen 4, and nothing is written past the ends).
__attribute__((target("avx512f,avx512bw,avx512vl,popcnt")))
static int64_t partition_order_avx512(int32_t *order, int64_t count, const uint64_t *masks, int32_t *scratch) {
    int64_t l = 0, r = 0, i = 0;
    for (; i + 16 <= count; i += 16) {
        __mmask16 k = _mm_movepi8_mask(_mm_loadu_si128((const __m128i *)(masks + i / 8)));
        __m512i x = _mm512_loadu_si512((const void *)(order + i));
        int n = _mm_popcnt_u32(k);
        _mm512_mask_storeu_epi32(order + l, (__mmask16)((1u << n) - 1), _mm512_maskz_compress_epi32(k, x));
        _mm512_mask_storeu_epi32(scratch + r, (__mmask16)((1u << (16 - n)) - 1), _mm512_maskz_compress_epi32((__mmask16)~k, x));
        l += n;
        r += 16 - n;
    }
    return partition_order_tail(order, i, count, masks, scratch, l, r);
}
#endif

int64_t wb_partition_order(int32_t *order, int64_t count, const uint64_t *masks, int32_t *scratch) {
#if defined(__x86_64__)
    if (wb_partition_uses_compress()) return partition_order_avx512(order, count, masks, scratch);
    if (wb_hist5_uses_avx2()) return partition_order_avx2(order, count, masks, scratch);
#endif
    return partition_order_portable(order, count, masks, scratch);
}

int64_t wb_partition_order_portable(int32_t *order, int64_t count, const uint64_t *masks, int32_t *scratch) {
    return partition_order_portable(order, count, masks, scratch);
}

int64_t wb_partition_order_avx2(int32_t *order, int64_t count, const uint64_t *masks, int32_t *scratch) {
#if defined(__x86_64__)
    if (wb_hist5_uses_avx2()) return partition_order_avx2(order, count, masks, scratch);
#endif
    return partition_order_portable(order, count, masks, scratch);
}
