/* check_api.c -- errors, version, configuration, creation, strategy choice
 * and fallback. */
#include "check_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_PTHREAD
#include <pthread.h>
#endif

START_TEST(test_version_is_package_version) {
  const char *version = samrena_version();
  ck_assert_str_eq(version, PACKAGE_VERSION);
  unsigned major, minor, patch;
  char extra;
  ck_assert_int_eq(sscanf(version, "%u.%u.%u%c", &major, &minor, &patch, &extra), 3);
}
END_TEST

START_TEST(test_error_strings_distinct_and_total) {
  const SamrenaError codes[] = {
      SAMRENA_OK, SAMRENA_ERROR_NULL_POINTER, SAMRENA_ERROR_INVALID_SIZE,
      SAMRENA_ERROR_INVALID_PARAMETER, SAMRENA_ERROR_OUT_OF_MEMORY, SAMRENA_ERROR_OVERFLOW,
      SAMRENA_ERROR_UNSUPPORTED_STRATEGY, SAMRENA_ERROR_UNSUPPORTED_OPERATION,
      SAMRENA_ERROR_PLATFORM};
  const size_t count = sizeof codes / sizeof codes[0];
  const char *unknown = samrena_error_string((SamrenaError)999);
  ck_assert_ptr_nonnull(unknown);
  ck_assert_str_eq(unknown, "unknown error");
  for (size_t i = 0; i < count; i++) {
    const char *text = samrena_error_string(codes[i]);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_ne(text, unknown);
    for (size_t j = 0; j < i; j++)
      ck_assert_str_ne(text, samrena_error_string(codes[j]));
  }
  ck_assert_str_eq(samrena_error_string((SamrenaError)-1), "unknown error");
}
END_TEST

START_TEST(test_default_config_values) {
  SamrenaConfig config = samrena_default_config();
  ck_assert_int_eq(config.strategy, SAMRENA_STRATEGY_DEFAULT);
  ck_assert_uint_eq(config.initial_pages, 1);
  ck_assert_uint_eq(config.growth_pages, 1);
  ck_assert_uint_eq(config.max_reserve, 0);
  ck_assert_uint_eq(config.page_size, 0);
  ck_assert_uint_eq(config.commit_size, 0);
  ck_assert_uint_eq(config.alignment, 0);
  ck_assert_uint_eq(config.flags, 0);
  ck_assert(config.log_callback == NULL);
  Samrena *arena = samrena_create(&config);
  ck_assert_ptr_nonnull(arena);
  ck_assert_uint_ge(samrena_capacity(arena), SAMRENA_DEFAULT_PAGE_SIZE);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_create_null_config_is_default) {
  Samrena *arena = samrena_create(NULL);
  ck_assert_ptr_nonnull(arena);
  SamrenaStrategy expected =
      samrena_strategy_available(SAMRENA_STRATEGY_VIRTUAL) ? SAMRENA_STRATEGY_VIRTUAL
                                                           : SAMRENA_STRATEGY_CHAINED;
  ck_assert_int_eq(samrena_strategy(arena), expected);
  ck_assert_uint_eq(samrena_allocated(arena), 0);
  ck_assert_ptr_nonnull(samrena_push(arena, 100));
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_allocate) {
  Samrena *arena = samrena_allocate(3);
  ck_assert_ptr_nonnull(arena);
  ck_assert_uint_ge(samrena_capacity(arena), 3 * SAMRENA_DEFAULT_PAGE_SIZE);
  samrena_destroy(arena);

  ck_assert_ptr_null(samrena_allocate(0));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_SIZE);
}
END_TEST

START_TEST(test_destroy_null_is_noop) {
  samrena_destroy(NULL);
}
END_TEST

/* One row of bad configuration and the code it must give. */
typedef struct {
  const char *what;
  SamrenaConfig config;
  SamrenaError expected;
} BadConfig;

static SamrenaConfig config_with(void (*change)(SamrenaConfig *)) {
  SamrenaConfig config = samrena_default_config();
  change(&config);
  return config;
}
static void bad_strategy(SamrenaConfig *c) { c->strategy = (SamrenaStrategy)42; }
static void negative_strategy(SamrenaConfig *c) { c->strategy = (SamrenaStrategy)-1; }
static void zero_initial(SamrenaConfig *c) { c->initial_pages = 0; }
static void zero_growth(SamrenaConfig *c) { c->growth_pages = 0; }
static void page_not_power(SamrenaConfig *c) { c->page_size = 100; }
static void page_too_small(SamrenaConfig *c) { c->page_size = 32; }
static void alignment_three(SamrenaConfig *c) { c->alignment = 3; }
static void alignment_beyond_page(SamrenaConfig *c) {
  c->page_size = 4096;
  c->alignment = 8192;
}
static void unknown_flag(SamrenaConfig *c) { c->flags = 1u << 20; }
static void huge_initial(SamrenaConfig *c) { c->initial_pages = UINT64_MAX / 2; }
static void huge_growth(SamrenaConfig *c) { c->growth_pages = UINT64_MAX; }
static void reserve_below_initial(SamrenaConfig *c) {
  c->initial_pages = 4;
  c->max_reserve = SAMRENA_DEFAULT_PAGE_SIZE;
}

START_TEST(test_create_rejects_bad_config) {
  const BadConfig rows[] = {
      {"strategy 42", config_with(bad_strategy), SAMRENA_ERROR_INVALID_PARAMETER},
      {"strategy -1", config_with(negative_strategy), SAMRENA_ERROR_INVALID_PARAMETER},
      {"initial_pages 0", config_with(zero_initial), SAMRENA_ERROR_INVALID_SIZE},
      {"growth_pages 0", config_with(zero_growth), SAMRENA_ERROR_INVALID_SIZE},
      {"page_size 100", config_with(page_not_power), SAMRENA_ERROR_INVALID_SIZE},
      {"page_size 32", config_with(page_too_small), SAMRENA_ERROR_INVALID_SIZE},
      {"alignment 3", config_with(alignment_three), SAMRENA_ERROR_INVALID_PARAMETER},
      {"alignment > page", config_with(alignment_beyond_page), SAMRENA_ERROR_INVALID_PARAMETER},
      {"unknown flag", config_with(unknown_flag), SAMRENA_ERROR_INVALID_PARAMETER},
      {"initial overflow", config_with(huge_initial), SAMRENA_ERROR_OVERFLOW},
      {"growth overflow", config_with(huge_growth), SAMRENA_ERROR_OVERFLOW},
      {"max_reserve < initial", config_with(reserve_below_initial), SAMRENA_ERROR_INVALID_PARAMETER},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    for (int s = 0; s < util_strategy_count; s++) {
      SamrenaConfig config = rows[i].config;
      config.strategy = rows[i].config.strategy == SAMRENA_STRATEGY_DEFAULT
                            ? util_strategies[s]
                            : rows[i].config.strategy;
      ck_assert_msg(samrena_create(&config) == NULL, "%s: created", rows[i].what);
      ck_assert_msg(samrena_last_error() == rows[i].expected, "%s: got %s, want %s", rows[i].what,
                    samrena_error_string(samrena_last_error()),
                    samrena_error_string(rows[i].expected));
    }
  }
}
END_TEST

START_TEST(test_strategy_names) {
  ck_assert_str_eq(samrena_strategy_name(SAMRENA_STRATEGY_DEFAULT), "default");
  ck_assert_str_eq(samrena_strategy_name(SAMRENA_STRATEGY_CHAINED), "chained");
  ck_assert_str_eq(samrena_strategy_name(SAMRENA_STRATEGY_VIRTUAL), "virtual");
  ck_assert_str_eq(samrena_strategy_name((SamrenaStrategy)77), "unknown");
}
END_TEST

START_TEST(test_strategy_available) {
  ck_assert(samrena_strategy_available(SAMRENA_STRATEGY_DEFAULT));
  ck_assert(samrena_strategy_available(SAMRENA_STRATEGY_CHAINED));
#if SAMRENA_ENABLE_VIRTUAL
  ck_assert(samrena_strategy_available(SAMRENA_STRATEGY_VIRTUAL));
#else
  ck_assert(!samrena_strategy_available(SAMRENA_STRATEGY_VIRTUAL));
#endif
  ck_assert(!samrena_strategy_available((SamrenaStrategy)77));
}
END_TEST

START_TEST(test_strategy_of_null) {
  ck_assert_int_eq(samrena_strategy(NULL), SAMRENA_STRATEGY_DEFAULT);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
}
END_TEST

START_TEST(test_chained_always_chained) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_CHAINED;
  Samrena *arena = samrena_create(&config);
  ck_assert_ptr_nonnull(arena);
  ck_assert_int_eq(samrena_strategy(arena), SAMRENA_STRATEGY_CHAINED);
  samrena_destroy(arena);
}
END_TEST

typedef struct {
  int calls;
  char last[256];
} LogRecord;

static void record_log(const char *message, void *user_data) {
  LogRecord *record = user_data;
  record->calls++;
  snprintf(record->last, sizeof record->last, "%s", message);
}

static SamrenaConfig virtual_config(LogRecord *record) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_VIRTUAL;
  config.log_callback = record_log;
  config.log_user_data = record;
  return config;
}

START_TEST(test_virtual_falls_back_when_reservation_fails) {
  LogRecord record = {0};
  Samrena *holders[UTIL_MAX_HOLDERS];
  int held = util_exhaust_address_space(holders);
  SamrenaConfig config = virtual_config(&record);
  config.max_reserve = UTIL_LARGEST_RESERVE;
  Samrena *arena = samrena_create(&config);
  ck_assert_ptr_nonnull(arena);
  ck_assert_int_eq(samrena_strategy(arena), SAMRENA_STRATEGY_CHAINED);
  ck_assert_int_eq(record.calls, 1);
  ck_assert_ptr_nonnull(strstr(record.last, "virtual"));
  ck_assert_ptr_nonnull(strstr(record.last, "chained"));
  ck_assert_ptr_nonnull(samrena_push(arena, 1000));
  samrena_destroy(arena);

  config.flags = SAMRENA_FLAG_STRICT;
  record.calls = 0;
  ck_assert_ptr_null(samrena_create(&config));
#if SAMRENA_ENABLE_VIRTUAL
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
#else
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_UNSUPPORTED_STRATEGY);
#endif
  ck_assert_int_eq(record.calls, 0);
  util_release_holders(holders, held);
}
END_TEST

START_TEST(test_default_falls_back_silently) {
  LogRecord record = {0};
  Samrena *holders[UTIL_MAX_HOLDERS];
  int held = util_exhaust_address_space(holders);
  SamrenaConfig config = virtual_config(&record);
  config.strategy = SAMRENA_STRATEGY_DEFAULT;
  config.max_reserve = UTIL_LARGEST_RESERVE;
  Samrena *arena = samrena_create(&config);
  ck_assert_ptr_nonnull(arena);
  ck_assert_int_eq(samrena_strategy(arena), SAMRENA_STRATEGY_CHAINED);
  ck_assert_int_eq(record.calls, 0);
  samrena_destroy(arena);

  /* STRICT concerns VIRTUAL only: DEFAULT promises no adapter. */
  config.flags = SAMRENA_FLAG_STRICT;
  arena = samrena_create(&config);
  ck_assert_ptr_nonnull(arena);
  ck_assert_int_eq(samrena_strategy(arena), SAMRENA_STRATEGY_CHAINED);
  ck_assert_int_eq(record.calls, 0);
  samrena_destroy(arena);
  util_release_holders(holders, held);
}
END_TEST

START_TEST(test_virtual_when_built_in) {
  LogRecord record = {0};
  SamrenaConfig config = virtual_config(&record);
  Samrena *arena = samrena_create(&config);
  ck_assert_ptr_nonnull(arena);
#if SAMRENA_ENABLE_VIRTUAL
  ck_assert_int_eq(samrena_strategy(arena), SAMRENA_STRATEGY_VIRTUAL);
  ck_assert_int_eq(record.calls, 0);
#else
  /* --disable-virtual: one warning, a chained arena; STRICT refuses. */
  ck_assert_int_eq(samrena_strategy(arena), SAMRENA_STRATEGY_CHAINED);
  ck_assert_int_eq(record.calls, 1);
  ck_assert_ptr_nonnull(strstr(record.last, "not available"));
  config.flags |= SAMRENA_FLAG_STRICT;
  ck_assert_ptr_null(samrena_create(&config));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_UNSUPPORTED_STRATEGY);
  ck_assert_int_eq(record.calls, 1);
#endif
  samrena_destroy(arena);
}
END_TEST

#ifdef HAVE_PTHREAD
static void *fail_in_thread(void *unused) {
  (void)unused;
  ck_assert_ptr_null(samrena_push(NULL, 1));
  static SamrenaError seen;
  seen = samrena_last_error();
  return &seen;
}

START_TEST(test_last_error_is_per_thread) {
  ck_assert_ptr_null(samrena_allocate(0));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_SIZE);
  pthread_t thread;
  ck_assert_int_eq(pthread_create(&thread, NULL, fail_in_thread, NULL), 0);
  void *result;
  ck_assert_int_eq(pthread_join(thread, &result), 0);
  ck_assert_int_eq(*(SamrenaError *)result, SAMRENA_ERROR_NULL_POINTER);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_SIZE);
}
END_TEST
#endif

START_TEST(test_success_does_not_clear_error) {
  ck_assert_ptr_null(samrena_allocate(0));
  Samrena *arena = samrena_allocate(1);
  ck_assert_ptr_nonnull(arena);
  ck_assert_ptr_nonnull(samrena_push(arena, 8));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_SIZE);
  samrena_destroy(arena);
}
END_TEST

Suite *make_api_suite(void) {
  Suite *suite = suite_create("api");
  TCase *tc = util_tcase("errors");
  tcase_add_test(tc, test_version_is_package_version);
  tcase_add_test(tc, test_error_strings_distinct_and_total);
  tcase_add_test(tc, test_success_does_not_clear_error);
#ifdef HAVE_PTHREAD
  tcase_add_test(tc, test_last_error_is_per_thread);
#endif
  suite_add_tcase(suite, tc);

  tc = util_tcase("creation");
  tcase_add_test(tc, test_default_config_values);
  tcase_add_test(tc, test_create_null_config_is_default);
  tcase_add_test(tc, test_allocate);
  tcase_add_test(tc, test_destroy_null_is_noop);
  tcase_add_test(tc, test_create_rejects_bad_config);
  suite_add_tcase(suite, tc);

  tc = util_tcase("strategy");
  tcase_add_test(tc, test_strategy_names);
  tcase_add_test(tc, test_strategy_available);
  tcase_add_test(tc, test_strategy_of_null);
  tcase_add_test(tc, test_chained_always_chained);
  tcase_add_test(tc, test_virtual_falls_back_when_reservation_fails);
  tcase_add_test(tc, test_default_falls_back_silently);
  tcase_add_test(tc, test_virtual_when_built_in);
  suite_add_tcase(suite, tc);
  return suite;
}
