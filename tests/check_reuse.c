/* check_reuse.c -- the arena a thread destroyed, kept for its next create
 * of the same configuration (samrena_destroy(3), REUSE): what the next
 * create gets is as new, in every respect the API shows; what is not as
 * new, or not the library's to keep, is not kept. */
#include "check_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_PTHREAD
#include <pthread.h>
#endif
#ifdef HAVE_SETRLIMIT
#include <sys/resource.h>
#endif
#if defined(HAVE_MALLINFO2)
#include <malloc.h>
#endif

#define STRATEGY (util_strategies[_i])

static SamrenaConfig config_of(SamrenaStrategy strategy) {
  SamrenaConfig config = util_config(strategy);
  config.flags |= SAMRENA_FLAG_STRICT;
  return config;
}

static Samrena *create_from(const SamrenaConfig *config) {
  Samrena *arena = samrena_create(config);
  ck_assert_msg(arena != NULL, "create: %s", samrena_error_string(samrena_last_error()));
  return arena;
}

/* Whether the address space is ample, as samrena(3) says the library
 * asks: 64 bits, no RLIMIT_AS. */
static bool address_space_ample(void) {
#if UINTPTR_MAX <= UINT32_MAX
  return false;
#elif defined(HAVE_SETRLIMIT)
  struct rlimit limit;
  return getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY;
#else
  return true;
#endif
}

/* Whether samrena_destroy may keep the arena: not a buffer arena, not one
 * in the debug mode (which SAMRENA_DEBUG=1 gives every arena), and a
 * virtual one only where address space is ample. */
static bool keepable(const Samrena *arena) {
  SamrenaStrategy strategy = samrena_strategy(arena);
  return strategy != SAMRENA_STRATEGY_BUFFER && util_guard(arena) == 0 &&
         (strategy != SAMRENA_STRATEGY_VIRTUAL || address_space_ample());
}

static void count_call(void *data) {
  ++*(int *)data;
}

/* Everything samrena_stats, samrena_name and the scope calls show of a
 * new arena, against the figures of one just made. */
static void assert_as_new(Samrena *arena, const SamrenaStats *fresh) {
  SamrenaStats now = util_stats(arena);
  ck_assert_uint_eq(now.allocated, 0);
  ck_assert_uint_eq(now.peak_allocated, 0);
  ck_assert_uint_eq(now.limit, 0);
  ck_assert_uint_eq(now.wasted, 0);
  ck_assert_uint_eq(now.capacity, fresh->capacity);
  ck_assert_uint_eq(now.committed, fresh->committed);
  ck_assert_uint_eq(now.reserved, fresh->reserved);
  ck_assert_uint_eq(now.blocks, fresh->blocks);
  ck_assert_str_eq(samrena_name(arena), "");
}

/* An arena used (pushes, a budget, a mark, a cleanup) and destroyed: the
 * cleanup runs at the destroy, and the next create of the same
 * configuration is as new, its old marks refused.  A chained or virtual
 * arena is kept, so that create is the same handle; a buffer arena never
 * is: its memory is the caller's again at the destroy. */
START_TEST(test_next_create_is_as_new) {
  SamrenaConfig config = config_of(STRATEGY);
  Samrena *arena = create_from(&config);
  SamrenaStats fresh = util_stats(arena);
  bool kept = keepable(arena);
  unsigned char *first = samrena_push(arena, 100);
  ck_assert_ptr_nonnull(first);
  memset(first, 0xAB, 100);
  ck_assert_int_eq(samrena_set_limit(arena, UINT64_C(1) << 30), SAMRENA_OK);
  SamrenaMark mark = samrena_save(arena);
  ck_assert_ptr_nonnull(samrena_push(arena, 200));
  int cleanups = 0;
  ck_assert_int_eq(samrena_on_release(arena, count_call, &cleanups), SAMRENA_OK);
  samrena_destroy(arena);
  ck_assert_int_eq(cleanups, 1);

  if (STRATEGY == SAMRENA_STRATEGY_BUFFER)
    memset(config.buffer, 0x5A, (size_t)config.buffer_size); /* the caller's again */
  Samrena *again = create_from(&config);
  if (kept)
    ck_assert_ptr_eq(again, arena);
  if (kept || STRATEGY == SAMRENA_STRATEGY_BUFFER)
    assert_as_new(again, &fresh); /* a new one may come from a cache, with more committed */
  ck_assert_int_eq(samrena_restore(again, mark), SAMRENA_ERROR_INVALID_PARAMETER);
  ck_assert_int_eq(cleanups, 1);

  /* Its memory is handed out again, as after a reset, and zeroed on
   * request although it was written before. */
  unsigned char *zeroed = samrena_push_zero(again, 100);
  ck_assert_ptr_nonnull(zeroed);
  ck_assert(util_all_zero(zeroed, 100));
  SamrenaMark new_mark = samrena_save(again);
  ck_assert_ptr_nonnull(samrena_push(again, 64));
  ck_assert_int_eq(samrena_restore(again, new_mark), SAMRENA_OK);
  ck_assert_uint_eq(samrena_allocated(again), util_stats(again).allocated);
  samrena_destroy(again);
}
END_TEST

/* An arena that obtained more memory than it was made with is not kept:
 * the next create has a new arena's memory, not what it grew to. */
START_TEST(test_grown_arena_is_not_kept) {
  if (!util_grows(STRATEGY))
    return;
  SamrenaConfig config = config_of(STRATEGY);
  Samrena *arena = create_from(&config);
  SamrenaStats fresh = util_stats(arena);
  while (util_stats(arena).committed < 4 * fresh.committed + (UINT64_C(1) << 20))
    ck_assert_ptr_nonnull(samrena_push(arena, 16 * 1024));
  SamrenaStats grown = util_stats(arena);
  samrena_destroy(arena);

  Samrena *next = create_from(&config);
  SamrenaStats now = util_stats(next);
  ck_assert_uint_eq(now.allocated, 0);
  ck_assert_uint_eq(now.peak_allocated, 0);
  ck_assert_uint_lt(now.committed, grown.committed);
  ck_assert_uint_lt(now.capacity, grown.capacity);
  ck_assert_uint_eq(now.blocks, 1);
  samrena_destroy(next);
}
END_TEST

/* One trimmed below what it was made with is not kept either: the next
 * create has its initial_pages again. */
START_TEST(test_trimmed_arena_is_not_kept) {
  SamrenaConfig config = config_of(STRATEGY);
  config.initial_pages = 4;
  Samrena *arena = create_from(&config);
  uint64_t page = config.page_size != 0 ? config.page_size : SAMRENA_DEFAULT_PAGE_SIZE;
  ck_assert_uint_ge(samrena_capacity(arena), 4 * page);
  ck_assert_ptr_nonnull(samrena_push(arena, 100));
  samrena_reset(arena);
  ck_assert_int_eq(samrena_trim(arena, 0), SAMRENA_OK);
  samrena_destroy(arena);
  Samrena *next = create_from(&config);
  ck_assert_uint_ge(samrena_capacity(next), 4 * page);
  samrena_destroy(next);
}
END_TEST

/* A create of another configuration gets an arena of that configuration,
 * and the kept one stays kept for a later create of its own. */
START_TEST(test_other_configuration_gets_its_own) {
  if (STRATEGY == SAMRENA_STRATEGY_BUFFER)
    return;
  SamrenaConfig small = config_of(STRATEGY), large = config_of(STRATEGY);
  large.initial_pages = 8;
  Samrena *a = create_from(&large);
  SamrenaStats large_fresh = util_stats(a);
  bool kept = keepable(a);
  samrena_destroy(a);
  Samrena *b = create_from(&small);
  SamrenaStats small_fresh = util_stats(b);
  if (kept)
    ck_assert_ptr_ne(b, a);
  ck_assert_uint_lt(small_fresh.capacity, large_fresh.capacity);
  samrena_destroy(b); /* kept instead of a, which is taken apart */

  large.flags |= SAMRENA_FLAG_QUIET; /* any field makes another configuration */
  Samrena *c = create_from(&large);
  SamrenaStats c_fresh = util_stats(c);
  if (kept)
    ck_assert_ptr_ne(c, b);
  ck_assert_uint_ge(c_fresh.capacity, large_fresh.capacity);
  samrena_destroy(c);
  Samrena *d = create_from(&large);
  if (kept) {
    ck_assert_ptr_eq(d, c);
    assert_as_new(d, &c_fresh);
  }
  samrena_destroy(d);
}
END_TEST

static void count_message(const char *message, void *data) {
  (void)message;
  ++*(int *)data;
}

/* An arena in the debug mode is taken apart at its destroy, its guards
 * checked there: an overrun is reported by the destroy itself. */
START_TEST(test_debug_arena_checked_at_destroy) {
  if (STRATEGY == SAMRENA_STRATEGY_BUFFER || util_library_poisons())
    return; /* a sanitizer guards the bytes after a push itself */
  int messages = 0;
  SamrenaConfig config = config_of(STRATEGY);
  config.enable_debug = true;
  config.log_callback = count_message;
  config.log_user_data = &messages;
  for (int round = 0; round < 2; round++) {
    Samrena *arena = create_from(&config);
    unsigned char *p = samrena_push(arena, 10);
    ck_assert_ptr_nonnull(p);
    p[10] = 0; /* the first byte of its guard */
    ck_assert_int_eq(messages, round);
    samrena_destroy(arena);
    ck_assert_int_eq(messages, round + 1);
  }
}
END_TEST

/* The lines of samrena_report that are arenas. */
static int reported_arenas(void) {
  FILE *out = tmpfile();
  ck_assert_ptr_nonnull(out);
  ck_assert_int_eq(samrena_report(out), SAMRENA_OK);
  rewind(out);
  char line[1024];
  int arenas = 0;
  while (fgets(line, sizeof line, out) != NULL)
    if (line[0] != '#')
      arenas++;
  fclose(out);
  return arenas;
}

/* A kept arena is no live arena: samrena_report does not list it. */
START_TEST(test_report_leaves_kept_arena_out) {
  SamrenaConfig config = config_of(STRATEGY);
  int before = reported_arenas();
  Samrena *arena = create_from(&config);
  ck_assert_int_eq(reported_arenas(), before + 1);
  samrena_destroy(arena);
  ck_assert_int_eq(reported_arenas(), before);
  arena = create_from(&config);
  ck_assert_int_eq(reported_arenas(), before + 1);
  samrena_destroy(arena);
  ck_assert_int_eq(reported_arenas(), before);
}
END_TEST

#ifdef HAVE_PTHREAD
#if defined(HAVE_MALLINFO2)
/* Bytes glibc's malloc holds in mmap'd chunks (blocks this large). */
static size_t mapped_by_malloc(void) {
  return mallinfo2().hblkhd;
}
#endif

/* A chained arena whose first block is too large for the block cache and
 * comes from mmap in glibc: held or given back shows in mallinfo2. */
static SamrenaConfig large_block_config(void) {
  SamrenaConfig config = config_of(SAMRENA_STRATEGY_CHAINED);
  config.page_size = 64 * 1024;
  config.initial_pages = 16; /* 1 MiB */
  return config;
}

static void *destroy_in_this_thread(void *data) {
  samrena_destroy(data); /* kept by this thread, until it exits */
  return NULL;
}

/* An arena made in one thread and destroyed in another is kept by the
 * destroying thread, which gives it back when it exits.  Checked with
 * glibc's figures; elsewhere, and where a checker replaces malloc (which
 * then reports nothing), the leak checkers see it. */
START_TEST(test_thread_exit_gives_kept_arena_back) {
  SamrenaConfig config = large_block_config();
#if defined(HAVE_MALLINFO2)
  size_t before = mapped_by_malloc();
#endif
  Samrena *arena = create_from(&config);
#if defined(HAVE_MALLINFO2)
  bool measured = mapped_by_malloc() >= before + ((size_t)1 << 20);
#endif
  pthread_t thread;
  ck_assert_int_eq(pthread_create(&thread, NULL, destroy_in_this_thread, arena), 0);
  ck_assert_int_eq(pthread_join(thread, NULL), 0);
#if defined(HAVE_MALLINFO2)
  if (measured)
    ck_assert_uint_eq(mapped_by_malloc(), before);
  else
    ck_assert(util_under_valgrind() || util_library_poisons() || mapped_by_malloc() == 0);
#endif
  /* This thread kept nothing: its next create is a new arena. */
  Samrena *next = create_from(&config);
  ck_assert_uint_eq(util_stats(next).blocks, 1);
  samrena_destroy(next);
}
END_TEST
#endif

#if SAMRENA_FAULT_INJECTION
#include "../lib/fault.h"

/* How many memory requests a create of that configuration makes. */
static uint64_t requests_to_create(const SamrenaConfig *config, Samrena **out) {
  uint64_t before = samrena_fault_requests();
  *out = create_from(config);
  return samrena_fault_requests() - before;
}

/* A kept arena costs its create no memory request, and so cannot fail
 * for want of memory; one that was not kept costs its requests again. */
START_TEST(test_kept_arena_makes_no_request) {
  if (STRATEGY == SAMRENA_STRATEGY_BUFFER)
    return;
  SamrenaConfig config = config_of(STRATEGY);
  samrena_fault_drain_caches(); /* so that a new arena requests memory */
  Samrena *arena;
  ck_assert_uint_gt(requests_to_create(&config, &arena), 0);
  bool kept = keepable(arena);
  samrena_destroy(arena);
  Samrena *again;
  if (!kept) { /* SAMRENA_DEBUG=1: a new arena each time */
    samrena_fault_drain_caches();
    ck_assert_uint_gt(requests_to_create(&config, &again), 0);
    samrena_destroy(again);
    return;
  }
  samrena_fault_inject_after(0); /* the next request fails */
  ck_assert_uint_eq(requests_to_create(&config, &again), 0);
  samrena_fault_inject_after(-1);
  ck_assert_ptr_eq(again, arena);

  /* Named, it is not kept: the next create makes its requests. */
  ck_assert_int_eq(samrena_set_name(again, "named"), SAMRENA_OK);
  samrena_destroy(again);
  samrena_fault_drain_caches();
  ck_assert_uint_gt(requests_to_create(&config, &arena), 0);

  /* Grown, neither. */
  uint64_t committed = util_stats(arena).committed;
  while (util_stats(arena).committed == committed)
    ck_assert_ptr_nonnull(samrena_push(arena, 16 * 1024));
  samrena_destroy(arena);
  samrena_fault_drain_caches();
  ck_assert_uint_gt(requests_to_create(&config, &arena), 0);
  samrena_destroy(arena);
}
END_TEST
#endif

Suite *make_reuse_suite(void) {
  Suite *suite = suite_create("reuse");
  TCase *tc = util_tcase("kept arenas");
  tcase_add_loop_test(tc, test_next_create_is_as_new, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_grown_arena_is_not_kept, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_trimmed_arena_is_not_kept, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_other_configuration_gets_its_own, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_debug_arena_checked_at_destroy, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_report_leaves_kept_arena_out, 0, util_strategy_count);
#ifdef HAVE_PTHREAD
  tcase_add_test(tc, test_thread_exit_gives_kept_arena_back);
#endif
#if SAMRENA_FAULT_INJECTION
  tcase_add_loop_test(tc, test_kept_arena_makes_no_request, 0, util_strategy_count);
#endif
  suite_add_tcase(suite, tc);
  return suite;
}
