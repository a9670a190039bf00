/* check_diag.c -- names, samrena_report and samrena_set_limit. */
#include "check_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STRATEGY (util_strategies[_i])

/* ------------------------------------------------------------------ names */

START_TEST(test_names) {
  Samrena *arena = util_arena(STRATEGY, 1);
  ck_assert_str_eq(samrena_name(arena), "");
  char name[] = "parser";
  ck_assert_int_eq(samrena_set_name(arena, name), SAMRENA_OK);
  name[0] = 'P'; /* the arena keeps a copy */
  ck_assert_str_eq(samrena_name(arena), "parser");
  ck_assert_int_eq(samrena_set_name(arena, "lexer tokens"), SAMRENA_OK);
  ck_assert_str_eq(samrena_name(arena), "lexer tokens");
  ck_assert_int_eq(samrena_set_name(arena, ""), SAMRENA_OK);
  ck_assert_str_eq(samrena_name(arena), "");
  ck_assert_int_eq(samrena_set_name(arena, "again"), SAMRENA_OK);
  ck_assert_int_eq(samrena_set_name(arena, NULL), SAMRENA_OK);
  ck_assert_str_eq(samrena_name(arena), "");
  ck_assert_int_eq(samrena_set_name(arena, "kept to the end"), SAMRENA_OK);
  samrena_destroy(arena); /* frees the name: the leak checkers see it */

  ck_assert_int_eq(samrena_set_name(NULL, "x"), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_str_eq(samrena_name(NULL), "");
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
}
END_TEST

START_TEST(test_scratch_and_concurrent_names) {
  SamrenaScratch scratch = samrena_scratch_begin(NULL, 0);
  ck_assert_ptr_nonnull(scratch.arena);
  ck_assert_str_eq(samrena_name(scratch.arena), "scratch");
  samrena_scratch_end(scratch);

  SamrenaConfig config = samrena_default_config();
  config.strategy = STRATEGY;
  config.flags = SAMRENA_FLAG_CONCURRENT;
  Samrena *arena = util_arena_config(config);
  ck_assert_int_eq(samrena_set_name(arena, "shared"), SAMRENA_OK);
  ck_assert_str_eq(samrena_name(arena), "shared");
  samrena_destroy(arena);
}
END_TEST

/* ----------------------------------------------------------------- report */

typedef struct {
  char name[256];
  char strategy[32];
  uint64_t figures[6]; /* allocated committed reserved peak blocks wasted */
} ReportLine;

typedef struct {
  ReportLine *lines;
  int count;
  ReportLine total;
  bool has_total, has_header;
} Report;

/* samrena_report's output, parsed: every line has exactly 8 fields. */
static Report read_report(void) {
  FILE *out = tmpfile();
  ck_assert_ptr_nonnull(out);
  ck_assert_int_eq(samrena_report(out), SAMRENA_OK);
  rewind(out);
  Report report = {NULL, 0, {"", "", {0}}, false, false};
  char text[1024];
  while (fgets(text, sizeof text, out) != NULL) {
    if (strncmp(text, "# name", 6) == 0) {
      ck_assert_msg(report.count == 0 && !report.has_header, "the header comes first, once");
      report.has_header = true;
      continue;
    }
    ReportLine line;
    unsigned long long f[6];
    char rest[8] = "";
    int fields = sscanf(text, "%255s %31s %llu %llu %llu %llu %llu %llu %7s", line.name,
                        line.strategy, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], rest);
    ck_assert_msg(fields == 8, "not 8 fields: %s", text);
    for (int i = 0; i < 6; i++)
      line.figures[i] = f[i];
    if (strcmp(line.name, "#total") == 0) {
      ck_assert_msg(!report.has_total, "one total");
      report.total = line;
      report.has_total = true;
      continue;
    }
    ck_assert_msg(!report.has_total, "the total comes last");
    ck_assert_msg(line.name[0] != '#', "an arena line reads as a comment: %s", text);
    report.lines = realloc(report.lines, (size_t)(report.count + 1) * sizeof *report.lines);
    ck_assert_ptr_nonnull(report.lines);
    report.lines[report.count++] = line;
  }
  fclose(out);
  ck_assert(report.has_header && report.has_total);
  return report;
}

static int lines_named(const Report *report, const char *name, const ReportLine **found) {
  int count = 0;
  for (int i = 0; i < report->count; i++)
    if (strcmp(report->lines[i].name, name) == 0) {
      count++;
      *found = &report->lines[i];
    }
  return count;
}

static void assert_line_is(const Report *report, const char *name, Samrena *arena) {
  const ReportLine *line = NULL;
  ck_assert_msg(lines_named(report, name, &line) == 1, "%s: not listed once", name);
  SamrenaStats stats = util_stats(arena);
  ck_assert_str_eq(line->strategy, samrena_strategy_name(samrena_strategy(arena)));
  ck_assert_uint_eq(line->figures[0], stats.allocated);
  ck_assert_uint_eq(line->figures[1], stats.committed);
  ck_assert_uint_eq(line->figures[2], stats.reserved);
  ck_assert_uint_eq(line->figures[3], stats.peak_allocated);
  ck_assert_uint_eq(line->figures[4], stats.blocks);
  ck_assert_uint_eq(line->figures[5], stats.wasted);
}

/* Every live arena once, with samrena_stats' figures; the total is the
 * count of lines and the sum of each column; a destroyed arena is gone. */
START_TEST(test_report_lists_live_arenas) {
  Samrena *parser = util_arena(STRATEGY, 1);
  Samrena *spaced = util_arena(STRATEGY, 2);
  Samrena *unnamed = util_arena(STRATEGY, 1);
  Samrena *gone = util_arena(STRATEGY, 1);
  ck_assert_int_eq(samrena_set_name(parser, "report-parser"), SAMRENA_OK);
  ck_assert_int_eq(samrena_set_name(spaced, "#report tokens\tand\nmore"), SAMRENA_OK);
  ck_assert_int_eq(samrena_set_name(gone, "report-gone"), SAMRENA_OK);
  for (int i = 0; i < 1000; i++)
    ck_assert_ptr_nonnull(samrena_push(parser, 1 + (uint64_t)i % 300));
  ck_assert_ptr_nonnull(samrena_push(spaced, 3 * MiB));
  samrena_reset(spaced);
  ck_assert_ptr_nonnull(samrena_push(spaced, 100));
  samrena_destroy(gone);

  Report report = read_report();
  assert_line_is(&report, "report-parser", parser);
  assert_line_is(&report, "_report_tokens_and_more", spaced);
  const ReportLine *line;
  ck_assert_int_eq(lines_named(&report, "report-gone", &line), 0);
  ck_assert_int_ge(lines_named(&report, "-", &line), 1); /* unnamed, among others perhaps */

  uint64_t arenas = strtoull(report.total.strategy, NULL, 10);
  ck_assert_uint_eq(arenas, (uint64_t)report.count);
  for (int column = 0; column < 6; column++) {
    uint64_t sum = 0;
    for (int i = 0; i < report.count; i++)
      sum += report.lines[i].figures[column];
    ck_assert_uint_eq(report.total.figures[column], sum);
  }
  int before = report.count;
  free(report.lines);

  samrena_destroy(parser);
  samrena_destroy(spaced);
  samrena_destroy(unnamed);
  report = read_report();
  ck_assert_int_eq(report.count, before - 3);
  ck_assert_int_eq(lines_named(&report, "report-parser", &line), 0);
  free(report.lines);
}
END_TEST

START_TEST(test_report_errors) {
  ck_assert_int_eq(samrena_report(NULL), SAMRENA_ERROR_NULL_POINTER);
#ifndef _WIN32
  /* A stream that refuses every write. */
  FILE *full = fopen("/dev/full", "w");
  if (full != NULL) {
    ck_assert_int_eq(samrena_report(full), SAMRENA_ERROR_PLATFORM);
    fclose(full);
  }
#endif
}
END_TEST

/* A report to a stream whose every write creates and destroys arenas:
 * no lock is held while the report writes, or one of those creates would
 * wait for the report, which waits for the write (the test's timeout).
 * The stream is unbuffered, so each line is a write of its own. */
#ifdef HAVE_FOPENCOOKIE
typedef struct {
  char text[1 << 16];
  size_t length;
  bool failed;
} ArenaMakingStream;

static ssize_t making_write(void *cookie, const char *bytes, size_t size) {
  ArenaMakingStream *stream = cookie;
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_CHAINED; /* in every build, light on 32-bit address space */
  for (int i = 0; i < 64; i++) { /* handles spread over every part of the list */
    Samrena *arena = samrena_create(&config);
    stream->failed |= arena == NULL;
    samrena_destroy(arena);
  }
  size_t room = sizeof stream->text - 1 - stream->length;
  size_t kept = size < room ? size : room;
  memcpy(stream->text + stream->length, bytes, kept);
  stream->length += kept;
  stream->text[stream->length] = '\0';
  return (ssize_t)size;
}

START_TEST(test_report_to_a_stream_that_makes_arenas) {
  enum { LIVE = 24 };
  Samrena *arenas[LIVE];
  for (int i = 0; i < LIVE; i++) {
    arenas[i] = util_arena(SAMRENA_STRATEGY_CHAINED, 1);
    ck_assert_int_eq(samrena_set_name(arenas[i], "live"), SAMRENA_OK);
  }
  static ArenaMakingStream stream;
  stream.length = 0;
  stream.failed = false;
  cookie_io_functions_t io = {NULL, making_write, NULL, NULL};
  FILE *out = fopencookie(&stream, "w", io);
  ck_assert_ptr_nonnull(out);
  ck_assert_int_eq(setvbuf(out, NULL, _IONBF, 0), 0);
  ck_assert_int_eq(samrena_report(out), SAMRENA_OK);
  fclose(out);
  ck_assert(!stream.failed);
  /* Every live arena listed, the total counting them all. */
  int named = 0;
  for (const char *at = stream.text; (at = strstr(at, "\nlive ")) != NULL; at++)
    named++;
  ck_assert_int_eq(named, LIVE);
  const char *total = strstr(stream.text, "\n#total ");
  ck_assert_ptr_nonnull(total);
  char strategy[32];
  unsigned long long count = 0;
  ck_assert_int_eq(sscanf(total + 1, "#total %31s", strategy), 1);
  count = strtoull(strategy, NULL, 10);
  ck_assert_uint_ge(count, LIVE);
  for (int i = 0; i < LIVE; i++)
    samrena_destroy(arenas[i]);
}
END_TEST
#endif

/* Arenas made, named and destroyed in other threads while reports run
 * (none is pushed on meanwhile, as samrena_report(3) asks). */
#ifdef HAVE_PTHREAD
#include <pthread.h>
#include <stdatomic.h>

static atomic_bool report_stop;

static void *churn(void *arg) {
  SamrenaStrategy strategy = *(SamrenaStrategy *)arg;
  SamrenaConfig config = samrena_default_config();
  config.strategy = strategy;
  while (!atomic_load(&report_stop)) {
    Samrena *arena = samrena_create(&config);
    if (arena == NULL)
      return arg;
    samrena_set_name(arena, "churn"); /* no push: the report reads every arena */
    samrena_destroy(arena);
  }
  return NULL;
}

START_TEST(test_report_while_arenas_come_and_go) {
  SamrenaStrategy strategy = STRATEGY;
  if (!util_grows(strategy))
    return; /* the churn makes arenas of its own: not in one buffer */
  /* Valgrind runs one thread at a time, and how much of it the churning
   * ones leave the reports varies by minutes: this test is for native runs
   * and ThreadSanitizer (.ci/sanitizers runs this suite under it). */
  if (util_under_valgrind())
    return;
  int churners = 2, reports = 200;
  pthread_t threads[2];
  atomic_store(&report_stop, false);
  for (int t = 0; t < churners; t++)
    ck_assert_int_eq(pthread_create(&threads[t], NULL, churn, &strategy), 0);
  for (int i = 0; i < reports; i++) {
    Report report = read_report();
    ck_assert_uint_eq(strtoull(report.total.strategy, NULL, 10), (uint64_t)report.count);
    free(report.lines);
  }
  atomic_store(&report_stop, true);
  for (int t = 0; t < churners; t++) {
    void *failed;
    ck_assert_int_eq(pthread_join(threads[t], &failed), 0);
    ck_assert_ptr_null(failed);
  }
}
END_TEST
#endif

/* ------------------------------------------------------------------ limit */

/* Pushes of size until one fails; returns how many succeeded. */
static int push_until_refused(Samrena *arena, uint64_t size) {
  int pushed = 0;
  for (unsigned char *p; (p = samrena_push(arena, size)) != NULL; pushed++) {
    memset(p, 0x5a, (size_t)size);
    util_require(pushed < 1000000);
  }
  return pushed;
}

/* A budget stops growth at the limit with OUT_OF_MEMORY, the arena usable
 * and nothing changed; it is reported; lifting it lets the arena grow. */
START_TEST(test_limit_stops_growth) {
  if (!util_grows(STRATEGY))
    return; /* obtains nothing, so no budget bites: test_limit_on_a_buffer */
  SamrenaConfig config = samrena_default_config();
  config.strategy = STRATEGY;
  config.page_size = 4096;
  config.max_reserve = STRATEGY == SAMRENA_STRATEGY_VIRTUAL ? 64 * MiB : 0;
  Samrena *arena = util_arena_config(config);
  uint64_t limit = util_stats(arena).committed + 1 * MiB;
  ck_assert_int_eq(samrena_set_limit(arena, limit), SAMRENA_OK);
  ck_assert_uint_eq(util_stats(arena).limit, limit);

  int pushed = push_until_refused(arena, 1000);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
  SamrenaStats stats = util_stats(arena);
  ck_assert_uint_le(stats.committed, limit);
  /* The budget is used nearly to the end: less than a push and a block
   * header (chained) or a page (virtual) is left. */
  ck_assert_uint_gt(stats.committed + 4096 + 1000, limit);
  ck_assert_int_gt(pushed, 900);

  /* Refused, and nothing changed. */
  ck_assert_ptr_null(samrena_push(arena, 1000));
  ck_assert_uint_eq(samrena_allocated(arena), stats.allocated);
  ck_assert_int_eq(samrena_reserve(arena, stats.capacity + 2 * MiB), SAMRENA_ERROR_OUT_OF_MEMORY);
  ck_assert_uint_eq(samrena_capacity(arena), stats.capacity);
  ck_assert_uint_eq(util_stats(arena).committed, stats.committed);
  ck_assert(!samrena_can_allocate(arena, 2 * MiB));

  /* Usable: what it holds is pushed again after a reset. */
  samrena_reset(arena);
  ck_assert_int_eq(push_until_refused(arena, 1000), pushed);
  ck_assert_uint_eq(util_stats(arena).committed, stats.committed);

  /* No budget: it grows. */
  ck_assert_int_eq(samrena_set_limit(arena, 0), SAMRENA_OK);
  ck_assert_uint_eq(util_stats(arena).limit, 0);
  ck_assert(samrena_can_allocate(arena, 2 * MiB));
  ck_assert_ptr_nonnull(samrena_push(arena, 2 * MiB));
  ck_assert_uint_gt(util_stats(arena).committed, limit);
  samrena_destroy(arena);

  ck_assert_int_eq(samrena_set_limit(NULL, 1), SAMRENA_ERROR_NULL_POINTER);
}
END_TEST

/* A limit below what the arena holds keeps what it holds usable. */
START_TEST(test_limit_below_holding) {
  if (!util_grows(STRATEGY))
    return; /* obtains nothing, so no budget bites: test_limit_on_a_buffer */
  Samrena *arena = util_arena(STRATEGY, 2);
  SamrenaStats before = util_stats(arena);
  ck_assert_int_eq(samrena_set_limit(arena, 1), SAMRENA_OK);
  ck_assert_ptr_nonnull(samrena_push(arena, 1000));
  ck_assert_ptr_null(samrena_push(arena, 4 * MiB));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
  ck_assert_uint_eq(util_stats(arena).committed, before.committed);
  samrena_destroy(arena);
}
END_TEST

/* Near the budget a chained arena takes a smaller block than its growth
 * says, when one that holds the push fits. */
START_TEST(test_limit_smaller_last_block) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_CHAINED;
  config.page_size = 4096;
  config.growth_pages = 16; /* 64 KiB blocks */
  Samrena *arena = util_arena_config(config);
  ck_assert_ptr_nonnull(samrena_push(arena, 4096 - util_guard(arena))); /* the first block, full */
  uint64_t held = util_stats(arena).committed;
  ck_assert_int_eq(samrena_set_limit(arena, held + 16 * 1024), SAMRENA_OK);
  ck_assert(samrena_can_allocate(arena, 8 * 1024));
  unsigned char *p = samrena_push(arena, 8 * 1024);
  ck_assert_ptr_nonnull(p);
  memset(p, 1, 8 * 1024);
  SamrenaStats stats = util_stats(arena);
  ck_assert_uint_eq(stats.blocks, 2);
  ck_assert_uint_le(stats.committed, held + 16 * 1024);
  ck_assert(!samrena_can_allocate(arena, 32 * 1024));
  ck_assert_ptr_null(samrena_push(arena, 32 * 1024));
  samrena_destroy(arena);
}
END_TEST

/* The arena without a cap stops at its budget, not at a reservation. */
START_TEST(test_limit_on_default_and_concurrent) {
  if (!util_grows(STRATEGY))
    return; /* obtains nothing, so no budget bites: test_limit_on_a_buffer */
  Samrena *arena = samrena_create(NULL);
  ck_assert_ptr_nonnull(arena);
  uint64_t limit = util_stats(arena).committed + 4 * MiB;
  ck_assert_int_eq(samrena_set_limit(arena, limit), SAMRENA_OK);
  push_until_refused(arena, 64 * 1024);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
  ck_assert_uint_le(util_stats(arena).committed, limit);
  if (samrena_strategy(arena) == SAMRENA_STRATEGY_VIRTUAL)
    ck_assert_uint_eq(util_stats(arena).blocks, 1); /* no further reservation */
  samrena_destroy(arena);

  SamrenaConfig config = samrena_default_config();
  config.strategy = STRATEGY;
  config.flags = SAMRENA_FLAG_CONCURRENT;
  arena = util_arena_config(config);
  limit = util_stats(arena).committed + 2 * MiB;
  ck_assert_int_eq(samrena_set_limit(arena, limit), SAMRENA_OK);
  ck_assert_uint_eq(util_stats(arena).limit, limit);
  push_until_refused(arena, 100);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
  ck_assert_uint_le(util_stats(arena).committed, limit);
  samrena_destroy(arena);
}
END_TEST

/* A buffer arena obtains nothing: a budget never refuses what its buffer
 * holds, and stats report it. */
START_TEST(test_limit_on_a_buffer) {
  Samrena *arena = util_arena(SAMRENA_STRATEGY_BUFFER, 1);
  ck_assert_int_eq(samrena_set_limit(arena, 4096), SAMRENA_OK);
  ck_assert_uint_eq(util_stats(arena).limit, 4096);
  for (int i = 0; i < 100; i++)
    ck_assert_ptr_nonnull(samrena_push(arena, 1000));
  samrena_destroy(arena);
}
END_TEST

Suite *make_diag_suite(void) {
  Suite *suite = suite_create("diagnostics");
  TCase *tc = util_tcase("names and report");
  tcase_add_loop_test(tc, test_names, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_scratch_and_concurrent_names, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_report_lists_live_arenas, 0, util_strategy_count);
  tcase_add_test(tc, test_report_errors);
#ifdef HAVE_FOPENCOOKIE
  tcase_add_test(tc, test_report_to_a_stream_that_makes_arenas);
#endif
#ifdef HAVE_PTHREAD
  tcase_add_loop_test(tc, test_report_while_arenas_come_and_go, 0, util_strategy_count);
#endif
  suite_add_tcase(suite, tc);
  tc = util_tcase("limit");
  tcase_add_loop_test(tc, test_limit_stops_growth, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_limit_below_holding, 0, util_strategy_count);
  tcase_add_test(tc, test_limit_smaller_last_block);
  tcase_add_test(tc, test_limit_on_a_buffer);
  tcase_add_loop_test(tc, test_limit_on_default_and_concurrent, 0, util_strategy_count);
  suite_add_tcase(suite, tc);
  return suite;
}
