/* check_scope.c -- marks (save/restore) and cleanups (on_release), over
 * every strategy. */
#include "check_util.h"

#include <string.h>
#include <wchar.h>

#if SAMRENA_FAULT_INJECTION
#include "../lib/fault.h"
#endif

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

#if SAMRENA_FAULT_INJECTION
/* Arenas are told apart by a serial that is never reused: an arena that
 * takes its first mark 2^32 arenas after another did (as if 2^32 arenas
 * had come and gone) refuses the live arena's marks, and the other way
 * round. */
START_TEST(test_foreign_mark_refused_after_2_32_arenas) {
  Samrena *arena = util_arena(STRATEGY, 1);
  ck_assert_ptr_nonnull(samrena_push(arena, 10));
  SamrenaMark mark = samrena_save(arena); /* takes the serial S */
  ck_assert_ptr_nonnull(samrena_push(arena, 10));
  uint64_t allocated = samrena_allocated(arena);

  /* The next serial is S + 2^32, the same as S in 32 bits. */
  samrena_fault_skip_serials((UINT64_C(1) << 32) - 1);
  Samrena *later = util_arena(STRATEGY, 1);
  ck_assert_ptr_nonnull(samrena_push(later, 10));
  SamrenaMark later_mark = samrena_save(later);
  ck_assert_ptr_nonnull(samrena_push(later, 10));
  uint64_t later_allocated = samrena_allocated(later);

  ck_assert_int_eq(samrena_restore(later, mark), SAMRENA_ERROR_INVALID_PARAMETER);
  ck_assert_uint_eq(samrena_allocated(later), later_allocated);
  ck_assert_int_eq(samrena_restore(arena, later_mark), SAMRENA_ERROR_INVALID_PARAMETER);
  ck_assert_uint_eq(samrena_allocated(arena), allocated);
  ck_assert_int_eq(samrena_restore(arena, mark), SAMRENA_OK);
  ck_assert_int_eq(samrena_restore(later, later_mark), SAMRENA_OK);
  samrena_destroy(later);
  samrena_destroy(arena);
}
END_TEST
#endif

/* Marks are found among many live ones, newest or not. */
START_TEST(test_many_live_marks_each_restorable) {
  Samrena *arena = util_arena(STRATEGY, 1);
  enum { N = 300 };
  static SamrenaMark marks[N];
  static uint64_t allocated[N];
  for (int i = 0; i < N; i++) {
    ck_assert_ptr_nonnull(samrena_push(arena, 8));
    allocated[i] = samrena_allocated(arena);
    marks[i] = samrena_save(arena);
  }
  for (int i = N - 1; i >= 0; i -= 7) {
    ck_assert_int_eq(samrena_restore(arena, marks[i]), SAMRENA_OK);
    ck_assert_uint_eq(samrena_allocated(arena), allocated[i]);
    if (i + 1 < N) /* popped by this restore */
      ck_assert_int_eq(samrena_restore(arena, marks[i + 1]), SAMRENA_ERROR_INVALID_PARAMETER);
  }
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_save_without_restore_reuses_mark) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaMark first = samrena_save(arena);
  for (int i = 0; i < 100000; i++) {
    SamrenaMark again = samrena_save(arena);
    util_require_uint_eq(again.opaque[0], first.opaque[0]);
    util_require_uint_eq(again.opaque[1], first.opaque[1]);
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

/* Resizing in place must not cross a live mark: restoring the mark would
 * move the cursor forward, past memory a trim gave back. */
START_TEST(test_resize_respects_marks) {
  Samrena *arena = util_arena(STRATEGY, 1);
  unsigned char *before = samrena_push(arena, 4096);
  util_fill(before, 4096, 5);
  SamrenaMark mark = samrena_save(arena);
  uint64_t allocated = samrena_allocated(arena);
  ck_assert_ptr_eq(samrena_resize(arena, before, 4096, 16), before);
  ck_assert_uint_eq(samrena_allocated(arena), allocated); /* not given back */
  ck_assert_int_eq(samrena_trim(arena, 0), SAMRENA_OK);
  ck_assert_int_eq(samrena_restore(arena, mark), SAMRENA_OK);
  ck_assert_uint_eq(samrena_allocated(arena), allocated);
  unsigned char *after = samrena_push(arena, 1 * KiB);
  ck_assert_ptr_nonnull(after);
  memset(after, 0x7e, 1 * KiB);
  /* Newer than every mark: grows in place.  Older than a mark: copies, so
   * a restore cannot cut it short. */
  unsigned char *grown = samrena_resize(arena, after, 1 * KiB, 2 * KiB);
  ck_assert_ptr_eq(grown, after);
  SamrenaMark inner = samrena_save(arena);
  unsigned char *moved = samrena_resize(arena, grown, 2 * KiB, 4 * KiB);
  ck_assert_ptr_nonnull(moved);
  ck_assert_ptr_ne(moved, grown);
  ck_assert_uint_eq(moved[1 * KiB - 1], 0x7e);
  ck_assert_int_eq(samrena_restore(arena, inner), SAMRENA_OK);
  ck_assert_uint_eq(grown[1 * KiB - 1], 0x7e);
  ck_assert(util_check(before, 16, 5));
  samrena_destroy(arena);
}
END_TEST

/* A pool on an arena survives a restore to a mark taken after it: the
 * blocks the restore takes back are forgotten, never reused by both. */
START_TEST(test_backed_pool_across_restore) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = STRATEGY;
  config.alignment = 1; /* the pool must align its own headers */
  Samrena *arena = util_arena_config(config);
  SamrenaPool *pool = samrena_pool_create(arena, 40, 8);
  ck_assert_ptr_nonnull(pool);
  unsigned char *early = samrena_pool_alloc(pool);
  util_fill(early, 40, 1);
  SamrenaMark mark = samrena_save(arena);
  for (int i = 0; i < 5000; i++) /* several blocks after the mark */
    ck_assert_ptr_nonnull(samrena_pool_alloc(pool));
  ck_assert_uint_eq(samrena_pool_in_use(pool), 5001);
  ck_assert_int_eq(samrena_restore(arena, mark), SAMRENA_OK);
  ck_assert_uint_le(samrena_pool_in_use(pool), 5001);

  /* Arena pushes and pool slots now never overlap. */
  enum { N = 3000 };
  static unsigned char *slots[N], *pushes[N];
  for (int i = 0; i < N; i++) {
    slots[i] = samrena_pool_alloc(pool);
    pushes[i] = samrena_push(arena, 40);
    ck_assert(slots[i] != NULL && pushes[i] != NULL);
    ck_assert_uint_eq((uintptr_t)slots[i] % 8, 0);
    util_fill(slots[i], 40, (uint64_t)i);
    util_fill(pushes[i], 40, (uint64_t)i + N);
  }
  for (int i = 0; i < N; i++) {
    ck_assert(util_check(slots[i], 40, (uint64_t)i));
    ck_assert(util_check(pushes[i], 40, (uint64_t)i + N));
  }
  ck_assert(util_check(early, 40, 1));
  samrena_destroy(arena);
}
END_TEST

/* A restore to a mark taken after the pool keeps exactly the slots that
 * were live at the mark: in_use counts them, each can still be freed (the
 * debug build's check included) and reused. */
START_TEST(test_backed_pool_in_use_exact_after_restore) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaPool *pool = samrena_pool_create(arena, 1024, 0);
  ck_assert_ptr_nonnull(pool);
  enum { BEFORE = 64, AFTER = 128 }; /* a 64 KiB block holds 64 such slots */
  unsigned char *live[BEFORE];
  for (int i = 0; i < BEFORE; i++) {
    live[i] = samrena_pool_alloc(pool);
    ck_assert_ptr_nonnull(live[i]);
    util_fill(live[i], 1024, (uint64_t)i);
  }
  SamrenaMark mark = samrena_save(arena);
  for (int i = 0; i < AFTER; i++)
    ck_assert_ptr_nonnull(samrena_pool_alloc(pool));
  ck_assert_uint_eq(samrena_pool_in_use(pool), BEFORE + AFTER);
  ck_assert_int_eq(samrena_restore(arena, mark), SAMRENA_OK);
  ck_assert_uint_eq(samrena_pool_in_use(pool), BEFORE);

  for (int i = 0; i < BEFORE; i++)
    ck_assert(util_check(live[i], 1024, (uint64_t)i));
  /* The error state is not cleared by success: set it to something no
   * pool_free records, then see that the frees leave it alone. */
  ck_assert_ptr_null((samrena_push)(NULL, 1));
  samrena_pool_free(pool, live[0]);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_uint_eq(samrena_pool_in_use(pool), BEFORE - 1);
  ck_assert_ptr_eq(samrena_pool_alloc(pool), live[0]); /* the freed slot comes back */
  for (int i = 1; i < BEFORE; i++)
    samrena_pool_free(pool, live[i]);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_uint_eq(samrena_pool_in_use(pool), 1);

  /* New slots come from memory the arena will not hand out again. */
  unsigned char *fresh = samrena_pool_alloc(pool);
  unsigned char *pushed = samrena_push(arena, 1024);
  ck_assert(fresh != NULL && pushed != NULL);
  util_fill(fresh, 1024, 500);
  util_fill(pushed, 1024, 501);
  ck_assert(util_check(fresh, 1024, 500));
  samrena_destroy(arena);
}
END_TEST

/* A format that fails half way leaves no garbage where push_zero looks. */
START_TEST(test_printf_failure_leaves_zeros) {
  Samrena *arena = util_arena(STRATEGY, 1);
  ck_assert_ptr_nonnull(samrena_push(arena, 10));
  char *text = samrena_printf(arena, "abcdefgh%ls", L"\xe9\xff\U0010ffff");
  if (text == NULL) {
    ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
    unsigned char *zeroed = samrena_push_zero(arena, 64);
    ck_assert(util_all_zero(zeroed, 64));
  }
  samrena_destroy(arena);
}
END_TEST

Suite *make_scope_suite(void) {
  Suite *suite = suite_create("scope");
  TCase *tc = util_tcase("marks");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, test_restore_frees_what_came_after, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_nested_scopes_depth_1000, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_stale_and_foreign_marks_refused, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_save_without_restore_reuses_mark, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_many_live_marks_each_restorable, 0, util_strategy_count);
#if SAMRENA_FAULT_INJECTION
  tcase_add_loop_test(tc, test_foreign_mark_refused_after_2_32_arenas, 0, util_strategy_count);
#endif
  tcase_add_loop_test(tc, test_resize_respects_marks, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_backed_pool_across_restore, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_backed_pool_in_use_exact_after_restore, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_printf_failure_leaves_zeros, 0, util_strategy_count);
  suite_add_tcase(suite, tc);
  tc = util_tcase("cleanups");
  tcase_add_loop_test(tc, test_on_release_runs_at_destroy_newest_first, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_on_release_runs_at_reset, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_on_release_runs_at_restore_of_older_mark, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_on_release_bad_input, 0, util_strategy_count);
  suite_add_tcase(suite, tc);
  return suite;
}
