/* check_str.c -- SamrenaStr, the string builder: contents, growth in place
 * while it is the arena's last allocation, copies otherwise, overflow and
 * bad input, over every strategy. */
#include "check_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define STRATEGY (util_strategies[_i])

START_TEST(test_str_init) {
  Samrena *arena = util_arena(STRATEGY, 1);
  uint64_t before = samrena_allocated(arena);
  SamrenaStr *s = samrena_str_init(arena);
  ck_assert_ptr_nonnull(s);
  ck_assert_uint_gt(samrena_allocated(arena), before);
  ck_assert_str_eq(samrena_str_cstr(s), "");
  ck_assert_uint_eq(samrena_str_len(s), 0);
  ck_assert_ptr_null(samrena_str_init(NULL));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_str_append) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaStr *s = samrena_str_init(arena);
  ck_assert_int_eq(samrena_str_append(s, "hello", 5), SAMRENA_OK);
  ck_assert_int_eq(samrena_str_append(s, ", world!", 7), SAMRENA_OK); /* length counts */
  ck_assert_int_eq(samrena_str_append(s, "ignored", 0), SAMRENA_OK);
  ck_assert_str_eq(samrena_str_cstr(s), "hello, world");
  ck_assert_uint_eq(samrena_str_len(s), 12);
  /* NUL bytes are text like any other */
  ck_assert_int_eq(samrena_str_append(s, "a\0b", 3), SAMRENA_OK);
  ck_assert_uint_eq(samrena_str_len(s), 15);
  ck_assert_int_eq(memcmp(samrena_str_cstr(s), "hello, worlda\0b", 16), 0);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_str_appendf) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaStr *s = samrena_str_init(arena);
  ck_assert_int_eq(samrena_str_appendf(s, "%d-%s", 42, "x"), SAMRENA_OK);
  ck_assert_int_eq(samrena_str_appendf(s, "/%05.1f/%c", 3.14159, 'z'), SAMRENA_OK);
  ck_assert_str_eq(samrena_str_cstr(s), "42-x/003.1/z");
  ck_assert_int_eq(samrena_str_appendf(s, "%s", ""), SAMRENA_OK);
  ck_assert_uint_eq(samrena_str_len(s), 12);
  /* Longer than the buffer: formatted again after growing. */
  char big[5000];
  memset(big, 'q', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  ck_assert_int_eq(samrena_str_appendf(s, "[%s]", big), SAMRENA_OK);
  ck_assert_uint_eq(samrena_str_len(s), 12 + 2 + 4999);
  const char *text = samrena_str_cstr(s);
  ck_assert_int_eq(strncmp(text, "42-x/003.1/z[q", 14), 0);
  ck_assert_int_eq(text[12 + 1 + 4999], ']');
  ck_assert_int_eq(text[12 + 2 + 4999], '\0');
  for (int i = 0; i < 1000; i++)
    ck_assert_int_eq(samrena_str_appendf(s, "%d,", i), SAMRENA_OK);
  ck_assert_int_eq(strncmp(samrena_str_cstr(s) + 12 + 2 + 4999, "0,1,2,", 6), 0);
  samrena_destroy(arena);
}
END_TEST

/* A conversion the C library refuses (a wide character the "C" locale has
 * no byte for) is an error that leaves the text as it was. */
START_TEST(test_str_appendf_refused) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaStr *s = samrena_str_init(arena);
  ck_assert_int_eq(samrena_str_append(s, "keep", 4), SAMRENA_OK);
  static const wchar_t odd[] = {0x263a, 0};
  SamrenaError error = samrena_str_appendf(s, "%ls", odd);
  if (error != SAMRENA_OK) {
    ck_assert_int_eq(error, SAMRENA_ERROR_INVALID_PARAMETER);
    ck_assert_str_eq(samrena_str_cstr(s), "keep");
    ck_assert_uint_eq(samrena_str_len(s), 4);
  }
  samrena_destroy(arena);
}
END_TEST

/* While the string is the arena's last allocation its text does not move
 * and the arena holds its buffer at most twice the text. */
START_TEST(test_str_grows_in_place_when_last) {
  Samrena *arena = util_arena(STRATEGY, 8); /* a chained block holds it all */
  SamrenaStr *s = samrena_str_init(arena);
  ck_assert_int_eq(samrena_str_append(s, "x", 1), SAMRENA_OK);
  const char *text = samrena_str_cstr(s);
  uint64_t before = samrena_allocated(arena);
  char chunk[100];
  memset(chunk, 'a', sizeof chunk);
  for (int i = 0; i < 1500; i++) {
    chunk[0] = (char)('a' + i % 26);
    ck_assert_int_eq(samrena_str_append(s, chunk, sizeof chunk), SAMRENA_OK);
    ck_assert_ptr_eq(samrena_str_cstr(s), text);
  }
  uint64_t length = 1 + 1500 * sizeof chunk;
  ck_assert_uint_eq(samrena_str_len(s), length);
  ck_assert_uint_le(samrena_allocated(arena) - before, 2 * (length + 1));
  for (int i = 0; i < 1500; i++)
    ck_assert_int_eq(text[1 + i * 100], 'a' + i % 26);

  /* finish gives the unused room back: the arena ends with the text */
  char *done = samrena_str_finish(s);
  ck_assert_ptr_eq(done, text);
  ck_assert_ptr_eq(samrena_push_aligned(arena, 1, 1), done + UTIL_FOOTPRINT(arena, length + 1));
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_str_grows_in_place_virtual_large) {
  if (STRATEGY != SAMRENA_STRATEGY_VIRTUAL)
    return;
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaStr *s = samrena_str_init(arena);
  ck_assert_int_eq(samrena_str_append(s, "start", 5), SAMRENA_OK);
  const char *text = samrena_str_cstr(s);
  char chunk[4096];
  memset(chunk, 'v', sizeof chunk);
  for (int i = 0; i < 2048; i++) /* 8 MiB */
    ck_assert_int_eq(samrena_str_append(s, chunk, sizeof chunk), SAMRENA_OK);
  ck_assert_ptr_eq(samrena_str_cstr(s), text);
  ck_assert_uint_eq(samrena_str_len(s), 5 + 2048 * sizeof chunk);
  ck_assert_int_eq(text[5 + 2048 * sizeof chunk - 1], 'v');
  ck_assert_int_eq(text[5 + 2048 * sizeof chunk], '\0');
  samrena_destroy(arena);
}
END_TEST

/* Appends of 1 byte to 70 KB, formatted ones and, now and then, a push
 * in the way (so that growth copies), across the steps in which the
 * builder has its pages made resident ahead: the text is always what was
 * appended.  Twice: fresh memory, then after a clear. */
START_TEST(test_str_across_ready_steps) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaStr *s = samrena_str_init(arena);
  uint64_t total = util_under_valgrind() ? 512 * 1024 : 3 * MiB;
  char *model = malloc((size_t)total + 80000);
  char *piece = malloc(70000);
  ck_assert_ptr_nonnull(model);
  ck_assert_ptr_nonnull(piece);
  uint64_t random = 12345;
  for (int round = 0; round < 2; round++) {
    size_t length = 0;
    while (length < total) {
      uint64_t r = util_random(&random);
      size_t n = r % 4 == 0 ? (size_t)(r >> 8) % 70000 + 1 : (size_t)(r >> 8) % 300 + 1;
      if (r % 11 == 0) {
        ck_assert_int_eq(samrena_str_appendf(s, "<%zu>", length), SAMRENA_OK);
        length += (size_t)sprintf(model + length, "<%zu>", length);
      } else {
        memset(piece, 'a' + (int)(r % 26), n);
        ck_assert_int_eq(samrena_str_append(s, piece, n), SAMRENA_OK);
        memcpy(model + length, piece, n);
        length += n;
      }
      if (r % 97 == 0)
        ck_assert_ptr_nonnull(samrena_push(arena, 16)); /* in the way */
      util_require_uint_eq(samrena_str_len(s), length);
    }
    ck_assert_int_eq(memcmp(samrena_str_cstr(s), model, length), 0);
    ck_assert_int_eq(samrena_str_cstr(s)[length], '\0');
    ck_assert_int_eq(samrena_str_clear(s), SAMRENA_OK);
  }
  free(piece);
  free(model);
  samrena_destroy(arena);
}
END_TEST

/* With something pushed after it, a full buffer is copied into a larger
 * one; the old text stays readable in the arena. */
START_TEST(test_str_copies_when_not_last) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaStr *s = samrena_str_init(arena);
  ck_assert_int_eq(samrena_str_append(s, "first", 5), SAMRENA_OK);
  const char *old = samrena_str_cstr(s);
  char *other = samrena_strdup(arena, "in the way");
  char chunk[200];
  memset(chunk, 'b', sizeof chunk);
  ck_assert_int_eq(samrena_str_append(s, chunk, sizeof chunk), SAMRENA_OK);
  const char *moved = samrena_str_cstr(s);
  ck_assert_ptr_ne(moved, old);
  ck_assert_int_eq(strncmp(moved, "firstbbb", 8), 0);
  ck_assert_uint_eq(samrena_str_len(s), 205);
  ck_assert_str_eq(old, "first");
  ck_assert_str_eq(other, "in the way");
  /* The copy is last: it grows in place from now on. */
  for (int i = 0; i < 20; i++)
    ck_assert_int_eq(samrena_str_append(s, chunk, sizeof chunk), SAMRENA_OK);
  ck_assert_ptr_eq(samrena_str_cstr(s), moved);
  samrena_destroy(arena);
}
END_TEST

/* Appends that end exactly at the buffer's end, and one byte more: the
 * NUL of the last that fits is the buffer's last byte, and the one that
 * does not fit grows the buffer instead of writing past it (the
 * allocation pushed right after the buffer stays untouched). */
START_TEST(test_str_fills_buffer_exactly) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaStr *s = samrena_str_init(arena);
  ck_assert_int_eq(samrena_str_append(s, "a", 1), SAMRENA_OK);
  const char *data = samrena_str_cstr(s);
  char *after = samrena_push_aligned(arena, 1, 1);
  ck_assert_ptr_nonnull(after);
  *after = 'Z';
  /* the next allocation follows the buffer (past a guard in debug mode) */
  ck_assert_uint_gt((uintptr_t)after, (uintptr_t)data + 1);
  size_t room = (size_t)((uintptr_t)after - (uintptr_t)data);
  ck_assert_uint_le(room, 4096);
  char *model = malloc(room + 1);
  ck_assert_ptr_nonnull(model);
  model[0] = 'a';
  for (size_t length = 1; length < room - 1; length++) {
    ck_assert_int_eq(samrena_str_append(s, "b", 1), SAMRENA_OK);
    model[length] = 'b';
    ck_assert_int_eq(*after, 'Z');
  }
  ck_assert_int_eq(samrena_str_append(s, "c", 1), SAMRENA_OK);
  model[room - 1] = 'c';
  model[room] = '\0';
  ck_assert_int_eq(*after, 'Z');
  ck_assert_uint_eq(samrena_str_len(s), room);
  ck_assert_str_eq(samrena_str_cstr(s), model);
  free(model);
  samrena_destroy(arena);
}
END_TEST

/* Appending the builder's own text to itself, across growth and moves. */
START_TEST(test_str_append_self) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaStr *s = samrena_str_init(arena);
  ck_assert_int_eq(samrena_str_append(s, "ab", 2), SAMRENA_OK);
  for (int i = 0; i < 12; i++) {
    if (i == 6)
      ck_assert_ptr_nonnull(samrena_push(arena, 8)); /* the next growth moves */
    ck_assert_int_eq(samrena_str_append(s, samrena_str_cstr(s), samrena_str_len(s)), SAMRENA_OK);
  }
  ck_assert_uint_eq(samrena_str_len(s), 2u << 12);
  const char *text = samrena_str_cstr(s);
  for (size_t i = 0; i < samrena_str_len(s); i++)
    util_require_int_eq(text[i], i % 2 ? 'b' : 'a');
  samrena_destroy(arena);
}
END_TEST

/* The builder's own text as a printf argument: it must be read as it was
 * when the call began, whether the result fits where it is, needs the
 * buffer to grow in place, or moves it.  (The output once overwrote the
 * text's NUL before "%s" read it, and "abc<%s>" gave "abc<abc<>".) */
START_TEST(test_str_appendf_self) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaStr *s = samrena_str_init(arena);
  ck_assert_int_eq(samrena_str_append(s, "abc", 3), SAMRENA_OK);
  ck_assert_int_eq(samrena_str_appendf(s, "<%s>", samrena_str_cstr(s)), SAMRENA_OK);
  ck_assert_str_eq(samrena_str_cstr(s), "abc<abc>");
  ck_assert_uint_eq(samrena_str_len(s), 8);
  char expected[4096] = "abc<abc>";
  for (int i = 0; i < 6; i++) { /* 8 to 701 bytes: past the first buffer */
    if (i == 3)
      ck_assert_ptr_nonnull(samrena_push(arena, 8)); /* the next growth moves */
    char previous[4096];
    strcpy(previous, expected);
    snprintf(expected, sizeof expected, "%s(%s)%d", previous, previous, i);
    ck_assert_int_eq(samrena_str_appendf(s, "(%s)%d", samrena_str_cstr(s), i), SAMRENA_OK);
    ck_assert_str_eq(samrena_str_cstr(s), expected);
    ck_assert_uint_eq(samrena_str_len(s), strlen(expected));
  }
  /* A suffix of its own text, too. */
  size_t length = samrena_str_len(s);
  ck_assert_int_eq(samrena_str_appendf(s, "%s", samrena_str_cstr(s) + length - 3), SAMRENA_OK);
  ck_assert_uint_eq(samrena_str_len(s), length + 3);
  ck_assert_str_eq(samrena_str_cstr(s) + length, expected + length - 3);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_str_clear_and_finish) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaStr *s = samrena_str_init(arena);
  char *empty = samrena_str_finish(s); /* never appended to */
  ck_assert_ptr_nonnull(empty);
  ck_assert_str_eq(empty, "");

  ck_assert_int_eq(samrena_str_appendf(s, "%s", "one"), SAMRENA_OK);
  const char *buffer = samrena_str_cstr(s);
  ck_assert_int_eq(samrena_str_clear(s), SAMRENA_OK);
  ck_assert_str_eq(samrena_str_cstr(s), "");
  ck_assert_uint_eq(samrena_str_len(s), 0);
  ck_assert_int_eq(samrena_str_append(s, "two", 3), SAMRENA_OK);
  ck_assert_ptr_eq(samrena_str_cstr(s), buffer); /* the buffer was kept */

  char *two = samrena_str_finish(s);
  ck_assert_str_eq(two, "two");
  ck_assert_uint_eq(samrena_str_len(s), 0);
  ck_assert_str_eq(samrena_str_cstr(s), "");
  ck_assert_int_eq(samrena_str_append(s, "three", 5), SAMRENA_OK);
  ck_assert_str_eq(two, "two"); /* a finished text never changes */
  ck_assert_str_eq(samrena_str_cstr(s), "three");
  ck_assert_ptr_ne(samrena_str_cstr(s), two);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_str_overflow_and_null) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaStr *s = samrena_str_init(arena);
  ck_assert_int_eq(samrena_str_append(s, "abc", 3), SAMRENA_OK);
  uint64_t allocated = samrena_allocated(arena);
  ck_assert_int_eq(samrena_str_append(s, "x", SIZE_MAX), SAMRENA_ERROR_OVERFLOW);
  ck_assert_int_eq(samrena_str_append(s, "x", (size_t)PTRDIFF_MAX), SAMRENA_ERROR_OVERFLOW);
  ck_assert_int_eq(samrena_str_append(s, "x", (size_t)PTRDIFF_MAX - 3), SAMRENA_ERROR_OVERFLOW);
  ck_assert_uint_eq(samrena_allocated(arena), allocated);
  ck_assert_str_eq(samrena_str_cstr(s), "abc");

  ck_assert_int_eq(samrena_str_append(NULL, "x", 1), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_int_eq(samrena_str_append(s, NULL, 0), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_int_eq(samrena_str_append(s, NULL, 5), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_int_eq(samrena_str_appendf(NULL, "%d", 1), SAMRENA_ERROR_NULL_POINTER);
  /* through a pointer, which carries no format attribute to warn about NULL */
  SamrenaError (*appendf)(SamrenaStr *, const char *, ...) = samrena_str_appendf;
  ck_assert_int_eq(appendf(s, NULL), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_ptr_null(samrena_str_cstr(NULL));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_uint_eq(samrena_str_len(NULL), 0);
  ck_assert_int_eq(samrena_str_clear(NULL), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_ptr_null(samrena_str_finish(NULL));
  ck_assert_str_eq(samrena_str_cstr(s), "abc");
  samrena_destroy(arena);
}
END_TEST

/* A virtual arena that runs out: the append fails, the text stays. */
START_TEST(test_str_out_of_memory) {
  if (STRATEGY != SAMRENA_STRATEGY_VIRTUAL)
    return;
  SamrenaConfig config = samrena_default_config();
  config.strategy = STRATEGY;
  config.max_reserve = 1 * MiB;
  Samrena *arena = util_arena_config(config);
  SamrenaStr *s = samrena_str_init(arena);
  static char chunk[100 * 1024];
  memset(chunk, 'm', sizeof chunk);
  SamrenaError error = SAMRENA_OK;
  size_t appended = 0;
  while ((error = samrena_str_append(s, chunk, sizeof chunk)) == SAMRENA_OK)
    appended += sizeof chunk;
  ck_assert_int_eq(error, SAMRENA_ERROR_OUT_OF_MEMORY);
  ck_assert_uint_ge(appended, 800 * 1024); /* exact-size retry fills the reservation */
  ck_assert_uint_eq(samrena_str_len(s), appended);
  ck_assert_int_eq(samrena_str_cstr(s)[appended - 1], 'm');
  ck_assert_int_eq(samrena_str_cstr(s)[appended], '\0');
  ck_assert_int_eq(samrena_str_append(s, "!", 1), SAMRENA_OK); /* the arena still works */
  samrena_destroy(arena);
}
END_TEST

Suite *make_str_suite(void) {
  Suite *suite = suite_create("string builder");
  TCase *tc = util_tcase("str");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, test_str_init, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_str_append, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_str_appendf, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_str_appendf_refused, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_str_grows_in_place_when_last, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_str_grows_in_place_virtual_large, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_str_copies_when_not_last, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_str_across_ready_steps, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_str_fills_buffer_exactly, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_str_append_self, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_str_appendf_self, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_str_clear_and_finish, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_str_overflow_and_null, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_str_out_of_memory, 0, util_strategy_count);
  suite_add_tcase(suite, tc);
  return suite;
}
