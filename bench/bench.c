/* bench.c -- `make bench`: samrena against malloc, its peers and an inline
 * bump pointer.  This is the driver: it starts every contender in a process
 * of its own (this program again, with --child, or bench/bench-jemalloc and
 * bench/bench-mimalloc), reads the timed samples from a pipe, and reports
 * median and best run, and each contender's cost relative to the inline
 * bump measured in the same invocation.  The contenders and workloads are
 * in runner.c and workloads.h; bench/README describes the method.
 */
#include <config.h>

#include "bench.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <samrena.h>

#ifndef BENCH_BUILDDIR
#define BENCH_BUILDDIR "."
#endif

#define MAX_SAMPLES 100
#define MAX_THREAD_COUNTS 8
#define MAX_RESULTS (BENCH_WORKLOAD_COUNT * 24 + 8 * MAX_THREAD_COUNTS)

/* ---------------------------------------------------------------- workloads */

typedef enum {
  KIND_NS_PER_COUNT, /* seconds per params.count, in ns */
  KIND_GIBS,         /* params.bytes per second, in GiB/s */
  KIND_MS,           /* seconds, in ms */
  KIND_BYTES,        /* extra = bytes per object */
  KIND_RATE          /* params.count * params.threads per second, in millions */
} MetricKind;

/* What a sample's extra (and extra2) hold. */
typedef enum {
  EXTRA_NONE,
  EXTRA_MOVES,    /* times the pointer moved */
  EXTRA_OVERHEAD, /* extra is the value: bytes per object */
  EXTRA_RELEASE,  /* seconds of the release after the timed part */
  EXTRA_BLOCKS,   /* blocks obtained (malloc calls); extra2: bytes committed */
  EXTRA_SCALING   /* none from the child: the driver's ratio to 1 thread */
} ExtraKind;

typedef struct {
  BenchWorkload id;
  const char *unit;
  MetricKind kind;
  bool fresh; /* a new process for every run */
  ExtraKind extra;
} WorkloadInfo;

static const WorkloadInfo workloads[BENCH_WORKLOAD_COUNT] = {
    {BENCH_SMALL, "ns/alloc", KIND_NS_PER_COUNT, false, EXTRA_NONE},
    {BENCH_MIXED, "ns/alloc", KIND_NS_PER_COUNT, false, EXTRA_NONE},
    {BENCH_FILL, "GiB/s", KIND_GIBS, true, EXTRA_NONE},
    {BENCH_ZEROED_FRESH, "GiB/s", KIND_GIBS, true, EXTRA_NONE},
    {BENCH_ZEROED_REUSED, "GiB/s", KIND_GIBS, false, EXTRA_NONE},
    {BENCH_GROW, "ms", KIND_MS, true, EXTRA_MOVES},
    {BENCH_RSS, "B/object", KIND_BYTES, true, EXTRA_OVERHEAD},
    {BENCH_LIFECYCLE, "ns/cycle", KIND_NS_PER_COUNT, false, EXTRA_NONE},
    {BENCH_VECTOR, "ms", KIND_MS, true, EXTRA_MOVES},
    {BENCH_BINARY_TREES, "ms", KIND_MS, true, EXTRA_NONE},
    {BENCH_PARSE_COLD, "ms", KIND_MS, true, EXTRA_RELEASE},
    {BENCH_PARSE_WARM, "ms", KIND_MS, false, EXTRA_RELEASE},
    {BENCH_GROWTH_POLICY, "ms", KIND_MS, true, EXTRA_BLOCKS},
    {BENCH_CONCURRENT, "Mpush/s", KIND_RATE, false, EXTRA_SCALING},
    {BENCH_STRINGS, "ms", KIND_MS, true, EXTRA_NONE},
};

typedef struct {
  uint64_t small_count, mixed_count, cycle, mixed_cycle;
  uint64_t fill_bytes, zeroed_bytes, grow_bytes;
  uint64_t rss_count, life_count;
  uint64_t callgrind_count;
  uint64_t vector_count, strings_bytes;
  uint64_t tree_depth, parse_bytes, growth_bytes;
  uint64_t concurrent_count, concurrent_cycle;
  /* What bench --callgrind runs instead of the sizes above (small and
   * mixed: callgrind_count). */
  uint64_t callgrind_life_count, callgrind_tree_depth, callgrind_parse_bytes;
  uint64_t callgrind_growth_bytes, callgrind_concurrent_count;
} Sizes;

/* The default run takes a minute or so on two cores; --full takes the
 * sizes of the issues that asked for these workloads.  mixed resets every
 * 10 k allocations, about 2.7 MB, near small's 3.2 MB: with 100 k (27 MB)
 * the caches take several cycles to settle and a short run measures that.
 * concurrent resets every 50 k pushes per thread (1.6 MB each), so the
 * threads' working sets stay in the caches and it measures the pushes,
 * not the memory bus. */
static const Sizes default_sizes = {
    .small_count = UINT64_C(1000000), .mixed_count = UINT64_C(100000),
    .cycle = UINT64_C(100000), .mixed_cycle = UINT64_C(10000),
    .fill_bytes = UINT64_C(16) << 20, .zeroed_bytes = UINT64_C(8) << 20,
    .grow_bytes = UINT64_C(8) << 20, .rss_count = UINT64_C(250000),
    .life_count = UINT64_C(100000), .callgrind_count = UINT64_C(1000000),
    .vector_count = UINT64_C(1000000), .strings_bytes = UINT64_C(32) << 20,
    .tree_depth = 16, .parse_bytes = UINT64_C(40) << 20,
    .growth_bytes = UINT64_C(256) << 20, .concurrent_count = UINT64_C(5000000),
    .concurrent_cycle = UINT64_C(50000), .callgrind_life_count = UINT64_C(100000),
    .callgrind_tree_depth = 14, .callgrind_parse_bytes = UINT64_C(8) << 20,
    .callgrind_growth_bytes = UINT64_C(32) << 20,
    .callgrind_concurrent_count = UINT64_C(500000)};
static const Sizes full_sizes = {
    .small_count = UINT64_C(10000000), .mixed_count = UINT64_C(10000000),
    .cycle = UINT64_C(100000), .mixed_cycle = UINT64_C(10000),
    .fill_bytes = UINT64_C(1) << 30, .zeroed_bytes = UINT64_C(512) << 20,
    .grow_bytes = UINT64_C(64) << 20, .rss_count = UINT64_C(10000000),
    .life_count = UINT64_C(1000000), .callgrind_count = UINT64_C(10000000),
    .vector_count = UINT64_C(10000000), .strings_bytes = UINT64_C(256) << 20,
    .tree_depth = 21, .parse_bytes = UINT64_C(240) << 20,
    .growth_bytes = UINT64_C(1) << 30, .concurrent_count = UINT64_C(50000000),
    .concurrent_cycle = UINT64_C(50000), .callgrind_life_count = UINT64_C(1000000),
    .callgrind_tree_depth = 18, .callgrind_parse_bytes = UINT64_C(40) << 20,
    .callgrind_growth_bytes = UINT64_C(256) << 20,
    .callgrind_concurrent_count = UINT64_C(2000000)};

/* The sizes bench --callgrind runs: the timed ones, some made smaller
 * (callgrind runs 50 to 100 times slower). */
static Sizes callgrind_sizes(const Sizes *sizes) {
  Sizes c = *sizes;
  c.small_count = c.mixed_count = sizes->callgrind_count;
  c.life_count = sizes->callgrind_life_count;
  c.tree_depth = sizes->callgrind_tree_depth;
  c.parse_bytes = sizes->callgrind_parse_bytes;
  c.growth_bytes = sizes->callgrind_growth_bytes;
  c.concurrent_count = sizes->callgrind_concurrent_count;
  return c;
}

static BenchParams params_for(const Sizes *sizes, BenchWorkload w) {
  BenchParams p = {1, BENCH_BLOCK, sizes->cycle, 1};
  switch (w) {
  case BENCH_SMALL:
    p.count = sizes->small_count;
    break;
  case BENCH_MIXED:
    p.count = sizes->mixed_count;
    p.cycle = sizes->mixed_cycle;
    break;
  case BENCH_FILL:
    p.bytes = sizes->fill_bytes;
    break;
  case BENCH_ZEROED_FRESH:
  case BENCH_ZEROED_REUSED:
    p.bytes = sizes->zeroed_bytes;
    break;
  case BENCH_GROW:
    p.bytes = sizes->grow_bytes;
    break;
  case BENCH_RSS:
    p.count = sizes->rss_count;
    break;
  case BENCH_LIFECYCLE:
    p.count = sizes->life_count;
    break;
  case BENCH_VECTOR:
    p.count = sizes->vector_count;
    break;
  case BENCH_STRINGS:
    p.bytes = sizes->strings_bytes;
    break;
  case BENCH_BINARY_TREES:
    p.count = sizes->tree_depth;
    break;
  case BENCH_PARSE_COLD:
  case BENCH_PARSE_WARM:
    p.bytes = sizes->parse_bytes;
    break;
  case BENCH_GROWTH_POLICY:
    p.bytes = sizes->growth_bytes;
    break;
  case BENCH_CONCURRENT:
    p.count = sizes->concurrent_count;
    p.cycle = sizes->concurrent_cycle;
    break;
  case BENCH_WORKLOAD_COUNT:
    break;
  }
  return p;
}

/* "2 M", "100 k", "64 MiB": sizes as the table shows them. */
static const char *human_count(uint64_t n, char *buf, size_t len) {
  if (n >= 1000000 && n % 1000000 == 0)
    snprintf(buf, len, "%" PRIu64 " M", n / 1000000);
  else if (n >= 1000 && n % 1000 == 0)
    snprintf(buf, len, "%" PRIu64 " k", n / 1000);
  else
    snprintf(buf, len, "%" PRIu64, n);
  return buf;
}

static const char *human_bytes(uint64_t n, char *buf, size_t len) {
  if (n >= (UINT64_C(1) << 30) && n % (UINT64_C(1) << 30) == 0)
    snprintf(buf, len, "%" PRIu64 " GiB", n >> 30);
  else if (n >= (UINT64_C(1) << 20) && n % (UINT64_C(1) << 20) == 0)
    snprintf(buf, len, "%" PRIu64 " MiB", n >> 20);
  else if (n >= 1024 && n % 1024 == 0)
    snprintf(buf, len, "%" PRIu64 " KiB", n >> 10);
  else
    snprintf(buf, len, "%" PRIu64 " B", n);
  return buf;
}

/* What one workload measured, in words, for the table, CSV and JSON. */
static void describe(BenchWorkload w, const BenchParams *p, char *out, size_t len) {
  char a[32], b[32];
  switch (w) {
  case BENCH_SMALL:
    snprintf(out, len, "%s allocations of %u B, reset (malloc: free all) every %s",
             human_count(p->count, a, sizeof a), BENCH_SMALL_SIZE,
             human_count(p->cycle, b, sizeof b));
    break;
  case BENCH_MIXED:
    snprintf(out, len, "%s allocations of %u-%u B (uniform), alignment %u, reset every %s",
             human_count(p->count, a, sizeof a), BENCH_MIXED_MIN, BENCH_MIXED_MAX,
             BENCH_MIXED_ALIGN, human_count(p->cycle, b, sizeof b));
    break;
  case BENCH_FILL:
    snprintf(out, len, "%s in 64 KiB allocations, every byte written; fresh process per run",
             human_bytes(p->bytes, a, sizeof a));
    break;
  case BENCH_ZEROED_FRESH:
    snprintf(out, len,
             "%s in zeroed 64 KiB allocations (push_zero, calloc, ...), one write per 4 KiB; "
             "fresh process per run",
             human_bytes(p->bytes, a, sizeof a));
    break;
  case BENCH_ZEROED_REUSED:
    snprintf(out, len,
             "%s in zeroed 64 KiB allocations, one write per 4 KiB, after an untimed pass "
             "and a reset of the same context",
             human_bytes(p->bytes, a, sizeof a));
    break;
  case BENCH_GROW:
    snprintf(out, len,
             "one array doubled from %u B to %s by resize/realloc, each new half written; "
             "moves = times the pointer changed; fresh process per run",
             BENCH_GROW_START, human_bytes(p->bytes, a, sizeof a));
    break;
  case BENCH_RSS:
    snprintf(out, len,
             "%s objects of %u B (alignment %u), resident bytes per object from "
             "/proc/self/statm; fresh process per run",
             human_count(p->count, a, sizeof a), BENCH_RSS_SIZE, BENCH_RSS_ALIGN);
    break;
  case BENCH_LIFECYCLE:
    snprintf(out, len, "%s x (create, %u allocations of %u B, destroy)",
             human_count(p->count, a, sizeof a), BENCH_LIFE_PUSHES, BENCH_LIFE_SIZE);
    break;
  case BENCH_VECTOR:
    snprintf(out, len,
             "%s ints pushed one by one into a vector that starts with room for %u; "
             "moves = times its data pointer changed; fresh process per run",
             human_count(p->count, a, sizeof a), BENCH_VECTOR_START);
    break;
  case BENCH_BINARY_TREES:
    snprintf(out, len,
             "the Benchmarks Game's binary-trees at depth %" PRIu64 ": %s nodes of 16 B built "
             "and counted, a context per tree depth, reset between trees (malloc: freed node "
             "by node); fresh process per run",
             p->count, human_count(bench_tree_nodes((unsigned)p->count), a, sizeof a));
    break;
  case BENCH_PARSE_COLD:
  case BENCH_PARSE_WARM:
    snprintf(out, len,
             "a JSON-like document parsed into a DOM, %s of payload: strings copied, arrays and "
             "objects grown from %u by doubling (resize/realloc); %s; release = the reset or "
             "free-everything after",
             human_bytes(p->bytes, a, sizeof a), BENCH_PARSE_START,
             w == BENCH_PARSE_COLD ? "first use, fresh process per run"
                                   : "after one parse and release in the same context");
    break;
  case BENCH_GROWTH_POLICY:
    snprintf(out, len,
             "%s of pushes of 8-512 B into one context, never reset, one word written in "
             "each; blocks = blocks obtained (malloc calls); fresh process per run",
             human_bytes(p->bytes, a, sizeof a));
    break;
  case BENCH_CONCURRENT:
    snprintf(out, len,
             "%s pushes of %u B per thread, one word written in each, released every %s per "
             "thread with all threads in step; throughput of all threads together",
             human_count(p->count, a, sizeof a), BENCH_CONCURRENT_SIZE,
             human_count(p->cycle, b, sizeof b));
    break;
  case BENCH_STRINGS:
    snprintf(out, len,
             "%s of text appended %u bytes at a time to one string builder, which starts "
             "empty; fresh process per run",
             human_bytes(p->bytes, a, sizeof a), BENCH_STRING_PIECE);
    break;
  case BENCH_WORKLOAD_COUNT:
    out[0] = '\0';
    break;
  }
}

/* ------------------------------------------------------------------ results */

typedef enum { STATUS_OK, STATUS_FAILED, STATUS_SKIPPED } Status;

typedef struct {
  BenchWorkload workload;
  const BenchContender *contender;
  unsigned threads; /* concurrent: threads of this measurement; 1 elsewhere */
  Status status;
  char note[96];
  char version[64];
  size_t n;
  double value[MAX_SAMPLES]; /* in the workload's unit */
  double extra[MAX_SAMPLES];
  double extra2[MAX_SAMPLES];
  size_t processes;           /* the kept processes' peaks */
  double peak[MAX_SAMPLES];   /* bytes */
  double median, best, extra_median, extra2_median, peak_median;
  double ratio; /* cost relative to the bump of the same invocation; NAN if none */
  double scaling; /* concurrent: throughput relative to 1 thread's; NAN if none */
} Result;

static Result results[MAX_RESULTS];
static size_t result_count;

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median_of(const double *values, size_t n) {
  double sorted[MAX_SAMPLES];
  if (n == 0)
    return NAN;
  memcpy(sorted, values, n * sizeof *values);
  qsort(sorted, n, sizeof *sorted, compare_doubles);
  return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

static bool higher_is_better(BenchWorkload w) {
  return workloads[w].kind == KIND_GIBS || workloads[w].kind == KIND_RATE;
}

/* A cost, where lower is better: time, or bytes. */
static double cost_of(BenchWorkload w, double value) {
  return higher_is_better(w) ? 1.0 / value : value;
}

static void summarize(Result *r, const Result *bump) {
  r->median = median_of(r->value, r->n);
  r->extra_median = median_of(r->extra, r->n);
  r->extra2_median = median_of(r->extra2, r->n);
  r->peak_median = median_of(r->peak, r->processes);
  r->best = r->value[0];
  for (size_t i = 1; i < r->n; i++)
    if (higher_is_better(r->workload) ? r->value[i] > r->best : r->value[i] < r->best)
      r->best = r->value[i];
  r->ratio = NAN;
  if (bump != NULL && bump->status == STATUS_OK && bump->median > 0 && r->median > 0)
    r->ratio = cost_of(r->workload, r->median) / cost_of(r->workload, bump->median);
}

/* The measured result of that workload, contender and thread count, or
 * NULL if there is none (not run, failed or skipped). */
static const Result *find_result(BenchWorkload w, const char *contender, unsigned threads) {
  for (size_t i = 0; i < result_count; i++) {
    const Result *r = &results[i];
    if (r->workload == w && r->threads == threads && r->status == STATUS_OK &&
        strcmp(r->contender->name, contender) == 0)
      return r;
  }
  return NULL;
}

/* concurrent: throughput relative to the same contender's at 1 thread. */
static void note_scaling(Result *r) {
  r->scaling = NAN;
  if (workloads[r->workload].extra != EXTRA_SCALING || r->status != STATUS_OK)
    return;
  const Result *one = find_result(r->workload, r->contender->name, 1);
  if (one != NULL && one->median > 0)
    r->scaling = r->median / one->median;
}

/* ---------------------------------------------------------------- processes */

static char self_path[4096];

static void find_self(const char *argv0) {
  ssize_t n = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
  if (n > 0) {
    self_path[n] = '\0';
  } else {
    snprintf(self_path, sizeof self_path, "%s", argv0);
  }
}

/* The program that runs a contender, or NULL if it was not built. */
static const char *program_for(const BenchContender *c, char *buf, size_t len) {
  const char *name;
  switch (c->variant) {
  case BENCH_VARIANT_JEMALLOC:
    name = "bench-jemalloc";
    break;
  case BENCH_VARIANT_MIMALLOC:
    name = "bench-mimalloc";
    break;
  default:
    return self_path;
  }
  snprintf(buf, len, "%s/bench/%s", BENCH_BUILDDIR, name);
  return access(buf, X_OK) == 0 ? buf : NULL;
}

/* Whether an executable of that name is on PATH. */
static bool on_path(const char *name) {
  const char *path = getenv("PATH");
  if (path == NULL)
    return false;
  while (*path != '\0') {
    size_t len = strcspn(path, ":");
    char candidate[4096];
    if (len > 0 && len < sizeof candidate - strlen(name) - 2) {
      snprintf(candidate, sizeof candidate, "%.*s/%s", (int)len, path, name);
      if (access(candidate, X_OK) == 0)
        return true;
    }
    path += len;
    if (*path == ':')
      path++;
  }
  return false;
}

/* One line of a child's stdout: its version, a sample, its peak. */
static void read_child_line(char *line, Result *r) {
  double seconds, extra, extra2 = 0.0, peak;
  int fields;
  if (strncmp(line, "version ", 8) == 0) {
    line[strcspn(line, "\n")] = '\0';
    snprintf(r->version, sizeof r->version, "%.63s", line + 8);
  } else if ((fields = sscanf(line, "sample %lf %lf %lf", &seconds, &extra, &extra2)) >= 2 &&
             r->n < MAX_SAMPLES) {
    r->value[r->n] = seconds;
    r->extra[r->n] = extra;
    r->extra2[r->n] = fields == 3 ? extra2 : 0.0;
    r->n++;
  } else if (sscanf(line, "peak %lf", &peak) == 1 && r->processes < MAX_SAMPLES) {
    r->peak[r->processes++] = peak;
  }
}

/* Runs argv (argv[0] a path, or a name looked up on PATH when search),
 * feeding each line of its stdout to r.  Its stderr goes to ours, or
 * nowhere when quiet.  False if it did not exit 0. */
static bool run_process(char *const argv[], bool search, bool quiet, Result *r) {
  int fds[2];
  if (pipe(fds) != 0) {
    perror("bench: pipe");
    return false;
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    perror("bench: fork");
    close(fds[0]);
    close(fds[1]);
    return false;
  }
  if (pid == 0) {
    if (dup2(fds[1], STDOUT_FILENO) < 0)
      _exit(127);
    close(fds[0]);
    close(fds[1]);
    if (quiet && freopen("/dev/null", "w", stderr) == NULL)
      _exit(127);
    if (search)
      execvp(argv[0], argv);
    else
      execv(argv[0], argv);
    fprintf(stderr, "bench: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  FILE *in = fdopen(fds[0], "r");
  if (in == NULL) {
    close(fds[0]);
  } else {
    char line[256];
    while (fgets(line, sizeof line, in) != NULL)
      if (r != NULL)
        read_child_line(line, r);
    fclose(in);
  }
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

typedef struct {
  const Sizes *sizes;
  unsigned runs, warmup;
  unsigned threads[MAX_THREAD_COUNTS]; /* concurrent: the thread counts to measure */
  size_t thread_counts;
} Plan;

/* The child's numeric arguments for one workload at these sizes, as text. */
typedef struct {
  char count[24], bytes[24], cycle[24], threads[24], runs[24], warmup[24];
} ChildNumbers;

static void child_numbers(const BenchParams *p, unsigned runs, unsigned warmup,
                          ChildNumbers *out) {
  snprintf(out->count, sizeof out->count, "%" PRIu64, p->count);
  snprintf(out->bytes, sizeof out->bytes, "%" PRIu64, p->bytes);
  snprintf(out->cycle, sizeof out->cycle, "%" PRIu64, p->cycle);
  snprintf(out->threads, sizeof out->threads, "%" PRIu64, p->threads);
  snprintf(out->runs, sizeof out->runs, "%u", runs);
  snprintf(out->warmup, sizeof out->warmup, "%u", warmup);
}

/* Per-run values in the workload's unit, from the samples' seconds. */
static void convert_samples(BenchWorkload w, const BenchParams *p, Result *r) {
  for (size_t i = 0; i < r->n; i++) {
    double s = r->value[i];
    switch (workloads[w].kind) {
    case KIND_NS_PER_COUNT:
      r->value[i] = s * 1e9 / (double)p->count;
      break;
    case KIND_GIBS:
      r->value[i] = s > 0 ? (double)p->bytes / s / (double)(UINT64_C(1) << 30) : 0.0;
      break;
    case KIND_MS:
      r->value[i] = s * 1e3;
      break;
    case KIND_BYTES:
      r->value[i] = r->extra[i];
      break;
    case KIND_RATE:
      r->value[i] = s > 0 ? (double)p->count * (double)p->threads / s / 1e6 : 0.0;
      break;
    }
  }
}

/* One contender on one workload: a process doing the warm-up and the runs,
 * or for fresh-memory workloads, a process per run. */
static void measure(const Plan *plan, BenchWorkload w, unsigned threads, const BenchContender *c,
                    Result *r) {
  char program_buf[4200];
  memset(r, 0, sizeof *r);
  r->workload = w;
  r->contender = c;
  r->threads = threads;
  r->ratio = r->scaling = NAN;
  const char *program = program_for(c, program_buf, sizeof program_buf);
  if (program == NULL) {
    r->status = STATUS_SKIPPED;
    snprintf(r->note, sizeof r->note, "not built (make bench builds it)");
    return;
  }
  BenchParams p = params_for(plan->sizes, w);
  p.threads = threads;
  unsigned processes = workloads[w].fresh ? plan->warmup + plan->runs : 1;
  ChildNumbers n;
  child_numbers(&p, workloads[w].fresh ? 1u : plan->runs, workloads[w].fresh ? 0u : plan->warmup,
                &n);
  char *argv[] = {(char *)program, (char *)"--child", (char *)c->name,
                  (char *)bench_workload_name(w), (char *)"--count", n.count, (char *)"--bytes",
                  n.bytes, (char *)"--cycle", n.cycle, (char *)"--threads", n.threads,
                  (char *)"--runs", n.runs, (char *)"--warmup", n.warmup, NULL};
  for (unsigned i = 0; i < processes; i++) {
    bool warming = workloads[w].fresh && i < plan->warmup;
    size_t before = r->n, peaks_before = r->processes;
    if (!run_process(argv, false, false, r)) {
      r->status = STATUS_FAILED;
      snprintf(r->note, sizeof r->note, "failed (see the message above)");
      return;
    }
    if (warming) { /* a warm-up process: its sample and peak are not kept */
      r->n = before;
      r->processes = peaks_before;
    }
  }
  if (r->n == 0) {
    r->status = STATUS_FAILED;
    snprintf(r->note, sizeof r->note, "no samples");
    return;
  }
  convert_samples(w, &p, r);
  r->status = STATUS_OK;
}

/* ------------------------------------------------------------- the machine */

typedef struct {
  long cpus;
  char model[128];
  char kernel[200];
  char compiler[128];
  char load[96]; /* the load averages (1, 5, 15 minutes) at the start, and at the end */
} Machine;

/* The first three fields of /proc/loadavg, or "unknown". */
static void read_load(char *out, size_t len) {
  double one, five, fifteen;
  FILE *f = fopen("/proc/loadavg", "r");
  if (f != NULL && fscanf(f, "%lf %lf %lf", &one, &five, &fifteen) == 3)
    snprintf(out, len, "%.2f %.2f %.2f", one, five, fifteen);
  else
    snprintf(out, len, "unknown");
  if (f != NULL)
    fclose(f);
}

/* Adds the load averages at the end of the run to those at its start. */
static void note_final_load(Machine *m) {
  char now[32];
  read_load(now, sizeof now);
  size_t used = strlen(m->load);
  snprintf(m->load + used, sizeof m->load - used, " at the start, %s at the end", now);
}

static void describe_machine(Machine *m) {
  m->cpus = sysconf(_SC_NPROCESSORS_ONLN);
  read_load(m->load, sizeof m->load);
  snprintf(m->model, sizeof m->model, "unknown CPU");
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (f != NULL) {
    char line[256];
    while (fgets(line, sizeof line, f) != NULL) {
      if (strncmp(line, "model name", 10) == 0) {
        const char *colon = strchr(line, ':');
        if (colon != NULL) {
          colon++;
          while (*colon == ' ' || *colon == '\t')
            colon++;
          snprintf(m->model, sizeof m->model, "%s", colon);
          m->model[strcspn(m->model, "\n")] = '\0';
        }
        break;
      }
    }
    fclose(f);
  }
  struct utsname u;
  if (uname(&u) == 0)
    snprintf(m->kernel, sizeof m->kernel, "%s %s %s", u.sysname, u.release, u.machine);
  else
    snprintf(m->kernel, sizeof m->kernel, "unknown");
#if defined(__clang__)
  snprintf(m->compiler, sizeof m->compiler, "clang %s", __clang_version__);
#elif defined(__GNUC__)
  snprintf(m->compiler, sizeof m->compiler, "gcc %s", __VERSION__);
#else
  snprintf(m->compiler, sizeof m->compiler, "unknown compiler");
#endif
}

/* -------------------------------------------------------------------- goals */

/* A goal of the issues that asked for the workloads, checked against the
 * medians of this run: ratios within one invocation, as the "x bump". */
typedef struct {
  BenchWorkload workload;
  const char *contender;
  unsigned threads;
  const char *reference; /* another contender, or NULL: the same one at reference_threads */
  unsigned reference_threads;
  bool speedup;   /* true: reference cost / cost >= target; false: cost / reference <= target */
  double target;
  bool full_only; /* stated for the --full sizes */
  const char *what;
} Goal;

static const Goal goals[] = {
    {BENCH_BINARY_TREES, "samrena-default", 1, "apr", 1, false, 0.7, true,
     "binary-trees, default arena, inline push: time vs apr"},
    {BENCH_BINARY_TREES, "samrena-called", 1, "apr", 1, false, 0.7, true,
     "binary-trees, default arena, called push: time vs apr"},
    {BENCH_PARSE_COLD, "samrena-default", 1, "malloc", 1, false, 1.0, false,
     "parse-cold, default arena: time vs glibc malloc"},
    {BENCH_PARSE_WARM, "samrena-default", 1, "malloc", 1, true, 1.4, false,
     "parse-warm, default arena: speed-up over glibc malloc"},
    {BENCH_CONCURRENT, "samrena-concurrent", 2, NULL, 1, true, 1.7, false,
     "concurrent arena: throughput at 2 threads vs 1"},
    {BENCH_CONCURRENT, "samrena-concurrent", 2, "samrena-mutex", 2, true, 5.0, false,
     "concurrent arena vs one arena behind a mutex, 2 threads"},
    {BENCH_LIFECYCLE, "samrena-default", 1, "bump", 1, false, 3.0, false,
     "lifecycle, default arena: time vs bump"},
    {BENCH_LIFECYCLE, "samrena-virtual", 1, "bump", 1, false, 3.0, false,
     "lifecycle, virtual arena: time vs bump"},
    {BENCH_LIFECYCLE, "samrena-chained", 1, "bump", 1, false, 3.0, false,
     "lifecycle, chained arena: time vs bump"},
};
static const size_t goal_count = sizeof goals / sizeof goals[0];

typedef enum { GOAL_MET, GOAL_MISSED, GOAL_NOT_MEASURED } GoalStatus;

static GoalStatus check_goal(const Goal *g, double *ratio) {
  const Result *r = find_result(g->workload, g->contender, g->threads);
  const Result *ref = find_result(g->workload, g->reference != NULL ? g->reference : g->contender,
                                  g->reference_threads);
  *ratio = NAN;
  if (r == NULL || ref == NULL || !(r->median > 0) || !(ref->median > 0))
    return GOAL_NOT_MEASURED;
  double cost = cost_of(g->workload, r->median), reference = cost_of(g->workload, ref->median);
  *ratio = g->speedup ? reference / cost : cost / reference;
  return (g->speedup ? *ratio >= g->target : *ratio <= g->target) ? GOAL_MET : GOAL_MISSED;
}

static void print_goals(bool full, const char *load) {
  bool any = false;
  for (size_t i = 0; i < goal_count; i++) {
    double ratio;
    GoalStatus status = check_goal(&goals[i], &ratio);
    if (status == GOAL_NOT_MEASURED)
      continue;
    if (!any)
      printf("\ngoals (medians of this run; load average %s):\n", load);
    any = true;
    printf("  %-6s %-58s %6.2fx  (goal %s %.2fx)%s\n", status == GOAL_MET ? "met" : "MISSED",
           goals[i].what, ratio, goals[i].speedup ? ">=" : "<=", goals[i].target,
           goals[i].full_only && !full ? "  [stated for --full]" : "");
  }
}

/* ------------------------------------------------------------------- output */

#define MIB (1024.0 * 1024.0)

/* What a row says besides its time: the workload's extra figures. */
static void describe_extra(const Result *r, char *out, size_t len) {
  out[0] = '\0';
  switch (workloads[r->workload].extra) {
  case EXTRA_NONE:
    break;
  case EXTRA_MOVES:
    snprintf(out, len, "moves %.0f", r->extra_median);
    break;
  case EXTRA_OVERHEAD:
    snprintf(out, len, "overhead %+.1f%%", (r->median / BENCH_RSS_SIZE - 1.0) * 100.0);
    break;
  case EXTRA_RELEASE:
    snprintf(out, len, "release %.3f ms", r->extra_median * 1e3);
    break;
  case EXTRA_BLOCKS:
    snprintf(out, len, "blocks %.0f, committed %.1f MiB", r->extra_median,
             r->extra2_median / MIB);
    break;
  case EXTRA_SCALING:
    if (!isnan(r->scaling) && r->threads != 1)
      snprintf(out, len, "x%.2f of 1 thread", r->scaling);
    break;
  }
}

static void print_header(void) {
  printf("  %-20s %10s %10s  %-9s %8s %9s\n", "contender", "median", "best", "unit", "x bump",
         "peak MiB");
}

static void print_row(const Result *r) {
  const char *name = r->contender->name;
  if (r->status != STATUS_OK) {
    printf("  %-20s %s\n", name, r->note);
    return;
  }
  char ratio[16] = "", peak[16] = "", extra[64];
  if (!isnan(r->ratio))
    snprintf(ratio, sizeof ratio, "%.2f", r->ratio);
  if (!isnan(r->peak_median))
    snprintf(peak, sizeof peak, "%.1f", r->peak_median / MIB);
  describe_extra(r, extra, sizeof extra);
  printf("  %-20s %10.3f %10.3f  %-9s %8s %9s  %s\n", name, r->median, r->best,
         workloads[r->workload].unit, ratio, peak, extra);
}

static void print_csv_field(FILE *f, const char *text) {
  if (strpbrk(text, ",\"\n") == NULL) {
    fputs(text, f);
    return;
  }
  fputc('"', f);
  for (; *text != '\0'; text++) {
    if (*text == '"')
      fputc('"', f);
    fputc(*text, f);
  }
  fputc('"', f);
}

/* A number, or nothing when it does not apply. */
static void print_csv_number(FILE *f, bool applies, double x) {
  fputc(',', f);
  if (applies && !isnan(x))
    fprintf(f, "%.6g", x);
}

static const char *status_name(Status status) {
  return status == STATUS_OK ? "ok" : status == STATUS_FAILED ? "failed" : "skipped";
}

/* The columns of earlier versions come first, in their order. */
static bool write_csv(const char *path, const Plan *plan) {
  FILE *f = fopen(path, "w");
  if (f == NULL)
    return false;
  fprintf(f, "workload,measured,contender,version,status,runs,median,best,unit,ratio_to_bump,"
             "moves,overhead_percent,threads,release_ms,blocks,committed_bytes,"
             "ratio_to_1_thread,peak_rss_bytes\n");
  for (size_t i = 0; i < result_count; i++) {
    const Result *r = &results[i];
    BenchParams p = params_for(plan->sizes, r->workload);
    char what[256];
    describe(r->workload, &p, what, sizeof what);
    fprintf(f, "%s,", bench_workload_name(r->workload));
    print_csv_field(f, what);
    fprintf(f, ",%s,", r->contender->name);
    print_csv_field(f, r->version);
    fprintf(f, ",%s,%zu,", status_name(r->status), r->n);
    ExtraKind extra = workloads[r->workload].extra;
    if (r->status == STATUS_OK) {
      fprintf(f, "%.6g,%.6g,%s", r->median, r->best, workloads[r->workload].unit);
      print_csv_number(f, true, r->ratio);
      print_csv_number(f, extra == EXTRA_MOVES, r->extra_median);
      print_csv_number(f, extra == EXTRA_OVERHEAD, (r->median / BENCH_RSS_SIZE - 1.0) * 100.0);
      fprintf(f, ",%u", r->threads);
      print_csv_number(f, extra == EXTRA_RELEASE, r->extra_median * 1e3);
      print_csv_number(f, extra == EXTRA_BLOCKS, r->extra_median);
      print_csv_number(f, extra == EXTRA_BLOCKS, r->extra2_median);
      print_csv_number(f, extra == EXTRA_SCALING, r->scaling);
      print_csv_number(f, true, r->peak_median);
    } else {
      fprintf(f, ",,%s,,,,%u,,,,,,", workloads[r->workload].unit, r->threads);
    }
    fputc('\n', f);
  }
  return fclose(f) == 0;
}

static void print_json_string(FILE *f, const char *text) {
  fputc('"', f);
  for (; *text != '\0'; text++) {
    unsigned char ch = (unsigned char)*text;
    if (ch == '"' || ch == '\\')
      fprintf(f, "\\%c", ch);
    else if (ch < 0x20)
      fprintf(f, "\\u%04x", ch);
    else
      fputc(ch, f);
  }
  fputc('"', f);
}

static void print_json_number(FILE *f, double x) {
  if (isnan(x) || isinf(x))
    fputs("null", f);
  else
    fprintf(f, "%.6g", x);
}

/* ", "name": number */
static void print_json_field(FILE *f, const char *name, double x) {
  fprintf(f, ", \"%s\": ", name);
  print_json_number(f, x);
}

static void write_json_extras(FILE *f, const Result *r) {
  switch (workloads[r->workload].extra) {
  case EXTRA_NONE:
    break;
  case EXTRA_MOVES:
    fprintf(f, ", \"moves\": %.0f", r->extra_median);
    break;
  case EXTRA_OVERHEAD:
    print_json_field(f, "overhead_percent", (r->median / BENCH_RSS_SIZE - 1.0) * 100.0);
    break;
  case EXTRA_RELEASE:
    print_json_field(f, "release_ms", r->extra_median * 1e3);
    break;
  case EXTRA_BLOCKS:
    print_json_field(f, "blocks", r->extra_median);
    print_json_field(f, "committed_bytes", r->extra2_median);
    break;
  case EXTRA_SCALING:
    print_json_field(f, "ratio_to_1_thread", r->scaling);
    break;
  }
}

static void write_json_result(FILE *f, const Plan *plan, const Result *r) {
  BenchParams p = params_for(plan->sizes, r->workload);
  char what[256];
  describe(r->workload, &p, what, sizeof what);
  fprintf(f, "\n    {\"workload\": ");
  print_json_string(f, bench_workload_name(r->workload));
  fprintf(f, ", \"measured\": ");
  print_json_string(f, what);
  fprintf(f, ", \"contender\": ");
  print_json_string(f, r->contender->name);
  fprintf(f, ", \"calls\": ");
  print_json_string(f, r->contender->what);
  fprintf(f, ", \"version\": ");
  print_json_string(f, r->version);
  fprintf(f, ", \"threads\": %u, \"status\": \"%s\", \"unit\": ", r->threads,
          status_name(r->status));
  print_json_string(f, workloads[r->workload].unit);
  if (r->status == STATUS_OK) {
    print_json_field(f, "median", r->median);
    print_json_field(f, "best", r->best);
    print_json_field(f, "ratio_to_bump", r->ratio);
    write_json_extras(f, r);
    print_json_field(f, "peak_rss_bytes", r->peak_median);
    fprintf(f, ", \"samples\": [");
    for (size_t s = 0; s < r->n; s++) {
      if (s)
        fputs(", ", f);
      print_json_number(f, r->value[s]);
    }
    fputc(']', f);
  } else {
    fprintf(f, ", \"note\": ");
    print_json_string(f, r->note);
  }
  fputc('}', f);
}

static void write_json_goals(FILE *f) {
  fprintf(f, ",\n  \"goals\": [");
  bool first = true;
  for (size_t i = 0; i < goal_count; i++) {
    double ratio;
    GoalStatus status = check_goal(&goals[i], &ratio);
    if (status == GOAL_NOT_MEASURED)
      continue;
    fprintf(f, "%s\n    {\"goal\": ", first ? "" : ",");
    print_json_string(f, goals[i].what);
    print_json_field(f, "ratio", ratio);
    print_json_field(f, "target", goals[i].target);
    fprintf(f, ", \"met\": %s}", status == GOAL_MET ? "true" : "false");
    first = false;
  }
  fprintf(f, "\n  ]");
}

static bool write_json(const char *path, const Plan *plan, const Machine *m, bool full) {
  FILE *f = fopen(path, "w");
  if (f == NULL)
    return false;
  fprintf(f, "{\n  \"samrena_version\": ");
  print_json_string(f, samrena_version());
  fprintf(f, ",\n  \"machine\": {\"cpus\": %ld, \"model\": ", m->cpus);
  print_json_string(f, m->model);
  fprintf(f, ", \"kernel\": ");
  print_json_string(f, m->kernel);
  fprintf(f, ", \"compiler\": ");
  print_json_string(f, m->compiler);
  fprintf(f, ", \"load_average\": ");
  print_json_string(f, m->load);
  fprintf(f, "},\n  \"full\": %s,\n  \"runs\": %u,\n  \"warmup\": %u,\n  \"results\": [",
          full ? "true" : "false", plan->runs, plan->warmup);
  for (size_t i = 0; i < result_count; i++) {
    if (i)
      fputc(',', f);
    write_json_result(f, plan, &results[i]);
  }
  fprintf(f, "\n  ]");
  write_json_goals(f);
  fprintf(f, "\n}\n");
  return fclose(f) == 0;
}

/* The chart's row for one workload and thread count. */
static void plot_label(BenchWorkload w, unsigned threads, char *out, size_t len) {
  if (workloads[w].extra == EXTRA_SCALING)
    snprintf(out, len, "%s/%ut", bench_workload_name(w), threads);
  else
    snprintf(out, len, "%s", bench_workload_name(w));
}

/* The colour of the chart's i-th column, as #rrggbb: a fixed palette
 * first (the bump black), then hues a golden angle apart at two
 * lightnesses, so that no two columns of a chart share a colour (gnuplot's
 * own linetypes repeat after eight). */
static void plot_colour(size_t i, char out[8]) {
  static const char *const palette[] = {"#000000", "#1b9e77", "#2c7fb8", "#7fcdbb", "#d95f02",
                                        "#e6ab02", "#e7298a", "#7570b3", "#a6761d", "#666666",
                                        "#66a61e", "#fb9a99", "#b15928", "#cab2d6", "#ffff99",
                                        "#1f78b4", "#33a02c", "#e31a1c", "#ff7f00", "#6a3d9a",
                                        "#b2df8a", "#fdbf6f", "#a6cee3", "#999999"};
  size_t fixed = sizeof palette / sizeof palette[0];
  if (i < fixed) {
    memcpy(out, palette[i], 8);
    return;
  }
  size_t k = i - fixed;
  /* hue in sextants [0, 6); no libm: bench does not link it */
  double turns = 0.11 + 0.618033988749895 * (double)k;
  double hue = (turns - (double)(unsigned long)turns) * 6.0;
  int sector = (int)hue;
  double half = hue - (double)(sector / 2 * 2) - 1.0; /* in [-1, 1) */
  double value = k % 2 == 0 ? 0.55 : 0.85, chroma = value * 0.65, low = value - chroma;
  double rgb[3] = {low, low, low};
  static const int order[6][2] = {{0, 1}, {1, 0}, {1, 2}, {2, 1}, {2, 0}, {0, 2}};
  rgb[order[sector][0]] += chroma; /* the strongest channel of the sector */
  rgb[order[sector][1]] += chroma * (1.0 - (half < 0 ? -half : half));
  snprintf(out, 8, "#%02x%02x%02x", (unsigned)(rgb[0] * 255.0 + 0.5),
           (unsigned)(rgb[1] * 255.0 + 0.5), (unsigned)(rgb[2] * 255.0 + 0.5));
}

/* A clustered bar chart of the ratios to the bump, log scale. */
static bool write_plot(const char *path) {
  FILE *g = popen("gnuplot", "w");
  if (g == NULL)
    return false;
  bool used[64] = {false};
  for (size_t i = 0; i < result_count; i++)
    for (size_t c = 0; c < bench_contender_count && c < 64; c++)
      if (results[i].contender == &bench_contenders[c] && results[i].status == STATUS_OK &&
          !isnan(results[i].ratio))
        used[c] = true;
  fprintf(g, "$data << EOD\nworkload");
  size_t columns = 0;
  for (size_t c = 0; c < bench_contender_count && c < 64; c++)
    if (used[c]) {
      fprintf(g, " %s", bench_contenders[c].name);
      columns++;
    }
  fputc('\n', g);
  for (size_t first = 0; first < result_count; first++) {
    const Result *row = &results[first];
    bool seen = false; /* each workload and thread count once, in run order */
    for (size_t i = 0; i < first && !seen; i++)
      seen = results[i].workload == row->workload && results[i].threads == row->threads;
    if (seen)
      continue;
    char label[64];
    plot_label(row->workload, row->threads, label, sizeof label);
    fprintf(g, "%s", label);
    for (size_t c = 0; c < bench_contender_count && c < 64; c++) {
      if (!used[c])
        continue;
      const Result *r = find_result(row->workload, bench_contenders[c].name, row->threads);
      if (r == NULL || isnan(r->ratio) || r->ratio <= 0)
        fprintf(g, " NaN");
      else
        fprintf(g, " %.4g", r->ratio);
    }
    fputc('\n', g);
  }
  fprintf(g, "EOD\n");
  fprintf(g, "set terminal pngcairo size 1600,650 noenhanced\n");
  fprintf(g, "set output '%s'\n", path);
  fprintf(g, "set title 'libsamrena %s: cost relative to the inline bump (lower is better)'\n",
          samrena_version());
  fprintf(g, "set style data histograms\nset style histogram clustered gap 1\n");
  fprintf(g, "set style fill solid 0.8 border -1\nset logscale y\nset grid ytics\n");
  fprintf(g, "set datafile missing 'NaN'\nset key outside right top\nset ylabel 'x bump'\n");
  fprintf(g, "set xtics rotate by -30\n");
  for (size_t i = 0; i < columns; i++) {
    char colour[8];
    plot_colour(i, colour);
    fprintf(g, "set linetype %zu linecolor rgb '%s'\n", i + 1, colour);
  }
  fprintf(g, "set yrange [0.01:*]\n");
  fprintf(g, "plot for [i=2:*] $data using i:xtic(1) title columnheader(i)\n");
  int status = pclose(g);
  return status == 0;
}

/* Whether this build can create the arenas a samrena contender needs. */
static bool strategy_available(const char *contender) {
  if (strcmp(contender, "samrena-chained") == 0)
    return samrena_strategy_available(SAMRENA_STRATEGY_CHAINED);
  if (strcmp(contender, "samrena-virtual") == 0)
    return samrena_strategy_available(SAMRENA_STRATEGY_VIRTUAL);
  return true;
}

/* ---------------------------------------------------------------- selection */

/* What --workload and --contender chose; no --contender means every one. */
static unsigned selected_workloads;
static bool selected_contender[64];
static bool any_contender_selected;

/* The bump (the first contender) is always wanted: it is the reference. */
static bool contender_wanted(const BenchContender *k) {
  size_t c = (size_t)(k - bench_contenders);
  return !any_contender_selected || c == 0 || (c < 64 && selected_contender[c]);
}

/* ---------------------------------------------------------------- callgrind */

/* Instructions counted by callgrind inside bench_measure_FUNCTION_* only
 * (whatever it calls included), for one contender run by its program at
 * these sizes; false if it failed. */
static bool callgrind_count(const char *program, const char *function, const char *workload,
                            const char *name, const ChildNumbers *n, unsigned long long *total) {
  const char *tmpdir = getenv("TMPDIR");
  char out_file[4096];
  snprintf(out_file, sizeof out_file, "%s/bench-callgrind-XXXXXX",
           tmpdir != NULL && *tmpdir != '\0' ? tmpdir : "/tmp");
  int fd = mkstemp(out_file);
  if (fd < 0) {
    perror("bench: mkstemp");
    return false;
  }
  close(fd);
  char out_opt[4200], toggle[128];
  snprintf(out_opt, sizeof out_opt, "--callgrind-out-file=%s", out_file);
  snprintf(toggle, sizeof toggle, "--toggle-collect=bench_measure_%s_*", function);
  char *argv[] = {(char *)"valgrind", (char *)"--tool=callgrind", (char *)"-q", out_opt, toggle,
                  (char *)program, (char *)"--child", (char *)name, (char *)workload,
                  (char *)"--count", (char *)n->count, (char *)"--bytes", (char *)n->bytes,
                  (char *)"--cycle", (char *)n->cycle, (char *)"--threads", (char *)n->threads,
                  (char *)"--runs", (char *)"1", (char *)"--warmup", (char *)"0", NULL};
  bool ok = run_process(argv, true, false, NULL);
  bool found = false;
  FILE *f = fopen(out_file, "r");
  if (f != NULL) {
    char line[512];
    while (fgets(line, sizeof line, f) != NULL)
      if (sscanf(line, "totals: %llu", total) == 1 || sscanf(line, "summary: %llu", total) == 1)
        found = true;
    fclose(f);
  }
  remove(out_file);
  return ok && found;
}

/* What bench --callgrind counts: for each workload, the name part of its
 * measured function, what the total is divided by, and the contenders. */
typedef struct {
  BenchWorkload workload;
  const char *function;
  const char *per; /* the unit: instructions per ... */
  const char *const *names;
} CallgrindWorkload;

static const char *const callgrind_arena_names[] = {"bump", "samrena-virtual", "samrena-chained",
                                                    "malloc", NULL};
static const char *const callgrind_life_names[] = {
    "bump", "samrena-default", "samrena-virtual", "samrena-chained", "malloc", "apr", NULL};
static const char *const callgrind_tree_names[] = {
    "bump", "samrena-default", "samrena-called", "samrena-chained", "samrena-virtual", "apr",
    "malloc", "mimalloc", NULL};
static const char *const callgrind_parse_names[] = {
    "bump", "samrena-default", "samrena-chained", "samrena-virtual", "malloc", NULL};
static const char *const callgrind_growth_names[] = {
    "bump", "samrena-chained", "chained-conservative", "chained-balanced", "chained-double",
    "samrena-virtual", NULL};
static const char *const callgrind_vector_names[] = {
    "bump", "vector-owned", "vector-shared", "vector-copy", "realloc-array", "vector-doubling",
    NULL};
static const char *const callgrind_strings_names[] = {"bump", "str-default", "str-chained",
                                                      "realloc-string", NULL};
static const char *const callgrind_thread_names[] = {
    "bump", "samrena-concurrent", "samrena-mutex", "samrena-per-thread", "malloc", "jemalloc",
    "mimalloc", NULL};

static const CallgrindWorkload callgrind_workloads[] = {
    {BENCH_SMALL, "small", "alloc", callgrind_arena_names},
    {BENCH_MIXED, "mixed", "alloc", callgrind_arena_names},
    {BENCH_LIFECYCLE, "lifecycle", "cycle", callgrind_life_names},
    {BENCH_BINARY_TREES, "binary_trees", "node", callgrind_tree_names},
    {BENCH_PARSE_COLD, "parse_cold", "KiB", callgrind_parse_names},
    {BENCH_PARSE_WARM, "parse_warm", "KiB", callgrind_parse_names},
    {BENCH_GROWTH_POLICY, "growth", "push", callgrind_growth_names},
    {BENCH_CONCURRENT, "concurrent", "push", callgrind_thread_names},
    {BENCH_VECTOR, "vector", "push", callgrind_vector_names},
    {BENCH_STRINGS, "strings", "append", callgrind_strings_names},
};

/* What a workload's count is divided by.  small and mixed run an untimed
 * cycle first, and concurrent one per thread, inside the measured
 * function: those allocations count too.  A parse is counted per KiB of
 * the document's payload, a vector per push, the strings per append. */
static double callgrind_units(BenchWorkload w, const BenchParams *p) {
  switch (w) {
  case BENCH_SMALL:
  case BENCH_MIXED:
    return (double)(p->count + p->cycle);
  case BENCH_LIFECYCLE:
    return (double)p->count;
  case BENCH_BINARY_TREES:
    return (double)bench_tree_nodes((unsigned)p->count);
  case BENCH_PARSE_COLD:
  case BENCH_PARSE_WARM:
    return (double)p->bytes / 1024.0;
  case BENCH_GROWTH_POLICY:
    return (double)bench_growth_pushes(p->bytes);
  case BENCH_CONCURRENT:
    return (double)((p->count + p->cycle) * p->threads);
  case BENCH_VECTOR:
    return (double)p->count;
  case BENCH_STRINGS:
    return (double)bench_string_appends(p->bytes);
  default:
    return 1.0;
  }
}

static const BenchContender *contender_named(const char *name) {
  for (size_t c = 0; c < bench_contender_count; c++)
    if (strcmp(bench_contenders[c].name, name) == 0)
      return &bench_contenders[c];
  return NULL;
}

/* One line of the table: the count of one contender, and its ratio to
 * the bump's (*bump: 0 until the bump's line). */
static bool callgrind_line(const CallgrindWorkload *cw, const BenchContender *k,
                           const BenchParams *p, double *bump) {
  const char *label = bench_workload_name(cw->workload);
  char threads[16] = "";
  if (workloads[cw->workload].extra == EXTRA_SCALING)
    snprintf(threads, sizeof threads, "/%" PRIu64 "t", p->threads);
  char program_buf[4200], row[64];
  snprintf(row, sizeof row, "%s%s", label, threads);
  const char *program = program_for(k, program_buf, sizeof program_buf);
  if (program == NULL || !k->configured || !strategy_available(k->name)) {
    printf("  %-16s %-20s not available in this build\n", row, k->name);
    return true;
  }
  ChildNumbers n;
  child_numbers(p, 1, 0, &n);
  unsigned long long total = 0;
  if (!callgrind_count(program, cw->function, label, k->name, &n, &total)) {
    printf("  %-16s %-20s failed under valgrind\n", row, k->name);
    return false;
  }
  double per = (double)total / callgrind_units(cw->workload, p);
  if (strcmp(k->name, "bump") == 0)
    *bump = per;
  char ratio[16] = "-";
  if (*bump > 0)
    snprintf(ratio, sizeof ratio, "%.2fx", per / *bump);
  printf("  %-16s %-20s %16llu %14.2f %-7s %9s\n", row, k->name, total, per, cw->per, ratio);
  return true;
}

/* Instructions per allocation (per node, push, parse, cycle) of the
 * workloads, counted by callgrind: exact and repeatable, unlike times on a
 * shared machine; they do not see cache misses or page faults.  The ratio
 * is to the inline bump of the same run. */
static int run_callgrind(const Plan *plan) {
  if (!on_path("valgrind")) {
    printf("bench: valgrind not found on PATH; skipping the callgrind measurement "
           "(install valgrind)\n");
    return 0;
  }
  Sizes sizes = callgrind_sizes(plan->sizes);
  printf("instructions under valgrind --tool=callgrind, counted inside each workload's measured\n"
         "function only (resets and the untimed first cycle of small, mixed and concurrent\n"
         "included), divided by what the workload does; sizes of bench --callgrind%s\n\n",
         plan->sizes == &full_sizes ? " --full" : "");
  printf("  %-16s %-20s %16s %14s %-7s %9s\n", "workload", "contender", "instructions",
         "instr/unit", "unit", "vs bump");
  int failures = 0;
  for (size_t i = 0; i < sizeof callgrind_workloads / sizeof callgrind_workloads[0]; i++) {
    const CallgrindWorkload *cw = &callgrind_workloads[i];
    if ((selected_workloads & BENCH_ONLY(cw->workload)) == 0)
      continue;
    BenchParams p = params_for(&sizes, cw->workload);
    char what[256];
    describe(cw->workload, &p, what, sizeof what);
    printf("  %s: %s\n", bench_workload_name(cw->workload), what);
    size_t thread_counts = workloads[cw->workload].extra == EXTRA_SCALING ? plan->thread_counts : 1;
    for (size_t t = 0; t < thread_counts; t++) {
      p.threads = workloads[cw->workload].extra == EXTRA_SCALING ? plan->threads[t] : 1;
      double bump = 0;
      for (const char *const *name = cw->names; *name != NULL; name++) {
        const BenchContender *k = contender_named(*name);
        if (k != NULL && contender_wanted(k) && !callgrind_line(cw, k, &p, &bump))
          failures++;
      }
    }
  }
  return failures ? 1 : 0;
}

/* ------------------------------------------------------------------ options */

static void usage(FILE *f, const char *argv0) {
  fprintf(f,
          "usage: %s [OPTION]...\n"
          "Measures libsamrena's arenas against the C library's malloc, the peers configure\n"
          "found (apr-1 pools, talloc pools, jemalloc, mimalloc heaps, glibc obstack) and an\n"
          "inline bump pointer, the limit.  Every contender runs in a process of its own:\n"
          "warm-up runs, then timed runs; the table gives the median, the best run (least\n"
          "time), the cost relative to the inline bump measured in the same invocation and\n"
          "the process's peak resident memory; then the goals of the issues, checked against\n"
          "this run.  Results also go to CSV, JSON and, with gnuplot, a PNG.\n"
          "\n"
          "  --full             the long sizes: 10 M allocations, 1 GiB fills, binary-trees\n"
          "                     at depth 21, ... (many minutes)\n"
          "  --workload NAME    only these workloads (repeatable, or NAME,NAME): small,\n"
          "                     mixed, fill, zeroed (= zeroed-fresh, zeroed-reused), grow,\n"
          "                     rss, lifecycle, vector, binary-trees, parse (= parse-cold,\n"
          "                     parse-warm), growth-policy, concurrent, strings\n"
          "  --contender NAME   only these contenders (repeatable, or NAME,NAME); the inline\n"
          "                     bump always runs, as the reference (--list names them)\n"
          "  --threads N,N      concurrent: the thread counts (default 1,2; at most %u)\n"
          "  --runs N           timed runs per contender and workload (default 5)\n"
          "  --warmup N         untimed runs before them (default 1)\n"
          "  --csv FILE         CSV output (default bench-results.csv; 'none': no file)\n"
          "  --json FILE        JSON output (default bench-results.json; 'none': no file)\n"
          "  --plot FILE        PNG chart, if gnuplot is installed (default\n"
          "                     bench-results.png; 'none': no chart)\n"
          "  --callgrind        instead: instructions per allocation (node, push, KiB\n"
          "                     parsed, cycle) under callgrind, for the workloads and\n"
          "                     contenders selected (make bench-callgrind)\n"
          "  --list             the contenders and workloads, then exit\n"
          "  --help             this text\n"
          "\n"
          "Default sizes (a minute or two): small 1 M x 32 B, reset every 100 k; mixed 100 k,\n"
          "reset every 10 k; fill 16 MiB; zeroed 8 MiB; grow to 8 MiB; rss 250 k x 24 B;\n"
          "lifecycle 100 k; vector 1 M ints; binary-trees depth 16; parse 40 MiB of payload;\n"
          "growth-policy 256 MiB; concurrent 5 M pushes per thread; strings 32 MiB.  --full:\n"
          "small and mixed 10 M, fill 1 GiB, zeroed 512 MiB, grow to 64 MiB, rss 10 M,\n"
          "lifecycle 1 M, vector 10 M, binary-trees depth 21, parse 240 MiB, growth-policy\n"
          "1 GiB, concurrent 50 M, strings 256 MiB.\n"
          "--callgrind runs small and mixed at 1 M (--full 10 M), lifecycle 100 k (1 M),\n"
          "binary-trees at depth 14 (18), parse 8 MiB (40 MiB), growth-policy 32 MiB\n"
          "(256 MiB) and concurrent 500 k per thread (2 M).\n",
          argv0, BENCH_MAX_THREADS);
}

static bool select_names(const char *list, bool (*add)(const char *name, size_t len)) {
  while (*list != '\0') {
    size_t len = strcspn(list, ",");
    if (len > 0 && !add(list, len))
      return false;
    list += len;
    if (*list == ',')
      list++;
  }
  return true;
}

/* A family name (zeroed, parse) selects the workloads named FAMILY-...;
 * all selects every one. */
static bool add_workload(const char *name, size_t len) {
  bool found = false;
  bool family = (len == 6 && strncmp(name, "zeroed", 6) == 0) ||
                (len == 5 && strncmp(name, "parse", 5) == 0);
  for (int w = 0; w < BENCH_WORKLOAD_COUNT; w++) {
    const char *wn = bench_workload_name((BenchWorkload)w);
    bool exact = strlen(wn) == len && strncmp(wn, name, len) == 0;
    bool member = family && strncmp(wn, name, len) == 0 && wn[len] == '-';
    bool all = len == 3 && strncmp(name, "all", 3) == 0;
    if (exact || member || all) {
      selected_workloads |= BENCH_ONLY(w);
      found = true;
    }
  }
  if (!found)
    fprintf(stderr, "bench: unknown workload '%.*s' (--list shows them)\n", (int)len, name);
  return found;
}

static bool add_contender(const char *name, size_t len) {
  for (size_t c = 0; c < bench_contender_count && c < 64; c++) {
    if (strlen(bench_contenders[c].name) == len && strncmp(bench_contenders[c].name, name, len) == 0) {
      selected_contender[c] = true;
      any_contender_selected = true;
      return true;
    }
  }
  fprintf(stderr, "bench: unknown contender '%.*s' (--list shows them)\n", (int)len, name);
  return false;
}

static void list_everything(void) {
  printf("contenders:\n");
  for (size_t c = 0; c < bench_contender_count; c++)
    printf("  %-20s %s%s\n", bench_contenders[c].name, bench_contenders[c].what,
           bench_contenders[c].configured ? "" : " [not found by configure]");
  printf("workloads (default sizes):\n");
  for (int w = 0; w < BENCH_WORKLOAD_COUNT; w++) {
    BenchParams p = params_for(&default_sizes, (BenchWorkload)w);
    char what[400];
    describe((BenchWorkload)w, &p, what, sizeof what);
    printf("  %-14s %s; %s\n", bench_workload_name((BenchWorkload)w), what, workloads[w].unit);
  }
}

static bool parse_unsigned(const char *text, unsigned max, unsigned *out) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v > max)
    return false;
  *out = (unsigned)v;
  return true;
}

/* --threads 1,2,4: distinct counts from 1 to BENCH_MAX_THREADS, in order. */
static bool parse_thread_counts(const char *list, Plan *plan) {
  plan->thread_counts = 0;
  while (*list != '\0') {
    char item[16];
    size_t len = strcspn(list, ",");
    unsigned n;
    if (len == 0 || len >= sizeof item || plan->thread_counts == MAX_THREAD_COUNTS)
      return false;
    memcpy(item, list, len);
    item[len] = '\0';
    if (!parse_unsigned(item, BENCH_MAX_THREADS, &n) || n == 0)
      return false;
    plan->threads[plan->thread_counts++] = n;
    list += len;
    if (*list == ',')
      list++;
  }
  return plan->thread_counts > 0;
}

/* --------------------------------------------------------------------- main */

static bool contender_runs(const BenchContender *k, BenchWorkload w) {
  return contender_wanted(k) && k->configured && (k->workloads & BENCH_ONLY(w)) != 0;
}

static bool any_contender_runs(BenchWorkload w) {
  for (size_t c = 0; c < bench_contender_count; c++)
    if (contender_runs(&bench_contenders[c], w))
      return true;
  return false;
}

/* One workload's table: every wanted contender at each of its thread
 * counts, the bump first, as the reference of its thread count. */
static int run_workload(const Plan *plan, BenchWorkload w) {
  BenchParams p = params_for(plan->sizes, w);
  char what[400];
  describe(w, &p, what, sizeof what);
  printf("\n%s: %s\n", bench_workload_name(w), what);
  print_header();
  int failures = 0;
  bool threaded = workloads[w].extra == EXTRA_SCALING;
  if (!any_contender_runs(w)) {
    printf("  no contender of this build runs it%s\n",
           threaded ? " (it needs POSIX threads and C11 atomics)" : "");
    return 0;
  }
  size_t thread_counts = threaded ? plan->thread_counts : 1;
  for (size_t t = 0; t < thread_counts; t++) {
    unsigned threads = threaded ? plan->threads[t] : 1;
    if (threaded)
      printf(" %u thread%s\n", threads, threads == 1 ? "" : "s");
    const Result *bump = NULL;
    for (size_t c = 0; c < bench_contender_count && result_count < MAX_RESULTS; c++) {
      const BenchContender *k = &bench_contenders[c];
      if (!contender_runs(k, w))
        continue;
      Result *r = &results[result_count++];
      if (!strategy_available(k->name)) {
        memset(r, 0, sizeof *r);
        r->workload = w;
        r->contender = k;
        r->threads = threads;
        r->status = STATUS_SKIPPED;
        r->ratio = r->scaling = NAN;
        snprintf(r->note, sizeof r->note, "not available in this build or on this platform");
      } else {
        measure(plan, w, threads, k, r);
      }
      if (c == 0)
        bump = r;
      if (r->status == STATUS_OK) {
        summarize(r, bump);
        note_scaling(r);
      } else if (r->status == STATUS_FAILED) {
        failures++;
      }
      print_row(r);
    }
  }
  return failures;
}

static void print_versions(void) {
  printf("\nversions:");
  for (size_t c = 0; c < bench_contender_count; c++) {
    for (size_t i = 0; i < result_count; i++) {
      if (results[i].contender == &bench_contenders[c] && results[i].version[0] != '\0') {
        printf(" %s %.*s;", bench_contenders[c].name,
               (int)strcspn(results[i].version, "-"), results[i].version);
        break;
      }
    }
  }
  printf("\n");
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--child") == 0)
    return bench_child_main(argc, argv);

  bool full = false, callgrind = false;
  Plan plan = {&default_sizes, 5, 1, {1, 2}, 2};
  const char *csv_path = "bench-results.csv";
  const char *json_path = "bench-results.json";
  const char *plot_path = "bench-results.png";
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    const char *value = i + 1 < argc ? argv[i + 1] : NULL;
    bool takes_value = true;
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      usage(stdout, "bench");
      return 0;
    } else if (strcmp(arg, "--list") == 0) {
      list_everything();
      return 0;
    } else if (strcmp(arg, "--full") == 0) {
      full = true;
      takes_value = false;
    } else if (strcmp(arg, "--callgrind") == 0) {
      callgrind = true;
      takes_value = false;
    } else if (value == NULL) {
      fprintf(stderr, "bench: unknown option or missing value: '%s' (try --help)\n", arg);
      return 2;
    } else if (strcmp(arg, "--workload") == 0) {
      if (!select_names(value, add_workload))
        return 2;
    } else if (strcmp(arg, "--contender") == 0) {
      if (!select_names(value, add_contender))
        return 2;
    } else if (strcmp(arg, "--threads") == 0) {
      if (!parse_thread_counts(value, &plan)) {
        fprintf(stderr, "bench: --threads takes up to %d counts of 1 to %u, as 1,2,4\n",
                MAX_THREAD_COUNTS, BENCH_MAX_THREADS);
        return 2;
      }
    } else if (strcmp(arg, "--runs") == 0) {
      if (!parse_unsigned(value, MAX_SAMPLES, &plan.runs) || plan.runs == 0) {
        fprintf(stderr, "bench: --runs takes 1 to %d\n", MAX_SAMPLES);
        return 2;
      }
    } else if (strcmp(arg, "--warmup") == 0) {
      if (!parse_unsigned(value, 100, &plan.warmup)) {
        fprintf(stderr, "bench: --warmup takes 0 to 100\n");
        return 2;
      }
    } else if (strcmp(arg, "--csv") == 0) {
      csv_path = value;
    } else if (strcmp(arg, "--json") == 0) {
      json_path = value;
    } else if (strcmp(arg, "--plot") == 0) {
      plot_path = value;
    } else {
      fprintf(stderr, "bench: unknown option '%s' (try --help)\n", arg);
      return 2;
    }
    if (takes_value)
      i++;
  }
  if (full)
    plan.sizes = &full_sizes;
  find_self(argv[0]);
  if (selected_workloads == 0)
    selected_workloads = BENCH_ALL_WORKLOADS;
  if (callgrind)
    return run_callgrind(&plan);

  Machine machine;
  describe_machine(&machine);
  printf("libsamrena %s benchmark, %s sizes; %u timed runs after %u warm-up, every contender "
         "in its own process\n",
         samrena_version(), full ? "--full" : "default (--full: long)", plan.runs,
         plan.warmup);
  printf("machine: %ld CPUs, %s, %s; bench built by %s; load average %s\n", machine.cpus,
         machine.model, machine.kernel, machine.compiler, machine.load);
  printf("median and best (least time) of the runs; 'x bump' = cost relative to the inline "
         "bump's median;\n'peak MiB' = the process's peak resident memory (VmHWM; median of "
         "the processes)\n");
  for (size_t c = 0; c < bench_contender_count; c++) {
    const BenchContender *k = &bench_contenders[c];
    if (contender_wanted(k) && !k->configured)
      printf("not measured: %s (configure did not find it)\n", k->name);
  }

  int failures = 0;
  for (int wi = 0; wi < BENCH_WORKLOAD_COUNT; wi++)
    if ((selected_workloads & BENCH_ONLY(wi)) != 0)
      failures += run_workload(&plan, (BenchWorkload)wi);
  note_final_load(&machine);
  print_versions();
  print_goals(full, machine.load);
  printf("\n");

  if (strcmp(csv_path, "none") != 0) {
    if (write_csv(csv_path, &plan))
      printf("wrote %s\n", csv_path);
    else
      fprintf(stderr, "bench: cannot write %s: %s\n", csv_path, strerror(errno));
  }
  if (strcmp(json_path, "none") != 0) {
    if (write_json(json_path, &plan, &machine, full))
      printf("wrote %s\n", json_path);
    else
      fprintf(stderr, "bench: cannot write %s: %s\n", json_path, strerror(errno));
  }
  if (strcmp(plot_path, "none") != 0) {
    if (!on_path("gnuplot"))
      printf("no chart: gnuplot is not installed\n");
    else if (write_plot(plot_path))
      printf("wrote %s\n", plot_path);
    else
      fprintf(stderr, "bench: gnuplot could not write %s\n", plot_path);
  }
  return failures ? 1 : 0;
}
