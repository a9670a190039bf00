/* check_scope.c -- marks (save/restore) and cleanups (on_release), over
 * every strategy. */
#include "check_util.h"

#include <string.h>

#define STRATEGY (util_strategies[_i])

START_TEST(test_restore_frees_what_came_after) {
  Samrena *arena = util_arena(STRATEGY, 1);
  unsigned char *keep = samrena_push(arena, 100);
  util_fill(keep, 100, 1);
  uint64_t allocated = samrena_allocated(arena);
  SamrenaMark mark = samrena_save(arena);
  for (int i = 0; i < 500; i++) /* crosses blocks and commit steps */
    ck_assert_ptr_nonnull(samrena_push(arena, 1000 + (uint64_t)i * 10));
  ck_assert_ptr_nonnull(samrena_push(arena, 200 * KiB)); /* a large block */
  ck_assert_int_eq(samrena_restore(arena, mark), SAMRENA_OK);
  ck_assert_uint_eq(samrena_allocated(arena), allocated);
  ck_assert(util_check(keep, 100, 1));
  /* The same pushes land in the same memory: nothing new is needed. */
  SamrenaStats before, after;
  samrena_stats(arena, &before);
  for (int i = 0; i < 500; i++)
    ck_assert_ptr_nonnull(samrena_push(arena, 1000 + (uint64_t)i * 10));
  ck_assert_ptr_nonnull(samrena_push(arena, 200 * KiB));
  samrena_stats(arena, &after);
  ck_assert_uint_eq(after.committed, before.committed);
  ck_assert_uint_eq(after.blocks, before.blocks);
  /* The mark itself stays valid. */
  ck_assert_int_eq(samrena_restore(arena, mark), SAMRENA_OK);
  ck_assert_uint_eq(samrena_allocated(arena), allocated);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_nested_scopes_depth_1000) {
  enum { DEPTH = 1000 };
  Samrena *arena = util_arena(STRATEGY, 1);
  static SamrenaMark marks[DEPTH];
  static uint64_t allocated_at[DEPTH];
  static unsigned char *data[DEPTH];
  for (int d = 0; d < DEPTH; d++) {
    allocated_at[d] = samrena_allocated(arena);
    marks[d] = samrena_save(arena);
    data[d] = samrena_push(arena, 97);
    ck_assert_ptr_nonnull(data[d]);
    util_fill(data[d], 97, (uint64_t)d);
  }
  for (int d = DEPTH - 1; d >= 0; d--) {
    for (int e = 0; e < d; e += 97)
      ck_assert(util_check(data[e], 97, (uint64_t)e));
    ck_assert_int_eq(samrena_restore(arena, marks[d]), SAMRENA_OK);
    ck_assert_uint_eq(samrena_allocated(arena), allocated_at[d]);
  }
  ck_assert_uint_eq(samrena_allocated(arena), 0);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_stale_and_foreign_marks_refused) {
  Samrena *arena = util_arena(STRATEGY, 1);
  Samrena *other = util_arena(STRATEGY, 1);
  ck_assert_ptr_nonnull(samrena_push(arena, 10));
  SamrenaMark outer = samrena_save(arena);
  ck_assert_ptr_nonnull(samrena_push(arena, 10));
  SamrenaMark inner = samrena_save(arena);
  ck_assert_ptr_nonnull(samrena_push(arena, 10));
  uint64_t allocated = samrena_allocated(arena);

  /* Foreign: a mark of another arena, even one at the same place. */
  ck_assert_ptr_nonnull(samrena_push(other, 10));
  SamrenaMark foreign = samrena_save(other);
  ck_assert_int_eq(samrena_restore(arena, foreign), SAMRENA_ERROR_INVALID_PARAMETER);
  ck_assert_uint_eq(samrena_allocated(arena), allocated);

  /* Forged marks. */
  SamrenaMark zero = {{0, 0}};
  ck_assert_int_eq(samrena_restore(arena, zero), SAMRENA_ERROR_INVALID_PARAMETER);
  SamrenaMark forged = inner;
  forged.opaque[1] += 12345;
  ck_assert_int_eq(samrena_restore(arena, forged), SAMRENA_ERROR_INVALID_PARAMETER);
  ck_assert_uint_eq(samrena_allocated(arena), allocated);

  /* Restoring outer makes inner stale, even once the arena grows past it. */
  ck_assert_int_eq(samrena_restore(arena, outer), SAMRENA_OK);
  for (int i = 0; i < 10; i++)
    ck_assert_ptr_nonnull(samrena_push(arena, 10));
  allocated = samrena_allocated(arena);
  ck_assert_int_eq(samrena_restore(arena, inner), SAMRENA_ERROR_INVALID_PARAMETER);
  ck_assert_uint_eq(samrena_allocated(arena), allocated);

  /* A reset makes every mark stale. */
  samrena_reset(arena);
  for (int i = 0; i < 10; i++)
    ck_assert_ptr_nonnull(samrena_push(arena, 10));
  ck_assert_int_eq(samrena_restore(arena, outer), SAMRENA_ERROR_INVALID_PARAMETER);
  ck_assert_uint_gt(samrena_allocated(arena), 0);

  ck_assert_int_eq(samrena_restore(NULL, outer), SAMRENA_ERROR_NULL_POINTER);
  SamrenaMark none = samrena_save(NULL);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_int_eq(samrena_restore(arena, none), SAMRENA_ERROR_INVALID_PARAMETER);
  samrena_destroy(other);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_save_without_restore_reuses_mark) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaMark first = samrena_save(arena);
  for (int i = 0; i < 100000; i++) {
    SamrenaMark again = samrena_save(arena);
    ck_assert_uint_eq(again.opaque[0], first.opaque[0]);
    ck_assert_uint_eq(again.opaque[1], first.opaque[1]);
  }
  samrena_destroy(arena);
}
END_TEST

typedef struct {
  int order[16];
  int count;
} CallLog;

static CallLog call_log;
static int call_ids[16];

static void record_call(void *data) {
  call_log.order[call_log.count++] = *(int *)data;
}

static void register_calls(Samrena *arena, int first, int count) {
  for (int i = first; i < first + count; i++) {
    call_ids[i] = i;
    ck_assert_int_eq(samrena_on_release(arena, record_call, &call_ids[i]), SAMRENA_OK);
  }
}

START_TEST(test_on_release_runs_at_destroy_newest_first) {
  memset(&call_log, 0, sizeof call_log);
  Samrena *arena = util_arena(STRATEGY, 1);
  register_calls(arena, 0, 4);
  ck_assert_int_eq(call_log.count, 0);
  samrena_destroy(arena);
  ck_assert_int_eq(call_log.count, 4);
  for (int i = 0; i < 4; i++)
    ck_assert_int_eq(call_log.order[i], 3 - i);
}
END_TEST

START_TEST(test_on_release_runs_at_reset) {
  memset(&call_log, 0, sizeof call_log);
  Samrena *arena = util_arena(STRATEGY, 1);
  register_calls(arena, 0, 3);
  samrena_reset(arena);
  ck_assert_int_eq(call_log.count, 3);
  ck_assert_int_eq(call_log.order[0], 2);
  ck_assert_int_eq(call_log.order[2], 0);
  samrena_reset(arena); /* each runs once */
  samrena_destroy(arena);
  ck_assert_int_eq(call_log.count, 3);
}
END_TEST

START_TEST(test_on_release_runs_at_restore_of_older_mark) {
  memset(&call_log, 0, sizeof call_log);
  Samrena *arena = util_arena(STRATEGY, 1);
  register_calls(arena, 0, 1); /* before both marks */
  SamrenaMark outer = samrena_save(arena);
  register_calls(arena, 1, 2);
  SamrenaMark inner = samrena_save(arena);
  register_calls(arena, 3, 2);
  ck_assert_int_eq(samrena_restore(arena, inner), SAMRENA_OK);
  ck_assert_int_eq(call_log.count, 2);
  ck_assert_int_eq(call_log.order[0], 4);
  ck_assert_int_eq(call_log.order[1], 3);
  ck_assert_int_eq(samrena_restore(arena, outer), SAMRENA_OK);
  ck_assert_int_eq(call_log.count, 4);
  ck_assert_int_eq(call_log.order[2], 2);
  ck_assert_int_eq(call_log.order[3], 1);
  samrena_destroy(arena);
  ck_assert_int_eq(call_log.count, 5);
  ck_assert_int_eq(call_log.order[4], 0);
}
END_TEST

START_TEST(test_on_release_bad_input) {
  Samrena *arena = util_arena(STRATEGY, 1);
  ck_assert_int_eq(samrena_on_release(NULL, record_call, NULL), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_int_eq(samrena_on_release(arena, NULL, NULL), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_ptr_nonnull(samrena_push(arena, 8));
  samrena_destroy(arena);
}
END_TEST

Suite *make_scope_suite(void) {
  Suite *suite = suite_create("scope");
  TCase *tc = tcase_create("marks");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, test_restore_frees_what_came_after, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_nested_scopes_depth_1000, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_stale_and_foreign_marks_refused, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_save_without_restore_reuses_mark, 0, util_strategy_count);
  suite_add_tcase(suite, tc);
  tc = tcase_create("cleanups");
  tcase_add_loop_test(tc, test_on_release_runs_at_destroy_newest_first, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_on_release_runs_at_reset, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_on_release_runs_at_restore_of_older_mark, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_on_release_bad_input, 0, util_strategy_count);
  suite_add_tcase(suite, tc);
  return suite;
}
