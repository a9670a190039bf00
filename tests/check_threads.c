/* check_threads.c -- distinct arenas, pools and stable blocks in distinct
 * threads never interfere, and samrena_last_error is per thread. */
#include "check_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_PTHREAD
#include <pthread.h>

enum { THREADS = 8, OPERATIONS = 20000, LIVE = 256 };

typedef struct {
  int id;
  int failures; /* broken promises seen by this thread */
  Samrena *scratch; /* its first scratch arena (the scratch test) */
} Worker;

/* Each thread: an arena of its own strategy, a pool, a stable block, and a
 * random mix of pushes, scopes, resets, pool traffic and realloc growth,
 * every byte checked against its pattern. */
static void *run_worker(void *arg) {
  Worker *worker = arg;
  uint64_t seed = 0x1234567u + (uint64_t)worker->id * 7919u;
  SamrenaConfig config = util_config(util_strategies[worker->id % util_strategy_count]);
  Samrena *arena = samrena_create(&config);
  SamrenaPool *pool = samrena_pool_create(NULL, 40, 8);
  unsigned char *stable = samrena_vmem_realloc(NULL, 64);
  if (arena == NULL || pool == NULL) {
    worker->failures++;
    return NULL;
  }
  unsigned char *pushed[LIVE] = {0};
  uint64_t sizes[LIVE] = {0};
  unsigned char *slots[LIVE] = {0};
  int pushed_count = 0;
  uint64_t stable_size = 64;
  if (stable != NULL)
    util_fill(stable, stable_size, (uint64_t)worker->id);

  for (int op = 0; op < OPERATIONS; op++) {
    uint64_t r = util_random(&seed);
    int slot = (int)(r % LIVE);
    switch ((r >> 8) % 8) {
    case 0: case 1: case 2:
      if (pushed_count < LIVE) {
        uint64_t size = 1 + (r >> 16) % 2000;
        unsigned char *p = samrena_push(arena, size);
        if (p == NULL) { worker->failures++; break; }
        util_fill(p, size, (uint64_t)op);
        pushed[pushed_count] = p;
        sizes[pushed_count++] = size | ((uint64_t)op << 32);
      }
      break;
    case 3:
      if ((r >> 20) % 64 == 0) {
        samrena_reset(arena);
        pushed_count = 0;
      }
      break;
    case 4:
      if (slots[slot] == NULL) {
        slots[slot] = samrena_pool_alloc(pool);
        if (slots[slot] == NULL) { worker->failures++; break; }
        util_fill(slots[slot], 40, (uint64_t)slot + 1000u * (uint64_t)worker->id);
      } else {
        if (!util_check(slots[slot], 40, (uint64_t)slot + 1000u * (uint64_t)worker->id))
          worker->failures++;
        samrena_pool_free(pool, slots[slot]);
        slots[slot] = NULL;
      }
      break;
    case 5:
      if (stable != NULL && stable_size < 256 * KiB) {
        if (samrena_vmem_realloc(stable, stable_size * 2) != stable)
          worker->failures++;
        stable_size *= 2;
      }
      break;
    case 6: {
      /* A failing call sets this thread's error only. */
      if (samrena_push_aligned(arena, 8, 3) != NULL ||
          samrena_last_error() != SAMRENA_ERROR_INVALID_PARAMETER)
        worker->failures++;
      break;
    }
    default: {
      SamrenaMark mark = samrena_save(arena);
      for (int k = 0; k < 4; k++)
        if (samrena_push(arena, 64) == NULL)
          worker->failures++;
      if (samrena_restore(arena, mark) != SAMRENA_OK)
        worker->failures++;
      break;
    }
    }
  }
  for (int i = 0; i < pushed_count; i++)
    if (!util_check(pushed[i], sizes[i] & 0xffffffffu, sizes[i] >> 32))
      worker->failures++;
  if (stable != NULL && !util_check(stable, 64, (uint64_t)worker->id))
    worker->failures++;
  samrena_vmem_realloc(stable, 0);
  samrena_pool_destroy(pool);
  samrena_destroy(arena);
  return NULL;
}

START_TEST(test_threads_do_not_interfere) {
  pthread_t threads[THREADS];
  Worker workers[THREADS];
  for (int i = 0; i < THREADS; i++) {
    workers[i].id = i;
    workers[i].failures = 0;
    ck_assert_int_eq(pthread_create(&threads[i], NULL, run_worker, &workers[i]), 0);
  }
  for (int i = 0; i < THREADS; i++)
    ck_assert_int_eq(pthread_join(threads[i], NULL), 0);
  for (int i = 0; i < THREADS; i++)
    ck_assert_msg(workers[i].failures == 0, "thread %d saw %d failures", i, workers[i].failures);
}
END_TEST

static void *fail_with_overflow(void *unused) {
  (void)unused;
  static SamrenaError seen;
  Samrena *arena = samrena_allocate(1);
  if (samrena_push(arena, UINT64_MAX) == NULL)
    seen = samrena_last_error();
  samrena_destroy(arena);
  return &seen;
}

START_TEST(test_error_of_one_thread_not_another) {
  ck_assert_ptr_null(samrena_vmem_realloc(NULL, UINT64_MAX));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  ck_assert_ptr_null(samrena_pool_create(NULL, 0, 0));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_SIZE);
  pthread_t thread;
  void *seen;
  ck_assert_int_eq(pthread_create(&thread, NULL, fail_with_overflow, NULL), 0);
  ck_assert_int_eq(pthread_join(thread, &seen), 0);
  ck_assert_int_eq(*(SamrenaError *)seen, SAMRENA_ERROR_OVERFLOW);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_SIZE);
}
END_TEST

/* ---------------------------------------------------------------- scratch */

/* Each thread: nested scopes on its own scratch arenas, a result built in
 * one while temporaries come from the other, every byte checked. */
static void *run_scratch_worker(void *arg) {
  Worker *worker = arg;
  for (int round = 0; round < 2000; round++) {
    SamrenaScratch out = samrena_scratch_begin(NULL, 0);
    if (round == 0)
      worker->scratch = out.arena;
    else if (out.arena != worker->scratch) /* the inline begin: this thread's own */
      worker->failures++;
    Samrena *conflicts[1] = {out.arena};
    uint64_t tag = (uint64_t)worker->id * 100000u + (uint64_t)round;
    unsigned char *result = samrena_push(out.arena, 256);
    if (result == NULL) {
      worker->failures++;
      break;
    }
    util_fill(result, 256, tag);
    for (int depth = 0; depth < 3; depth++) {
      SamrenaScratch temp = samrena_scratch_begin(conflicts, 1);
      if (temp.arena == NULL || temp.arena == out.arena) {
        worker->failures++;
        break;
      }
      unsigned char *scrap = samrena_push(temp.arena, 1000 + (uint64_t)depth);
      if (scrap != NULL)
        util_fill(scrap, 1000 + (uint64_t)depth, tag + 7);
      SamrenaScratch nested = samrena_scratch_begin(conflicts, 1);
      if (nested.arena != temp.arena || samrena_push(nested.arena, 64) == NULL)
        worker->failures++;
      samrena_scratch_end(nested);
      if (scrap == NULL || !util_check(scrap, 1000 + (uint64_t)depth, tag + 7))
        worker->failures++;
      samrena_scratch_end(temp);
    }
    if (!util_check(result, 256, tag))
      worker->failures++;
    samrena_scratch_end(out);
  }
  return NULL;
}

START_TEST(test_scratch_in_many_threads) {
  pthread_t threads[THREADS];
  Worker workers[THREADS];
  for (int i = 0; i < THREADS; i++) {
    workers[i].id = i;
    workers[i].failures = 0;
    workers[i].scratch = NULL;
    ck_assert_int_eq(pthread_create(&threads[i], NULL, run_scratch_worker, &workers[i]), 0);
  }
  for (int i = 0; i < THREADS; i++)
    ck_assert_int_eq(pthread_join(threads[i], NULL), 0);
  for (int i = 0; i < THREADS; i++)
    ck_assert_msg(workers[i].failures == 0, "thread %d saw %d failures", i, workers[i].failures);
}
END_TEST

/* A thread that exits with scopes still open, 4 MiB touched in each of
 * its scratch arenas. */
static void *leave_scratch_open(void *arg) {
  (void)arg;
  SamrenaScratch first = samrena_scratch_begin(NULL, 0);
  Samrena *conflicts[1] = {first.arena};
  SamrenaScratch second = samrena_scratch_begin(conflicts, 1);
  static int failures;
  for (int i = 0; i < 2; i++) {
    Samrena *arena = i == 0 ? first.arena : second.arena;
    unsigned char *data = arena != NULL ? samrena_push(arena, 4 * MiB) : NULL;
    if (data == NULL)
      failures++;
    else
      memset(data, 0x5c, 4 * MiB);
  }
  return &failures;
}

/* Address space of the process, from /proc/self/statm; 0 if unknown. */
static uint64_t address_space(void) {
  FILE *statm = fopen("/proc/self/statm", "r");
  unsigned long pages = 0;
  if (statm != NULL) {
    if (fscanf(statm, "%lu", &pages) != 1)
      pages = 0;
    fclose(statm);
  }
  return (uint64_t)pages * util_page_size();
}

/* Thread exit releases the scratch arenas, open scopes and all: 32 threads
 * one after another hold no more address space than a few cached
 * reservations.  (Valgrind and LeakSanitizer see that nothing leaks.) */
START_TEST(test_thread_exit_releases_scratch) {
  uint64_t before = address_space();
  uint64_t reservation = UINTPTR_MAX > UINT32_MAX ? 2048 * MiB : 256 * MiB;
  for (int i = 0; i < 32; i++) {
    pthread_t thread;
    void *failures;
    ck_assert_int_eq(pthread_create(&thread, NULL, leave_scratch_open, NULL), 0);
    ck_assert_int_eq(pthread_join(thread, &failures), 0);
    ck_assert_int_eq(*(int *)failures, 0);
  }
  uint64_t after = address_space();
  if (before == 0 || after == 0) {
    printf("threads: scratch release: address space not measurable here\n");
    return;
  }
  ck_assert_msg(after <= before + 6 * reservation, "32 exited threads left %llu MiB of address space",
                (unsigned long long)((after - before) / MiB));
}
END_TEST
#endif

Suite *make_threads_suite(void) {
  Suite *suite = suite_create("threads");
#ifdef HAVE_PTHREAD
  TCase *tc = util_tcase("threads");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_threads_do_not_interfere);
  tcase_add_test(tc, test_error_of_one_thread_not_another);
  tcase_add_test(tc, test_scratch_in_many_threads);
  tcase_add_test(tc, test_thread_exit_releases_scratch);
  add_concurrent_thread_tests(tc);
  suite_add_tcase(suite, tc);
#endif
  return suite;
}
