/* runner.c -- the contenders and the child side of the benchmark.
 *
 * The driver (bench.c) runs "PROGRAM --child CONTENDER WORKLOAD --count N
 * --bytes N --cycle N --runs R --warmup W"; this file does that run in the
 * process it is given and prints the timed samples.  Each contender is a
 * handful of static inline operations (open, alloc, alloc_aligned, zalloc,
 * reset, close; grow, grow_end) over a library's documented API, and
 * workloads.h turns them into the workloads.
 *
 * bench/bench has the inline bump, samrena, the C library's malloc, apr-1,
 * talloc and obstack.  bench/bench-jemalloc and bench/bench-mimalloc are
 * this file compiled with BENCH_VARIANT set: jemalloc and mimalloc take
 * over malloc in any process that links them.
 *
 * The older workloads (small ... vector) use the arena and vector
 * operations; binary-trees, parse and growth-policy use the object
 * operations (oopen, oalloc, ogrow, ofree, oreset, oclose, ostats), and
 * concurrent the thread operations (workloads.h lists them all).
 */
#include <config.h>

#include "bench.h"

#include <inttypes.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif
#ifdef HAVE_SYS_MMAN_H
#include <sys/mman.h>
#endif
#if defined(HAVE_SYS_MMAN_H) && defined(MADV_HUGEPAGE)
#define HAVE_BENCH_BUMP_HUGE 1
#else
#define HAVE_BENCH_BUMP_HUGE 0
#endif
/* The concurrent workload needs POSIX threads and C11 atomics. */
#if defined(HAVE_PTHREAD) && !defined(__STDC_NO_ATOMICS__)
#define HAVE_BENCH_THREADS 1
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#else
#define HAVE_BENCH_THREADS 0
#endif

#if BENCH_VARIANT == BENCH_VARIANT_MAIN
#include <samrena.h>
#include <samvector.h>
#if HAVE_BENCH_APR
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_version.h>
#endif
#if HAVE_BENCH_TALLOC
#include <talloc.h>
#endif
#if HAVE_BENCH_OBSTACK
#include <obstack.h>
#endif
#elif BENCH_VARIANT == BENCH_VARIANT_JEMALLOC && HAVE_BENCH_JEMALLOC
#include <jemalloc/jemalloc.h>
#elif BENCH_VARIANT == BENCH_VARIANT_MIMALLOC && HAVE_BENCH_MIMALLOC
#include <mimalloc.h>
#endif

/* ---------------------------------------------------------------- contenders */

/* The allocator workloads every peer runs; the vector workload has
 * contenders of its own (and the bump, as the reference); the newer ones
 * (binary-trees ... concurrent) each name theirs. */
#define ALL                                                                              \
  (BENCH_ONLY(BENCH_SMALL) | BENCH_ONLY(BENCH_MIXED) | BENCH_ONLY(BENCH_FILL) |          \
   BENCH_ONLY(BENCH_ZEROED_FRESH) | BENCH_ONLY(BENCH_ZEROED_REUSED) |                    \
   BENCH_ONLY(BENCH_GROW) | BENCH_ONLY(BENCH_RSS) | BENCH_ONLY(BENCH_LIFECYCLE))
#define ARENA_WORKLOADS (ALL & ~BENCH_ONLY(BENCH_GROW))
#define VECTOR_ONLY BENCH_ONLY(BENCH_VECTOR)
#define TREES BENCH_ONLY(BENCH_BINARY_TREES)
#define PARSE (BENCH_ONLY(BENCH_PARSE_COLD) | BENCH_ONLY(BENCH_PARSE_WARM))
#define GROWTH BENCH_ONLY(BENCH_GROWTH_POLICY)
#define THREADS (HAVE_BENCH_THREADS ? BENCH_ONLY(BENCH_CONCURRENT) : 0u)
#define STRINGS BENCH_ONLY(BENCH_STRINGS)

const BenchContender bench_contenders[] = {
    {"bump", "inline bump over one malloc'd buffer: align, add, compare (the limit); "
             "vector: an array allocated at its final size; concurrent: one per thread; "
             "strings: a buffer of the text's final size",
     BENCH_VARIANT_MAIN, true, ALL | VECTOR_ONLY | TREES | PARSE | GROWTH | THREADS | STRINGS},
    {"bump-huge",
     "the inline bump over a 2 MiB-aligned mapping with huge pages asked for before the first "
     "touch: the first-use limit",
     BENCH_VARIANT_MAIN, HAVE_BENCH_BUMP_HUGE != 0,
     BENCH_ONLY(BENCH_FILL) | BENCH_ONLY(BENCH_ZEROED_FRESH) | BENCH_ONLY(BENCH_GROW)},
    {"samrena-default",
     "samrena_create(NULL): samrena_push (inline), samrena_resize, samrena_reset",
     BENCH_VARIANT_MAIN, true, BENCH_ONLY(BENCH_LIFECYCLE) | TREES | PARSE},
    {"samrena-called",
     "samrena_create(NULL): the exported (samrena_push)(arena, n), never inline",
     BENCH_VARIANT_MAIN, true, TREES},
    {"samrena-chained",
     "samrena_push/_aligned/_zero, samrena_reset, samrena_resize; chained strategy "
     "(growth-policy: the default linear growth, growth_pages 1)",
     BENCH_VARIANT_MAIN, true, ALL | TREES | PARSE | GROWTH},
    {"samrena-virtual",
     "samrena_push/_aligned/_zero, samrena_reset, samrena_resize; virtual strategy",
     BENCH_VARIANT_MAIN, true, ALL | TREES | PARSE | GROWTH},
    {"chained-conservative", "chained arena, growth SAMRENA_GROWTH_CONSERVATIVE (64 KiB blocks)",
     BENCH_VARIANT_MAIN, true, GROWTH},
    {"chained-balanced", "chained arena, growth SAMRENA_GROWTH_BALANCED (each block x1.5)",
     BENCH_VARIANT_MAIN, true, GROWTH},
    {"chained-double", "chained arena, exponential growth, factor 2", BENCH_VARIANT_MAIN, true,
     GROWTH},
    {"samrena-concurrent", "one SAMRENA_FLAG_CONCURRENT arena pushed by every thread",
     BENCH_VARIANT_MAIN, HAVE_BENCH_THREADS != 0, THREADS},
    {"samrena-mutex", "one default arena behind a pthread mutex, pushed by every thread",
     BENCH_VARIANT_MAIN, HAVE_BENCH_THREADS != 0, THREADS},
    {"samrena-per-thread", "a default arena per thread (inline samrena_push)",
     BENCH_VARIANT_MAIN, HAVE_BENCH_THREADS != 0, THREADS},
    {"samrena-stable", "samrena_vmem_realloc: the stable realloc (grow only)", BENCH_VARIANT_MAIN,
     true, BENCH_ONLY(BENCH_GROW)},
    {"malloc", "C library malloc/calloc/realloc; reset frees every object", BENCH_VARIANT_MAIN,
     true, ALL | TREES | PARSE | THREADS},
    {"jemalloc", "jemalloc as the process malloc (bench/bench-jemalloc); reset frees every object",
     BENCH_VARIANT_JEMALLOC, HAVE_BENCH_JEMALLOC != 0, ALL | THREADS},
    {"mimalloc", "mimalloc heaps: mi_heap_malloc/_aligned/_zalloc/_realloc; reset = mi_heap_destroy"
                 "; concurrent: mi_malloc/mi_free",
     BENCH_VARIANT_MIMALLOC, HAVE_BENCH_MIMALLOC != 0, ALL | TREES | THREADS},
    {"apr", "apr_palloc/apr_pcalloc on an apr_pool_t; reset = apr_pool_clear", BENCH_VARIANT_MAIN,
     HAVE_BENCH_APR != 0, ARENA_WORKLOADS | TREES},
    {"talloc", "talloc_size/_zero_size/_realloc_size in a talloc_pool; reset = talloc_free_children",
     BENCH_VARIANT_MAIN, HAVE_BENCH_TALLOC != 0, ALL},
    {"obstack", "obstack_alloc (64 KiB chunks), growing object for grow; reset = obstack_free",
     BENCH_VARIANT_MAIN, HAVE_BENCH_OBSTACK != 0, ALL},
    {"vector-owned", "samrena_vector_init_owned, samrena_vector_push: alone on a virtual arena",
     BENCH_VARIANT_MAIN, true, VECTOR_ONLY},
    {"vector-shared",
     "samrena_vector_init on a default arena, samrena_vector_push, a 64 B samrena_push on the "
     "same arena every 4096 pushes",
     BENCH_VARIANT_MAIN, true, VECTOR_ONLY},
    {"vector-copy",
     "upstream-style vector: each growth (x1.5, +8) pushes a new buffer on a samrena arena and "
     "copies",
     BENCH_VARIANT_MAIN, true, VECTOR_ONLY},
    {"realloc-array", "an int array grown by realloc, doubling", BENCH_VARIANT_MAIN, true,
     VECTOR_ONLY},
    {"vector-doubling", "std::vector-like: each growth mallocs twice the room, copies, frees",
     BENCH_VARIANT_MAIN, true, VECTOR_ONLY},
    {"str-default", "SamrenaStr (samrena_str_append) on samrena_create(NULL)", BENCH_VARIANT_MAIN,
     true, STRINGS},
    {"str-chained", "SamrenaStr on a chained arena (its pages are not made ready ahead)",
     BENCH_VARIANT_MAIN, true, STRINGS},
    {"realloc-string", "a char buffer grown by realloc, doubling, memcpy and a NUL per append",
     BENCH_VARIANT_MAIN, true, STRINGS},
};
const size_t bench_contender_count = sizeof bench_contenders / sizeof bench_contenders[0];

static const char *const bench_workload_names[BENCH_WORKLOAD_COUNT] = {
    [BENCH_SMALL] = "small",         [BENCH_MIXED] = "mixed",
    [BENCH_FILL] = "fill",           [BENCH_ZEROED_FRESH] = "zeroed-fresh",
    [BENCH_ZEROED_REUSED] = "zeroed-reused", [BENCH_GROW] = "grow",
    [BENCH_RSS] = "rss",             [BENCH_LIFECYCLE] = "lifecycle",
    [BENCH_VECTOR] = "vector",       [BENCH_BINARY_TREES] = "binary-trees",
    [BENCH_PARSE_COLD] = "parse-cold", [BENCH_PARSE_WARM] = "parse-warm",
    [BENCH_GROWTH_POLICY] = "growth-policy", [BENCH_CONCURRENT] = "concurrent",
    [BENCH_STRINGS] = "strings",
};

const char *bench_workload_name(BenchWorkload workload) {
  if ((unsigned)workload >= BENCH_WORKLOAD_COUNT)
    return NULL;
  return bench_workload_names[workload];
}

/* ------------------------------------------------------------------ helpers */

#define BENCH_CAT_(a, b) a##b
#define BENCH_CAT(a, b) BENCH_CAT_(a, b)

/* The measured functions stay out of line and keep their names, so the
 * timer and callgrind's --toggle-collect see exactly them. */
#if defined(__GNUC__) && !defined(__clang__)
/* no_icf: gcc would otherwise fold two measured functions that compiled
 * alike into one name (parse-cold's and parse-warm's, say). */
#define BENCH_MEASURED __attribute__((noinline, noclone, no_icf))
#elif defined(__GNUC__)
#define BENCH_MEASURED __attribute__((noinline))
#else
#define BENCH_MEASURED
#endif

/* The helpers below go unused in a peer's program built without the peer. */
#if defined(__GNUC__)
#define BENCH_MAYBE_UNUSED __attribute__((unused))
#else
#define BENCH_MAYBE_UNUSED
#endif

/* What a context may prepare for: the most allocations and bytes (payload,
 * alignment included) alive at once. */
typedef struct {
  size_t count;
  size_t bytes;
} BenchHint;

BENCH_MAYBE_UNUSED static double bench_now(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
    return 0.0;
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Resident bytes of this process (/proc/self/statm), or 0 if unknown. */
BENCH_MAYBE_UNUSED static uint64_t bench_resident_bytes(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  if (f == NULL)
    return 0;
  unsigned long long size = 0, resident = 0;
  int fields = fscanf(f, "%llu %llu", &size, &resident);
  fclose(f);
  long page = sysconf(_SC_PAGESIZE);
  if (fields != 2 || page <= 0)
    return 0;
  return (uint64_t)resident * (uint64_t)page;
}

/* mixed: a fixed table of sizes, uniform in [8, 512], from a fixed seed;
 * every cycle walks it from the start. */
#define BENCH_MIXED_MASK 4095u
static size_t bench_mixed_sizes[BENCH_MIXED_MASK + 1];

static void bench_init_mixed(void) {
  if (bench_mixed_sizes[0] != 0)
    return; /* made already: the same table every time */
  uint64_t x = UINT64_C(0x9e3779b97f4a7c15);
  for (size_t i = 0; i <= BENCH_MIXED_MASK; i++) {
    x ^= x << 13; /* xorshift64 */
    x ^= x >> 7;
    x ^= x << 17;
    bench_mixed_sizes[i] = BENCH_MIXED_MIN + (size_t)(x % (BENCH_MIXED_MAX - BENCH_MIXED_MIN + 1));
  }
}

/* An upper bound of what one mixed cycle takes, padding included. */
BENCH_MAYBE_UNUSED static size_t bench_mixed_cycle_bytes(uint64_t cycle) {
  size_t total = 0;
  for (uint64_t i = 0; i < cycle; i++)
    total += bench_mixed_sizes[i & BENCH_MIXED_MASK] + BENCH_MIXED_ALIGN - 1;
  return total;
}

/* What a contender without any (a context of objects that needs none, or
 * the threads' shared part of one whose threads share nothing) uses. */
typedef struct {
  int unused;
} NoShared;

BENCH_MAYBE_UNUSED static inline bool bench_no_shared_open(NoShared *s, const BenchHint *hint) {
  (void)hint;
  s->unused = 0;
  return true;
}

BENCH_MAYBE_UNUSED static inline void bench_no_shared_close(NoShared *s) {
  (void)s;
}

BENCH_MAYBE_UNUSED static inline bool bench_no_shared_reset(NoShared *s) {
  (void)s;
  return true;
}

/* The concurrent workload's operations for a contender whose threads
 * share nothing: each thread opens, pushes BENCH_CONCURRENT_SIZE bytes
 * into, resets and closes a context of its own with the contender's own
 * functions; the shared part is a NoShared. */
#define BENCH_UNSHARED_THREAD_OPS(id, tctx, open_fn, close_fn, alloc_fn, reset_fn)       \
  static inline bool id##_sopen(NoShared *s, const BenchHint *hint) {                    \
    return bench_no_shared_open(s, hint);                                                \
  }                                                                                      \
  static inline void id##_sclose(NoShared *s) {                                          \
    bench_no_shared_close(s);                                                            \
  }                                                                                      \
  static inline bool id##_sreset(NoShared *s) {                                          \
    return bench_no_shared_reset(s);                                                     \
  }                                                                                      \
  static inline bool id##_topen(NoShared *s, tctx *t, const BenchHint *hint) {           \
    (void)s;                                                                             \
    return open_fn(t, hint);                                                             \
  }                                                                                      \
  static inline void id##_tclose(NoShared *s, tctx *t) {                                 \
    (void)s;                                                                             \
    close_fn(t);                                                                         \
  }                                                                                      \
  static inline void *id##_tpush(NoShared *s, tctx *t) {                                 \
    (void)s;                                                                             \
    return alloc_fn(t, BENCH_CONCURRENT_SIZE);                                           \
  }                                                                                      \
  static inline bool id##_tdrop(NoShared *s, tctx *t) {                                  \
    (void)s;                                                                             \
    return reset_fn(t);                                                                  \
  }

/* ------------------------------------------------------------ binary-trees */

typedef struct BenchNode {
  struct BenchNode *left, *right;
} BenchNode;

static uint64_t bench_tree_size(unsigned depth) {
  return (UINT64_C(2) << depth) - 1;
}

/* The trees of each depth of the loop: 2^(max - depth + min). */
static uint64_t bench_tree_iterations(unsigned max_depth, unsigned depth) {
  return UINT64_C(1) << (max_depth - depth + BENCH_TREE_MIN_DEPTH);
}

/* What a context made for one tree of that depth needs. */
BENCH_MAYBE_UNUSED static BenchHint bench_tree_hint(unsigned depth) {
  uint64_t nodes = bench_tree_size(depth);
  BenchHint hint = {(size_t)nodes, (size_t)(nodes * sizeof(BenchNode))};
  return hint;
}

/* The check: every node visited and counted. */
BENCH_MAYBE_UNUSED static uint64_t bench_tree_check(const BenchNode *node) {
  if (node->left == NULL)
    return 1;
  return 1 + bench_tree_check(node->left) + bench_tree_check(node->right);
}

uint64_t bench_tree_nodes(unsigned max_depth) {
  uint64_t nodes = bench_tree_size(max_depth + 1) + bench_tree_size(max_depth);
  for (unsigned depth = BENCH_TREE_MIN_DEPTH; depth <= max_depth; depth += 2)
    nodes += bench_tree_iterations(max_depth, depth) * bench_tree_size(depth);
  return nodes;
}

/* ---------------------------------------------------------- growth-policy */

uint64_t bench_growth_pushes(uint64_t bytes) {
  bench_init_mixed();
  uint64_t pushes = 0;
  for (uint64_t pushed = 0; pushed < bytes; pushes++)
    pushed += bench_mixed_sizes[pushes & BENCH_MIXED_MASK];
  return pushes;
}

/* ------------------------------------------------------------------ parse */

/* The document model a JSON parser builds: values of 16 bytes, objects as
 * arrays of members. */
typedef enum { BENCH_DOC_NUMBER, BENCH_DOC_STRING, BENCH_DOC_ARRAY, BENCH_DOC_OBJECT } BenchDocKind;

typedef struct BenchValue {
  uint32_t kind;   /* BenchDocKind */
  uint32_t length; /* string: bytes; array: items; object: members */
  union {
    double number;
    char *string;
    struct BenchValue *items;
    struct BenchMember *members;
  } as;
} BenchValue;

typedef struct BenchMember {
  char *key;
  BenchValue value;
} BenchMember;

/* The generator plays the part of the input text: every decision (what
 * comes next, how long, which bytes) is drawn from a fixed sequence, so
 * every contender parses the same document, and the text of strings is
 * copied out of a fixed pool as a parser copies it out of its input. */
#define BENCH_DOC_TEXT 4096u
#define BENCH_DOC_MAX_DEPTH 3u /* objects nest at most this deep */
static char bench_doc_text[BENCH_DOC_TEXT];

typedef struct {
  uint64_t state;   /* xorshift64 */
  uint64_t payload; /* bytes of the document so far: strings, members, items */
  uint64_t target;  /* the payload at which the document ends */
} BenchDocGen;

/* What comes next where a value is expected. */
typedef enum {
  BENCH_NEXT_NUMBER,
  BENCH_NEXT_STRING,
  BENCH_NEXT_NUMBERS, /* an array of numbers */
  BENCH_NEXT_STRINGS, /* an array of strings */
  BENCH_NEXT_OBJECT
} BenchNext;

static uint64_t bench_doc_random(BenchDocGen *g) {
  uint64_t x = g->state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  g->state = x;
  return x;
}

static void bench_init_doc_text(void) {
  BenchDocGen g = {UINT64_C(0x2545f4914f6cdd1d), 0, 0};
  for (size_t i = 0; i < BENCH_DOC_TEXT; i++)
    bench_doc_text[i] = (char)('a' + bench_doc_random(&g) % 26);
}

BENCH_MAYBE_UNUSED static void bench_doc_start(BenchDocGen *g, uint64_t target) {
  g->state = UINT64_C(0x9e3779b97f4a7c15);
  g->payload = 0;
  g->target = target;
}

/* Whether the root array gets another object. */
static bool bench_doc_more(BenchDocGen *g) {
  if (g->payload >= g->target)
    return false;
  g->payload += sizeof(BenchValue);
  return true;
}

/* Of 16 values: 6 numbers, 5 strings, 3 arrays of numbers, 1 array of
 * strings, 1 object (a number at the deepest level). */
static BenchNext bench_doc_next(BenchDocGen *g, unsigned depth) {
  unsigned pick = (unsigned)(bench_doc_random(g) % 16);
  if (pick < 6)
    return BENCH_NEXT_NUMBER;
  if (pick < 11)
    return BENCH_NEXT_STRING;
  if (pick < 14)
    return BENCH_NEXT_NUMBERS;
  if (pick < 15)
    return BENCH_NEXT_STRINGS;
  return depth < BENCH_DOC_MAX_DEPTH ? BENCH_NEXT_OBJECT : BENCH_NEXT_NUMBER;
}

static double bench_doc_number(BenchDocGen *g) {
  return (double)(bench_doc_random(g) >> 11) * 0x1p-53 * 1e6;
}

/* length bytes of the pool, at a drawn offset. */
static uint32_t bench_doc_text_of(BenchDocGen *g, uint32_t length, const char **text) {
  *text = bench_doc_text + bench_doc_random(g) % (BENCH_DOC_TEXT - 64u);
  g->payload += length + 1u;
  return length;
}

/* A string value: 1 to 48 bytes. */
static uint32_t bench_doc_string(BenchDocGen *g, const char **text) {
  return bench_doc_text_of(g, 1u + (uint32_t)(bench_doc_random(g) % 48), text);
}

/* A key: 3 to 16 bytes. */
static uint32_t bench_doc_key(BenchDocGen *g, const char **text) {
  return bench_doc_text_of(g, 3u + (uint32_t)(bench_doc_random(g) % 14), text);
}

/* Arrays of numbers hold 0 to 39 items, of strings 0 to 11. */
static uint32_t bench_doc_array_length(BenchDocGen *g, bool of_strings) {
  uint32_t n = (uint32_t)(bench_doc_random(g) % (of_strings ? 12u : 40u));
  g->payload += n * sizeof(BenchValue);
  return n;
}

/* Objects have 1 to 12 members. */
static uint32_t bench_doc_members(BenchDocGen *g) {
  uint32_t n = 1u + (uint32_t)(bench_doc_random(g) % 12);
  g->payload += n * sizeof(BenchMember);
  return n;
}

/* The document's fingerprint, in document order: kinds, lengths, numbers'
 * bits and strings' bytes. */
static void bench_doc_mix(uint64_t *hash, uint64_t value) {
  *hash = (*hash ^ value) * UINT64_C(0x100000001b3);
}

static void bench_doc_mix_number(uint64_t *hash, double number) {
  uint64_t bits;
  memcpy(&bits, &number, sizeof bits);
  bench_doc_mix(hash, BENCH_DOC_NUMBER);
  bench_doc_mix(hash, bits);
}

static void bench_doc_mix_text(uint64_t *hash, const char *text, size_t length) {
  bench_doc_mix(hash, length);
  for (size_t i = 0; i < length; i++)
    bench_doc_mix(hash, (unsigned char)text[i]);
}

/* The fingerprint of what the generator produces, computed from the
 * generator alone: what a correct parse must hold. */
static void bench_doc_expect_object(BenchDocGen *g, unsigned depth, uint64_t *hash);

static void bench_doc_expect_string(BenchDocGen *g, uint64_t *hash) {
  const char *text;
  uint32_t length = bench_doc_string(g, &text);
  bench_doc_mix(hash, BENCH_DOC_STRING);
  bench_doc_mix_text(hash, text, length);
}

static void bench_doc_expect_value(BenchDocGen *g, unsigned depth, uint64_t *hash) {
  BenchNext next = bench_doc_next(g, depth);
  uint32_t n;
  switch (next) {
  case BENCH_NEXT_NUMBER:
    bench_doc_mix_number(hash, bench_doc_number(g));
    break;
  case BENCH_NEXT_STRING:
    bench_doc_expect_string(g, hash);
    break;
  case BENCH_NEXT_NUMBERS:
  case BENCH_NEXT_STRINGS:
    n = bench_doc_array_length(g, next == BENCH_NEXT_STRINGS);
    bench_doc_mix(hash, BENCH_DOC_ARRAY);
    bench_doc_mix(hash, n);
    for (uint32_t i = 0; i < n; i++) {
      if (next == BENCH_NEXT_STRINGS)
        bench_doc_expect_string(g, hash);
      else
        bench_doc_mix_number(hash, bench_doc_number(g));
    }
    break;
  case BENCH_NEXT_OBJECT:
    bench_doc_expect_object(g, depth + 1, hash);
    break;
  }
}

static void bench_doc_expect_object(BenchDocGen *g, unsigned depth, uint64_t *hash) {
  uint32_t n = bench_doc_members(g);
  bench_doc_mix(hash, BENCH_DOC_OBJECT);
  bench_doc_mix(hash, n);
  for (uint32_t i = 0; i < n; i++) {
    const char *text;
    uint32_t length = bench_doc_key(g, &text);
    bench_doc_mix_text(hash, text, length);
    bench_doc_expect_value(g, depth, hash);
  }
}

/* The root's items, then their count (known only at the end). */
BENCH_MAYBE_UNUSED static uint64_t bench_doc_expected(uint64_t target) {
  static uint64_t cached_target, cached_hash;
  if (cached_target == target && target != 0)
    return cached_hash;
  BenchDocGen g;
  bench_doc_start(&g, target);
  uint64_t hash = UINT64_C(0xcbf29ce484222325), objects = 0;
  for (; bench_doc_more(&g); objects++)
    bench_doc_expect_object(&g, 1, &hash);
  bench_doc_mix(&hash, objects);
  cached_target = target;
  cached_hash = hash;
  return hash;
}

/* The same fingerprint, of the document a contender built. */
static void bench_doc_hash_value(const BenchValue *value, uint64_t *hash) {
  switch (value->kind) {
  case BENCH_DOC_NUMBER:
    bench_doc_mix_number(hash, value->as.number);
    break;
  case BENCH_DOC_STRING:
    bench_doc_mix(hash, BENCH_DOC_STRING);
    bench_doc_mix_text(hash, value->as.string, value->length);
    break;
  case BENCH_DOC_ARRAY:
    bench_doc_mix(hash, BENCH_DOC_ARRAY);
    bench_doc_mix(hash, value->length);
    for (uint32_t i = 0; i < value->length; i++)
      bench_doc_hash_value(&value->as.items[i], hash);
    break;
  case BENCH_DOC_OBJECT:
    bench_doc_mix(hash, BENCH_DOC_OBJECT);
    bench_doc_mix(hash, value->length);
    for (uint32_t i = 0; i < value->length; i++) {
      const BenchMember *member = &value->as.members[i];
      bench_doc_mix_text(hash, member->key, strlen(member->key));
      bench_doc_hash_value(&member->value, hash);
    }
    break;
  default:
    bench_doc_mix(hash, UINT64_MAX);
    break;
  }
}

/* Whether the parsed document is the one the generator produced. */
BENCH_MAYBE_UNUSED static bool bench_doc_check(const BenchValue *root, uint64_t expected) {
  uint64_t hash = UINT64_C(0xcbf29ce484222325);
  for (uint32_t i = 0; i < root->length; i++)
    bench_doc_hash_value(&root->as.items[i], &hash);
  bench_doc_mix(&hash, root->length);
  if (hash != expected)
    fprintf(stderr, "bench: the parsed document is not the one generated\n");
  return hash == expected;
}

/* What a context may prepare for: the payload, plus the arrays' room to
 * spare (up to twice what they hold), the copies their growth leaves in
 * an arena, and alignment. */
BENCH_MAYBE_UNUSED static BenchHint bench_doc_hint(uint64_t target) {
  BenchHint hint = {(size_t)(target / 16), (size_t)(target * 4 + (UINT64_C(1) << 20))};
  return hint;
}

/* ------------------------------------------------------------- concurrent */

#if HAVE_BENCH_THREADS
/* The threads of one run.  They start together at a gate, and keep in
 * step at a barrier that spins (a futex wake-up would cost more than a
 * short cycle) and yields now and then, for a machine with fewer free
 * cores than threads. */
typedef struct {
  unsigned threads;
  atomic_uint arrived;
  atomic_uint generation;
  atomic_bool failed;
  atomic_int gate; /* 0: wait, 1: go, -1: give up (not every thread started) */
} BenchTeam;

typedef struct {
  void *shared; /* the contender's C_SCTX */
  const BenchParams *params;
  BenchTeam *team;
  unsigned index;
  bool ok;
  double seconds;
} BenchWorker;

static void bench_spin_pause(unsigned *spins) {
  if (++*spins % 256 == 0)
    sched_yield();
}

/* Every thread comes here alike; the last one to arrive lets them all go
 * on.  Returns false, to all of them alike, once any came with ok false. */
static bool bench_team_wait(BenchTeam *team, bool ok) {
  if (!ok)
    atomic_store(&team->failed, true);
  unsigned generation = atomic_load_explicit(&team->generation, memory_order_acquire);
  if (atomic_fetch_add_explicit(&team->arrived, 1, memory_order_acq_rel) + 1 == team->threads) {
    atomic_store_explicit(&team->arrived, 0, memory_order_relaxed);
    atomic_fetch_add_explicit(&team->generation, 1, memory_order_release);
  } else {
    unsigned spins = 0;
    while (atomic_load_explicit(&team->generation, memory_order_acquire) == generation)
      bench_spin_pause(&spins);
  }
  return !atomic_load(&team->failed);
}

typedef void *(*BenchThreadBody)(void *);

/* The body, behind the gate, so that no thread starts unless all could. */
typedef struct {
  BenchWorker *worker;
  BenchThreadBody body;
} BenchStart;

static void *bench_thread_start(void *arg) {
  BenchStart *start = arg;
  BenchTeam *team = start->worker->team;
  unsigned spins = 0;
  int gate;
  while ((gate = atomic_load_explicit(&team->gate, memory_order_acquire)) == 0)
    bench_spin_pause(&spins);
  if (gate < 0)
    return NULL;
  return start->body(start->worker);
}

/* p->threads threads run body, each with a worker of its own; every one
 * is a new thread, at 1 too, so the process is multi-threaded at every
 * thread count alike (glibc's malloc skips its atomics while it is not).
 * *seconds is thread 0's. */
BENCH_MAYBE_UNUSED static bool bench_team_run(const BenchParams *p, void *shared,
                                              BenchThreadBody body, double *seconds) {
  BenchTeam team;
  team.threads = (unsigned)p->threads;
  atomic_init(&team.arrived, 0);
  atomic_init(&team.generation, 0);
  atomic_init(&team.failed, false);
  atomic_init(&team.gate, 0);
  BenchWorker workers[BENCH_MAX_THREADS];
  BenchStart starts[BENCH_MAX_THREADS];
  pthread_t ids[BENCH_MAX_THREADS];
  unsigned started = 0;
  for (; started < team.threads; started++) {
    workers[started] = (BenchWorker){shared, p, &team, started, false, 0.0};
    starts[started] = (BenchStart){&workers[started], body};
    if (pthread_create(&ids[started], NULL, bench_thread_start, &starts[started]) != 0)
      break;
  }
  bool all = started == team.threads;
  if (!all)
    fprintf(stderr, "bench: could start only %u of %u threads\n", started, team.threads);
  atomic_store_explicit(&team.gate, all ? 1 : -1, memory_order_release);
  bool ok = all;
  for (unsigned i = 0; i < started; i++) {
    pthread_join(ids[i], NULL);
    ok = ok && workers[i].ok;
  }
  *seconds = workers[0].seconds;
  return ok;
}
#endif /* HAVE_BENCH_THREADS */

#if BENCH_VARIANT == BENCH_VARIANT_MAIN

/* ------------------------------------------------------------- inline bump */

/* The limit: what any arena's fast path has to do at least.  The context
 * holds pointers only, so the compiler may keep them in registers across
 * the stores into the objects. */
typedef struct {
  unsigned char *cursor, *end;
  unsigned char *heap;
} BumpCtx;

/* lifecycle: small contexts bump in here and never call malloc after the
 * first.  (malloc'd, so objects of any type may live in it.) */
#define BUMP_LOCAL_SIZE 2048u
static unsigned char *bump_local;

static inline bool c_bump_open(BumpCtx *c, const BenchHint *hint) {
  c->heap = NULL;
  if (hint->bytes <= BUMP_LOCAL_SIZE) {
    if (bump_local == NULL && (bump_local = malloc(BUMP_LOCAL_SIZE)) == NULL)
      return false;
    c->cursor = bump_local;
    c->end = bump_local + BUMP_LOCAL_SIZE;
    return true;
  }
  c->heap = malloc(hint->bytes);
  if (c->heap == NULL)
    return false;
  c->cursor = c->heap;
  c->end = c->heap + hint->bytes;
  return true;
}

static inline void c_bump_close(BumpCtx *c) {
  free(c->heap);
}

static inline void *c_bump_alloc_aligned(BumpCtx *c, size_t size, size_t alignment) {
  uintptr_t cursor = (uintptr_t)c->cursor, end = (uintptr_t)c->end;
  uintptr_t start = (cursor + (alignment - 1)) & ~(uintptr_t)(alignment - 1);
  if (start > end || size > end - start)
    return NULL; /* the buffer is sized for the workload: never */
  unsigned char *result = c->cursor + (start - cursor);
  c->cursor = result + size;
  return result;
}

static inline void *c_bump_alloc(BumpCtx *c, size_t size) {
  return c_bump_alloc_aligned(c, size, alignof(max_align_t));
}

/* Every byte is cleared: the bump does not know which pages are fresh. */
static inline void *c_bump_zalloc(BumpCtx *c, size_t size) {
  void *result = c_bump_alloc(c, size);
  if (result != NULL)
    memset(result, 0, size);
  return result;
}

static inline bool c_bump_reset(BumpCtx *c) {
  c->cursor = c->heap != NULL ? c->heap : bump_local;
  return true;
}

/* In place when p is the last allocation and there is room. */
static inline void *c_bump_grow(BumpCtx *c, void *p, size_t old_size, size_t new_size) {
  unsigned char *old = p;
  if (old != NULL && new_size >= old_size && old + old_size == c->cursor &&
      new_size - old_size <= (size_t)(c->end - c->cursor)) {
    c->cursor = old + new_size;
    return p;
  }
  void *moved = c_bump_alloc(c, new_size);
  if (moved != NULL && old != NULL)
    memcpy(moved, old, old_size < new_size ? old_size : new_size);
  return moved;
}

static inline void c_bump_grow_end(BumpCtx *c, void *p) {
  (void)c;
  (void)p;
}

/* vector: the reference is no growth at all, an array made at its final
 * size (the hint), filled in order. */
typedef struct {
  int *data;
  size_t n, cap;
} IntArray;

static inline bool c_bump_vopen(IntArray *v, const BenchHint *hint) {
  v->n = 0;
  v->cap = hint->count;
  v->data = malloc(hint->bytes);
  return v->data != NULL;
}

static inline bool c_bump_vpush(IntArray *v, int value) {
  if (v->n == v->cap)
    return false; /* made for the workload: never */
  v->data[v->n++] = value;
  return true;
}

static inline const int *c_bump_vdata(const IntArray *v) {
  return v->data;
}

static inline void c_bump_vclose(IntArray *v) {
  free(v->data);
}

/* strings: the reference is a buffer of the text's final size (the
 * hint), appended to in order. */
typedef struct {
  char *text;
  size_t length, capacity; /* capacity counts the NUL */
} CharBuffer;

static inline bool c_bump_sbopen(CharBuffer *b, const BenchHint *hint) {
  b->length = 0;
  b->capacity = hint->bytes;
  b->text = malloc(b->capacity);
  if (b->text != NULL)
    b->text[0] = '\0';
  return b->text != NULL;
}

static inline bool c_bump_sbappend(CharBuffer *b, const char *text, size_t length) {
  if (length >= b->capacity - b->length)
    return false; /* made for the workload: never */
  memcpy(b->text + b->length, text, length);
  b->length += length;
  b->text[b->length] = '\0';
  return true;
}

static inline const char *c_bump_sbtext(CharBuffer *b, size_t *length) {
  *length = b->length;
  return b->text;
}

static inline void c_bump_sbclose(CharBuffer *b) {
  free(b->text);
}

/* Objects: a buffer made for the most the context will hold (the hint),
 * never the small shared one, as a binary-trees run holds several
 * contexts open at once. */
static inline bool c_bump_oopen(BumpCtx *c, const BenchHint *hint) {
  c->heap = malloc(hint->bytes);
  c->cursor = c->heap;
  c->end = c->heap != NULL ? c->heap + hint->bytes : NULL;
  return c->heap != NULL;
}

static inline void c_bump_ostats(BumpCtx *c, uint64_t *blocks, uint64_t *committed) {
  *blocks = 1;
  *committed = (uint64_t)(c->end - c->heap);
}

#define c_bump_oalloc c_bump_alloc
#define c_bump_ogrow c_bump_grow
#define c_bump_oreset c_bump_reset
#define c_bump_oclose c_bump_close

/* Threads: a bump of its own for each, the limit of what an arena per
 * thread can do. */
BENCH_UNSHARED_THREAD_OPS(c_bump, BumpCtx, c_bump_oopen, c_bump_close, c_bump_alloc, c_bump_reset)

#define C_ID c_bump
#define C_CTX BumpCtx
#define C_VCTX IntArray
#define C_SBCTX CharBuffer
#define C_STRINGS 1
#define C_OCTX BumpCtx
#define C_SCTX NoShared
#define C_TCTX BumpCtx
#define C_ARENA_OPS 1
#define C_GROW 1
#define C_VECTOR 1
#define C_TREES 1
#define C_PARSE 1
#define C_GROWTH 1
#define C_OFREES 0
#define C_THREADS HAVE_BENCH_THREADS
#include "workloads.h"

/* ------------------------------------------- inline bump on huge pages */

#if HAVE_BENCH_BUMP_HUGE
/* The same bump over memory that is huge pages from the first byte: what
 * first use of fresh memory costs at best.  One context per process (fill,
 * zeroed-fresh and grow run in a fresh process each time). */
#define HUGE_PAGE ((size_t)2 << 20)
static unsigned char *bump_huge_map;
static size_t bump_huge_map_size;

static inline bool c_bump_huge_open(BumpCtx *c, const BenchHint *hint) {
  size_t size = (hint->bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
  void *map = mmap(NULL, size + HUGE_PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (map == MAP_FAILED)
    return false;
  bump_huge_map = map;
  bump_huge_map_size = size + HUGE_PAGE;
  uintptr_t aligned = ((uintptr_t)map + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
  c->heap = (unsigned char *)map + (aligned - (uintptr_t)map);
  madvise(c->heap, size, MADV_HUGEPAGE);
  c->cursor = c->heap;
  c->end = c->heap + size;
  return true;
}

static inline void c_bump_huge_close(BumpCtx *c) {
  (void)c;
  munmap(bump_huge_map, bump_huge_map_size);
}

/* The kernel's zero pages: nothing to clear on fresh memory. */
static inline void *c_bump_huge_zalloc(BumpCtx *c, size_t size) {
  return c_bump_alloc(c, size);
}

#define c_bump_huge_alloc c_bump_alloc
#define c_bump_huge_alloc_aligned c_bump_alloc_aligned
#define c_bump_huge_reset c_bump_reset
#define c_bump_huge_grow c_bump_grow
#define c_bump_huge_grow_end c_bump_grow_end

#define C_ID c_bump_huge
#define C_CTX BumpCtx
#define C_ARENA_OPS 1
#define C_GROW 1
#include "workloads.h"
#endif

/* ------------------------------------------------------------------ samrena */

typedef struct {
  Samrena *arena;
} SamrenaCtx;

/* An arena of that configuration (NULL: samrena_create(NULL)), or a
 * message naming what was asked for. */
static bool samrena_ctx_create(SamrenaCtx *c, const SamrenaConfig *config, const char *what) {
  c->arena = samrena_create(config);
  if (c->arena == NULL) {
    fprintf(stderr, "bench: samrena_create(%s): %s\n",
            what != NULL ? what : samrena_strategy_name(config->strategy),
            samrena_error_string(samrena_last_error()));
    return false;
  }
  return true;
}

/* Default configuration, the strategy forced: no silent fallback. */
static bool samrena_ctx_open(SamrenaCtx *c, SamrenaStrategy strategy) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = strategy;
  config.flags = SAMRENA_FLAG_STRICT | SAMRENA_FLAG_QUIET;
  return samrena_ctx_create(c, &config, NULL); /* NULL: named by its strategy, on failure only */
}

/* A chained arena growing as that policy says (growth-policy). */
static bool samrena_ctx_growing(SamrenaCtx *c, SamrenaGrowthConfig growth, const char *what) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_CHAINED;
  config.flags = SAMRENA_FLAG_STRICT | SAMRENA_FLAG_QUIET;
  config.growth = growth;
  return samrena_ctx_create(c, &config, what);
}

static inline void c_samrena_close(SamrenaCtx *c) {
  samrena_destroy(c->arena);
}

static inline void *c_samrena_alloc(SamrenaCtx *c, size_t size) {
  return samrena_push(c->arena, size);
}

static inline void *c_samrena_alloc_aligned(SamrenaCtx *c, size_t size, size_t alignment) {
  return samrena_push_aligned(c->arena, size, alignment);
}

static inline void *c_samrena_zalloc(SamrenaCtx *c, size_t size) {
  return samrena_push_zero(c->arena, size);
}

static inline bool c_samrena_reset(SamrenaCtx *c) {
  samrena_reset(c->arena);
  return true;
}

static inline void *c_samrena_grow(SamrenaCtx *c, void *p, size_t old_size, size_t new_size) {
  return samrena_resize(c->arena, p, old_size, new_size);
}

static inline void c_samrena_grow_end(SamrenaCtx *c, void *p) {
  (void)c;
  (void)p;
}

/* The two strategies share the operations above. */
static inline bool c_chained_open(SamrenaCtx *c, const BenchHint *hint) {
  (void)hint;
  return samrena_ctx_open(c, SAMRENA_STRATEGY_CHAINED);
}
static inline bool c_virtual_open(SamrenaCtx *c, const BenchHint *hint) {
  (void)hint;
  return samrena_ctx_open(c, SAMRENA_STRATEGY_VIRTUAL);
}
#define c_chained_close c_samrena_close
#define c_chained_alloc c_samrena_alloc
#define c_chained_alloc_aligned c_samrena_alloc_aligned
#define c_chained_zalloc c_samrena_zalloc
#define c_chained_reset c_samrena_reset
#define c_chained_grow c_samrena_grow
#define c_chained_grow_end c_samrena_grow_end
#define c_virtual_close c_samrena_close
#define c_virtual_alloc c_samrena_alloc
#define c_virtual_alloc_aligned c_samrena_alloc_aligned
#define c_virtual_zalloc c_samrena_zalloc
#define c_virtual_reset c_samrena_reset
#define c_virtual_grow c_samrena_grow
#define c_virtual_grow_end c_samrena_grow_end

/* The blocks an arena obtained (a chained arena's malloc calls; a
 * virtual one's reservations) and the bytes it holds. */
static inline void c_samrena_ostats(SamrenaCtx *c, uint64_t *blocks, uint64_t *committed) {
  SamrenaStats stats;
  if (samrena_stats(c->arena, &stats) != SAMRENA_OK) {
    *blocks = *committed = 0;
    return;
  }
  *blocks = stats.blocks;
  *committed = stats.committed;
}

/* The object operations of every samrena contender but the called push. */
#define c_samrena_oalloc c_samrena_alloc
#define c_samrena_ogrow c_samrena_grow
#define c_samrena_oreset c_samrena_reset
#define c_samrena_oclose c_samrena_close

#define c_chained_oopen c_chained_open
#define c_chained_oalloc c_samrena_oalloc
#define c_chained_ogrow c_samrena_ogrow
#define c_chained_oreset c_samrena_oreset
#define c_chained_oclose c_samrena_oclose
#define c_chained_ostats c_samrena_ostats
#define c_virtual_oopen c_virtual_open
#define c_virtual_oalloc c_samrena_oalloc
#define c_virtual_ogrow c_samrena_ogrow
#define c_virtual_oreset c_samrena_oreset
#define c_virtual_oclose c_samrena_oclose
#define c_virtual_ostats c_samrena_ostats

#define C_ID c_chained
#define C_CTX SamrenaCtx
#define C_OCTX SamrenaCtx
#define C_ARENA_OPS 1
#define C_GROW 1
#define C_TREES 1
#define C_PARSE 1
#define C_GROWTH 1
#define C_OFREES 0
#include "workloads.h"

#define C_ID c_virtual
#define C_CTX SamrenaCtx
#define C_OCTX SamrenaCtx
#define C_ARENA_OPS 1
#define C_GROW 1
#define C_TREES 1
#define C_PARSE 1
#define C_GROWTH 1
#define C_OFREES 0
#include "workloads.h"

/* What samrena_create(NULL) gives, as a user's first arena: the virtual
 * strategy here, on an uncapped reservation.  It runs lifecycle with the
 * arena operations, binary-trees and parse with the object ones. */
static inline bool c_sdefault_open(SamrenaCtx *c, const BenchHint *hint) {
  (void)hint;
  return samrena_ctx_create(c, NULL, "NULL");
}

#define c_sdefault_close c_samrena_close
#define c_sdefault_alloc c_samrena_alloc
#define c_sdefault_alloc_aligned c_samrena_alloc_aligned
#define c_sdefault_zalloc c_samrena_zalloc
#define c_sdefault_reset c_samrena_reset
#define c_sdefault_oopen c_sdefault_open
#define c_sdefault_oalloc c_samrena_oalloc
#define c_sdefault_ogrow c_samrena_ogrow
#define c_sdefault_oreset c_samrena_oreset
#define c_sdefault_oclose c_samrena_oclose

#define C_ID c_sdefault
#define C_CTX SamrenaCtx
#define C_OCTX SamrenaCtx
#define C_ARENA_OPS 1
#define C_GROW 0
#define C_TREES 1
#define C_PARSE 1
#define C_OFREES 0
#include "workloads.h"

/* The same arena, every push a call of the exported function, as through
 * a function pointer or an allocator interface: what the inline fast path
 * saves. */
static inline void *c_scalled_oalloc(SamrenaCtx *c, size_t size) {
  return (samrena_push)(c->arena, size);
}

#define c_scalled_oopen c_sdefault_open
#define c_scalled_oreset c_samrena_oreset
#define c_scalled_oclose c_samrena_oclose

#define C_ID c_scalled
#define C_OCTX SamrenaCtx
#define C_ARENA_OPS 0
#define C_GROW 0
#define C_TREES 1
#define C_OFREES 0
#include "workloads.h"

/* growth-policy: chained arenas that differ in their growth only (the
 * default's, growth_pages, is samrena-chained's). */
static inline bool c_gconservative_oopen(SamrenaCtx *c, const BenchHint *hint) {
  (void)hint;
  return samrena_ctx_growing(c, SAMRENA_GROWTH_CONSERVATIVE, "GROWTH_CONSERVATIVE");
}

static inline bool c_gbalanced_oopen(SamrenaCtx *c, const BenchHint *hint) {
  (void)hint;
  return samrena_ctx_growing(c, SAMRENA_GROWTH_BALANCED, "GROWTH_BALANCED");
}

static inline bool c_gdouble_oopen(SamrenaCtx *c, const BenchHint *hint) {
  (void)hint;
  SamrenaGrowthConfig doubling = {.policy = SAMRENA_GROWTH_EXPONENTIAL,
                                  .params.exponential = {.factor = 2.0}};
  return samrena_ctx_growing(c, doubling, "exponential x2");
}

#define c_gconservative_oalloc c_samrena_oalloc
#define c_gconservative_oclose c_samrena_oclose
#define c_gconservative_ostats c_samrena_ostats
#define c_gbalanced_oalloc c_samrena_oalloc
#define c_gbalanced_oclose c_samrena_oclose
#define c_gbalanced_ostats c_samrena_ostats
#define c_gdouble_oalloc c_samrena_oalloc
#define c_gdouble_oclose c_samrena_oclose
#define c_gdouble_ostats c_samrena_ostats

#define C_ID c_gconservative
#define C_OCTX SamrenaCtx
#define C_ARENA_OPS 0
#define C_GROW 0
#define C_GROWTH 1
#include "workloads.h"

#define C_ID c_gbalanced
#define C_OCTX SamrenaCtx
#define C_ARENA_OPS 0
#define C_GROW 0
#define C_GROWTH 1
#include "workloads.h"

#define C_ID c_gdouble
#define C_OCTX SamrenaCtx
#define C_ARENA_OPS 0
#define C_GROW 0
#define C_GROWTH 1
#include "workloads.h"

#if HAVE_BENCH_THREADS
/* concurrent, samrena-concurrent: one SAMRENA_FLAG_CONCURRENT arena of the
 * default configuration; the inline push declines on it and calls. */
static inline bool c_sconc_sopen(SamrenaCtx *s, const BenchHint *hint) {
  (void)hint;
  SamrenaConfig config = samrena_default_config();
  config.flags = SAMRENA_FLAG_CONCURRENT;
  return samrena_ctx_create(s, &config, "SAMRENA_FLAG_CONCURRENT");
}

static inline bool c_sconc_topen(SamrenaCtx *s, NoShared *t, const BenchHint *hint) {
  (void)s;
  return bench_no_shared_open(t, hint);
}

static inline void c_sconc_tclose(SamrenaCtx *s, NoShared *t) {
  (void)s;
  (void)t;
}

static inline void *c_sconc_tpush(SamrenaCtx *s, NoShared *t) {
  (void)t;
  return samrena_push(s->arena, BENCH_CONCURRENT_SIZE);
}

static inline bool c_sconc_tdrop(SamrenaCtx *s, NoShared *t) {
  (void)s;
  (void)t;
  return true;
}

#define c_sconc_sclose c_samrena_close
#define c_sconc_sreset c_samrena_reset

#define C_ID c_sconc
#define C_SCTX SamrenaCtx
#define C_TCTX NoShared
#define C_ARENA_OPS 0
#define C_GROW 0
#define C_THREADS 1
#include "workloads.h"

/* samrena-mutex: one plain default arena, each push under a mutex. */
typedef struct {
  Samrena *arena;
  pthread_mutex_t lock;
} LockedArena;

static inline bool c_smutex_sopen(LockedArena *s, const BenchHint *hint) {
  SamrenaCtx c;
  if (!c_sdefault_open(&c, hint))
    return false;
  s->arena = c.arena;
  if (pthread_mutex_init(&s->lock, NULL) != 0) {
    samrena_destroy(s->arena);
    return false;
  }
  return true;
}

static inline void c_smutex_sclose(LockedArena *s) {
  pthread_mutex_destroy(&s->lock);
  samrena_destroy(s->arena);
}

static inline void *c_smutex_tpush(LockedArena *s, NoShared *t) {
  (void)t;
  pthread_mutex_lock(&s->lock);
  void *object = samrena_push(s->arena, BENCH_CONCURRENT_SIZE);
  pthread_mutex_unlock(&s->lock);
  return object;
}

static inline bool c_smutex_sreset(LockedArena *s) {
  samrena_reset(s->arena);
  return true;
}

static inline bool c_smutex_topen(LockedArena *s, NoShared *t, const BenchHint *hint) {
  (void)s;
  return bench_no_shared_open(t, hint);
}

static inline void c_smutex_tclose(LockedArena *s, NoShared *t) {
  (void)s;
  (void)t;
}

static inline bool c_smutex_tdrop(LockedArena *s, NoShared *t) {
  (void)s;
  (void)t;
  return true;
}

#define C_ID c_smutex
#define C_SCTX LockedArena
#define C_TCTX NoShared
#define C_ARENA_OPS 0
#define C_GROW 0
#define C_THREADS 1
#include "workloads.h"

/* samrena-per-thread: a default arena of its own in every thread, reset
 * by its thread at the end of each cycle. */
BENCH_UNSHARED_THREAD_OPS(c_sthread, SamrenaCtx, c_sdefault_open, c_samrena_close, c_samrena_alloc,
                          c_samrena_reset)

#define C_ID c_sthread
#define C_SCTX NoShared
#define C_TCTX SamrenaCtx
#define C_ARENA_OPS 0
#define C_GROW 0
#define C_THREADS 1
#include "workloads.h"
#endif /* HAVE_BENCH_THREADS */

/* The stable realloc: one reservation per block, growth never moves. */
typedef struct {
  int unused;
} StableCtx;

static inline bool c_stable_open(StableCtx *c, const BenchHint *hint) {
  (void)hint;
  c->unused = 0;
  return true;
}

static inline void c_stable_close(StableCtx *c) {
  (void)c;
}

static inline void *c_stable_grow(StableCtx *c, void *p, size_t old_size, size_t new_size) {
  (void)c;
  (void)old_size;
  return samrena_vmem_realloc(p, new_size);
}

static inline void c_stable_grow_end(StableCtx *c, void *p) {
  (void)c;
  (void)samrena_vmem_realloc(p, 0);
}

#define C_ID c_stable
#define C_CTX StableCtx
#define C_ARENA_OPS 0
#define C_GROW 1
#include "workloads.h"

static const char *samrena_version_text(void) {
  return samrena_version();
}

/* --------------------------------------------------------------- vectors */

/* Every vector starts with room for BENCH_VECTOR_START ints and is pushed
 * one int at a time (bench/README). */

/* Ours, owned: alone on a virtual arena, it grows in place and never
 * moves.  samrena_vector_push is samvector.h's inline fast path. */
typedef struct {
  SamrenaVector *vec;
} OwnedVector;

static inline bool c_vowned_vopen(OwnedVector *v, const BenchHint *hint) {
  (void)hint;
  v->vec = samrena_vector_init_owned(sizeof(int), BENCH_VECTOR_START);
  return v->vec != NULL;
}

static inline bool c_vowned_vpush(OwnedVector *v, int value) {
  return samrena_vector_push(v->vec, &value) != NULL;
}

static inline const int *c_vowned_vdata(const OwnedVector *v) {
  return v->vec->data;
}

static inline void c_vowned_vclose(OwnedVector *v) {
  samrena_vector_destroy(v->vec);
}

#define C_ID c_vowned
#define C_ARENA_OPS 0
#define C_GROW 0
#define C_VCTX OwnedVector
#define C_VECTOR 1
#include "workloads.h"

/* Ours, on a shared default arena that also serves other allocations: a
 * 64-byte push every BENCH_VECTOR_NOISE pushes, so that when the vector
 * grows its buffer is usually not the arena's last allocation, and the
 * growth copies. */
typedef struct {
  Samrena *arena;
  SamrenaVector *vec;
  unsigned until_noise;
} SharedVector;

static inline bool c_vshared_vopen(SharedVector *v, const BenchHint *hint) {
  (void)hint;
  v->arena = samrena_create(NULL);
  v->vec = v->arena != NULL ? samrena_vector_init(v->arena, sizeof(int), BENCH_VECTOR_START)
                            : NULL;
  v->until_noise = BENCH_VECTOR_NOISE;
  return v->vec != NULL;
}

static inline bool c_vshared_vpush(SharedVector *v, int value) {
  if (--v->until_noise == 0) {
    v->until_noise = BENCH_VECTOR_NOISE;
    unsigned char *other = samrena_push(v->arena, 64);
    if (other == NULL)
      return false;
    other[0] = 1;
  }
  return samrena_vector_push(v->vec, &value) != NULL;
}

static inline const int *c_vshared_vdata(const SharedVector *v) {
  return v->vec->data;
}

static inline void c_vshared_vclose(SharedVector *v) {
  samrena_destroy(v->arena);
}

#define C_ID c_vshared
#define C_ARENA_OPS 0
#define C_GROW 0
#define C_VCTX SharedVector
#define C_VECTOR 1
#include "workloads.h"

/* Upstream samrena's vector, as it grew: a new buffer pushed on its arena
 * at every growth (x1.5, at least 8 more) and the elements copied, the
 * old buffer left behind. */
typedef struct {
  Samrena *arena;
  int *data;
  size_t n, cap;
} CopyVector;

static inline bool c_vcopy_vopen(CopyVector *v, const BenchHint *hint) {
  (void)hint;
  v->arena = samrena_create(NULL);
  v->n = 0;
  v->cap = BENCH_VECTOR_START;
  v->data = v->arena != NULL ? samrena_push(v->arena, v->cap * sizeof(int)) : NULL;
  return v->data != NULL;
}

static BENCH_MAYBE_UNUSED bool c_vcopy_grow(CopyVector *v) {
  size_t cap = (size_t)((double)v->cap * 1.5);
  if (cap < v->cap + 8)
    cap = v->cap + 8;
  int *data = samrena_push(v->arena, cap * sizeof(int));
  if (data == NULL)
    return false;
  memcpy(data, v->data, v->n * sizeof(int));
  v->data = data;
  v->cap = cap;
  return true;
}

static inline bool c_vcopy_vpush(CopyVector *v, int value) {
  if (v->n == v->cap && !c_vcopy_grow(v))
    return false;
  v->data[v->n++] = value;
  return true;
}

static inline const int *c_vcopy_vdata(const CopyVector *v) {
  return v->data;
}

static inline void c_vcopy_vclose(CopyVector *v) {
  samrena_destroy(v->arena);
}

#define C_ID c_vcopy
#define C_ARENA_OPS 0
#define C_GROW 0
#define C_VCTX CopyVector
#define C_VECTOR 1
#include "workloads.h"

/* A plain array grown by realloc, doubling. */
static inline bool c_vrealloc_vopen(IntArray *v, const BenchHint *hint) {
  (void)hint;
  v->n = 0;
  v->cap = BENCH_VECTOR_START;
  v->data = malloc(v->cap * sizeof(int));
  return v->data != NULL;
}

static BENCH_MAYBE_UNUSED bool c_vrealloc_grow(IntArray *v) {
  int *data = realloc(v->data, 2 * v->cap * sizeof(int));
  if (data == NULL)
    return false;
  v->data = data;
  v->cap *= 2;
  return true;
}

static inline bool c_vrealloc_vpush(IntArray *v, int value) {
  if (v->n == v->cap && !c_vrealloc_grow(v))
    return false;
  v->data[v->n++] = value;
  return true;
}

#define c_vrealloc_vdata c_bump_vdata
#define c_vrealloc_vclose c_bump_vclose
#define C_ID c_vrealloc
#define C_ARENA_OPS 0
#define C_GROW 0
#define C_VCTX IntArray
#define C_VECTOR 1
#include "workloads.h"

/* std::vector's growth: twice the room from malloc, a copy, the old freed. */
static BENCH_MAYBE_UNUSED bool c_vdouble_grow(IntArray *v) {
  int *data = malloc(2 * v->cap * sizeof(int));
  if (data == NULL)
    return false;
  memcpy(data, v->data, v->n * sizeof(int));
  free(v->data);
  v->data = data;
  v->cap *= 2;
  return true;
}

static inline bool c_vdouble_vpush(IntArray *v, int value) {
  if (v->n == v->cap && !c_vdouble_grow(v))
    return false;
  v->data[v->n++] = value;
  return true;
}

#define c_vdouble_vopen c_vrealloc_vopen
#define c_vdouble_vdata c_bump_vdata
#define c_vdouble_vclose c_bump_vclose
#define C_ID c_vdouble
#define C_ARENA_OPS 0
#define C_GROW 0
#define C_VCTX IntArray
#define C_VECTOR 1
#include "workloads.h"

/* ---------------------------------------------------------------- strings */

/* Ours: a SamrenaStr on an arena of its own, which the text is pushed on
 * first (samrena_str_init), so that it grows in place. */
typedef struct {
  Samrena *arena;
  SamrenaStr *str;
} StrBuilder;

static bool str_open_on(StrBuilder *b, Samrena *arena) {
  b->arena = arena;
  b->str = arena != NULL ? samrena_str_init(arena) : NULL;
  return b->str != NULL;
}

static inline bool c_strdef_sbopen(StrBuilder *b, const BenchHint *hint) {
  (void)hint;
  return str_open_on(b, samrena_create(NULL));
}

static inline bool c_strdef_sbappend(StrBuilder *b, const char *text, size_t length) {
  return samrena_str_append(b->str, text, length) == SAMRENA_OK;
}

static inline const char *c_strdef_sbtext(StrBuilder *b, size_t *length) {
  *length = samrena_str_len(b->str);
  return samrena_str_cstr(b->str);
}

static inline void c_strdef_sbclose(StrBuilder *b) {
  samrena_destroy(b->arena);
}

#define C_ID c_strdef
#define C_ARENA_OPS 0
#define C_GROW 0
#define C_SBCTX StrBuilder
#define C_STRINGS 1
#include "workloads.h"

static inline bool c_strchain_sbopen(StrBuilder *b, const BenchHint *hint) {
  (void)hint;
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_CHAINED;
  return str_open_on(b, samrena_create(&config));
}

#define c_strchain_sbappend c_strdef_sbappend
#define c_strchain_sbtext c_strdef_sbtext
#define c_strchain_sbclose c_strdef_sbclose
#define C_ID c_strchain
#define C_ARENA_OPS 0
#define C_GROW 0
#define C_SBCTX StrBuilder
#define C_STRINGS 1
#include "workloads.h"

/* A char buffer grown by realloc, doubling, as a C program without a
 * builder writes it. */
static inline bool c_srealloc_sbopen(CharBuffer *b, const BenchHint *hint) {
  (void)hint;
  b->length = 0;
  b->capacity = 64;
  b->text = malloc(b->capacity);
  if (b->text != NULL)
    b->text[0] = '\0';
  return b->text != NULL;
}

static inline bool c_srealloc_sbappend(CharBuffer *b, const char *text, size_t length) {
  if (length >= b->capacity - b->length) {
    size_t capacity = 2 * b->capacity;
    while (length >= capacity - b->length)
      capacity *= 2;
    char *grown = realloc(b->text, capacity);
    if (grown == NULL)
      return false;
    b->text = grown;
    b->capacity = capacity;
  }
  return c_bump_sbappend(b, text, length); /* room made: the bump's append */
}

#define c_srealloc_sbtext c_bump_sbtext
#define c_srealloc_sbclose c_bump_sbclose
#define C_ID c_srealloc
#define C_ARENA_OPS 0
#define C_GROW 0
#define C_SBCTX CharBuffer
#define C_STRINGS 1
#include "workloads.h"

#endif /* BENCH_VARIANT_MAIN */

/* ----------------------------------------------------- malloc and jemalloc */

#if BENCH_VARIANT == BENCH_VARIANT_MAIN || \
    (BENCH_VARIANT == BENCH_VARIANT_JEMALLOC && HAVE_BENCH_JEMALLOC)

/* The process's malloc: glibc's in bench/bench, jemalloc's in
 * bench/bench-jemalloc.  A reset frees every object, so the context keeps
 * their pointers, in an array made (and touched) when it opens. */
typedef struct {
  void **ptrs;
  size_t n, cap;
  void *local[BENCH_LIFE_PUSHES];
} MallocCtx;

static inline bool c_malloc_open(MallocCtx *c, const BenchHint *hint) {
  c->n = 0;
  c->cap = hint->count;
  c->ptrs = c->local;
  if (c->cap > BENCH_LIFE_PUSHES) {
    if (c->cap > SIZE_MAX / sizeof *c->ptrs)
      return false;
    c->ptrs = malloc(c->cap * sizeof *c->ptrs);
    if (c->ptrs == NULL)
      return false;
    memset(c->ptrs, 0, c->cap * sizeof *c->ptrs);
  }
  return true;
}

static inline void *c_malloc_keep(MallocCtx *c, void *p) {
  if (p == NULL)
    return NULL;
  if (c->n == c->cap) {
    free(p);
    fprintf(stderr, "bench: more allocations than the context was opened for\n");
    return NULL;
  }
  c->ptrs[c->n++] = p;
  return p;
}

static inline void *c_malloc_alloc(MallocCtx *c, size_t size) {
  return c_malloc_keep(c, malloc(size));
}

/* malloc's own alignment serves any object at least that big; smaller
 * objects, or stricter alignments, go through posix_memalign. */
static inline void *c_malloc_alloc_aligned(MallocCtx *c, size_t size, size_t alignment) {
  if (alignment <= alignof(max_align_t) && size >= alignment)
    return c_malloc_keep(c, malloc(size));
  void *p = NULL;
  if (posix_memalign(&p, alignment < sizeof(void *) ? sizeof(void *) : alignment, size) != 0)
    return NULL;
  return c_malloc_keep(c, p);
}

static inline void *c_malloc_zalloc(MallocCtx *c, size_t size) {
  return c_malloc_keep(c, calloc(1, size));
}

static inline bool c_malloc_reset(MallocCtx *c) {
  for (size_t i = 0; i < c->n; i++)
    free(c->ptrs[i]);
  c->n = 0;
  return true;
}

static inline void c_malloc_close(MallocCtx *c) {
  c_malloc_reset(c);
  if (c->ptrs != c->local)
    free(c->ptrs);
}

static inline void *c_malloc_grow(MallocCtx *c, void *p, size_t old_size, size_t new_size) {
  (void)c;
  (void)old_size;
  return realloc(p, new_size);
}

static inline void c_malloc_grow_end(MallocCtx *c, void *p) {
  (void)c;
  free(p);
}

/* Objects (bench/bench only): each one malloc'd and, before a reset,
 * freed by itself, as a program without an arena does; nothing to keep. */
static inline bool c_malloc_oopen(NoShared *c, const BenchHint *hint) {
  return bench_no_shared_open(c, hint);
}

static inline void *c_malloc_oalloc(NoShared *c, size_t size) {
  (void)c;
  return malloc(size);
}

static inline void *c_malloc_ogrow(NoShared *c, void *p, size_t old_size, size_t new_size) {
  (void)c;
  (void)old_size;
  return realloc(p, new_size);
}

static inline void c_malloc_ofree(NoShared *c, void *p) {
  (void)c;
  free(p);
}

#define c_malloc_oreset bench_no_shared_reset
#define c_malloc_oclose bench_no_shared_close

/* Threads: every thread mallocs its own objects and frees them at the end
 * of its cycle, the pointers kept as for a reset. */
BENCH_UNSHARED_THREAD_OPS(c_malloc, MallocCtx, c_malloc_open, c_malloc_close, c_malloc_alloc,
                          c_malloc_reset)

#define C_ID c_malloc
#define C_CTX MallocCtx
#define C_OCTX NoShared
#define C_SCTX NoShared
#define C_TCTX MallocCtx
#define C_ARENA_OPS 1
#define C_GROW 1
#define C_TREES (BENCH_VARIANT == BENCH_VARIANT_MAIN)
#define C_PARSE (BENCH_VARIANT == BENCH_VARIANT_MAIN)
#define C_OFREES 1
#define C_THREADS HAVE_BENCH_THREADS
#include "workloads.h"

static const char *malloc_version_text(void) {
#if BENCH_VARIANT == BENCH_VARIANT_JEMALLOC
  return JEMALLOC_VERSION;
#elif defined(__GLIBC__)
  return gnu_get_libc_version();
#else
  return "unknown";
#endif
}

#endif /* malloc */

/* ------------------------------------------------------------------ mimalloc */

#if BENCH_VARIANT == BENCH_VARIANT_MIMALLOC && HAVE_BENCH_MIMALLOC

/* A heap per context; mi_heap_destroy frees all its blocks at once. */
typedef struct {
  mi_heap_t *heap;
} MimallocCtx;

static inline bool c_mimalloc_open(MimallocCtx *c, const BenchHint *hint) {
  (void)hint;
  c->heap = mi_heap_new();
  return c->heap != NULL;
}

static inline void c_mimalloc_close(MimallocCtx *c) {
  mi_heap_destroy(c->heap);
}

static inline void *c_mimalloc_alloc(MimallocCtx *c, size_t size) {
  return mi_heap_malloc(c->heap, size);
}

static inline void *c_mimalloc_alloc_aligned(MimallocCtx *c, size_t size, size_t alignment) {
  return mi_heap_malloc_aligned(c->heap, size, alignment);
}

static inline void *c_mimalloc_zalloc(MimallocCtx *c, size_t size) {
  return mi_heap_zalloc(c->heap, size);
}

static inline bool c_mimalloc_reset(MimallocCtx *c) {
  mi_heap_destroy(c->heap);
  c->heap = mi_heap_new();
  return c->heap != NULL;
}

static inline void *c_mimalloc_grow(MimallocCtx *c, void *p, size_t old_size, size_t new_size) {
  (void)old_size;
  return mi_heap_realloc(c->heap, p, new_size);
}

static inline void c_mimalloc_grow_end(MimallocCtx *c, void *p) {
  (void)c;
  mi_free(p);
}

/* binary-trees: a heap per depth (per context), each tree freed node by
 * node between the trees, the heap destroyed at the end of the depth.
 * (A heap cannot be emptied but by its destroy, and a destroy and a new
 * heap for each of the 65536 smallest trees would measure that.) */
static inline void c_mimalloc_ofree(MimallocCtx *c, void *p) {
  (void)c;
  mi_free(p);
}

static inline bool c_mimalloc_oreset(MimallocCtx *c) {
  (void)c;
  return true;
}

#define c_mimalloc_oopen c_mimalloc_open
#define c_mimalloc_oalloc c_mimalloc_alloc
#define c_mimalloc_oclose c_mimalloc_close

/* concurrent: mi_malloc and mi_free from every thread, on the thread's own
 * default heap (a heap of mi_heap_new belongs to the thread that made it). */
typedef struct {
  void **ptrs;
  size_t n, cap;
} MimallocThreadCtx;

static inline bool c_mimalloc_topen(NoShared *s, MimallocThreadCtx *t, const BenchHint *hint) {
  (void)s;
  t->n = 0;
  t->cap = hint->count;
  t->ptrs = mi_calloc(t->cap, sizeof *t->ptrs);
  return t->ptrs != NULL;
}

static inline void *c_mimalloc_tpush(NoShared *s, MimallocThreadCtx *t) {
  (void)s;
  if (t->n == t->cap)
    return NULL; /* opened for the cycle: never */
  void *p = mi_malloc(BENCH_CONCURRENT_SIZE);
  if (p != NULL)
    t->ptrs[t->n++] = p;
  return p;
}

static inline bool c_mimalloc_tdrop(NoShared *s, MimallocThreadCtx *t) {
  (void)s;
  for (size_t i = 0; i < t->n; i++)
    mi_free(t->ptrs[i]);
  t->n = 0;
  return true;
}

static inline void c_mimalloc_tclose(NoShared *s, MimallocThreadCtx *t) {
  c_mimalloc_tdrop(s, t);
  mi_free(t->ptrs);
}

#define c_mimalloc_sopen bench_no_shared_open
#define c_mimalloc_sclose bench_no_shared_close
#define c_mimalloc_sreset bench_no_shared_reset

#define C_ID c_mimalloc
#define C_CTX MimallocCtx
#define C_OCTX MimallocCtx
#define C_SCTX NoShared
#define C_TCTX MimallocThreadCtx
#define C_ARENA_OPS 1
#define C_GROW 1
#define C_TREES 1
#define C_OFREES 1
#define C_THREADS HAVE_BENCH_THREADS
#include "workloads.h"

static const char *mimalloc_version_text(void) {
  static char text[32];
  int v = mi_version();
  snprintf(text, sizeof text, "%d.%d.%d", v / 100, v / 10 % 10, v % 10);
  return text;
}

#endif /* mimalloc */

/* ---------------------------------------------------------------------- apr */

#if BENCH_VARIANT == BENCH_VARIANT_MAIN && HAVE_BENCH_APR

typedef struct {
  apr_pool_t *pool;
} AprCtx;

static inline bool c_apr_open(AprCtx *c, const BenchHint *hint) {
  static bool initialized = false;
  (void)hint;
  if (!initialized) {
    if (apr_initialize() != APR_SUCCESS)
      return false;
    if (atexit(apr_terminate) != 0)
      return false;
    initialized = true;
  }
  return apr_pool_create(&c->pool, NULL) == APR_SUCCESS;
}

static inline void c_apr_close(AprCtx *c) {
  apr_pool_destroy(c->pool);
}

static inline void *c_apr_alloc(AprCtx *c, size_t size) {
  return apr_palloc(c->pool, size);
}

/* apr_palloc aligns to 8 (APR_ALIGN_DEFAULT); more takes slack. */
static inline void *c_apr_alloc_aligned(AprCtx *c, size_t size, size_t alignment) {
  if (alignment <= 8)
    return apr_palloc(c->pool, size);
  unsigned char *p = apr_palloc(c->pool, size + alignment - 1);
  if (p == NULL)
    return NULL;
  return p + (size_t)(-(uintptr_t)p & (uintptr_t)(alignment - 1));
}

static inline void *c_apr_zalloc(AprCtx *c, size_t size) {
  void *p = apr_palloc(c->pool, size);
  if (p != NULL)
    memset(p, 0, size); /* what apr_pcalloc does */
  return p;
}

static inline bool c_apr_reset(AprCtx *c) {
  apr_pool_clear(c->pool);
  return true;
}

/* binary-trees: a pool per depth, apr_pool_clear between its trees. */
#define c_apr_oopen c_apr_open
#define c_apr_oalloc c_apr_alloc
#define c_apr_oreset c_apr_reset
#define c_apr_oclose c_apr_close

#define C_ID c_apr
#define C_CTX AprCtx
#define C_OCTX AprCtx
#define C_ARENA_OPS 1
#define C_GROW 0
#define C_TREES 1
#define C_OFREES 0
#include "workloads.h"

static const char *apr_version_text(void) {
  return apr_version_string();
}

#endif /* apr */

/* ------------------------------------------------------------------- talloc */

#if BENCH_VARIANT == BENCH_VARIANT_MAIN && HAVE_BENCH_TALLOC

/* A talloc chunk header is about 100 bytes; the pool is sized for the
 * hint's payload plus a header per allocation (talloc_pool's documented
 * use: the caller picks the size).  Allocations beyond it go to malloc. */
#define TALLOC_HEADER_GUESS 112u

typedef struct {
  void *pool;
} TallocCtx;

static inline bool c_talloc_open(TallocCtx *c, const BenchHint *hint) {
  c->pool = talloc_pool(NULL, hint->bytes + hint->count * TALLOC_HEADER_GUESS);
  return c->pool != NULL;
}

static inline void c_talloc_close(TallocCtx *c) {
  (void)talloc_free(c->pool);
}

static inline void *c_talloc_alloc(TallocCtx *c, size_t size) {
  return talloc_size(c->pool, size);
}

/* talloc aligns to 16; the bench never asks for more. */
static inline void *c_talloc_alloc_aligned(TallocCtx *c, size_t size, size_t alignment) {
  void *p = talloc_size(c->pool, size);
  if (p != NULL && ((uintptr_t)p & (uintptr_t)(alignment - 1)) != 0) {
    fprintf(stderr, "bench: talloc gave less than %zu-byte alignment\n", alignment);
    return NULL;
  }
  return p;
}

static inline void *c_talloc_zalloc(TallocCtx *c, size_t size) {
  return talloc_zero_size(c->pool, size);
}

static inline bool c_talloc_reset(TallocCtx *c) {
  talloc_free_children(c->pool);
  return true;
}

static inline void *c_talloc_grow(TallocCtx *c, void *p, size_t old_size, size_t new_size) {
  (void)old_size;
  return talloc_realloc_size(c->pool, p, new_size);
}

static inline void c_talloc_grow_end(TallocCtx *c, void *p) {
  (void)c;
  (void)talloc_free(p);
}

#define C_ID c_talloc
#define C_CTX TallocCtx
#define C_ARENA_OPS 1
#define C_GROW 1
#include "workloads.h"

static const char *talloc_version_text(void) {
  static char text[32];
  snprintf(text, sizeof text, "%d.%d", talloc_version_major(), talloc_version_minor());
  return text;
}

#endif /* talloc */

/* ------------------------------------------------------------------ obstack */

#if BENCH_VARIANT == BENCH_VARIANT_MAIN && HAVE_BENCH_OBSTACK

/* obstack calls these through pointers of exactly these types. */
static void *bench_chunk_alloc(long size) {
  return size < 0 ? NULL : malloc((size_t)size);
}
static void bench_chunk_free(void *p) {
  free(p);
}
#define obstack_chunk_alloc bench_chunk_alloc
#define obstack_chunk_free bench_chunk_free

/* 64 KiB chunks, samrena's default page.  A reset frees back to an empty
 * object made at open: the first chunk stays, later ones are freed. */
#define OBSTACK_CHUNK 65536
#define OBSTACK_MAX_OBJECT 0x7fff0000u /* obstack sizes are int */

typedef struct {
  struct obstack ob;
  void *first;
} ObstackCtx;

static inline bool c_obstack_open(ObstackCtx *c, const BenchHint *hint) {
  (void)hint;
  if (!obstack_begin(&c->ob, OBSTACK_CHUNK))
    return false;
  c->first = obstack_alloc(&c->ob, 0);
  return true;
}

static inline void c_obstack_close(ObstackCtx *c) {
  obstack_free(&c->ob, NULL);
}

static inline void *c_obstack_alloc_aligned(ObstackCtx *c, size_t size, size_t alignment) {
  if (size > OBSTACK_MAX_OBJECT)
    return NULL;
  obstack_alignment_mask(&c->ob) = (int)(alignment - 1);
  return obstack_alloc(&c->ob, (int)size);
}

static inline void *c_obstack_alloc(ObstackCtx *c, size_t size) {
  return c_obstack_alloc_aligned(c, size, alignof(max_align_t));
}

static inline void *c_obstack_zalloc(ObstackCtx *c, size_t size) {
  void *p = c_obstack_alloc(c, size);
  if (p != NULL)
    memset(p, 0, size);
  return p;
}

static inline bool c_obstack_reset(ObstackCtx *c) {
  obstack_free(&c->ob, c->first);
  return true;
}

/* The growing object: obstack_blank extends it, moving it to a new chunk
 * when the current one is full. */
static inline void *c_obstack_grow(ObstackCtx *c, void *p, size_t old_size, size_t new_size) {
  (void)p;
  if (new_size < old_size || new_size - old_size > OBSTACK_MAX_OBJECT)
    return NULL;
  obstack_blank(&c->ob, (int)(new_size - old_size));
  return obstack_base(&c->ob);
}

static inline void c_obstack_grow_end(ObstackCtx *c, void *p) {
  (void)p;
  (void)obstack_finish(&c->ob);
}

#define C_ID c_obstack
#define C_CTX ObstackCtx
#define C_ARENA_OPS 1
#define C_GROW 1
#include "workloads.h"

#endif /* obstack */

/* ---------------------------------------------------------- runner table */

typedef struct {
  const char *name;
  const char *(*version)(void);
  BenchRunFn run[BENCH_WORKLOAD_COUNT];
} BenchRunner;

#define ARENA_RUNS(id)                                                        \
  [BENCH_SMALL] = bench_small_##id, [BENCH_MIXED] = bench_mixed_##id,         \
  [BENCH_FILL] = bench_fill_##id, [BENCH_ZEROED_FRESH] = bench_zeroed_fresh_##id, \
  [BENCH_ZEROED_REUSED] = bench_zeroed_reused_##id, [BENCH_RSS] = bench_rss_##id, \
  [BENCH_LIFECYCLE] = bench_lifecycle_##id
#define TREE_RUN(id) [BENCH_BINARY_TREES] = bench_binary_trees_##id
#define PARSE_RUNS(id) \
  [BENCH_PARSE_COLD] = bench_parse_cold_##id, [BENCH_PARSE_WARM] = bench_parse_warm_##id
#define GROWTH_RUN(id) [BENCH_GROWTH_POLICY] = bench_growth_##id
#if HAVE_BENCH_THREADS
#define THREAD_RUN(id) [BENCH_CONCURRENT] = bench_concurrent_##id
#else
#define THREAD_RUN(id) [BENCH_CONCURRENT] = NULL
#endif

static const char *inline_version_text(void) {
  return "inline";
}

static const BenchRunner bench_runners[] = {
#if BENCH_VARIANT == BENCH_VARIANT_MAIN
    {"bump", inline_version_text,
     {ARENA_RUNS(c_bump), [BENCH_GROW] = bench_grow_c_bump, [BENCH_VECTOR] = bench_vector_c_bump,
      TREE_RUN(c_bump), PARSE_RUNS(c_bump), GROWTH_RUN(c_bump), THREAD_RUN(c_bump),
      [BENCH_STRINGS] = bench_strings_c_bump}},
#if HAVE_BENCH_BUMP_HUGE
    {"bump-huge", inline_version_text,
     {ARENA_RUNS(c_bump_huge), [BENCH_GROW] = bench_grow_c_bump_huge}},
#endif
    {"samrena-default", samrena_version_text,
     {ARENA_RUNS(c_sdefault), TREE_RUN(c_sdefault), PARSE_RUNS(c_sdefault)}},
    {"samrena-called", samrena_version_text, {TREE_RUN(c_scalled)}},
    {"samrena-chained", samrena_version_text,
     {ARENA_RUNS(c_chained), [BENCH_GROW] = bench_grow_c_chained, TREE_RUN(c_chained),
      PARSE_RUNS(c_chained), GROWTH_RUN(c_chained)}},
    {"samrena-virtual", samrena_version_text,
     {ARENA_RUNS(c_virtual), [BENCH_GROW] = bench_grow_c_virtual, TREE_RUN(c_virtual),
      PARSE_RUNS(c_virtual), GROWTH_RUN(c_virtual)}},
    {"chained-conservative", samrena_version_text, {GROWTH_RUN(c_gconservative)}},
    {"chained-balanced", samrena_version_text, {GROWTH_RUN(c_gbalanced)}},
    {"chained-double", samrena_version_text, {GROWTH_RUN(c_gdouble)}},
#if HAVE_BENCH_THREADS
    {"samrena-concurrent", samrena_version_text, {THREAD_RUN(c_sconc)}},
    {"samrena-mutex", samrena_version_text, {THREAD_RUN(c_smutex)}},
    {"samrena-per-thread", samrena_version_text, {THREAD_RUN(c_sthread)}},
#endif
    {"samrena-stable", samrena_version_text, {[BENCH_GROW] = bench_grow_c_stable}},
    {"malloc", malloc_version_text,
     {ARENA_RUNS(c_malloc), [BENCH_GROW] = bench_grow_c_malloc, TREE_RUN(c_malloc),
      PARSE_RUNS(c_malloc), THREAD_RUN(c_malloc)}},
#if HAVE_BENCH_APR
    {"apr", apr_version_text, {ARENA_RUNS(c_apr), TREE_RUN(c_apr)}},
#endif
#if HAVE_BENCH_TALLOC
    {"talloc", talloc_version_text, {ARENA_RUNS(c_talloc), [BENCH_GROW] = bench_grow_c_talloc}},
#endif
#if HAVE_BENCH_OBSTACK
    {"obstack", malloc_version_text,
     {ARENA_RUNS(c_obstack), [BENCH_GROW] = bench_grow_c_obstack}},
#endif
    {"vector-owned", samrena_version_text, {[BENCH_VECTOR] = bench_vector_c_vowned}},
    {"vector-shared", samrena_version_text, {[BENCH_VECTOR] = bench_vector_c_vshared}},
    {"vector-copy", samrena_version_text, {[BENCH_VECTOR] = bench_vector_c_vcopy}},
    {"realloc-array", malloc_version_text, {[BENCH_VECTOR] = bench_vector_c_vrealloc}},
    {"vector-doubling", malloc_version_text, {[BENCH_VECTOR] = bench_vector_c_vdouble}},
    {"str-default", samrena_version_text, {[BENCH_STRINGS] = bench_strings_c_strdef}},
    {"str-chained", samrena_version_text, {[BENCH_STRINGS] = bench_strings_c_strchain}},
    {"realloc-string", malloc_version_text, {[BENCH_STRINGS] = bench_strings_c_srealloc}},
#elif BENCH_VARIANT == BENCH_VARIANT_JEMALLOC && HAVE_BENCH_JEMALLOC
    {"jemalloc", malloc_version_text,
     {ARENA_RUNS(c_malloc), [BENCH_GROW] = bench_grow_c_malloc, THREAD_RUN(c_malloc)}},
#elif BENCH_VARIANT == BENCH_VARIANT_MIMALLOC && HAVE_BENCH_MIMALLOC
    {"mimalloc", mimalloc_version_text,
     {ARENA_RUNS(c_mimalloc), [BENCH_GROW] = bench_grow_c_mimalloc, TREE_RUN(c_mimalloc),
      THREAD_RUN(c_mimalloc)}},
#endif
    {NULL, inline_version_text, {NULL}},
};

/* ----------------------------------------------------------- child main */

static bool parse_u64(const char *text, uint64_t *out) {
  char *end;
  if (text == NULL || *text < '0' || *text > '9')
    return false;
  unsigned long long value = strtoull(text, &end, 10);
  if (*end != '\0')
    return false;
  *out = value;
  return true;
}

/* The process's peak resident memory: VmHWM, which counts this program
 * only (getrusage's ru_maxrss, the fallback, also counts the image it was
 * before exec, the driver's forked copy). */
static uint64_t bench_peak_resident_bytes(void) {
  FILE *f = fopen("/proc/self/status", "r");
  if (f != NULL) {
    char line[256];
    unsigned long long kib;
    while (fgets(line, sizeof line, f) != NULL) {
      if (sscanf(line, "VmHWM: %llu kB", &kib) == 1) {
        fclose(f);
        return (uint64_t)kib * 1024u;
      }
    }
    fclose(f);
  }
  struct rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) == 0 && usage.ru_maxrss > 0)
    return (uint64_t)usage.ru_maxrss * 1024u;
  return 0;
}

/* Sizes a workload cannot run with. */
static bool bench_params_valid(const BenchParams *p, int workload) {
  if (p->count == 0 || p->cycle == 0 || p->bytes < BENCH_BLOCK || p->count > SIZE_MAX / 64 ||
      p->bytes > SIZE_MAX / 4 || p->cycle > SIZE_MAX / 1024 || p->threads == 0 ||
      p->threads > BENCH_MAX_THREADS)
    return false;
  if (workload == BENCH_BINARY_TREES)
    return p->count >= BENCH_TREE_MIN_DEPTH + 2 && p->count <= BENCH_TREE_MAX_DEPTH;
  return true;
}

int bench_child_main(int argc, char **argv) {
  if (argc < 4 || strcmp(argv[1], "--child") != 0) {
    fprintf(stderr, "usage: %s --child CONTENDER WORKLOAD [--count N] [--bytes N] [--cycle N] "
                    "[--threads N] [--runs N] [--warmup N]\n", argv[0]);
    return 2;
  }
  const char *name = argv[2];
  const BenchRunner *runner = NULL;
  for (const BenchRunner *r = bench_runners; r->name != NULL; r++)
    if (strcmp(r->name, name) == 0)
      runner = r;
  int workload = -1;
  for (int w = 0; w < BENCH_WORKLOAD_COUNT; w++)
    if (strcmp(bench_workload_names[w], argv[3]) == 0)
      workload = w;
  if (runner == NULL || workload < 0 || runner->run[workload] == NULL) {
    fprintf(stderr, "bench: this program cannot run %s on %s\n", argv[3], name);
    return 2;
  }

  BenchParams params = {1, BENCH_BLOCK, 1, 1};
  uint64_t runs = 1, warmup = 0;
  for (int i = 4; i < argc; i++) {
    uint64_t *target = NULL;
    if (strcmp(argv[i], "--count") == 0)
      target = &params.count;
    else if (strcmp(argv[i], "--bytes") == 0)
      target = &params.bytes;
    else if (strcmp(argv[i], "--cycle") == 0)
      target = &params.cycle;
    else if (strcmp(argv[i], "--threads") == 0)
      target = &params.threads;
    else if (strcmp(argv[i], "--runs") == 0)
      target = &runs;
    else if (strcmp(argv[i], "--warmup") == 0)
      target = &warmup;
    if (target == NULL || i + 1 >= argc || !parse_u64(argv[i + 1], target)) {
      fprintf(stderr, "bench: bad child option '%s'\n", argv[i]);
      return 2;
    }
    i++;
  }
  if (!bench_params_valid(&params, workload)) {
    fprintf(stderr, "bench: child sizes out of range\n");
    return 2;
  }

  bench_init_mixed();
  bench_init_doc_text();
  printf("version %s\n", runner->version());
  fflush(stdout);
  for (uint64_t i = 0; i < warmup + runs; i++) {
    BenchSample sample = {0.0, 0.0, 0.0};
    if (!runner->run[workload](&params, &sample)) {
      fprintf(stderr, "bench: %s failed on %s\n", name, argv[3]);
      return 1;
    }
    if (i >= warmup) {
      printf("sample %.9g %.9g %.9g\n", sample.seconds, sample.extra, sample.extra2);
      fflush(stdout);
    }
  }
  printf("peak %" PRIu64 "\n", bench_peak_resident_bytes());
  return 0;
}

#if BENCH_VARIANT != BENCH_VARIANT_MAIN
/* bench/bench-jemalloc and bench/bench-mimalloc only serve bench/bench. */
int main(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "--child") != 0) {
    fprintf(stderr, "%s: a helper of bench/bench (make bench); it runs one contender "
                    "with: --child CONTENDER WORKLOAD ...\n", argv[0]);
    return 2;
  }
  return bench_child_main(argc, argv);
}
#endif
