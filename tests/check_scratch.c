/* check_scratch.c -- the calling thread's scratch arenas: scopes that give
 * everything back, nesting, the conflict rule, cleanups and marks made
 * inside a scope, and the idiom of a function that builds its result in
 * its caller's arena with temporaries from a scratch one.  (Threads and
 * thread exit: check_threads.c.) */
#include "check_util.h"

#include <stdio.h>
#include <string.h>

START_TEST(test_scratch_gives_everything_back) {
  SamrenaScratch scratch = samrena_scratch_begin(NULL, 0);
  ck_assert_ptr_nonnull(scratch.arena);
  uint64_t before = samrena_allocated(scratch.arena);
  unsigned char *first = samrena_push(scratch.arena, 1000);
  ck_assert_ptr_nonnull(first);
  util_fill(first, 1000, 1);
  ck_assert_ptr_nonnull(samrena_push(scratch.arena, 3 * MiB));
  samrena_scratch_end(scratch);
  ck_assert_uint_eq(samrena_allocated(scratch.arena), before);

  /* The same arena again, the same memory. */
  SamrenaScratch again = samrena_scratch_begin(NULL, 0);
  ck_assert_ptr_eq(again.arena, scratch.arena);
  ck_assert_ptr_eq(samrena_push(again.arena, 1000), first);
  samrena_scratch_end(again);

  /* Memory a scope gave back is handed out zeroed on request. */
  again = samrena_scratch_begin(NULL, 0);
  unsigned char *zeroed = samrena_push_zero(again.arena, 1000);
  ck_assert_ptr_eq(zeroed, first);
  ck_assert(util_all_zero(zeroed, 1000));
  samrena_scratch_end(again);

  SamrenaScratch none = {NULL, {{0, 0}}};
  samrena_scratch_end(none); /* a no-op */
}
END_TEST

START_TEST(test_scratch_scopes_nest) {
  SamrenaScratch outer = samrena_scratch_begin(NULL, 0);
  unsigned char *a = samrena_push(outer.arena, 100);
  util_fill(a, 100, 2);
  uint64_t after_a = samrena_allocated(outer.arena);
  for (int round = 0; round < 3; round++) {
    SamrenaScratch inner = samrena_scratch_begin(NULL, 0);
    ck_assert_ptr_eq(inner.arena, outer.arena); /* no conflict: the first one */
    unsigned char *b = samrena_push(inner.arena, 5000);
    util_fill(b, 5000, 3);
    SamrenaScratch innermost = samrena_scratch_begin(NULL, 0);
    ck_assert_ptr_nonnull(samrena_push(innermost.arena, 77));
    if (round == 1)
      (samrena_scratch_end)(innermost); /* the exported function, not the inline one */
    else
      samrena_scratch_end(innermost);
    ck_assert(util_check(b, 5000, 3));
    samrena_scratch_end(inner);
    ck_assert_uint_eq(samrena_allocated(outer.arena), after_a);
    ck_assert(util_check(a, 100, 2));
  }
  samrena_scratch_end(outer);
}
END_TEST

START_TEST(test_scratch_conflicts) {
  SamrenaScratch first = samrena_scratch_begin(NULL, 0);
  ck_assert_ptr_nonnull(first.arena);
  Samrena *taken[3] = {first.arena, NULL, NULL};
  SamrenaScratch second = samrena_scratch_begin(taken, 1);
  ck_assert_ptr_nonnull(second.arena);
  ck_assert_ptr_ne(second.arena, first.arena);

  /* Some arena of the caller's own is no conflict at all. */
  Samrena *own = util_arena(SAMRENA_STRATEGY_CHAINED, 1);
  Samrena *mine[1] = {own};
  SamrenaScratch third = samrena_scratch_begin(mine, 1);
  ck_assert_ptr_eq(third.arena, first.arena);
  samrena_scratch_end(third);

  /* Every scratch arena conflicting: none, and the error says why. */
  taken[1] = second.arena;
  SamrenaScratch none = samrena_scratch_begin(taken, 2);
  ck_assert_ptr_null(none.arena);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
  none = samrena_scratch_begin(NULL, 1);
  ck_assert_ptr_null(none.arena);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);

  samrena_scratch_end(second);
  samrena_scratch_end(first);
  samrena_destroy(own);
}
END_TEST

static int cleanups_run;
static void count_cleanup(void *data) {
  (void)data;
  cleanups_run++;
}

/* What a scope registered or marked goes with it; a reset inside a scope
 * leaves its end nothing to give back. */
START_TEST(test_scratch_cleanups_and_marks_inside) {
  SamrenaScratch outer = samrena_scratch_begin(NULL, 0);
  ck_assert_uint_eq(samrena_allocated(outer.arena), 0); /* every scope before it ended */
  ck_assert_int_eq(samrena_on_release(outer.arena, count_cleanup, NULL), SAMRENA_OK);
  unsigned char *kept = samrena_push(outer.arena, 64);
  util_fill(kept, 64, 9);
  SamrenaMark outer_mark = samrena_save(outer.arena);

  cleanups_run = 0;
  SamrenaScratch scope = samrena_scratch_begin(NULL, 0);
  uint64_t before = samrena_allocated(scope.arena);
  ck_assert_int_eq(samrena_on_release(scope.arena, count_cleanup, NULL), SAMRENA_OK);
  ck_assert_int_eq(samrena_on_release(scope.arena, count_cleanup, NULL), SAMRENA_OK);
  ck_assert_ptr_nonnull(samrena_push(scope.arena, 200));
  SamrenaMark inside = samrena_save(scope.arena);
  ck_assert_ptr_nonnull(samrena_push(scope.arena, 300));
  samrena_scratch_end(scope);
  ck_assert_int_eq(cleanups_run, 2); /* the two registered in the scope, not the outer one */
  ck_assert_uint_eq(samrena_allocated(scope.arena), before);
  ck_assert_int_eq(samrena_restore(scope.arena, inside), SAMRENA_ERROR_INVALID_PARAMETER);
  ck_assert_int_eq(samrena_restore(outer.arena, outer_mark), SAMRENA_OK); /* older: still valid */
  ck_assert(util_check(kept, 64, 9));

  SamrenaScratch reset_inside = samrena_scratch_begin(NULL, 0);
  ck_assert_ptr_nonnull(samrena_push(reset_inside.arena, 4096));
  samrena_reset(reset_inside.arena); /* runs the outer cleanup too */
  ck_assert_int_eq(cleanups_run, 3);
  unsigned char *after_reset = samrena_push(reset_inside.arena, 16);
  ck_assert_ptr_nonnull(after_reset);
  ck_assert_ptr_nonnull(samrena_push(reset_inside.arena, 8192)); /* past where both began */
  uint64_t after = samrena_allocated(reset_inside.arena);
  /* The reset ended both scopes: their ends give nothing back. */
  samrena_scratch_end(reset_inside);
  ck_assert_uint_eq(samrena_allocated(reset_inside.arena), after);
  samrena_scratch_end(outer);
  ck_assert_uint_eq(samrena_allocated(outer.arena), after);
  ck_assert_int_eq(cleanups_run, 3);
  samrena_reset(outer.arena);
}
END_TEST

/* The idiom: build the result in the caller's arena, temporaries in a
 * scratch arena that is not it. */
static char *join_words(Samrena *out, const char *const *words, int count) {
  Samrena *conflicts[1] = {out};
  SamrenaScratch scratch = samrena_scratch_begin(conflicts, 1);
  if (scratch.arena == NULL)
    return NULL;
  size_t *lengths = SAMRENA_PUSH_ARRAY(scratch.arena, size_t, (uint64_t)count);
  size_t total = 1;
  for (int i = 0; i < count; i++) {
    lengths[i] = strlen(words[i]);
    total += lengths[i] + 1;
  }
  char *result = samrena_push_aligned(out, total, 1);
  if (result != NULL) {
    char *at = result;
    for (int i = 0; i < count; i++) {
      memcpy(at, words[i], lengths[i]);
      at += lengths[i];
      *at++ = ' ';
    }
    at[count > 0 ? -1 : 0] = '\0';
  }
  samrena_scratch_end(scratch);
  return result;
}

/* The inline samrena_scratch_begin (samrena.h, ELF targets) and the
 * exported one hand out the same arena at the same position in every
 * case; the inline one answers without a call only where a scope is a
 * position (no debug mode, no sanitizer's poisoning). */
START_TEST(test_scratch_inline_begin_agrees) {
  SamrenaScratch called = (samrena_scratch_begin)(NULL, 0);
  ck_assert_ptr_nonnull(called.arena);
  ck_assert_ptr_nonnull(samrena_push(called.arena, 48));
  SamrenaScratch inline_one = samrena_inline_scratch_begin(NULL, 0);
  SamrenaScratch called_one = (samrena_scratch_begin)(NULL, 0);
  ck_assert_ptr_eq(inline_one.arena, called_one.arena);
  ck_assert_uint_eq(inline_one.mark.opaque[0], called_one.mark.opaque[0]);
  ck_assert_uint_eq(inline_one.mark.opaque[1], called_one.mark.opaque[1]);

  Samrena *own = util_arena(SAMRENA_STRATEGY_CHAINED, 1);
  Samrena *other[1] = {own};
  ck_assert_ptr_eq(samrena_inline_scratch_begin(other, 1).arena, called.arena);
  Samrena *first[1] = {called.arena};
  SamrenaScratch second = samrena_inline_scratch_begin(first, 1);
  ck_assert_ptr_nonnull(second.arena);
  ck_assert_ptr_ne(second.arena, called.arena);
  ck_assert_ptr_eq((samrena_scratch_begin)(first, 1).arena, second.arena);
  ck_assert_ptr_null(samrena_inline_scratch_begin(NULL, 1).arena);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);

#if defined(SAMRENA_HAS_INLINE_SCRATCH_BEGIN)
  bool cheap = samrena_has_capability(called.arena, SAMRENA_CAP_CONTIGUOUS_MEMORY) &&
               util_guard(called.arena) == 0 && !util_library_poisons();
  ck_assert_ptr_eq(samrena_scratch_fast_arena, cheap ? called.arena : NULL);
#endif
  samrena_inline_scratch_end(called);
  ck_assert_uint_eq(samrena_allocated(called.arena), 0);
  samrena_destroy(own);
}
END_TEST

START_TEST(test_scratch_idiom) {
  static const char *const words[] = {"arena", "per", "scope"};
  /* Even when the caller's own arena is a scratch one. */
  SamrenaScratch mine = samrena_scratch_begin(NULL, 0);
  char *joined = join_words(mine.arena, words, 3);
  ck_assert_ptr_nonnull(joined);
  ck_assert_str_eq(joined, "arena per scope");
  char *again = join_words(mine.arena, words, 2);
  ck_assert_str_eq(again, "arena per");
  ck_assert_str_eq(joined, "arena per scope"); /* the temporaries went elsewhere */
  samrena_scratch_end(mine);

  Samrena *out = util_arena(util_default_strategy(), 1);
  ck_assert_str_eq(join_words(out, words, 1), "arena");
  samrena_destroy(out);
}
END_TEST

Suite *make_scratch_suite(void) {
  Suite *suite = suite_create("scratch");
  TCase *tc = util_tcase("scopes");
  tcase_add_test(tc, test_scratch_gives_everything_back);
  tcase_add_test(tc, test_scratch_scopes_nest);
  tcase_add_test(tc, test_scratch_conflicts);
  tcase_add_test(tc, test_scratch_cleanups_and_marks_inside);
  tcase_add_test(tc, test_scratch_idiom);
  tcase_add_test(tc, test_scratch_inline_begin_agrees);
  suite_add_tcase(suite, tc);
  return suite;
}
