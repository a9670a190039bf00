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

/* Assertions for loops that run many thousand times.  Check records the
 * place of every ck_assert that passes (in a forked test, a write(2) to
 * the parent), which in loops of a million steps was most of the suite's
 * time, and under Valgrind minutes of it.  These fail as ck_assert does,
 * with the values, and record nothing when they pass. */
#define util_require(expr) \
  ((expr) ? (void)0 : ck_abort_msg("Assertion '%s' failed", #expr))
#define util_require_msg(expr, ...) ((expr) ? (void)0 : ck_abort_msg(__VA_ARGS__))
/* x == y as type, the values printed with fmt when they differ. */
#define util_require_eq_as(type, fmt, x, y)                                                  \
  do {                                                                                        \
    type util_x_ = (x), util_y_ = (y);                                                        \
    if (util_x_ != util_y_)                                                                   \
      ck_abort_msg("Assertion '%s == %s' failed: %s == " fmt ", %s == " fmt, #x, #y, #x,      \
                   util_x_, #y, util_y_);                                                     \
  } while (0)
#define util_require_uint_eq(x, y) util_require_eq_as(uintmax_t, "%ju", x, y)
#define util_require_int_eq(x, y) util_require_eq_as(intmax_t, "%jd", x, y)

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

/* The largest reservation there can be: PTRDIFF_MAX, less a MiB so that
 * the arena's handle before it and the rounding to a 64 KiB granule stay
 * below PTRDIFF_MAX (no OVERFLOW).  No 64-bit machine can grant it; a
 * 32-bit one may grant it once, but not twice (two would take the whole
 * 4 GiB, the program's own mappings included). */
#define UTIL_LARGEST_RESERVE (((uint64_t)PTRDIFF_MAX - (UINT64_C(1) << 20)) & ~UINT64_C(0xffff))
#define UTIL_MAX_HOLDERS 2
/* Takes address space until a reservation of UTIL_LARGEST_RESERVE fails
 * (at once on 64-bit), so that the next one fails at run time whatever
 * the build; returns how many arenas it holds, for util_release_holders. */
int util_exhaust_address_space(Samrena *holders[UTIL_MAX_HOLDERS]);
void util_release_holders(Samrena *holders[UTIL_MAX_HOLDERS], int held);

/* Whether the library poisons memory not handed out (ASan, or memcheck
 * in a --with-valgrind build), so that touching it is an error. */
bool util_library_poisons(void);

/* The guard bytes the debug mode puts after every push of the arena
 * (samrena(3), DEBUGGING), 0 when the mode is off.  SAMRENA_DEBUG=1 make
 * check runs the whole suite in the debug mode: tests that count bytes or
 * compare addresses add this to each push. */
uint64_t util_guard(const Samrena *arena);
/* The bytes a push of size takes, its guard included. */
#define UTIL_FOOTPRINT(arena, size) ((size) + util_guard(arena))

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
Suite *make_vector_suite(void);
Suite *make_str_suite(void);
Suite *make_upstream_suite(void);
Suite *make_scratch_suite(void);
Suite *make_concurrent_suite(void);
Suite *make_diag_suite(void);
Suite *make_reuse_suite(void);
Suite *make_debug_suite(void);
Suite *make_sources_suite(void);
void add_concurrent_thread_tests(TCase *tc);

/* The default push alignment, alignof(max_align_t): 16 on x86-64 and
 * AArch64, 8 on s390x, armhf and mipsel. */
#define MAX_ALIGN ((uint64_t)alignof(max_align_t))
/* size rounded up to a multiple of alignment (a power of two). */
#define ROUND_UP(size, alignment) (((size) + (alignment) - 1) / (alignment) * (alignment))

/* An eighth of the address space: a size samrena_push accepts (no
 * OVERFLOW) that no arena can be given eight times.  On 64-bit it is
 * 2^61 bytes, more than any CPU maps at all (x86-64 and AArch64 translate
 * at most 57 and 52 bits), so not even once; on 32-bit 512 MiB, which
 * may be granted a few times before the address space runs out. */
#define EIGHTH_OF_ADDRESS_SPACE ((uint64_t)(UINTPTR_MAX / 8) + 1)
#define EIGHTHS_THAT_MAY_FIT (EIGHTH_OF_ADDRESS_SPACE > (UINT64_C(1) << 57) ? 0 : 7)

/* Pushes EIGHTH_OF_ADDRESS_SPACE (with samrena_push_with_reserve if
 * with_reserve) until a push fails, and checks the failure:
 * OUT_OF_MEMORY, nothing allocated by it, after at most
 * EIGHTHS_THAT_MAY_FIT pushes that worked.  Then gives back what those
 * took (restore and trim) and returns how many there were. */
int util_push_until_out_of_memory(Samrena *arena, bool with_reserve);

#define MiB (UINT64_C(1) << 20)
#define KiB (UINT64_C(1) << 10)

#endif
