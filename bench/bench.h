/* bench.h -- what the bench driver (bench.c) and the runner (runner.c) share.
 *
 * The driver starts one process per contender and workload (per run, for
 * the workloads that need fresh memory) and reads the runner's samples
 * from a pipe.  See bench/README for the method.
 */
#ifndef SAMRENA_BENCH_H
#define SAMRENA_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Which program a contender runs in.  jemalloc and mimalloc replace malloc
 * in any process that links them, so each has a program of its own, and
 * bench/bench keeps the C library's malloc. */
#define BENCH_VARIANT_MAIN 0
#define BENCH_VARIANT_JEMALLOC 1
#define BENCH_VARIANT_MIMALLOC 2
#ifndef BENCH_VARIANT
#define BENCH_VARIANT BENCH_VARIANT_MAIN
#endif

typedef enum {
  BENCH_SMALL,
  BENCH_MIXED,
  BENCH_FILL,
  BENCH_ZEROED_FRESH,
  BENCH_ZEROED_REUSED,
  BENCH_GROW,
  BENCH_RSS,
  BENCH_LIFECYCLE,
  BENCH_VECTOR,
  BENCH_BINARY_TREES,
  BENCH_PARSE_COLD,
  BENCH_PARSE_WARM,
  BENCH_GROWTH_POLICY,
  BENCH_CONCURRENT,
  BENCH_STRINGS,
  BENCH_WORKLOAD_COUNT
} BenchWorkload;

#define BENCH_ALL_WORKLOADS ((1u << BENCH_WORKLOAD_COUNT) - 1u)
#define BENCH_ONLY(w) (1u << (w))

/* Fixed shapes of the workloads. */
#define BENCH_SMALL_SIZE 32u      /* small: bytes per allocation */
#define BENCH_MIXED_MIN 8u        /* mixed: sizes from 8 ... */
#define BENCH_MIXED_MAX 512u      /* ... to 512 bytes, uniform */
#define BENCH_MIXED_ALIGN 16u     /* mixed: alignment asked for */
#define BENCH_BLOCK (64u * 1024u) /* fill, zeroed: bytes per allocation */
#define BENCH_TOUCH_STRIDE 4096u  /* zeroed: one write per this many bytes */
#define BENCH_GROW_START 64u      /* grow: first size, doubled up to bytes */
#define BENCH_RSS_SIZE 24u        /* rss: object size ... */
#define BENCH_RSS_ALIGN 8u        /* ... and its alignment (three pointers) */
#define BENCH_LIFE_PUSHES 16u     /* lifecycle: pushes per arena ... */
#define BENCH_LIFE_SIZE 64u       /* ... of this many bytes */
#define BENCH_VECTOR_START 16u    /* vector: the room every vector starts with */
#define BENCH_VECTOR_NOISE 4096u  /* vector-shared: one other push per this many */
#define BENCH_STRING_PIECE 100u   /* strings: the bytes of one append */
#define BENCH_STRING_PERIOD 256u  /* strings: the text repeats with this period */
#define BENCH_TREE_MIN_DEPTH 4u   /* binary-trees: the shallowest trees of the loop */
#define BENCH_TREE_MAX_DEPTH 30u  /* binary-trees: the deepest --count the child takes */
#define BENCH_PARSE_START 4u      /* parse: room every array starts with, then doubled */
#define BENCH_CONCURRENT_SIZE 32u /* concurrent: bytes per push */
#define BENCH_MAX_THREADS 64u     /* concurrent: the most threads a run takes */

/* The size of one run, from the driver's command line. */
typedef struct {
  uint64_t count;   /* small, mixed, rss: allocations; lifecycle: cycles; vector: pushes;
                       binary-trees: the maximum depth; concurrent: pushes per thread */
  uint64_t bytes;   /* fill, zeroed: bytes allocated; grow: final size; parse: the
                       document's payload; growth-policy: bytes pushed */
  uint64_t cycle;   /* small, mixed, concurrent: allocations between resets */
  uint64_t threads; /* concurrent: threads pushing at once; 1 elsewhere */
} BenchParams;

/* One timed run. */
typedef struct {
  double seconds; /* the timed part */
  double extra;   /* grow, vector: times the pointer moved; rss: resident bytes per object;
                     parse: seconds of the release that follows; growth-policy: blocks */
  double extra2;  /* growth-policy: bytes committed */
} BenchSample;

typedef bool (*BenchRunFn)(const BenchParams *params, BenchSample *sample);

typedef struct {
  const char *name;
  const char *what;    /* one line: the calls measured */
  int variant;         /* BENCH_VARIANT_* of the program that runs it */
  bool configured;     /* configure found what it needs */
  unsigned workloads;  /* BENCH_ONLY() mask of the workloads it runs */
} BenchContender;

/* Every contender this configuration knows, the inline bump first. */
extern const BenchContender bench_contenders[];
extern const size_t bench_contender_count;

/* The runner's entry: argv holds "--child NAME WORKLOAD" and the sizes.
 * Prints "version TEXT", one "sample SECONDS EXTRA EXTRA2" line per timed
 * run and, last, "peak BYTES", the process's peak resident memory, to
 * stdout; returns the process exit status. */
int bench_child_main(int argc, char **argv);

/* What the driver needs to turn callgrind's totals into per-unit counts:
 * the nodes one binary-trees run builds at that maximum depth, and the
 * pushes a growth-policy run makes for that many bytes.  A strings run
 * appends BENCH_STRING_PIECE bytes until it has at least `bytes`. */
uint64_t bench_tree_nodes(unsigned max_depth);
uint64_t bench_growth_pushes(uint64_t bytes);
static inline uint64_t bench_string_appends(uint64_t bytes) {
  return (bytes + BENCH_STRING_PIECE - 1) / BENCH_STRING_PIECE;
}

/* The workload's command-line name, or NULL. */
const char *bench_workload_name(BenchWorkload workload);

#endif /* SAMRENA_BENCH_H */
