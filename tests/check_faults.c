/* check_faults.c -- every memory request the library makes, failed in
 * turn (configure --enable-fault-injection).  For N = 0, 1, 2, ... the Nth
 * request of a sequence using the whole API fails; the call that made it
 * must return NULL or an error, and everything after it must work. */
#include "check_util.h"

#include <stdio.h>
#include <string.h>

#if SAMRENA_FAULT_INJECTION
#include "../lib/fault.h"

#if defined(HAVE_FORK) && defined(HAVE_PTHREAD) && !defined(_WIN32)
#define FAULTS_FORK 1
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#endif

typedef struct {
  int failed_calls; /* calls that reported a failure in this run */
  int bad;          /* broken promises */
  const char *where;
} Run;

/* A call failed: it must say so with an allowed code. */
static void failed(Run *run, const char *what) {
  SamrenaError error = samrena_last_error();
  run->failed_calls++;
  if (error != SAMRENA_ERROR_OUT_OF_MEMORY && error != SAMRENA_ERROR_PLATFORM) {
    run->bad++;
    run->where = what;
  }
}

#define STEP(run, ok, what) \
  do { \
    if (!(ok)) \
      failed((run), (what)); \
  } while (0)

static int released;
static void count_release(void *data) {
  (void)data;
  released++;
}

/* A chained arena with a block source: a child of arena (a failure of the
 * parent's growth is a failing source), then one of blocks from malloc. */
static Samrena *sourced_arena(const SamrenaAllocator *source) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_CHAINED;
  config.page_size = 4096;
  config.block_source = source;
  return samrena_create(&config);
}

static void child_sequence(Samrena *child, Run *run) {
  unsigned char *p = samrena_push(child, 100);
  STEP(run, p != NULL, "child push");
  if (p != NULL)
    memset(p, 6, 100);
  SamrenaMark mark = samrena_save(child);
  STEP(run, mark.opaque[1] != 0, "child save");
  unsigned char *large = samrena_push(child, 20 * KiB);
  STEP(run, large != NULL, "child push large");
  if (large != NULL)
    memset(large, 7, 20 * KiB);
  STEP(run, samrena_on_release(child, count_release, NULL) == SAMRENA_OK, "child on_release");
  for (int i = 0; i < 20; i++) /* several blocks, and the scope stack's growth */
    STEP(run, samrena_push(child, 1000) != NULL && samrena_save(child).opaque[1] != 0,
         "child pushes and marks");
  if (mark.opaque[1] != 0 && samrena_restore(child, mark) != SAMRENA_OK) {
    run->bad++;
    run->where = "child restore";
  }
  STEP(run, samrena_reserve(child, 64 * KiB) == SAMRENA_OK, "child reserve");
  STEP(run, samrena_trim(child, 0) == SAMRENA_OK, "child trim");
}

/* What the sequence pushes fits in this, for a buffer arena; one buffer
 * serves every run of the sweep. */
#define SWEEP_BUFFER_BYTES (UINT64_C(8) << 20)

static void sequence(SamrenaStrategy strategy, bool debug, void *buffer, Run *run) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = strategy;
  if (strategy == SAMRENA_STRATEGY_BUFFER) {
    config.buffer = buffer;
    config.buffer_size = SWEEP_BUFFER_BYTES;
  }
  config.flags = SAMRENA_FLAG_QUIET | (debug ? SAMRENA_FLAG_DEBUG : 0);
  Samrena *arena = samrena_create(&config);
  STEP(run, arena != NULL, "create");
  if (arena == NULL)
    return;
  SamrenaAllocator parent = samrena_arena_allocator(arena);
  Samrena *child = sourced_arena(&parent);
  STEP(run, child != NULL, "child create");
  if (child != NULL)
    child_sequence(child, run);
  SamrenaAllocator from_malloc = samrena_malloc_allocator();
  Samrena *sourced = sourced_arena(&from_malloc);
  STEP(run, sourced != NULL, "malloc-sourced create");
  if (sourced != NULL) {
    child_sequence(sourced, run);
    samrena_destroy(sourced);
  }
  unsigned char *p = samrena_push(arena, 100);
  STEP(run, p != NULL, "push");
  if (p != NULL)
    memset(p, 1, 100);
  unsigned char *large = samrena_push(arena, 200 * KiB);
  STEP(run, large != NULL, "push large");
  if (large != NULL)
    memset(large, 2, 200 * KiB);
  unsigned char *zeroed = samrena_push_zero(arena, 1 * MiB);
  STEP(run, zeroed != NULL && util_all_zero(zeroed, 1 * MiB), "push_zero");
  STEP(run, samrena_reserve(arena, 4 * MiB) == SAMRENA_OK, "reserve");
  SamrenaMark mark = samrena_save(arena);
  STEP(run, mark.opaque[1] != 0, "save");
  STEP(run, samrena_push(arena, 70 * KiB) != NULL, "push in scope");
  STEP(run, samrena_on_release(arena, count_release, NULL) == SAMRENA_OK, "on_release");
  if (mark.opaque[1] != 0 && samrena_restore(arena, mark) != SAMRENA_OK) {
    run->bad++;
    run->where = "restore";
  }
  STEP(run, samrena_printf(arena, "%s %d", "fault", 42) != NULL, "printf");
  if (p != NULL)
    STEP(run, samrena_resize(arena, p, 100, 300 * KiB) != NULL, "resize");
  SamrenaPool *pool = samrena_pool_create(arena, 48, 8);
  STEP(run, pool != NULL, "pool_create");
  for (int i = 0; pool != NULL && i < 3000; i++) {
    void *slot = samrena_pool_alloc(pool);
    STEP(run, slot != NULL, "pool_alloc");
    if (slot != NULL && i % 3 == 0)
      samrena_pool_free(pool, slot);
  }
  unsigned char *stable = samrena_vmem_realloc(NULL, 100);
  STEP(run, stable != NULL, "vmem_realloc new");
  if (stable != NULL) {
    unsigned char *grown = samrena_vmem_realloc(stable, 10 * MiB);
    STEP(run, grown == stable || grown == NULL, "vmem_realloc moved");
    STEP(run, grown != NULL, "vmem_realloc grow");
    if (grown != NULL)
      memset(stable, 3, 10 * MiB);
    STEP(run, samrena_vmem_realloc(stable, 1000) == stable, "vmem_realloc shrink");
    samrena_vmem_realloc(stable, 0);
  }
  STEP(run, samrena_trim(arena, 0) == SAMRENA_OK, "trim");
  /* Nothing counted as committed that was not: a virtual arena's whole
   * capacity can be pushed and written without a new commit. */
  if (samrena_strategy(arena) == SAMRENA_STRATEGY_VIRTUAL) {
    uint64_t room = samrena_capacity(arena) - samrena_allocated(arena);
    if (room > 0) {
      unsigned char *rest = samrena_push_aligned(arena, room, 1);
      STEP(run, rest != NULL, "push the committed rest");
      if (rest != NULL)
        memset(rest, 4, (size_t)room);
    }
  }
  samrena_reset(arena);
  samrena_destroy(child); /* after its parent's reset: it touches nothing of it */
  /* Once failures stop, a small push works. */
  samrena_fault_inject_after(-1);
  unsigned char *after = samrena_push(arena, 64);
  if (after == NULL) {
    run->bad++;
    run->where = "push after the failure";
  } else {
    memset(after, 5, 64);
  }
  samrena_destroy(arena);
}

/* Loop index: the strategy, run once with the caches of released memory
 * emptied before each sequence (every request made afresh), once with
 * them as the previous sequence left them (what a long-running program
 * sees), and once so in the debug mode, whose log is a request too. */
START_TEST(test_every_failure_point) {
  SamrenaStrategy strategy = util_strategies[_i % util_strategy_count];
  bool cold = _i < util_strategy_count;
  bool debug = _i >= 2 * util_strategy_count;
  int points = 0;
  void *buffer = util_buffer(SWEEP_BUFFER_BYTES);
  for (int64_t n = 0; n < 100000; n++) {
    if (cold)
      samrena_fault_drain_caches();
    uint64_t before = samrena_fault_injected();
    samrena_fault_inject_after(n);
    Run run = {0, 0, NULL};
    sequence(strategy, debug, buffer, &run);
    samrena_fault_inject_after(-1);
    bool injected = samrena_fault_injected() > before;
    ck_assert_msg(run.bad == 0, "%s, failure %d: broken promise at %s", samrena_strategy_name(strategy),
                  (int)n, run.where ? run.where : "?");
    /* One request failed, so at most the call that made it reports a
     * failure (a fallback or a hint may hide it entirely). */
    ck_assert_msg(run.failed_calls <= 1, "%s, failure %d: %d calls failed",
                  samrena_strategy_name(strategy), (int)n, run.failed_calls);
    if (!injected)
      break;
    points++;
  }
  /* A buffer arena makes no request: the points are its child's, the
   * malloc-sourced arena's and the stable blocks'. */
  ck_assert_int_ge(points, cold ? 8 : 5);
  printf("faults: %d failure points injected on %s, %s caches%s\n", points,
         samrena_strategy_name(strategy), cold ? "empty" : "warm", debug ? ", debug mode" : "");
}
END_TEST

/* An arena per request: once one arena of a configuration was destroyed,
 * the next makes no request at all: it is the one its thread kept, or,
 * where that one is not kept, its handle lives in its first block or
 * reservation, which comes from the process-wide cache of released
 * memory.  Any request would be failed by the injection armed here. */
START_TEST(test_arena_per_request_makes_no_request) {
  SamrenaConfig config = util_config(util_strategies[_i]);
  config.flags = SAMRENA_FLAG_QUIET | SAMRENA_FLAG_STRICT;
  Samrena *warm = samrena_create(&config);
  ck_assert_ptr_nonnull(warm);
  ck_assert_ptr_nonnull(samrena_push(warm, 64));
  bool debug = util_guard(warm) != 0; /* SAMRENA_DEBUG=1: each arena mallocs its log */
  samrena_destroy(warm);
  if (debug)
    return;

  uint64_t before = samrena_fault_injected();
  samrena_fault_inject_after(0);
  Samrena *arena = samrena_create(&config);
  int pushed = 0;
  for (unsigned char *p; arena != NULL && pushed < 16 && (p = samrena_push(arena, 64)) != NULL;)
    memset(p, pushed++, 64);
  samrena_fault_inject_after(-1);
  ck_assert_msg(arena != NULL, "%s: %s", samrena_strategy_name(config.strategy),
                samrena_error_string(samrena_last_error()));
  ck_assert_int_eq(pushed, 16);
  ck_assert_uint_eq(samrena_fault_injected(), before);
  samrena_destroy(arena);
}
END_TEST

/* The cache gives a new chained arena's first block by its size, so the
 * block may have been another arena's large block, poisoned over all its
 * payload when it was cached, where the new handle now goes (the fuzzer
 * found it under AddressSanitizer: use-after-poison writing the handle).
 * The handle's address shows the old large block was the one reused. */
START_TEST(test_first_block_was_a_large_block) {
  samrena_fault_drain_caches();
  SamrenaConfig config = util_config(SAMRENA_STRATEGY_CHAINED);
  config.flags = SAMRENA_FLAG_QUIET | SAMRENA_FLAG_STRICT;
  config.page_size = 64;
  config.initial_pages = 37; /* a first block of a size no other test makes */
  config.growth_pages = 1;
  Samrena *alive = samrena_create(&config); /* keeps its first block out of the cache */
  ck_assert_ptr_nonnull(alive);
  SamrenaStats stats;
  ck_assert_int_eq(samrena_stats(alive, &stats), SAMRENA_OK);
  uint64_t first_block = stats.committed;

  if (util_guard(alive) != 0) { /* SAMRENA_DEBUG=1: guards change every size */
    samrena_destroy(alive);
    return;
  }
  SamrenaConfig other = config;
  other.initial_pages = 5; /* so that its own first block has another size */
  Samrena *arena = samrena_create(&other);
  ck_assert_ptr_nonnull(arena);
  ck_assert_int_eq(samrena_stats(arena, &stats), SAMRENA_OK);
  uint64_t held = stats.committed;
  ck_assert_ptr_nonnull(samrena_push(arena, 4096)); /* a block of its own: header + 4096 */
  ck_assert_int_eq(samrena_stats(arena, &stats), SAMRENA_OK);
  uint64_t header = stats.committed - held - 4096;
  ck_assert_uint_lt(header, first_block);
  unsigned char *large = samrena_push(arena, first_block - header);
  ck_assert_ptr_nonnull(large);
  ck_assert_int_eq(samrena_stats(arena, &stats), SAMRENA_OK);
  ck_assert_uint_eq(stats.blocks, 3);
  memset(large, 0x5a, (size_t)(first_block - header));
  ck_assert_int_eq(samrena_set_name(arena, "not kept"), SAMRENA_OK); /* taken apart, cached */
  samrena_destroy(arena);

  Samrena *reused = samrena_create(&config);
  ck_assert_ptr_nonnull(reused);
  ck_assert_ptr_eq((void *)reused, (void *)large);
  unsigned char *p = samrena_push(reused, 64);
  ck_assert_ptr_nonnull(p);
  memset(p, 1, 64);
  ck_assert_uint_eq(samrena_allocated(reused), 64);
  samrena_destroy(reused);
  samrena_destroy(alive);
}
END_TEST

#if defined(FAULTS_FORK)
static atomic_bool registry_held;

static void sleep_ms(long ms) {
  struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&pause, NULL);
}

/* Holds the list's locks a while, as a thread amid creates and destroys
 * holds one of them for a few stores. */
static void *hold_registry_a_while(void *arg) {
  (void)arg;
  samrena_fault_hold_registry(true);
  atomic_store(&registry_held, true);
  sleep_ms(200);
  samrena_fault_hold_registry(false);
  return NULL;
}

/* A new arena (a configuration no thread keeps one of) enters the list,
 * and a named one leaves it at its destroy. */
static int create_and_destroy_in_child(void) {
  SamrenaConfig config = util_config(SAMRENA_STRATEGY_CHAINED);
  config.flags = SAMRENA_FLAG_QUIET | SAMRENA_FLAG_STRICT;
  config.initial_pages = 3;
  Samrena *arena = samrena_create(&config);
  if (arena == NULL || samrena_push(arena, 64) == NULL ||
      samrena_set_name(arena, "child") != SAMRENA_OK)
    return 1;
  samrena_destroy(arena);
  return 0;
}

/* fork(2) while another thread holds a lock of the list of live arenas:
 * the child, which has only the forking thread, must still create and
 * destroy arenas (the library takes the locks before the fork and gives
 * them back in both processes).  Without that, the child spins on the
 * lock until its alarm ends it; the parent waits 3 seconds, within
 * Check's timeout. */
START_TEST(test_fork_while_another_thread_holds_the_registry) {
  atomic_store(&registry_held, false);
  pthread_t holder;
  ck_assert_int_eq(pthread_create(&holder, NULL, hold_registry_a_while, NULL), 0);
  while (!atomic_load(&registry_held))
    sleep_ms(1);
  pid_t child = fork();
  ck_assert_int_ne(child, -1);
  if (child == 0) {
    alarm(5); /* a hung child does not outlive the test for long */
    _exit(create_and_destroy_in_child());
  }
  int status = 0, waited = 0;
  pid_t done;
  while ((done = waitpid(child, &status, WNOHANG)) == 0 && waited < 3000) {
    sleep_ms(10);
    waited += 10;
  }
  if (done == 0) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
  }
  ck_assert_int_eq(pthread_join(holder, NULL), 0);
  ck_assert_msg(done == child, "the child hung on a lock held at the fork");
  ck_assert(WIFEXITED(status));
  ck_assert_int_eq(WEXITSTATUS(status), 0);
  /* The parent's locks were given back too. */
  ck_assert_int_eq(create_and_destroy_in_child(), 0);
}
END_TEST
#endif
#endif

Suite *make_faults_suite(void) {
  Suite *suite = suite_create("injected failures");
#if SAMRENA_FAULT_INJECTION
  TCase *tc = util_tcase("sweep");
  tcase_set_timeout(tc, 300);
  tcase_add_loop_test(tc, test_every_failure_point, 0, 3 * util_strategy_count);
  suite_add_tcase(suite, tc);
  tc = util_tcase("caches");
  tcase_add_loop_test(tc, test_arena_per_request_makes_no_request, 0, util_strategy_count);
  tcase_add_test(tc, test_first_block_was_a_large_block);
#if defined(FAULTS_FORK)
  tcase_add_test(tc, test_fork_while_another_thread_holds_the_registry);
#endif
  suite_add_tcase(suite, tc);
#endif
  return suite;
}
