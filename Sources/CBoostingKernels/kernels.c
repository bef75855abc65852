// Tree-local column partition of the GBDT trainer (Sources/Boosting/README.md, "Kernels").
#include "CBoostingKernels.h"
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

// Scalar reference of wb_hist5_q32 (and its fallback where AVX2 is missing).
static void hist5_portable(const uint8_t *bins, const int32_t *q, int64_t count, int64_t block,
                           int64_t *counts, int64_t *sums) {
    for (int64_t start = 0; start < count; start += block) {
        int64_t end = start + block < count ? start + block : count;
        int32_t a[4] = {0, 0, 0, 0}, c[4] = {0, 0, 0, 0};
        for (int64_t i = start; i < end; i++) {
            int32_t b = bins[i], v = q[i];
            for (int k = 0; k < 4; k++) {
                int32_t m = -(int32_t)(b == k + 1);
                a[k] += v & m;
                c[k] -= m;
            }
        }
        for (int k = 0; k < 4; k++) { sums[k] += a[k]; counts[k] += c[k]; }
    }
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

// AVX2 and the OS saves the YMM registers (XCR0 bits 1, 2).
static int has_avx2(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0x6) != 0x6) return 0;
    return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 5));
}
#endif

int wb_hist5_uses_avx2(void) {
#if defined(__x86_64__)
    static int cached = -1;
    if (cached < 0) cached = has_avx2();
    return cached;
#else
    return 0;
#endif
}

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

int64_t wb_split_masks(const uint8_t *split, int64_t count, uint8_t threshold,
                       uint64_t *masks, uint8_t *leftCounts) {
    int64_t left = 0;
    int64_t words = (count + 7) / 8;
    for (int64_t i = 0; i < words; i++) {
        uint64_t m = 0;
        int n = 0;
        int64_t rows = count - 8 * i < 8 ? count - 8 * i : 8;
        for (int64_t j = 0; j < rows; j++) {
            uint64_t goes = split[8 * i + j] <= threshold;
            m |= (0 - goes) & ((uint64_t)0xFF << (8 * j));
            n += (int)goes;
        }
        masks[i] = m;
        leftCounts[i] = (uint8_t)n;
        left += n;
    }
    return left;
}

void wb_partition_columns_portable(uint8_t *const *columns, int64_t columnCount, int64_t count,
                                   const uint64_t *masks, const uint8_t *leftCounts, uint8_t *scratch) {
    (void)leftCounts;
    for (int64_t c = 0; c < columnCount; c++) {
        uint8_t *col = columns[c];
        int64_t l = 0, r = 0;
        for (int64_t i = 0; i < count; i++) {
            // Branch-free: a split is close to a coin flip, a branch would mispredict.
            int64_t goes = (int64_t)((masks[i >> 3] >> (8 * (i & 7))) & 1);
            uint8_t v = col[i];
            col[l] = v;
            scratch[r] = v;
            l += goes;
            r += 1 - goes;
        }
        memcpy(col + l, scratch, (size_t)r);
    }
}

#if defined(__x86_64__)
__attribute__((target("bmi2")))
static void partition_pext(uint8_t *const *columns, int64_t columnCount, int64_t count,
                           const uint64_t *masks, const uint8_t *leftCounts, uint8_t *scratch) {
    int64_t words = count / 8;
    for (int64_t c = 0; c < columnCount; c++) {
        uint8_t *col = columns[c];
        int64_t l = 0, r = 0;
        for (int64_t i = 0; i < words; i++) {
            uint64_t x, m = masks[i];
            memcpy(&x, col + 8 * i, 8);
            uint64_t a = _pext_u64(x, m), b = _pext_u64(x, ~m);
            // In place: l ≤ 8i, so the 8 bytes written end within the word just read.
            memcpy(col + l, &a, 8);
            memcpy(scratch + r, &b, 8);
            l += leftCounts[i];
            r += 8 - leftCounts[i];
        }
        for (int64_t i = 8 * words; i < count; i++) {
            int64_t goes = (int64_t)((masks[i >> 3] >> (8 * (i & 7))) & 1);
            uint8_t v = col[i];
            col[l] = v;
            scratch[r] = v;
            l += goes;
            r += 1 - goes;
        }
        memcpy(col + l, scratch, (size_t)r);
    }
}

// 64 rows per step with AVX-512 VBMI2's byte compress (register form: on Zen 4 the memory form
// is slow); the tail as the PEXT path.
__attribute__((target("avx512f,avx512bw,avx512vbmi2,bmi2,popcnt")))
static void partition_compress(uint8_t *const *columns, int64_t columnCount, int64_t count,
                               const uint64_t *masks, const uint8_t *leftCounts, uint8_t *scratch) {
    int64_t blocks = count / 64;
    for (int64_t c = 0; c < columnCount; c++) {
        uint8_t *col = columns[c];
        int64_t l = 0, r = 0;
        for (int64_t i = 0; i < blocks; i++) {
            __mmask64 k = _mm512_movepi8_mask(_mm512_loadu_si512((const void *)(masks + 8 * i)));
            __m512i x = _mm512_loadu_si512((const void *)(col + 64 * i));
            // In place: l ≤ 64i, so the 64 bytes written end within the block just read.
            _mm512_storeu_si512((void *)(col + l), _mm512_maskz_compress_epi8(k, x));
            _mm512_storeu_si512((void *)(scratch + r), _mm512_maskz_compress_epi8(~k, x));
            int64_t n = (int64_t)_mm_popcnt_u64(k);
            l += n;
            r += 64 - n;
        }
        int64_t words = count / 8;
        for (int64_t i = 8 * blocks; i < words; i++) {
            uint64_t x, m = masks[i];
            memcpy(&x, col + 8 * i, 8);
            uint64_t a = _pext_u64(x, m), b = _pext_u64(x, ~m);
            memcpy(col + l, &a, 8);
            memcpy(scratch + r, &b, 8);
            l += leftCounts[i];
            r += 8 - leftCounts[i];
        }
        for (int64_t i = 8 * words; i < count; i++) {
            int64_t goes = (int64_t)((masks[i >> 3] >> (8 * (i & 7))) & 1);
            uint8_t v = col[i];
            col[l] = v;
            scratch[r] = v;
            l += goes;
            r += 1 - goes;
        }
        memcpy(col + l, scratch, (size_t)r);
    }
}

// AVX-512 F + BW + VBMI2, and the OS saves the ZMM and mask registers (XCR0 bits 1, 2, 5, 6, 7).
static int has_compress(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) return 0;  // OSXSAVE
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0xE6) != 0xE6) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b & (1u << 16)) && (b & (1u << 30)) && (c & (1u << 6)) && (b & (1u << 8));
}

// PEXT is microcoded (tens of cycles) on AMD before Zen 3 (family 0x19).
static int fast_pext(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & (1u << 8))) return 0;  // BMI2
    if (!__get_cpuid(0, &a, &b, &c, &d)) return 0;
    int amd = b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163;  // "AuthenticAMD"
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    unsigned family = ((a >> 8) & 0xF) + (((a >> 8) & 0xF) == 0xF ? ((a >> 20) & 0xFF) : 0);
    return !(amd && family < 0x19);
}
#endif

int wb_partition_uses_pext(void) {
#if defined(__x86_64__)
    static int cached = -1;  // benign race: every thread computes the same value
    if (cached < 0) cached = fast_pext();
    return cached;
#else
    return 0;
#endif
}

int wb_partition_uses_compress(void) {
#if defined(__x86_64__)
    static int cached = -1;
    if (cached < 0) cached = has_compress();
    return cached;
#else
    return 0;
#endif
}

void wb_partition_columns_pext(uint8_t *const *columns, int64_t columnCount, int64_t count,
                               const uint64_t *masks, const uint8_t *leftCounts, uint8_t *scratch) {
#if defined(__x86_64__)
    if (wb_partition_uses_pext()) {
        partition_pext(columns, columnCount, count, masks, leftCounts, scratch);
        return;
    }
#endif
    wb_partition_columns_portable(columns, columnCount, count, masks, leftCounts, scratch);
}

void wb_partition_columns(uint8_t *const *columns, int64_t columnCount, int64_t count,
                          const uint64_t *masks, const uint8_t *leftCounts, uint8_t *scratch) {
#if defined(__x86_64__)
    if (wb_partition_uses_compress()) {
        partition_compress(columns, columnCount, count, masks, leftCounts, scratch);
        return;
    }
    if (wb_partition_uses_pext()) {
        partition_pext(columns, columnCount, count, masks, leftCounts, scratch);
        return;
    }
#endif
    wb_partition_columns_portable(columns, columnCount, count, masks, leftCounts, scratch);
}
