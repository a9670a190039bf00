/* check_resize.c -- samrena_resize, the string helpers and exact stats,
 * over every strategy. */
#include "check_util.h"

#include <stdio.h>
#include <string.h>

#define STRATEGY (util_strategies[_i])

START_TEST(test_resize_last_in_place) {
  Samrena *arena = util_arena(STRATEGY, 1);
  ck_assert_ptr_nonnull(samrena_push(arena, 40));
  unsigned char *last = samrena_push(arena, 100);
  util_fill(last, 100, 7);
  uint64_t allocated = samrena_allocated(arena);

  ck_assert_ptr_eq(samrena_resize(arena, last, 100, 1000), last);
  ck_assert_uint_eq(samrena_allocated(arena), allocated + 900);
  ck_assert(util_check(last, 100, 7));
  memset(last + 100, 0x3c, 900);

  ck_assert_ptr_eq(samrena_resize(arena, last, 1000, 10), last);
  ck_assert_uint_eq(samrena_allocated(arena), allocated - 90);
  ck_assert(util_check(last, 10, 7));
  /* The next push reuses what the shrink gave back. */
  unsigned char *next = samrena_push_aligned(arena, 1, 1);
  ck_assert_ptr_eq(next, last + UTIL_FOOTPRINT(arena, 10));
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_resize_not_last_copies) {
  Samrena *arena = util_arena(STRATEGY, 1);
  unsigned char *first = samrena_push(arena, 64);
  util_fill(first, 64, 3);
  ck_assert_ptr_nonnull(samrena_push(arena, 16));
  unsigned char *grown = samrena_resize(arena, first, 64, 256);
  ck_assert_ptr_nonnull(grown);
  ck_assert_ptr_ne(grown, first);
  ck_assert(util_check(grown, 64, 3));
  /* A shrink never moves. */
  ck_assert_ptr_eq(samrena_resize(arena, first, 64, 8), first);
  ck_assert(util_check(first, 8, 3));
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_resize_beyond_block) {
  Samrena *arena = util_arena(STRATEGY, 1);
  unsigned char *array = samrena_push(arena, 1000);
  util_fill(array, 1000, 11);
  unsigned char *grown = samrena_resize(arena, array, 1000, 4 * MiB);
  ck_assert_ptr_nonnull(grown);
  ck_assert(util_check(grown, 1000, 11));
  memset(grown + 1000, 0x5a, 4 * MiB - 1000);
  if (samrena_has_capability(arena, SAMRENA_CAP_CONTIGUOUS_MEMORY))
    ck_assert_ptr_eq(grown, array); /* contiguous: grows in place */
  else
    ck_assert_ptr_ne(grown, array); /* a malloc'd block cannot grow */
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_resize_bad_input) {
  Samrena *arena = util_arena(STRATEGY, 1);
  ck_assert_ptr_null(samrena_resize(NULL, NULL, 0, 10));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  void *fresh = samrena_resize(arena, NULL, 0, 24);
  ck_assert_ptr_nonnull(fresh);
  ck_assert_uint_eq(samrena_allocated(arena), UTIL_FOOTPRINT(arena, 24));
  ck_assert_ptr_null(samrena_resize(arena, fresh, 24, UINT64_MAX));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  ck_assert_uint_eq(samrena_allocated(arena), UTIL_FOOTPRINT(arena, 24));
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_strings) {
  Samrena *arena = util_arena(STRATEGY, 1);
  char *hello = samrena_strdup(arena, "hello, arena");
  ck_assert_str_eq(hello, "hello, arena");
  char *empty = samrena_strdup(arena, "");
  ck_assert_str_eq(empty, "");
  ck_assert_ptr_eq(empty, hello + UTIL_FOOTPRINT(arena, 13)); /* strings pack without padding */

  const unsigned char bytes[5] = {1, 2, 3, 0, 5};
  unsigned char *copy = samrena_memdup(arena, bytes, sizeof bytes);
  ck_assert_mem_eq(copy, bytes, sizeof bytes);
  ck_assert_ptr_nonnull(samrena_memdup(arena, NULL, 0));

  char *text = samrena_printf(arena, "%s has %d items at %.2f", "cart", 42, 3.5);
  ck_assert_str_eq(text, "cart has 42 items at 3.50");
  ck_assert_uint_eq(strlen(text), 25);
  char *after = samrena_push_aligned(arena, 1, 1);
  ck_assert_ptr_eq(after, text + UTIL_FOOTPRINT(arena, 26)); /* exactly the text and its NUL */

  /* A text longer than what is left of the block. */
  char *big = samrena_printf(arena, "%0*d", 200000, 7);
  ck_assert_ptr_nonnull(big);
  ck_assert_uint_eq(strlen(big), 200000);
  ck_assert_int_eq(big[199999], '7');
  ck_assert_int_eq(big[0], '0');
  ck_assert_str_eq(hello, "hello, arena");

  ck_assert_ptr_null(samrena_strdup(arena, NULL));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_ptr_null(samrena_strdup(NULL, "x"));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_ptr_null(samrena_memdup(arena, NULL, 4));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_ptr_null(samrena_printf(NULL, "x"));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  samrena_destroy(arena);
}
END_TEST

/* Every field of samrena_stats against a workload computed by hand. */
START_TEST(test_stats_exact) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = STRATEGY;
  config.page_size = 4096;
  config.alignment = MAX_ALIGN; /* the start of a block is aligned for it */
  Samrena *arena = util_arena_config(config);
  SamrenaStats s;

  /* 10 + padding + 20 (x86-64 and s390x alike: 10 + 6 + 20 = 36
   * allocated), the padding included, none of it wasted (waste is what
   * no push can use: abandoned block tails), plus a guard after each push
   * in the debug mode, which counts as waste. */
  const uint64_t guard = util_guard(arena);
  const uint64_t first = ROUND_UP(10 + guard, MAX_ALIGN) + 20 + guard;
  ck_assert_ptr_nonnull(samrena_push(arena, 10));
  ck_assert_ptr_nonnull(samrena_push(arena, 20));
  samrena_stats(arena, &s);
  ck_assert_uint_eq(s.allocated, first);
  ck_assert_uint_eq(s.wasted, 2 * guard);
  ck_assert_uint_eq(s.peak_allocated, first);
  ck_assert_uint_eq(s.blocks, 1);

  /* Padding (x86-64: 12, s390x: 4) + 4060 do not fit in the 4096-byte page. */
  const uint64_t padding = ROUND_UP(first, MAX_ALIGN) - first;
  ck_assert_uint_gt(first + padding + 4060, 4096);
  ck_assert_ptr_nonnull(samrena_push(arena, 4060));
  samrena_stats(arena, &s);
  if (STRATEGY == SAMRENA_STRATEGY_CHAINED) {
    /* A second block: the first one's tail (4096 - first) is wasted. */
    ck_assert_uint_eq(s.allocated, first + 4060 + guard);
    ck_assert_uint_eq(s.wasted, 4096 - first + 3 * guard);
    ck_assert_uint_eq(s.blocks, 2);
    ck_assert_uint_eq(s.capacity, first + 4096);
    ck_assert_uint_eq(s.reserved, s.committed);
  } else {
    /* Contiguous: the padding, one commit step further. */
    ck_assert_uint_eq(s.allocated, first + padding + 4060 + guard);
    ck_assert_uint_eq(s.wasted, 3 * guard);
    ck_assert_uint_eq(s.blocks, 1);
    ck_assert_uint_lt(s.committed - s.capacity, 4096); /* the arena's handle */
    ck_assert_uint_ge(s.reserved, s.committed);
  }
  uint64_t peak = s.allocated;
  samrena_reset(arena);
  ck_assert_ptr_nonnull(samrena_push(arena, 8));
  samrena_stats(arena, &s);
  ck_assert_uint_eq(s.allocated, 8 + guard);
  ck_assert_uint_eq(s.wasted, guard);
  ck_assert_uint_eq(s.peak_allocated, peak);
  samrena_destroy(arena);
}
END_TEST

Suite *make_resize_suite(void) {
  Suite *suite = suite_create("resize and strings");
  TCase *tc = util_tcase("resize");
  tcase_add_loop_test(tc, test_resize_last_in_place, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_resize_not_last_copies, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_resize_beyond_block, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_resize_bad_input, 0, util_strategy_count);
  suite_add_tcase(suite, tc);
  tc = util_tcase("strings");
  tcase_add_loop_test(tc, test_strings, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_stats_exact, 0, util_strategy_count);
  suite_add_tcase(suite, tc);
  return suite;
}
