/* check_debug.c -- the debug mode: guards after pushes, reports of the
 * overwritten ones at reset, restore and destroy, and the pattern over
 * what reset and restore give back.  The reports are caught through the
 * arena's log callback.  (tests/debug-env.sh switches the mode on with
 * SAMRENA_DEBUG instead, reports on stderr.) */
#include "check_util.h"
#include "samvector.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Loop index: the strategy, then how the mode is asked for. */
#define STRATEGY (util_strategies[_i % util_strategy_count])
#define BY_FLAG (_i < util_strategy_count)

#define GUARD 16
#define FREED 0xDD

typedef struct {
  int count;
  char last[512];
  uint64_t numbers[16384]; /* the allocation numbers reported, in order */
} Reports;

static void catch_report(const char *message, void *data) {
  Reports *reports = data;
  if (strstr(message, "samrena: debug:") == NULL)
    return;
  const char *number = strstr(message, "allocation #");
  if (reports->count < (int)(sizeof reports->numbers / sizeof reports->numbers[0]))
    reports->numbers[reports->count] = number ? strtoull(number + 12, NULL, 10) : 0;
  reports->count++;
  snprintf(reports->last, sizeof reports->last, "%s", message);
}

static Samrena *debug_arena(SamrenaStrategy strategy, bool by_flag, Reports *reports) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = strategy;
  if (by_flag)
    config.flags |= SAMRENA_FLAG_DEBUG;
  else
    config.enable_debug = true;
  config.log_callback = catch_report;
  config.log_user_data = reports;
  memset(reports, 0, sizeof *reports);
  Samrena *arena = util_arena_config(config);
  ck_assert(samrena_has_capability(arena, SAMRENA_CAP_DEBUG));
  return arena;
}

/* One byte past push #2 is reported at reset, naming the arena, the
 * allocation's number and its size; the others are not. */
START_TEST(test_overrun_reported_at_reset) {
  if (util_library_poisons())
    return; /* the sanitizer reports the overrun itself, as it is made */
  Reports reports;
  Samrena *arena = debug_arena(STRATEGY, BY_FLAG, &reports);
  ck_assert_int_eq(samrena_set_name(arena, "parser"), SAMRENA_OK);
  unsigned char *a = samrena_push(arena, 24);
  unsigned char *b = samrena_push(arena, 10);
  unsigned char *c = samrena_push(arena, 7);
  memset(a, 1, 24);
  memset(b, 2, 11); /* one too many */
  memset(c, 3, 7);
  ck_assert_int_eq(reports.count, 0); /* seen when memory is given back */
  samrena_reset(arena);
  ck_assert_int_eq(reports.count, 1);
  ck_assert_msg(strstr(reports.last, "arena \"parser\"") != NULL, "%s", reports.last);
  ck_assert_msg(strstr(reports.last, "allocation #2 ") != NULL, "%s", reports.last);
  ck_assert_msg(strstr(reports.last, "(10 bytes") != NULL, "%s", reports.last);
  samrena_reset(arena); /* reported once: the push is gone */
  ck_assert_int_eq(reports.count, 1);
  samrena_destroy(arena);
  ck_assert_int_eq(reports.count, 1);
}
END_TEST

/* Restore checks what it gives back, and only that; destroy checks the rest. */
START_TEST(test_overrun_reported_at_restore_and_destroy) {
  if (util_library_poisons())
    return; /* the sanitizer reports the overrun itself, as it is made */
  Reports reports;
  Samrena *arena = debug_arena(STRATEGY, BY_FLAG, &reports);
  unsigned char *kept = samrena_push(arena, 40);
  SamrenaMark mark = samrena_save(arena);
  unsigned char *dropped = samrena_push(arena, 100);
  dropped[100] = 0;
  ck_assert_int_eq(samrena_restore(arena, mark), SAMRENA_OK);
  ck_assert_int_eq(reports.count, 1);
  ck_assert_uint_eq(reports.numbers[0], 2);
  kept[40 + GUARD - 1] = 0x42; /* the last guard byte */
  samrena_destroy(arena);
  ck_assert_int_eq(reports.count, 2);
  ck_assert_uint_eq(reports.numbers[1], 1);
  ck_assert_msg(strstr(reports.last, "arena \"\"") != NULL, "%s", reports.last);
}
END_TEST

/* The goal of the issue: every single-byte overrun among 10,000 random
 * pushes is reported, with its number, and nothing else.  The byte is any
 * value but the guard's own (0xFD), which no comparison can tell. */
START_TEST(test_random_overruns_all_caught) {
  if (util_library_poisons())
    return; /* the sanitizer reports the overrun itself, as it is made */
  Reports reports;
  Samrena *arena = debug_arena(STRATEGY, BY_FLAG, &reports);
  enum { PUSHES = 10000 };
  static bool overrun[PUSHES + 1];
  uint64_t seed = 2026;
  uint64_t expected = 0;
  for (uint64_t number = 1; number <= PUSHES; number++) {
    uint64_t r = util_random(&seed);
    uint64_t size = 1 + r % 500;
    uint64_t alignment = UINT64_C(1) << (r >> 20) % 7;
    unsigned char *p = samrena_push_aligned(arena, size, alignment);
    util_require(p != NULL);
    util_require_uint_eq((uintptr_t)p % alignment, 0);
    memset(p, 0x11, (size_t)size);
    overrun[number] = (r >> 32) % 3 == 0;
    if (overrun[number]) {
      unsigned char value = (unsigned char)(r >> 40);
      p[size] = value == 0xFD ? 0 : value;
      expected++;
    }
  }
  samrena_reset(arena);
  ck_assert_uint_eq((uint64_t)reports.count, expected);
  int at = 0;
  for (uint64_t number = 1; number <= PUSHES; number++)
    if (overrun[number])
      util_require_uint_eq(reports.numbers[at++], number);
  samrena_destroy(arena);
  ck_assert_uint_eq((uint64_t)reports.count, expected);
}
END_TEST

/* A use after reset or restore reads the pattern, not the old data. */
START_TEST(test_given_back_memory_holds_the_pattern) {
  if (util_library_poisons())
    return; /* reading it is the sanitizer's error to report */
  Reports reports;
  Samrena *arena = debug_arena(STRATEGY, BY_FLAG, &reports);
  unsigned char *old = samrena_push(arena, 100);
  memset(old, 0x11, 100);
  samrena_reset(arena);
  for (int i = 0; i < 100 + GUARD; i++)
    ck_assert_uint_eq(old[i], FREED);

  unsigned char *kept = samrena_push(arena, 50);
  memset(kept, 0x22, 50);
  SamrenaMark mark = samrena_save(arena);
  unsigned char *big = samrena_push(arena, 300 * KiB); /* into another block, chained */
  memset(big, 0x33, 300 * KiB);
  ck_assert_int_eq(samrena_restore(arena, mark), SAMRENA_OK);
  for (uint64_t i = 0; i < 300 * KiB; i++)
    util_require_uint_eq(big[i], FREED);
  for (int i = 0; i < 50; i++)
    ck_assert_uint_eq(kept[i], 0x22);
  ck_assert_int_eq(reports.count, 0);
  samrena_destroy(arena);
}
END_TEST

/* Pushes stay aligned and apart, the guard after each counts as waste,
 * the inline path goes through the library, push(0) takes nothing. */
START_TEST(test_guards_keep_pushes_apart) {
  Reports reports;
  Samrena *arena = debug_arena(STRATEGY, BY_FLAG, &reports);
  unsigned char *a = samrena_inline_push(arena, 10);
  unsigned char *b = samrena_push(arena, 10);
  ck_assert_ptr_eq(b, a + ROUND_UP(10 + GUARD, MAX_ALIGN));
  for (int i = 0; i < GUARD && !util_library_poisons(); i++) /* a sanitizer's to guard */
    ck_assert_uint_eq(a[10 + i], 0xFD);
  uint64_t before = samrena_allocated(arena);
  ck_assert_ptr_nonnull(samrena_push(arena, 0));
  ck_assert_uint_eq(samrena_allocated(arena), before);

  unsigned char *previous_end = b + 10 + GUARD;
  for (int i = 0; i < 2000; i++) {
    uint64_t size = 1 + (uint64_t)i % 97, alignment = UINT64_C(1) << i % 9;
    unsigned char *p = samrena_inline_push_aligned(arena, size, alignment);
    ck_assert_uint_eq((uintptr_t)p % alignment, 0);
    if (p > b) /* the same block or reservation: after the last guard */
      ck_assert((uintptr_t)p >= (uintptr_t)previous_end);
    previous_end = p + size + GUARD;
    b = p;
    memset(p, 0x44, (size_t)size);
  }
  SamrenaStats stats = util_stats(arena);
  ck_assert_uint_ge(stats.wasted, 2002 * GUARD);
  samrena_reset(arena);
  ck_assert_int_eq(reports.count, 0);
  ck_assert_uint_eq(util_stats(arena).wasted, 0);
  samrena_destroy(arena);
}
END_TEST

/* Growing the last push in place moves its guard: the old one is now
 * the caller's, and a write past the new end is reported with the new
 * size.  A shrink moves it back. */
START_TEST(test_resize_moves_the_guard) {
  if (util_library_poisons())
    return; /* the sanitizer reports the overrun itself, as it is made */
  Reports reports;
  Samrena *arena = debug_arena(STRATEGY, BY_FLAG, &reports);
  unsigned char *p = samrena_push(arena, 100);
  memset(p, 1, 100);
  ck_assert_ptr_eq(samrena_resize(arena, p, 100, 200), p);
  memset(p, 2, 200);
  ck_assert_ptr_eq(samrena_resize(arena, p, 200, 50), p);
  ck_assert_int_eq(reports.count, 0);
  p[50] = 7;
  samrena_reset(arena);
  ck_assert_int_eq(reports.count, 1);
  ck_assert_msg(strstr(reports.last, "(50 bytes") != NULL, "%s", reports.last);

  /* Grown in place past an overrun: the overrun is reported first. */
  p = samrena_push(arena, 30);
  p[30] = 9;
  ck_assert_ptr_eq(samrena_resize(arena, p, 30, 60), p);
  ck_assert_int_eq(reports.count, 2);
  samrena_destroy(arena);
  ck_assert_int_eq(reports.count, 2);
}
END_TEST

/* A resize to 0 of the last push gives all of it back, guard included,
 * as outside the debug mode: the next push lands where it was, and a
 * vector released to 0 and grown again has its data where it was. */
START_TEST(test_resize_to_zero_gives_all_back) {
  Reports reports;
  Samrena *arena = debug_arena(STRATEGY, BY_FLAG, &reports);
  ck_assert_ptr_nonnull(samrena_push(arena, 48)); /* 64 with its guard: no padding after it */
  uint64_t before = samrena_allocated(arena);
  unsigned char *p = samrena_push(arena, 100);
  memset(p, 1, 100);
  ck_assert_uint_gt(samrena_allocated(arena), before);
  ck_assert_ptr_eq(samrena_resize(arena, p, 100, 0), p);
  ck_assert_uint_eq(samrena_allocated(arena), before);
  ck_assert_ptr_eq(samrena_push(arena, 64), p);

  SamrenaVector *vec = samrena_vector_init(arena, 16, 3);
  ck_assert_ptr_nonnull(vec);
  void *first = vec->data;
  ck_assert_int_eq(samrena_vector_resize(vec, 24), SAMRENA_VECTOR_SUCCESS);
  ck_assert_ptr_eq(vec->data, first);
  ck_assert_int_eq(samrena_vector_resize(vec, 0), SAMRENA_VECTOR_SUCCESS);
  ck_assert_ptr_null(vec->data);
  ck_assert_int_eq(samrena_vector_resize(vec, 24), SAMRENA_VECTOR_SUCCESS);
  ck_assert_ptr_eq(vec->data, first);
  samrena_destroy(arena);
  ck_assert_int_eq(reports.count, 0);
}
END_TEST

/* A clean workload over the whole API reports nothing. */
static void release_nothing(void *data) {
  (void)data;
}

START_TEST(test_clean_program_reports_nothing) {
  Reports reports;
  Samrena *arena = debug_arena(STRATEGY, BY_FLAG, &reports);
  uint64_t seed = 9;
  for (int round = 0; round < 5; round++) {
    SamrenaMark mark = samrena_save(arena);
    for (int i = 0; i < 2000; i++) {
      uint64_t size = 1 + util_random(&seed) % 700;
      unsigned char *p = i % 3 ? samrena_push(arena, size) : samrena_push_zero(arena, size);
      util_require(p != NULL);
      memset(p, 0x55, (size_t)size);
      if (i % 100 == 0)
        ck_assert_ptr_nonnull(samrena_resize(arena, p, size, size * 3));
    }
    char *text = samrena_printf(arena, "round %d of %s", round, "five");
    char expected[32];
    snprintf(expected, sizeof expected, "round %d of five", round);
    ck_assert_str_eq(text, expected);
    ck_assert_ptr_nonnull(samrena_strdup(arena, "a string"));
    SamrenaPool *pool = samrena_pool_create(arena, 24, 0);
    ck_assert_ptr_nonnull(pool);
    for (int i = 0; i < 100; i++)
      memset(samrena_pool_alloc(pool), 0x66, 24);
    ck_assert_int_eq(samrena_on_release(arena, release_nothing, NULL), SAMRENA_OK);
    if (round % 2)
      samrena_restore(arena, mark);
    else
      samrena_reset(arena);
  }
  ck_assert_ptr_nonnull(samrena_push(arena, 5 * MiB));
  samrena_destroy(arena);
  ck_assert_int_eq(reports.count, 0);
}
END_TEST

/* A concurrent arena sends every push to its backing arena, which guards
 * and checks them in the concurrent arena's name. */
START_TEST(test_concurrent_arena_in_debug_mode) {
  if (util_library_poisons())
    return; /* the sanitizer reports the overrun itself, as it is made */
  Reports reports;
  memset(&reports, 0, sizeof reports);
  SamrenaConfig config = samrena_default_config();
  config.strategy = STRATEGY;
  config.flags = SAMRENA_FLAG_CONCURRENT | SAMRENA_FLAG_DEBUG;
  config.log_callback = catch_report;
  config.log_user_data = &reports;
  Samrena *arena = util_arena_config(config);
  ck_assert(samrena_has_capability(arena, SAMRENA_CAP_DEBUG));
  ck_assert_int_eq(samrena_set_name(arena, "shared"), SAMRENA_OK);
  unsigned char *a = samrena_push(arena, 64);
  unsigned char *b = samrena_push(arena, 64);
  ck_assert((uintptr_t)b >= (uintptr_t)(a + 64 + GUARD) || (uintptr_t)b < (uintptr_t)a);
  a[64] = 1;
  samrena_reset(arena);
  ck_assert_int_eq(reports.count, 1);
  ck_assert_msg(strstr(reports.last, "arena \"shared\"") != NULL, "%s", reports.last);
  samrena_destroy(arena);
  ck_assert_int_eq(reports.count, 1);
}
END_TEST

/* The largest push the arena reports leaves room for its guard. */
START_TEST(test_debug_capabilities) {
  Reports reports;
  Samrena *arena = debug_arena(STRATEGY, BY_FLAG, &reports);
  SamrenaCapabilities caps = samrena_get_capabilities(arena);
  ck_assert(samrena_can_allocate(arena, caps.max_allocation_size));
  ck_assert(STRATEGY == SAMRENA_STRATEGY_CHAINED ||
            !samrena_can_allocate(arena, caps.max_allocation_size + 1));
  samrena_destroy(arena);
}
END_TEST

Suite *make_debug_suite(void) {
  Suite *suite = suite_create("debug mode");
  TCase *tc = util_tcase("guards");
  int variants = 2 * util_strategy_count;
  tcase_add_loop_test(tc, test_overrun_reported_at_reset, 0, variants);
  tcase_add_loop_test(tc, test_overrun_reported_at_restore_and_destroy, 0, variants);
  tcase_add_loop_test(tc, test_random_overruns_all_caught, 0, variants);
  tcase_add_loop_test(tc, test_given_back_memory_holds_the_pattern, 0, variants);
  tcase_add_loop_test(tc, test_guards_keep_pushes_apart, 0, variants);
  tcase_add_loop_test(tc, test_resize_moves_the_guard, 0, variants);
  tcase_add_loop_test(tc, test_resize_to_zero_gives_all_back, 0, variants);
  tcase_add_loop_test(tc, test_clean_program_reports_nothing, 0, variants);
  tcase_add_loop_test(tc, test_concurrent_arena_in_debug_mode, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_debug_capabilities, 0, variants);
  suite_add_tcase(suite, tc);
  return suite;
}
