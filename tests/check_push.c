/* check_push.c -- the behaviour every strategy shares: one test body per
 * behaviour, run over each strategy the build has (loop tests, _i). */
#include "check_util.h"

#include <stdlib.h>
#include <string.h>

#define STRATEGY (util_strategies[_i])

START_TEST(test_push_null_arena) {
  ck_assert_ptr_null(samrena_push(NULL, 16));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_ptr_null(samrena_push_zero(NULL, 16));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_ptr_null(samrena_push_aligned(NULL, 16, 16));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_ptr_null(samrena_push_with_reserve(NULL, 16));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_uint_eq(samrena_allocated(NULL), 0);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_uint_eq(samrena_capacity(NULL), 0);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  samrena_last_error();
  samrena_reset(NULL);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_int_eq(samrena_reserve(NULL, 10), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_int_eq(samrena_reserve_with_growth(NULL, 10, 100), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_int_eq(samrena_trim(NULL, 0), SAMRENA_ERROR_NULL_POINTER);
  SamrenaStats stats;
  ck_assert_int_eq(samrena_stats(NULL, &stats), SAMRENA_ERROR_NULL_POINTER);
}
END_TEST

START_TEST(test_push_zero_size) {
  Samrena *arena = util_arena(STRATEGY, 1);
  ck_assert_ptr_nonnull(samrena_push(arena, 3));
  uint64_t before = samrena_allocated(arena);
  ck_assert_ptr_nonnull(samrena_push(arena, 0));
  ck_assert_ptr_nonnull(samrena_push_zero(arena, 0));
  ck_assert_ptr_nonnull(samrena_push_aligned(arena, 0, 64));
  ck_assert_uint_eq(samrena_allocated(arena), before);
  samrena_destroy(arena);
}
END_TEST

/* A zero-byte push is aligned as asked, even where the padding would not
 * fit in what the arena has at hand, and consumes nothing. */
START_TEST(test_push_zero_size_aligned) {
  Samrena *arena = util_arena(STRATEGY, 1);
  ck_assert_ptr_nonnull(samrena_push(arena, 3));
  uint64_t before = samrena_allocated(arena);
  uint64_t largest = (uint64_t)PTRDIFF_MAX + 1; /* its padding still fits in an object */
  for (uint64_t alignment = 1; alignment != 0 && alignment <= largest; alignment *= 2) {
    void *ptr = samrena_push_aligned(arena, 0, alignment);
    ck_assert_msg(ptr != NULL && (uintptr_t)ptr % alignment == 0,
                  "push_aligned(a, 0, %llu) gave %p", (unsigned long long)alignment, ptr);
    ck_assert_uint_eq(samrena_allocated(arena), before);
  }
  /* Past the largest (where uint64_t has such a power of two: 32-bit
   * targets), the padding alone could exceed any object. */
  if (largest * 2 != 0) {
    ck_assert_ptr_null(samrena_push_aligned(arena, 0, largest * 2));
    ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
    ck_assert_uint_eq(samrena_allocated(arena), before);
  }
  samrena_destroy(arena);
}
END_TEST

/* Just below the PTRDIFF_MAX limit the error tells the strategy apart:
 * no chained block can hold the push and its header (a few dozen bytes),
 * no reservation is that large (samrena_push(3)).  In the debug mode the
 * push and its guard are past the limit. */
START_TEST(test_push_near_ptrdiff_max) {
  Samrena *arena = util_arena(STRATEGY, 1);
  uint64_t before = samrena_allocated(arena);
  ck_assert_ptr_null(samrena_push(arena, (uint64_t)PTRDIFF_MAX - 20));
  ck_assert_int_eq(samrena_last_error(), STRATEGY == SAMRENA_STRATEGY_CHAINED ||
                                                     util_guard(arena) + MAX_ALIGN - 1 > 20
                                             ? SAMRENA_ERROR_OVERFLOW
                                             : SAMRENA_ERROR_OUT_OF_MEMORY);
  ck_assert_uint_eq(samrena_allocated(arena), before);
  ck_assert_ptr_nonnull(samrena_push(arena, 100)); /* still usable */
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_push_alignment_default) {
  Samrena *arena = util_arena(STRATEGY, 1);
  for (uint64_t size = 1; size < 300; size++) {
    void *ptr = samrena_push(arena, size);
    ck_assert_ptr_nonnull(ptr);
    ck_assert_uint_eq((uintptr_t)ptr % MAX_ALIGN, 0);
  }
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_push_alignment_configured) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = STRATEGY;
  config.alignment = 8;
  Samrena *arena = util_arena_config(config);
  /* Sizes that are multiples of 8 leave no padding: allocated is exact. */
  uint64_t sum = 0;
  for (uint64_t i = 1; i <= 100; i++) {
    void *ptr = samrena_push(arena, 8 * i);
    ck_assert_ptr_nonnull(ptr);
    ck_assert_uint_eq((uintptr_t)ptr % 8, 0);
    sum += UTIL_FOOTPRINT(arena, 8 * i); /* a guard is a multiple of 8 */
  }
  ck_assert_uint_eq(samrena_allocated(arena), sum);
  samrena_destroy(arena);

  config.alignment = 1;
  arena = util_arena_config(config);
  for (uint64_t i = 1; i <= 100; i++)
    ck_assert_ptr_nonnull(samrena_push(arena, i));
  ck_assert_uint_eq(samrena_allocated(arena), 5050 + 100 * util_guard(arena));
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_push_aligned) {
  Samrena *arena = util_arena(STRATEGY, 1);
  for (uint64_t alignment = 1; alignment <= 8192; alignment *= 2) {
    for (uint64_t size = 1; size < 100; size += 33) {
      void *ptr = samrena_push_aligned(arena, size, alignment);
      ck_assert_ptr_nonnull(ptr);
      ck_assert_uint_eq((uintptr_t)ptr % alignment, 0);
      memset(ptr, 0x5a, (size_t)size);
    }
  }
  /* An alignment bigger than a block still works. */
  void *ptr = samrena_push_aligned(arena, 10, UINT64_C(1) << 20);
  ck_assert_ptr_nonnull(ptr);
  ck_assert_uint_eq((uintptr_t)ptr % (UINT64_C(1) << 20), 0);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_push_aligned_bad_alignment) {
  Samrena *arena = util_arena(STRATEGY, 1);
  ck_assert_ptr_nonnull(samrena_push(arena, 10));
  uint64_t before = samrena_allocated(arena);
  const uint64_t bad[] = {0, 3, 6, 12, 1000, UINT64_MAX};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ck_assert_ptr_null(samrena_push_aligned(arena, 16, bad[i]));
    ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
  }
  ck_assert_ptr_null(samrena_push_aligned(arena, 16, UINT64_C(1) << 63));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  ck_assert_uint_eq(samrena_allocated(arena), before);
  ck_assert_ptr_nonnull(samrena_push_aligned(arena, 16, 32));
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_push_overflow_sizes) {
  Samrena *arena = util_arena(STRATEGY, 1);
  ck_assert_ptr_nonnull(samrena_push(arena, 10));
  uint64_t before = samrena_allocated(arena);
  const uint64_t huge[] = {UINT64_MAX, UINT64_MAX - 1, UINT64_MAX - 15, UINT64_MAX / 2 + 1,
                           (uint64_t)PTRDIFF_MAX};
  for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
    ck_assert_ptr_null(samrena_push(arena, huge[i]));
    ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
    ck_assert_ptr_null(samrena_push_zero(arena, huge[i]));
    ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
    ck_assert_ptr_null(samrena_push_with_reserve(arena, huge[i]));
    ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  }
  ck_assert_uint_eq(samrena_allocated(arena), before);
  void *ptr = samrena_push(arena, 64);
  ck_assert_ptr_nonnull(ptr);
  memset(ptr, 1, 64);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_push_too_big_for_memory) {
  Samrena *arena = util_arena(STRATEGY, 1);
  ck_assert_ptr_nonnull(samrena_push(arena, 10));
  uint64_t before = samrena_allocated(arena);
  /* Representable, but the address space cannot hold it eight times. */
  util_push_until_out_of_memory(arena, false);
  ck_assert_uint_eq(samrena_allocated(arena), before);
  ck_assert_ptr_nonnull(samrena_push(arena, 100));
  samrena_destroy(arena);
}
END_TEST

/* 100,000 pushes of mixed sizes, some bigger than a block, each filled
 * with its own pattern; every one intact at the end. */
START_TEST(test_contents_survive_growth) {
  enum { COUNT = 100000 };
  Samrena *arena = util_arena(STRATEGY, 1);
  unsigned char **ptrs = malloc(COUNT * sizeof *ptrs);
  uint64_t *sizes = malloc(COUNT * sizeof *sizes);
  ck_assert(ptrs != NULL && sizes != NULL);
  uint64_t seed = 0x9e3779b97f4a7c15u;
  for (uint64_t i = 0; i < COUNT; i++) {
    uint64_t r = util_random(&seed);
    sizes[i] = (r % 1000 == 0) ? 70000 + r % 50000 : 1 + r % 700;
    ptrs[i] = (r & 1) ? samrena_push(arena, sizes[i]) : samrena_push_zero(arena, sizes[i]);
    util_require(ptrs[i] != NULL);
    util_require_uint_eq((uintptr_t)ptrs[i] % MAX_ALIGN, 0);
    if (!(r & 1))
      util_require(util_all_zero(ptrs[i], sizes[i]));
    util_fill(ptrs[i], sizes[i], i);
  }
  for (uint64_t i = 0; i < COUNT; i++)
    util_require_msg(util_check(ptrs[i], sizes[i], i), "allocation %u corrupted", (unsigned)i);
  ck_assert_uint_ge(samrena_capacity(arena), samrena_allocated(arena));
  free(ptrs);
  free(sizes);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_push_zero_after_reuse) {
  Samrena *arena = util_arena(STRATEGY, 4);
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 100; i++) {
      unsigned char *ptr = samrena_push_zero(arena, 1000);
      ck_assert_ptr_nonnull(ptr);
      ck_assert(util_all_zero(ptr, 1000));
      memset(ptr, 0xff, 1000);
    }
    samrena_reset(arena);
  }
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_allocated_and_capacity) {
  Samrena *arena = util_arena(STRATEGY, 2);
  ck_assert_uint_eq(samrena_allocated(arena), 0);
  ck_assert_uint_ge(samrena_capacity(arena), 2 * SAMRENA_DEFAULT_PAGE_SIZE);
  ck_assert_ptr_nonnull(samrena_push(arena, 1));
  ck_assert_uint_eq(samrena_allocated(arena), UTIL_FOOTPRINT(arena, 1));
  /* The next push pads the first up to the default alignment. */
  ck_assert_ptr_nonnull(samrena_push(arena, 1));
  ck_assert_uint_eq(samrena_allocated(arena),
                    ROUND_UP(UTIL_FOOTPRINT(arena, 1), MAX_ALIGN) + UTIL_FOOTPRINT(arena, 1));
  uint64_t capacity = samrena_capacity(arena);
  for (int i = 0; i < 10000; i++)
    util_require(samrena_push(arena, 48) != NULL);
  ck_assert_uint_ge(samrena_capacity(arena), samrena_allocated(arena));
  if (util_grows(STRATEGY))
    ck_assert_uint_gt(samrena_capacity(arena), capacity);
  else
    ck_assert_uint_eq(samrena_capacity(arena), capacity); /* it holds what it holds */
  samrena_destroy(arena);
}
END_TEST

static void run_workload(Samrena *arena) {
  uint64_t seed = 12345;
  for (int i = 0; i < 20000; i++) {
    uint64_t r = util_random(&seed);
    uint64_t size = (r % 500 == 0) ? 100000 + r % 100000 : 1 + r % 300;
    void *ptr = samrena_push(arena, size);
    util_require(ptr != NULL);
    memset(ptr, (int)(r & 0xff), (size_t)size);
  }
}

START_TEST(test_reset_reuses_memory) {
  Samrena *arena = util_arena(STRATEGY, 1);
  run_workload(arena);
  SamrenaStats first;
  ck_assert_int_eq(samrena_stats(arena, &first), SAMRENA_OK);
  /* After a reset, block tails abandoned by the first run are capacity again. */
  samrena_reset(arena);
  uint64_t capacity = samrena_capacity(arena);
  ck_assert_uint_ge(capacity, first.capacity);
  for (int round = 0; round < 3; round++) {
    samrena_reset(arena);
    ck_assert_uint_eq(samrena_allocated(arena), 0);
    ck_assert_uint_eq(samrena_capacity(arena), capacity);
    run_workload(arena);
    SamrenaStats again;
    ck_assert_int_eq(samrena_stats(arena, &again), SAMRENA_OK);
    ck_assert_uint_eq(again.blocks, first.blocks);
    ck_assert_uint_eq(again.committed, first.committed);
    ck_assert_uint_eq(again.allocated, first.allocated);
    ck_assert_uint_eq(again.wasted, first.wasted);
  }
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_stats_figures) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaStats stats;
  ck_assert_int_eq(samrena_stats(arena, NULL), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_int_eq(samrena_stats(arena, &stats), SAMRENA_OK);
  ck_assert_uint_eq(stats.allocated, 0);
  ck_assert_uint_eq(stats.wasted, 0);
  ck_assert_uint_eq(stats.peak_allocated, 0);
  ck_assert_uint_eq(stats.blocks, 1);
  ck_assert_uint_ge(stats.committed, SAMRENA_DEFAULT_PAGE_SIZE);
  ck_assert_uint_ge(stats.reserved, stats.committed);

  /* An arena starts aligned for max_align_t, so 3 + padding to that
   * alignment + 5 are allocated (x86-64: 3 + 13 + 5 = 21), the padding
   * included; it is not waste, which counts only what no push can use. */
  ck_assert_ptr_nonnull(samrena_push_aligned(arena, 3, MAX_ALIGN));
  ck_assert_ptr_nonnull(samrena_push_aligned(arena, 5, MAX_ALIGN));
  ck_assert_int_eq(samrena_stats(arena, &stats), SAMRENA_OK);
  uint64_t guard = util_guard(arena);
  uint64_t two = ROUND_UP(3 + guard, MAX_ALIGN) + 5 + guard;
  ck_assert_uint_eq(stats.allocated, two);
  ck_assert_uint_eq(stats.wasted, 2 * guard);
  ck_assert_uint_eq(stats.peak_allocated, two);
  ck_assert_uint_eq(stats.capacity, samrena_capacity(arena));

  samrena_reset(arena);
  ck_assert_ptr_nonnull(samrena_push(arena, 7));
  ck_assert_int_eq(samrena_stats(arena, &stats), SAMRENA_OK);
  ck_assert_uint_eq(stats.allocated, 7 + guard);
  ck_assert_uint_eq(stats.wasted, guard);
  ck_assert_uint_eq(stats.peak_allocated, two);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_reserve) {
  Samrena *arena = util_arena(STRATEGY, 1);
  ck_assert_int_eq(samrena_reserve(arena, 0), SAMRENA_OK);
  ck_assert_int_eq(samrena_reserve(arena, 10 * MiB), SAMRENA_OK);
  ck_assert_uint_ge(samrena_capacity(arena), 10 * MiB);
  /* Reserved space is used without further growth. */
  SamrenaStats before, after;
  samrena_stats(arena, &before);
  for (int i = 0; i < 9 * 1024; i++)
    util_require(samrena_push(arena, 1024) != NULL);
  samrena_stats(arena, &after);
  ck_assert_uint_eq(after.committed, before.committed);
  ck_assert_uint_eq(after.blocks, before.blocks);
  /* Absolute: asking for less than there is changes nothing. */
  uint64_t capacity = samrena_capacity(arena);
  ck_assert_int_eq(samrena_reserve(arena, 1 * MiB), SAMRENA_OK);
  ck_assert_uint_eq(samrena_capacity(arena), capacity);
  /* Beyond a hard cap (a virtual reservation, a buffer) the request is
   * one the arena can never meet; a chained block that size cannot exist. */
  bool capped = samrena_has_capability(arena, SAMRENA_CAP_CONTIGUOUS_MEMORY);
  ck_assert_int_eq(samrena_reserve(arena, UINT64_MAX),
                   capped ? SAMRENA_ERROR_INVALID_PARAMETER : SAMRENA_ERROR_OVERFLOW);
  ck_assert_uint_eq(samrena_capacity(arena), capacity);
  ck_assert_ptr_nonnull(samrena_push(arena, 1024));
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_reserve_with_growth) {
  Samrena *arena = util_arena(STRATEGY, 1);
  ck_assert_int_eq(samrena_reserve_with_growth(arena, 1 * MiB, 16 * MiB), SAMRENA_OK);
  ck_assert_uint_ge(samrena_capacity(arena), 4 * MiB);
  samrena_destroy(arena);

  arena = util_arena(STRATEGY, 1);
  ck_assert_int_eq(samrena_reserve_with_growth(arena, 3 * MiB, 4 * MiB), SAMRENA_OK);
  ck_assert_uint_ge(samrena_capacity(arena), 6 * MiB);
  ck_assert_int_eq(samrena_reserve_with_growth(arena, UINT64_MAX, 0), SAMRENA_ERROR_OVERFLOW);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_push_with_reserve) {
  Samrena *arena = util_arena(STRATEGY, 1);
  ck_assert_int_eq(samrena_reserve_with_growth(arena, 64 * KiB, 8 * MiB), SAMRENA_OK);
  for (int i = 0; i < 1000; i++) {
    unsigned char *ptr = samrena_push_with_reserve(arena, 4000);
    ck_assert_ptr_nonnull(ptr);
    util_fill(ptr, 4000, (uint64_t)i);
  }
  ck_assert_uint_ge(samrena_allocated(arena), 4000 * 1000);
  util_push_until_out_of_memory(arena, true);
  ck_assert_ptr_nonnull(samrena_push_with_reserve(arena, 10));
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_trim_gives_back) {
  Samrena *arena = util_arena(STRATEGY, 1);
  ck_assert_int_eq(samrena_trim(arena, 0), SAMRENA_OK);
  for (int i = 0; i < 100; i++)
    ck_assert_ptr_nonnull(samrena_push(arena, 100 * KiB));
  SamrenaStats full, trimmed;
  samrena_stats(arena, &full);
  /* Nothing is freed that holds an allocation. */
  ck_assert_int_eq(samrena_trim(arena, 0), SAMRENA_OK);
  samrena_stats(arena, &trimmed);
  ck_assert_uint_ge(trimmed.capacity, trimmed.allocated);
  ck_assert_uint_eq(trimmed.allocated, full.allocated);
  /* Keeping more than there is keeps everything, even near UINT64_MAX. */
  const uint64_t huge_keeps[] = {UINT64_MAX, UINT64_MAX - 1, UINT64_MAX - 4096};
  uint64_t committed = trimmed.committed;
  for (size_t k = 0; k < sizeof huge_keeps / sizeof huge_keeps[0]; k++) {
    ck_assert_int_eq(samrena_trim(arena, huge_keeps[k]), SAMRENA_OK);
    samrena_stats(arena, &trimmed);
    ck_assert_uint_eq(trimmed.committed, committed);
  }
  if (!util_grows(STRATEGY)) {
    /* It obtained nothing, so it gives nothing back: its memory is the
     * caller's. */
    samrena_reset(arena);
    ck_assert_int_eq(samrena_trim(arena, 0), SAMRENA_OK);
    samrena_stats(arena, &trimmed);
    ck_assert_uint_eq(trimmed.committed, full.committed);
    ck_assert_uint_eq(trimmed.capacity, full.capacity);
    samrena_destroy(arena);
    return;
  }

  samrena_reset(arena);
  ck_assert_int_eq(samrena_trim(arena, 1 * MiB), SAMRENA_OK);
  samrena_stats(arena, &trimmed);
  ck_assert_uint_ge(trimmed.capacity, 1 * MiB);
  ck_assert_uint_lt(trimmed.committed, full.committed);
  ck_assert_uint_le(trimmed.committed, 1 * MiB + 256 * KiB);

  ck_assert_int_eq(samrena_trim(arena, 0), SAMRENA_OK);
  samrena_stats(arena, &trimmed);
  ck_assert_uint_le(trimmed.committed, 128 * KiB);
  /* Still usable, and grows again. */
  for (int i = 0; i < 100; i++) {
    unsigned char *ptr = samrena_push_zero(arena, 100 * KiB);
    ck_assert_ptr_nonnull(ptr);
    ck_assert(util_all_zero(ptr, 100 * KiB));
  }
  samrena_destroy(arena);
}
END_TEST


/* samrena_push is the inline fast path, and it agrees with the library. */
START_TEST(test_inline_fast_path) {
#if !defined(SAMRENA_NO_INLINE)
#ifndef samrena_push
  ck_abort_msg("samrena_push should be the inline macro");
#endif
#endif
  Samrena *arena = util_arena(STRATEGY, 1);
  unsigned char *a = samrena_inline_push(arena, 10);
  unsigned char *b = (samrena_push)(arena, 10);
  unsigned char *c = samrena_push(arena, 10);
  ck_assert_ptr_eq(b, a + ROUND_UP(UTIL_FOOTPRINT(arena, 10), MAX_ALIGN));
  ck_assert_ptr_eq(c, b + ROUND_UP(UTIL_FOOTPRINT(arena, 10), MAX_ALIGN));
  unsigned char *d = samrena_inline_push_aligned(arena, 3, 64);
  ck_assert_uint_eq((uintptr_t)d % 64, 0);
  SamrenaStats stats;
  samrena_stats(arena, &stats);
  ck_assert_uint_eq(stats.allocated, (uint64_t)(d + UTIL_FOOTPRINT(arena, 3) - a)); /* padding included */
  ck_assert_uint_eq(stats.wasted, 4 * util_guard(arena)); /* padding is not waste, guards are */

  /* What does not fit where the arena stands is the library's business. */
  uint64_t allocated = samrena_allocated(arena);
  void *untouched = &allocated;
  ck_assert(!samrena_inline_bump(arena, UINT64_C(1) << 40, 15, ~(uintptr_t)15, &untouched));
  ck_assert(!samrena_inline_bump(arena, 0, 15, ~(uintptr_t)15, &untouched));
  ck_assert(!samrena_inline_bump(arena, UINT64_MAX, 15, ~(uintptr_t)15, &untouched));
  ck_assert_ptr_eq(untouched, &allocated);
  ck_assert_uint_eq(samrena_allocated(arena), allocated);
  void *fits = NULL;
  bool bumped = samrena_inline_bump(arena, 24, 31, ~(uintptr_t)31, &fits);
  if (util_library_poisons() || util_guard(arena) != 0) {
    ck_assert(!bumped); /* the library holds the fast path shut */
  } else {
    ck_assert(bumped);
    ck_assert_uint_eq((uintptr_t)fits % 32, 0);
    ck_assert_uint_ge(samrena_allocated(arena), allocated + 24);
  }
  unsigned char *big = samrena_inline_push(arena, 1 * MiB);
  ck_assert_ptr_nonnull(big);
  memset(big, 1, 1 * MiB);
  unsigned char *wide = samrena_inline_push_aligned(arena, 8, 8192);
  ck_assert_uint_eq((uintptr_t)wide % 8192, 0);

  ck_assert_ptr_null(samrena_inline_push(NULL, 8));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_ptr_null(samrena_inline_push_aligned(arena, 8, 3));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
  ck_assert_ptr_null(samrena_inline_push(arena, UINT64_MAX));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  ck_assert_ptr_nonnull(samrena_inline_push(arena, 0));
  samrena_destroy(arena);
}
END_TEST

Suite *make_push_suite(void) {
  Suite *suite = suite_create("push (every strategy)");
  TCase *tc = util_tcase("push");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_push_null_arena);
  tcase_add_loop_test(tc, test_push_zero_size, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_push_zero_size_aligned, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_push_near_ptrdiff_max, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_inline_fast_path, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_push_alignment_default, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_push_alignment_configured, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_push_aligned, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_push_aligned_bad_alignment, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_push_overflow_sizes, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_push_too_big_for_memory, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_contents_survive_growth, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_push_zero_after_reuse, 0, util_strategy_count);
  suite_add_tcase(suite, tc);

  tc = util_tcase("capacity");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, test_allocated_and_capacity, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_reset_reuses_memory, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_stats_figures, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_reserve, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_reserve_with_growth, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_push_with_reserve, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_trim_gives_back, 0, util_strategy_count);
  suite_add_tcase(suite, tc);
  return suite;
}
