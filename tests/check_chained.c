/* check_chained.c -- what only the chained adapter promises: blocks of
 * growth_pages, a block of its own for a big push, spares reused after
 * reset, reserve pre-allocating and trim freeing blocks. */
#include "check_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(HAVE_MALLINFO2) && HAVE_MALLINFO2
#include <malloc.h>
#endif

#define PAGE UINT64_C(4096)

static Samrena *chained_arena(uint64_t initial_pages, uint64_t growth_pages) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_CHAINED;
  config.page_size = PAGE;
  config.initial_pages = initial_pages;
  config.growth_pages = growth_pages;
  config.alignment = 8;
  return util_arena_config(config);
}

START_TEST(test_growth_pages_per_block) {
  Samrena *arena = chained_arena(1, 3);
  ck_assert_uint_eq(samrena_capacity(arena), PAGE);
  unsigned char *first = samrena_push(arena, PAGE - util_guard(arena)); /* the whole block */
  ck_assert_ptr_nonnull(first);
  ck_assert_uint_eq(samrena_capacity(arena), PAGE);
  unsigned char *second = samrena_push(arena, 8);
  ck_assert_ptr_nonnull(second);
  ck_assert_uint_eq(samrena_capacity(arena), PAGE + 3 * PAGE);
  ck_assert_uint_eq(util_stats(arena).blocks, 2);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_big_push_gets_own_block) {
  Samrena *arena = chained_arena(1, 1);
  uint64_t guard = util_guard(arena);
  unsigned char *a = samrena_push(arena, 64);
  unsigned char *big = samrena_push(arena, 3 * PAGE);
  unsigned char *b = samrena_push(arena, 64);
  ck_assert(a != NULL && big != NULL && b != NULL);
  /* The current block stayed current: b follows a. */
  ck_assert_ptr_eq(b, a + 64 + guard);
  SamrenaStats stats = util_stats(arena);
  ck_assert_uint_eq(stats.blocks, 2);
  ck_assert_uint_eq(stats.allocated, 64 + 3 * PAGE + 64 + 3 * guard);
  ck_assert_uint_eq(stats.wasted, 3 * guard);
  memset(big, 0x77, 3 * PAGE);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_block_tail_is_wasted) {
  Samrena *arena = chained_arena(1, 1);
  uint64_t guard = util_guard(arena);
  ck_assert_ptr_nonnull(samrena_push(arena, PAGE - 100 - guard));
  ck_assert_ptr_nonnull(samrena_push(arena, 200)); /* does not fit: next block */
  SamrenaStats stats = util_stats(arena);
  ck_assert_uint_eq(stats.blocks, 2);
  ck_assert_uint_eq(stats.allocated, PAGE - 100 + 200 + guard);
  ck_assert_uint_eq(stats.wasted, 100 + 2 * guard);
  /* The abandoned tail cannot be pushed into: it is not capacity. */
  ck_assert_uint_eq(stats.capacity, stats.allocated + (PAGE - 200 - guard));
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_reset_reuses_blocks) {
  Samrena *arena = chained_arena(1, 1);
  unsigned char *first[40];
  for (int i = 0; i < 40; i++)
    ck_assert_ptr_nonnull(first[i] = samrena_push(arena, 1000));
  ck_assert_ptr_nonnull(samrena_push(arena, 5 * PAGE));
  SamrenaStats before = util_stats(arena);
  samrena_reset(arena);
  for (int i = 0; i < 40; i++)
    ck_assert_ptr_eq(samrena_push(arena, 1000), first[i]);
  ck_assert_ptr_nonnull(samrena_push(arena, 5 * PAGE));
  SamrenaStats after = util_stats(arena);
  ck_assert_uint_eq(after.blocks, before.blocks);
  ck_assert_uint_eq(after.committed, before.committed);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_reserve_preallocates) {
  Samrena *arena = chained_arena(1, 1);
  ck_assert_int_eq(samrena_reserve(arena, 100 * PAGE), SAMRENA_OK);
  SamrenaStats reserved = util_stats(arena);
  ck_assert_uint_eq(reserved.blocks, 2);
  ck_assert_uint_ge(reserved.capacity, 100 * PAGE);
  for (int i = 0; i < 98; i++)
    ck_assert_ptr_nonnull(samrena_push(arena, PAGE));
  SamrenaStats used = util_stats(arena);
  ck_assert_uint_eq(used.blocks, reserved.blocks);
  ck_assert_uint_eq(used.committed, reserved.committed);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_trim_frees_spare_blocks) {
  Samrena *arena = chained_arena(1, 1);
  for (int i = 0; i < 50; i++)
    ck_assert_ptr_nonnull(samrena_push(arena, PAGE - util_guard(arena)));
  ck_assert_ptr_nonnull(samrena_push(arena, 10 * PAGE));
  ck_assert_uint_eq(util_stats(arena).blocks, 51);
  samrena_reset(arena);
  ck_assert_int_eq(samrena_trim(arena, 5 * PAGE), SAMRENA_OK);
  SamrenaStats trimmed = util_stats(arena);
  ck_assert_uint_ge(trimmed.capacity, 5 * PAGE);
  ck_assert_uint_lt(trimmed.capacity, 6 * PAGE);
  ck_assert_uint_eq(trimmed.blocks, 5);
  ck_assert_int_eq(samrena_trim(arena, 0), SAMRENA_OK);
  ck_assert_uint_eq(util_stats(arena).blocks, 1);
  ck_assert_uint_eq(samrena_capacity(arena), PAGE);
  samrena_destroy(arena);
}
END_TEST

#if defined(HAVE_MALLINFO2) && HAVE_MALLINFO2
/* Bytes the C library's malloc has handed out and not had back. */
static uint64_t malloc_in_use(void) {
  struct mallinfo2 info = mallinfo2();
  return (uint64_t)info.uordblks + (uint64_t)info.hblkhd;
}

/* Whether malloc_in_use follows malloc and free here (not under a
 * replacement malloc such as ASan's or Valgrind's). */
static bool malloc_in_use_is_measurable(void) {
  uint64_t before = malloc_in_use();
  void *probe = malloc(64 * KiB);
  bool rose = probe != NULL && malloc_in_use() >= before + 64 * KiB;
  free(probe);
  return rose && malloc_in_use() < before + 64 * KiB;
}

/* Trim gives the spare blocks back with free(3), as samrena_trim(3) says,
 * rather than keeping them in the process's cache of released blocks. */
START_TEST(test_trim_returns_blocks_to_malloc) {
  if (!malloc_in_use_is_measurable()) {
    printf("chained: trim to malloc: skipped, mallinfo2 does not follow this malloc\n");
    return;
  }
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_CHAINED; /* 64 KiB blocks, cacheable */
  Samrena *arena = util_arena_config(config);
  for (int i = 0; i < 6; i++)
    ck_assert_ptr_nonnull(samrena_push(arena, 60 * KiB));
  ck_assert_uint_eq(util_stats(arena).blocks, 6);
  samrena_reset(arena);
  uint64_t before = malloc_in_use();
  ck_assert_int_eq(samrena_trim(arena, 0), SAMRENA_OK);
  ck_assert_uint_eq(util_stats(arena).blocks, 1);
  uint64_t returned = before - malloc_in_use();
  ck_assert_msg(returned >= 5 * 64 * KiB, "trim gave %llu bytes back to malloc, not 5 blocks",
                (unsigned long long)returned);
  samrena_destroy(arena);
}
END_TEST
#endif

Suite *make_chained_suite(void) {
  Suite *suite = suite_create("chained");
  TCase *tc = util_tcase("blocks");
  tcase_add_test(tc, test_growth_pages_per_block);
  tcase_add_test(tc, test_big_push_gets_own_block);
  tcase_add_test(tc, test_block_tail_is_wasted);
  tcase_add_test(tc, test_reset_reuses_blocks);
  tcase_add_test(tc, test_reserve_preallocates);
  tcase_add_test(tc, test_trim_frees_spare_blocks);
#if defined(HAVE_MALLINFO2) && HAVE_MALLINFO2
  tcase_add_test(tc, test_trim_returns_blocks_to_malloc);
#endif
  suite_add_tcase(suite, tc);
  return suite;
}
