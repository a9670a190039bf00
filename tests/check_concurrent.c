/* check_concurrent.c -- arenas made with SAMRENA_FLAG_CONCURRENT, over
 * every strategy: what one thread sees (every kind of push, exact
 * statistics, marks, reset), and 8 threads pushing into one arena at
 * once, every byte written and checked, no two pushes overlapping. */
#include "check_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_PTHREAD
#include <pthread.h>
#endif

#define STRATEGY (util_strategies[_i])

/* ThreadSanitizer checks the races, not the volume: fewer pushes there. */
#define UNDER_TSAN 0
#if defined(__SANITIZE_THREAD__)
#undef UNDER_TSAN
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#undef UNDER_TSAN
#define UNDER_TSAN 1
#endif
#endif

static Samrena *concurrent_arena(SamrenaStrategy strategy) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = strategy;
  config.flags = SAMRENA_FLAG_CONCURRENT;
  return util_arena_config(config);
}

START_TEST(test_concurrent_pushes_of_every_kind) {
  Samrena *arena = concurrent_arena(STRATEGY);
  ck_assert_int_eq(samrena_strategy(arena), STRATEGY);
  ck_assert(!samrena_has_capability(arena, SAMRENA_CAP_CONTIGUOUS_MEMORY));
  unsigned char *a = samrena_push(arena, 100);
  unsigned char *b = (samrena_push)(arena, 100);
  ck_assert(a != NULL && b != NULL && (a + 100 <= b || b + 100 <= a));
  ck_assert_uint_eq((uintptr_t)a % alignof(max_align_t), 0);
  util_fill(a, 100, 1);
  util_fill(b, 100, 2);
  unsigned char *aligned = samrena_push_aligned(arena, 10, 4096);
  ck_assert(aligned != NULL && (uintptr_t)aligned % 4096 == 0);
  ck_assert_ptr_nonnull(samrena_push(arena, 0));
  ck_assert(((uintptr_t)samrena_push_aligned(arena, 0, 512) % 512) == 0);
  unsigned char *zeroed = samrena_push_zero(arena, 5000);
  ck_assert(zeroed != NULL && util_all_zero(zeroed, 5000));
  unsigned char *big = samrena_push(arena, 3 * MiB); /* past a chunk: straight from the backing */
  ck_assert_ptr_nonnull(big);
  memset(big, 7, 3 * MiB);
  ck_assert_str_eq(samrena_strdup(arena, "shared"), "shared");
  ck_assert_str_eq(samrena_printf(arena, "%d-%s", 42, "x"), "42-x");
  ck_assert_int_eq(((int *)samrena_memdup(arena, &(int){5}, sizeof(int)))[0], 5);
  unsigned char *grown = samrena_resize(arena, a, 100, 200); /* moves: never in place */
  ck_assert(grown != NULL && util_check(grown, 100, 1));
  ck_assert(util_check(b, 100, 2));
  ck_assert_ptr_null(samrena_push(arena, UINT64_MAX));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  samrena_destroy(arena);
}
END_TEST

/* allocated counts every push's bytes and padding exactly, capacity is at
 * least that, and the unused ends of chunks given up are waste. */
START_TEST(test_concurrent_stats_exact) {
  Samrena *arena = concurrent_arena(STRATEGY);
  SamrenaStats stats = util_stats(arena);
  ck_assert_uint_eq(stats.allocated, 0);
  enum { N = 10000 };
  for (int i = 0; i < N; i++)
    util_require(samrena_push(arena, 32) != NULL);
  ck_assert_ptr_nonnull(samrena_push(arena, 1 * MiB));
  stats = util_stats(arena);
  ck_assert_uint_eq(stats.allocated, N * UTIL_FOOTPRINT(arena, 32) + UTIL_FOOTPRINT(arena, 1 * MiB));
  ck_assert_uint_ge(stats.capacity, stats.allocated);
  ck_assert_uint_ge(stats.committed, stats.allocated);
  ck_assert_uint_ge(stats.peak_allocated, stats.allocated);
  ck_assert_uint_eq(samrena_allocated(arena), stats.allocated);

  /* Marks: everything after one goes back, exactly. */
  SamrenaMark mark = samrena_save(arena);
  uint64_t at_mark = samrena_allocated(arena);
  for (int i = 0; i < 5000; i++)
    ck_assert_ptr_nonnull(samrena_push(arena, 48));
  ck_assert_uint_eq(samrena_allocated(arena), at_mark + 5000 * UTIL_FOOTPRINT(arena, 48));
  ck_assert_int_eq(samrena_restore(arena, mark), SAMRENA_OK);
  ck_assert_uint_eq(samrena_allocated(arena), at_mark);
  ck_assert_int_eq(samrena_restore(arena, mark), SAMRENA_OK); /* again */

  samrena_reset(arena);
  ck_assert_uint_eq(samrena_allocated(arena), 0);
  ck_assert_uint_ge(util_stats(arena).peak_allocated, N * 32 + 1 * MiB);
  unsigned char *again = samrena_push(arena, 64);
  ck_assert_ptr_nonnull(again);
  memset(again, 1, 64);
  ck_assert_int_eq(samrena_trim(arena, 0), SAMRENA_OK);
  ck_assert_int_eq(samrena_reserve(arena, 8 * MiB), SAMRENA_OK);
  ck_assert_uint_ge(samrena_capacity(arena), 8 * MiB);
  samrena_destroy(arena);
}
END_TEST

#ifdef HAVE_PTHREAD
enum { PUSHERS = 8 };

typedef struct {
  Samrena *arena;
  int id;
  size_t count;
  unsigned char **pointers;
  uint64_t *sizes;
  int failures;
} Pusher;

/* Sizes from 8 to 120 bytes (multiples of 8), every byte written. */
static uint64_t size_of_push(int id, uint64_t i) {
  return 8u * (1u + (uint64_t)((i * 2654435761u + (uint64_t)id) % 15u));
}

/* Every 8-byte word of a push holds its thread and its number. */
static void fill_words(unsigned char *p, uint64_t size, uint64_t tag) {
  for (uint64_t at = 0; at < size; at += 8)
    memcpy(p + at, &tag, 8);
}

static bool check_words(const unsigned char *p, uint64_t size, uint64_t tag) {
  for (uint64_t at = 0; at < size; at += 8)
    if (memcmp(p + at, &tag, 8) != 0)
      return false;
  return true;
}

static void *push_many(void *arg) {
  Pusher *pusher = arg;
  for (size_t i = 0; i < pusher->count; i++) {
    uint64_t size = size_of_push(pusher->id, i);
    unsigned char *p = samrena_push_aligned(pusher->arena, size, 8);
    if (p == NULL) {
      pusher->failures++;
      return NULL;
    }
    fill_words(p, size, (uint64_t)pusher->id << 32 | i);
    pusher->pointers[i] = p;
    pusher->sizes[i] = size;
  }
  return NULL;
}

typedef struct {
  uintptr_t start, end;
} Span;

static int by_start(const void *a, const void *b) {
  uintptr_t x = ((const Span *)a)->start, y = ((const Span *)b)->start;
  return (x > y) - (x < y);
}

/* 8 threads x 1 M pushes (200 k on 32-bit) into one arena at once: every push keeps its
 * bytes, none overlaps another, and allocated is their exact sum. */
START_TEST(test_concurrent_threads_never_overlap) {
  Samrena *arena = concurrent_arena(STRATEGY);
  /* 8 x 1 M pushes of 64 bytes on average are 512 MiB: more than a
   * virtual arena reserves where pointers are 32 bits (256 MiB). */
  size_t count = util_under_valgrind() || UNDER_TSAN ? 20000
                 : UINTPTR_MAX > UINT32_MAX            ? 1000000
                                                       : 200000;
  /* An arena that cannot grow gets what half its buffer holds (pushes are
   * at most 120 bytes; the rest is for the chunks' tails). */
  size_t fits = (size_t)(UTIL_BUFFER_BYTES / 2 / (PUSHERS * 120));
  if (!util_grows(STRATEGY) && count > fits)
    count = fits;
  Pusher pushers[PUSHERS];
  pthread_t threads[PUSHERS];
  for (int t = 0; t < PUSHERS; t++) {
    pushers[t] = (Pusher){arena, t, count, malloc(count * sizeof(unsigned char *)),
                          malloc(count * sizeof(uint64_t)), 0};
    ck_assert(pushers[t].pointers != NULL && pushers[t].sizes != NULL);
  }
  for (int t = 0; t < PUSHERS; t++)
    ck_assert_int_eq(pthread_create(&threads[t], NULL, push_many, &pushers[t]), 0);
  for (int t = 0; t < PUSHERS; t++)
    ck_assert_int_eq(pthread_join(threads[t], NULL), 0);

  uint64_t total = 0;
  Span *spans = malloc(PUSHERS * count * sizeof *spans);
  ck_assert_ptr_nonnull(spans);
  for (int t = 0; t < PUSHERS; t++) {
    ck_assert_int_eq(pushers[t].failures, 0);
    for (size_t i = 0; i < count; i++) {
      unsigned char *p = pushers[t].pointers[i];
      uint64_t size = pushers[t].sizes[i];
      if (!check_words(p, size, (uint64_t)t << 32 | i))
        ck_abort_msg("thread %d push %zu changed", t, i);
      spans[(size_t)t * count + i] = (Span){(uintptr_t)p, (uintptr_t)p + (size_t)size};
      total += UTIL_FOOTPRINT(arena, size);
    }
  }
  qsort(spans, PUSHERS * count, sizeof *spans, by_start);
  for (size_t i = 1; i < PUSHERS * count; i++)
    if (spans[i - 1].end > spans[i].start)
      ck_abort_msg("pushes overlap");
  ck_assert_uint_eq(samrena_allocated(arena), total); /* multiples of 8 at 8: no padding */
  free(spans);
  for (int t = 0; t < PUSHERS; t++) {
    free(pushers[t].pointers);
    free(pushers[t].sizes);
  }
  samrena_destroy(arena);
}
END_TEST
#endif

Suite *make_concurrent_suite(void) {
  Suite *suite = suite_create("concurrent");
  TCase *tc = util_tcase("one thread");
  tcase_add_loop_test(tc, test_concurrent_pushes_of_every_kind, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_concurrent_stats_exact, 0, util_strategy_count);
  suite_add_tcase(suite, tc);
  return suite;
}

/* Added to the threads suite, which ThreadSanitizer runs. */
void add_concurrent_thread_tests(TCase *tc) {
#ifdef HAVE_PTHREAD
  tcase_add_loop_test(tc, test_concurrent_threads_never_overlap, 0, util_strategy_count);
#else
  (void)tc;
#endif
}
