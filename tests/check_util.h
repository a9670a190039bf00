/* check_util.h -- what the Check suites share: the strategies this build
 * has, arena factories, byte patterns and resident-memory measurement. */
#ifndef SAMRENA_CHECK_UTIL_H
#define SAMRENA_CHECK_UTIL_H

#include <config.h>

#include <check.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "samrena.h"

/* Every strategy this build can create, in samrena_available_strategies'
 * order; loop tests index it with _i. */
extern SamrenaStrategy util_strategies[3];
extern int util_strategy_count;
void util_init_strategies(void);

/* The strategy SAMRENA_STRATEGY_DEFAULT gives in this build. */
SamrenaStrategy util_default_strategy(void);
/* Whether an arena of the strategy obtains memory beyond what it holds
 * (SAMRENA_CAP_GROWS): tests that need growth skip the others by this. */
bool util_grows(SamrenaStrategy strategy);

/* What a buffer arena of the suites gets: generous, so that the behaviour
 * every strategy shares runs on it too (the largest test pushes about
 * 45 MiB), and malloc'd, so that it costs address space only where the
 * test touches it, on 32-bit targets and under Valgrind too. */
#define UTIL_BUFFER_BYTES (UINT64_C(64) << 20)

/* bytes of malloc'd memory for a buffer arena (or anything else), freed
 * once the test is over by the teardown of util_tcase's test cases (or at
 * exit).  Thread-safe. */
void *util_buffer(uint64_t bytes);
/* tcase_create, with the teardown that frees what util_buffer gave. */
TCase *util_tcase(const char *name);

/* samrena_default_config() for the strategy; a buffer arena's has a
 * buffer of UTIL_BUFFER_BYTES from util_buffer. */
SamrenaConfig util_config(SamrenaStrategy strategy);

/* An arena of the given strategy, STRICT so no silent fallback; fails the
 * test if it cannot be created.  A buffer arena whose config has no
 * buffer gets one of UTIL_BUFFER_BYTES. */
Samrena *util_arena(SamrenaStrategy strategy, uint64_t initial_pages);
Samrena *util_arena_config(SamrenaConfig config);

/* The arena's statistics; fails the test if samrena_stats does. */
SamrenaStats util_stats(Samrena *arena);

/* A deterministic byte pattern for allocation number `tag`. */
void util_fill(void *ptr, uint64_t size, uint64_t tag);
bool util_check(const void *ptr, uint64_t size, uint64_t tag);
bool util_all_zero(const void *ptr, uint64_t size);

/* A small deterministic PRNG (xorshift64*). */
uint64_t util_random(uint64_t *state);

/* Bytes of [addr, addr + size) resident in RAM, or -1 where it cannot be
 * measured on this platform. */
int64_t util_resident_bytes(const void *addr, uint64_t size);

/* The OS page size. */
uint64_t util_page_size(void);

/* Whether the suite runs under Valgrind (`make check-valgrind`).  Tests
 * that need more address space than Valgrind manages shrink under it. */
bool util_under_valgrind(void);

/* Under Valgrind: gives the Check timeouts room for the slowdown. */
void util_adjust_for_valgrind(void);

/* Called in a forked child about to crash on purpose: Valgrind is not to
 * report the crash or what the child leaves behind. */
void util_expect_crash(void);

Suite *make_api_suite(void);
Suite *make_push_suite(void);
Suite *make_chained_suite(void);
Suite *make_virtual_suite(void);
Suite *make_vmem_suite(void);
Suite *make_scope_suite(void);
Suite *make_resize_suite(void);
Suite *make_pool_suite(void);
Suite *make_stable_suite(void);
Suite *make_threads_suite(void);
Suite *make_bad_input_suite(void);
Suite *make_faults_suite(void);
Suite *make_upstream_suite(void);
Suite *make_scratch_suite(void);
Suite *make_concurrent_suite(void);
Suite *make_sources_suite(void);
void add_concurrent_thread_tests(TCase *tc);

#define MiB (UINT64_C(1) << 20)
#define KiB (UINT64_C(1) << 10)

#endif
