/* check_upstream.c -- the calls and fields of upstream samrena's API that
 * go beyond the core: creation shortcuts, fallback_mode, the growth policy
 * of chained arenas, capabilities, SamrenaInfo, can_allocate,
 * reset_if_supported and the typed push macros. */
#include "check_util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#ifdef HAVE_UNISTD_H
#include <unistd.h>
#endif

#define STRATEGY (util_strategies[_i])

/* An address space reservation no machine grants: the virtual adapter
 * then fails at run time, whatever the build. */

START_TEST(test_upstream_error_names) {
  ck_assert_int_eq(SAMRENA_SUCCESS, SAMRENA_OK);
  ck_assert_ptr_null((samrena_push)(NULL, 8));
  ck_assert_int_eq(samrena_get_last_error(), SAMRENA_ERROR_NULL_POINTER);
  Samrena *arena = util_arena(SAMRENA_STRATEGY_CHAINED, 1);
  ck_assert_ptr_null(samrena_push_aligned(arena, 8, 3));
  ck_assert_int_eq(samrena_get_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_create_default) {
  Samrena *arena = samrena_create_default();
  ck_assert_ptr_nonnull(arena);
  ck_assert_int_eq(samrena_strategy(arena), util_default_strategy());
  ck_assert_ptr_nonnull(samrena_push(arena, 100));
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_config_chained) {
  SamrenaConfig config = samrena_config_chained(10);
  ck_assert_int_eq(config.strategy, SAMRENA_STRATEGY_CHAINED);
  ck_assert_uint_eq(config.initial_pages, 10);
  ck_assert_uint_eq(config.growth_pages, 10);
  ck_assert_int_eq(config.fallback_mode, SAMRENA_FALLBACK_WARN);
  Samrena *arena = samrena_create(&config);
  ck_assert_ptr_nonnull(arena);
  ck_assert_uint_eq(samrena_capacity(arena), 10 * SAMRENA_DEFAULT_PAGE_SIZE);
  samrena_destroy(arena);

  config = samrena_config_chained(0);
  ck_assert_ptr_null(samrena_create(&config));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_SIZE);
}
END_TEST

START_TEST(test_config_virtual) {
  SamrenaConfig config = samrena_config_virtual(100);
  ck_assert_int_eq(config.strategy, SAMRENA_STRATEGY_VIRTUAL);
  ck_assert_uint_eq(config.max_reserve, 100 * MiB);
  config = samrena_config_virtual(0);
  ck_assert_uint_eq(config.max_reserve, 0);
  config = samrena_config_virtual(UINT64_MAX / 2);
  ck_assert_uint_eq(config.max_reserve, UINT64_MAX);
  if (!samrena_strategy_available(SAMRENA_STRATEGY_VIRTUAL))
    return; /* such a config falls back to chained, which has no reservation */
  ck_assert_ptr_null(samrena_create(&config));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  config = samrena_config_virtual(100);
  Samrena *arena = samrena_create(&config);
  ck_assert_ptr_nonnull(arena);
  ck_assert_int_eq(samrena_strategy(arena), SAMRENA_STRATEGY_VIRTUAL);
  ck_assert_uint_ge(util_stats(arena).reserved, 100 * MiB); /* and the handle's page */
  ck_assert_uint_ge(samrena_get_capabilities(arena).max_allocation_size, 100 * MiB);
  samrena_destroy(arena);
}
END_TEST

typedef struct {
  int calls;
} LogCount;

static void count_log(const char *message, void *data) {
  (void)message;
  ((LogCount *)data)->calls++;
}

/* A virtual arena that cannot get its reservation, created with the
 * given fallback mode; *calls counts the warnings.  The address space is
 * taken first, so that the reservation fails on 32-bit targets too. */
static Samrena *failing_virtual(SamrenaFallbackMode mode, LogCount *log) {
  Samrena *holders[UTIL_MAX_HOLDERS];
  int held = util_exhaust_address_space(holders);
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_VIRTUAL;
  config.max_reserve = UTIL_LARGEST_RESERVE;
  config.fallback_mode = mode;
  config.log_callback = log != NULL ? count_log : NULL;
  config.log_user_data = log;
  Samrena *arena = samrena_create(&config);
  util_release_holders(holders, held); /* destroy leaves samrena_last_error() alone */
  return arena;
}

#if defined(HAVE_UNISTD_H) && !defined(_WIN32)
/* What a call to failing_virtual(mode, NULL) writes on stderr. */
static size_t stderr_bytes_of_fallback(SamrenaFallbackMode mode) {
  fflush(stderr);
  FILE *capture = tmpfile();
  ck_assert_ptr_nonnull(capture);
  int saved = dup(STDERR_FILENO);
  ck_assert_int_ge(saved, 0);
  ck_assert_int_ge(dup2(fileno(capture), STDERR_FILENO), 0);
  Samrena *arena = failing_virtual(mode, NULL);
  fflush(stderr);
  ck_assert_int_ge(dup2(saved, STDERR_FILENO), 0);
  close(saved);
  ck_assert_ptr_nonnull(arena);
  samrena_destroy(arena);
  ck_assert_int_eq(fseek(capture, 0, SEEK_END), 0);
  long bytes = ftell(capture);
  fclose(capture);
  return bytes > 0 ? (size_t)bytes : 0;
}
#endif

START_TEST(test_fallback_mode) {
  LogCount log = {0};
  Samrena *arena = failing_virtual(SAMRENA_FALLBACK_WARN, &log);
  ck_assert_ptr_nonnull(arena);
  ck_assert_int_eq(samrena_strategy(arena), SAMRENA_STRATEGY_CHAINED);
  ck_assert_int_eq(log.calls, 1);
  samrena_destroy(arena);

  /* AUTO is as quiet as SAMRENA_FLAG_QUIET: a callback is still told. */
  log.calls = 0;
  arena = failing_virtual(SAMRENA_FALLBACK_AUTO, &log);
  ck_assert_ptr_nonnull(arena);
  ck_assert_int_eq(samrena_strategy(arena), SAMRENA_STRATEGY_CHAINED);
  ck_assert_int_eq(log.calls, 1);
  samrena_destroy(arena);
#if defined(HAVE_UNISTD_H) && !defined(_WIN32)
  ck_assert_uint_gt(stderr_bytes_of_fallback(SAMRENA_FALLBACK_WARN), 0);
  ck_assert_uint_eq(stderr_bytes_of_fallback(SAMRENA_FALLBACK_AUTO), 0);
#endif

  /* STRICT, as the flag is. */
  log.calls = 0;
  ck_assert_ptr_null(failing_virtual(SAMRENA_FALLBACK_STRICT, &log));
  ck_assert_int_eq(samrena_last_error(), samrena_strategy_available(SAMRENA_STRATEGY_VIRTUAL)
                                             ? SAMRENA_ERROR_OUT_OF_MEMORY
                                             : SAMRENA_ERROR_UNSUPPORTED_STRATEGY);
  ck_assert_int_eq(log.calls, 0);

  ck_assert_ptr_null(failing_virtual((SamrenaFallbackMode)7, &log));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
}
END_TEST

/* Pushes one byte more than the current block has free, which the next
 * normal block holds (it is at least as large as the current one, of
 * which something is used); returns that block's payload.  The capacity
 * loses the abandoned free part and gains the new block. */
static uint64_t next_block_size(Samrena *arena) {
  uint64_t capacity = samrena_capacity(arena);
  uint64_t free_part = capacity - samrena_allocated(arena);
  ck_assert_ptr_nonnull(samrena_push_aligned(arena, free_part + 1, 1));
  return samrena_capacity(arena) - capacity + free_part;
}

static Samrena *chained_with_growth(uint64_t page_size, uint64_t growth_pages,
                                    SamrenaGrowthConfig growth) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_CHAINED;
  config.page_size = page_size;
  config.growth_pages = growth_pages;
  config.growth = growth;
  Samrena *arena = util_arena_config(config);
  ck_assert_ptr_nonnull(samrena_push_aligned(arena, 1, 1)); /* see next_block_size */
  return arena;
}

START_TEST(test_growth_exponential) {
  SamrenaGrowthConfig doubling = {.policy = SAMRENA_GROWTH_EXPONENTIAL,
                                  .params.exponential = {.factor = 2.0}};
  Samrena *arena = chained_with_growth(4096, 1, doubling);
  for (uint64_t expected = 4096; expected <= 1 * MiB; expected *= 2)
    ck_assert_uint_eq(next_block_size(arena), expected);
  samrena_destroy(arena);

  /* Capped at 64 MiB (blocks are malloc'd, never touched here). */
  arena = chained_with_growth(1 * MiB, 16, doubling);
  ck_assert_uint_eq(next_block_size(arena), 16 * MiB);
  ck_assert_uint_eq(next_block_size(arena), 32 * MiB);
  ck_assert_uint_eq(next_block_size(arena), 64 * MiB);
  ck_assert_uint_eq(next_block_size(arena), 64 * MiB);
  samrena_destroy(arena);

  /* 1.5 times the last block, rounded up to the page: 4096, 8192 (6144
   * up), 12288, 20480 (18432 up). */
  arena = chained_with_growth(4096, 1, SAMRENA_GROWTH_BALANCED);
  ck_assert_uint_eq(next_block_size(arena), 4096);
  ck_assert_uint_eq(next_block_size(arena), 8192);
  ck_assert_uint_eq(next_block_size(arena), 12288);
  ck_assert_uint_eq(next_block_size(arena), 20480);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_growth_linear) {
  SamrenaGrowthConfig by_10000 = {.policy = SAMRENA_GROWTH_LINEAR,
                                  .params.linear = {.increment = 10000}};
  Samrena *arena = chained_with_growth(4096, 1, by_10000);
  for (int i = 0; i < 4; i++)
    ck_assert_uint_eq(next_block_size(arena), 12288); /* rounded up to the page */
  samrena_destroy(arena);

  arena = chained_with_growth(4096, 3, SAMRENA_GROWTH_CONSERVATIVE);
  ck_assert_uint_eq(next_block_size(arena), 64 * KiB);
  ck_assert_uint_eq(next_block_size(arena), 64 * KiB);
  samrena_destroy(arena);

  /* Increment 0: growth_pages pages, the default. */
  SamrenaGrowthConfig pages = {.policy = SAMRENA_GROWTH_LINEAR};
  arena = chained_with_growth(4096, 3, pages);
  ck_assert_uint_eq(next_block_size(arena), 3 * 4096);
  ck_assert_uint_eq(next_block_size(arena), 3 * 4096);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_growth_rejected) {
  SamrenaConfig config = samrena_default_config();
  config.growth.policy = SAMRENA_GROWTH_EXPONENTIAL;
  double bad_factors[] = {0.5, 0.0, -2.0, NAN, 1e12};
  for (size_t i = 0; i < sizeof bad_factors / sizeof bad_factors[0]; i++) {
    config.growth.params.exponential.factor = bad_factors[i];
    ck_assert_ptr_null(samrena_create(&config));
    ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
  }
  config.growth.params.exponential.factor = 1.0; /* constant blocks: fine */
  Samrena *arena = samrena_create(&config);
  ck_assert_ptr_nonnull(arena);
  samrena_destroy(arena);

  config.growth.policy = (SamrenaGrowthPolicy)9;
  ck_assert_ptr_null(samrena_create(&config));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
  config.growth.policy = SAMRENA_GROWTH_LINEAR;
  config.growth.params.linear.increment = UINT64_MAX;
  ck_assert_ptr_null(samrena_create(&config));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
}
END_TEST

START_TEST(test_capabilities) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaCapabilities caps = samrena_get_capabilities(arena);
  /* What grows grows without moving anything and reserves ahead; a
   * buffer arena does neither. */
  uint32_t growing = SAMRENA_CAP_ZERO_COPY_GROWTH | SAMRENA_CAP_RESERVE | SAMRENA_CAP_GROWS;
  ck_assert_uint_eq(caps.flags & growing, STRATEGY == SAMRENA_STRATEGY_BUFFER ? 0 : growing);
  bool contiguous = STRATEGY != SAMRENA_STRATEGY_CHAINED;
  ck_assert(samrena_has_capability(arena, SAMRENA_CAP_CONTIGUOUS_MEMORY) == contiguous);
  ck_assert(samrena_has_capability(arena, SAMRENA_CAP_RESET));
  ck_assert_uint_eq(caps.alignment_guarantee, alignof(max_align_t));
  ck_assert_uint_gt(caps.max_allocation_size, 1 * MiB);

  SamrenaCapabilities of_strategy = samrena_strategy_capabilities(STRATEGY);
  ck_assert_uint_eq(of_strategy.flags, caps.flags);
  ck_assert_uint_eq(of_strategy.alignment_guarantee, alignof(max_align_t));
  samrena_destroy(arena);

  SamrenaConfig config = samrena_default_config();
  config.strategy = STRATEGY;
  config.alignment = 8;
  arena = util_arena_config(config);
  ck_assert_uint_eq(samrena_get_capabilities(arena).alignment_guarantee, 8);
  samrena_destroy(arena);

  SamrenaCapabilities none = samrena_get_capabilities(NULL);
  ck_assert_uint_eq(none.flags, 0);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert(!samrena_has_capability(NULL, SAMRENA_CAP_RESET));
}
END_TEST

START_TEST(test_strategy_capabilities) {
  /* DEFAULT is the best strategy without its cap, so never contiguous. */
  SamrenaCapabilities def = samrena_strategy_capabilities(SAMRENA_STRATEGY_DEFAULT);
  SamrenaCapabilities best = samrena_strategy_capabilities(util_default_strategy());
  ck_assert_uint_eq(def.flags, best.flags & ~(uint32_t)SAMRENA_CAP_CONTIGUOUS_MEMORY);
  if (!samrena_strategy_available(SAMRENA_STRATEGY_VIRTUAL)) {
    SamrenaCapabilities none = samrena_strategy_capabilities(SAMRENA_STRATEGY_VIRTUAL);
    ck_assert_uint_eq(none.flags, 0);
    ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_UNSUPPORTED_STRATEGY);
  }
  SamrenaCapabilities unknown = samrena_strategy_capabilities((SamrenaStrategy)42);
  ck_assert_uint_eq(unknown.flags, 0);
}
END_TEST

/* A virtual arena's largest push is what is left of its reservation. */
START_TEST(test_max_allocation_of_virtual) {
  if (!samrena_strategy_available(SAMRENA_STRATEGY_VIRTUAL))
    return;
  SamrenaConfig config = samrena_config_virtual(64);
  Samrena *arena = util_arena_config(config);
  uint64_t room = samrena_get_capabilities(arena).max_allocation_size;
  ck_assert_uint_ge(room, 64 * MiB);
  ck_assert_ptr_nonnull(samrena_push(arena, 1 * MiB));
  ck_assert_uint_eq(samrena_get_capabilities(arena).max_allocation_size,
                    room - UTIL_FOOTPRINT(arena, 1 * MiB));
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_get_info) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = STRATEGY;
  config.page_size = 8192;
  Samrena *arena = util_arena_config(config);
  ck_assert_ptr_nonnull(samrena_push(arena, 1000));
  SamrenaInfo info;
  memset(&info, 0xff, sizeof info);
  samrena_get_info(arena, &info);
  ck_assert_str_eq(info.adapter_name, samrena_strategy_name(STRATEGY));
  ck_assert_int_eq(info.strategy, STRATEGY);
  ck_assert_uint_eq(info.allocated, samrena_allocated(arena));
  ck_assert_uint_eq(info.capacity, samrena_capacity(arena));
  ck_assert_uint_eq(info.page_size, 8192);
  bool contiguous = STRATEGY != SAMRENA_STRATEGY_CHAINED;
  ck_assert(info.is_contiguous == contiguous);
  ck_assert(info.can_grow == !contiguous);

  SamrenaInfo untouched;
  memset(&untouched, 0x5a, sizeof untouched);
  samrena_get_info(NULL, &untouched);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  samrena_get_info(arena, NULL);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_available_strategies) {
  SamrenaStrategy out[8];
  ck_assert_int_eq(samrena_available_strategies(out, 8), util_strategy_count);
  for (int i = 0; i < util_strategy_count; i++)
    ck_assert_int_eq(out[i], util_strategies[i]);
  ck_assert_int_eq(samrena_available_strategies(NULL, 8), util_strategy_count);
  out[1] = (SamrenaStrategy)99;
  ck_assert_int_eq(samrena_available_strategies(out, 1), 1);
  ck_assert_int_eq(out[0], SAMRENA_STRATEGY_CHAINED);
  ck_assert_int_eq(out[1], (SamrenaStrategy)99);
  ck_assert_int_eq(samrena_available_strategies(out, 0), 0);
  ck_assert_int_eq(samrena_available_strategies(out, -1), 0);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
}
END_TEST

START_TEST(test_can_allocate) {
  Samrena *arena = util_arena(STRATEGY, 1);
  ck_assert_ptr_nonnull(samrena_push(arena, 100));
  SamrenaStats before = util_stats(arena);
  ck_assert(samrena_can_allocate(arena, 0));
  ck_assert(samrena_can_allocate(arena, 10));
  if (util_grows(STRATEGY)) {
    ck_assert(samrena_can_allocate(arena, 100 * MiB));
  } else { /* what it holds, and not a byte more */
    uint64_t room = samrena_get_capabilities(arena).max_allocation_size;
    ck_assert(samrena_can_allocate(arena, room));
    ck_assert(!samrena_can_allocate(arena, room + 1));
  }
  ck_assert(!samrena_can_allocate(arena, (uint64_t)PTRDIFF_MAX));
  ck_assert(!samrena_can_allocate(arena, UINT64_MAX));
  SamrenaStats after = util_stats(arena);
  ck_assert_uint_eq(after.allocated, before.allocated);
  ck_assert_uint_eq(after.committed, before.committed);
  ck_assert_uint_eq(after.blocks, before.blocks);
  ck_assert(!samrena_can_allocate(NULL, 1));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_can_allocate_virtual_reservation) {
  if (!samrena_strategy_available(SAMRENA_STRATEGY_VIRTUAL))
    return;
  SamrenaConfig config = samrena_config_virtual(64);
  Samrena *arena = util_arena_config(config);
  uint64_t room = samrena_get_capabilities(arena).max_allocation_size; /* 64 MiB and a bit */
  ck_assert(samrena_can_allocate(arena, 64 * MiB));
  ck_assert(samrena_can_allocate(arena, room - 16));
  ck_assert(!samrena_can_allocate(arena, room + 1));
  ck_assert_ptr_nonnull(samrena_push(arena, 32 * MiB));
  uint64_t rest = room - UTIL_FOOTPRINT(arena, 32 * MiB);
  ck_assert(samrena_can_allocate(arena, rest));
  ck_assert(!samrena_can_allocate(arena, rest + 1));
  ck_assert_ptr_null(samrena_push(arena, rest + 1)); /* it says what a push does */
  ck_assert_ptr_nonnull(samrena_push(arena, rest));
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_reset_if_supported) {
  Samrena *arena = util_arena(STRATEGY, 1);
  ck_assert_ptr_nonnull(samrena_push(arena, 5000));
  ck_assert(samrena_reset_if_supported(arena));
  ck_assert_uint_eq(samrena_allocated(arena), 0);
  ck_assert(!samrena_reset_if_supported(NULL));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  samrena_destroy(arena);
}
END_TEST

typedef struct {
  double x, y, z;
  int tag;
} Point;

START_TEST(test_push_macros) {
  Samrena *arena = util_arena(STRATEGY, 1);
  Point *one = SAMRENA_PUSH_TYPE(arena, Point);
  ck_assert_ptr_nonnull(one);
  ck_assert_uint_eq((uintptr_t)one % alignof(Point), 0);
  one->tag = 7;

  Point *zeroed = SAMRENA_PUSH_TYPE_ZERO(arena, Point);
  ck_assert(zeroed != NULL && util_all_zero(zeroed, sizeof *zeroed));

  Point *many = SAMRENA_PUSH_ARRAY(arena, Point, 100);
  ck_assert_ptr_nonnull(many);
  for (int i = 0; i < 100; i++)
    many[i].tag = i;
  ck_assert_int_eq(many[99].tag, 99);
  ck_assert_int_eq(one->tag, 7);

  uint32_t *zeros = SAMRENA_PUSH_ARRAY_ZERO(arena, uint32_t, 1000);
  ck_assert(zeros != NULL && util_all_zero(zeros, 1000 * sizeof *zeros));

  Point *aligned = SAMRENA_PUSH_ALIGNED_TYPE(arena, Point, 256);
  ck_assert(aligned != NULL && (uintptr_t)aligned % 256 == 0);

  /* count * sizeof(type) overflows: NULL and OVERFLOW, nothing consumed. */
  uint64_t allocated = samrena_allocated(arena);
  ck_assert_ptr_null(SAMRENA_PUSH_ARRAY(arena, Point, UINT64_MAX / 8));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  ck_assert_ptr_null(SAMRENA_PUSH_ARRAY_ZERO(arena, Point, UINT64_MAX / 8));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  int negative = -1;
  ck_assert_ptr_null(SAMRENA_PUSH_ARRAY(arena, uint16_t, negative));
  ck_assert_uint_eq(samrena_allocated(arena), allocated);
  ck_assert_ptr_null((samrena_push_array)(NULL, 1, 1));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_ptr_null(samrena_push_array_zero(NULL, 1, 1));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  samrena_destroy(arena);
}
END_TEST

Suite *make_upstream_suite(void) {
  Suite *suite = suite_create("upstream API");
  TCase *tc = util_tcase("creation");
  tcase_add_test(tc, test_upstream_error_names);
  tcase_add_test(tc, test_create_default);
  tcase_add_test(tc, test_config_chained);
  tcase_add_test(tc, test_config_virtual);
  tcase_add_test(tc, test_fallback_mode);
  suite_add_tcase(suite, tc);

  tc = util_tcase("growth");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_growth_exponential);
  tcase_add_test(tc, test_growth_linear);
  tcase_add_test(tc, test_growth_rejected);
  suite_add_tcase(suite, tc);

  tc = util_tcase("queries");
  tcase_add_loop_test(tc, test_capabilities, 0, util_strategy_count);
  tcase_add_test(tc, test_strategy_capabilities);
  tcase_add_test(tc, test_max_allocation_of_virtual);
  tcase_add_loop_test(tc, test_get_info, 0, util_strategy_count);
  tcase_add_test(tc, test_available_strategies);
  tcase_add_loop_test(tc, test_can_allocate, 0, util_strategy_count);
  tcase_add_test(tc, test_can_allocate_virtual_reservation);
  tcase_add_loop_test(tc, test_reset_if_supported, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_push_macros, 0, util_strategy_count);
  suite_add_tcase(suite, tc);
  return suite;
}
