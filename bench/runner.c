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
 */
#include <config.h>

#include "bench.h"

#include <inttypes.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The allocator workloads; the vector workload has contenders of its own
 * (and the bump, as the reference). */
#define ALL (BENCH_ALL_WORKLOADS & ~BENCH_ONLY(BENCH_VECTOR))
#define ARENA_WORKLOADS (ALL & ~BENCH_ONLY(BENCH_GROW))
#define VECTOR_ONLY BENCH_ONLY(BENCH_VECTOR)

const BenchContender bench_contenders[] = {
    {"bump", "inline bump over one malloc'd buffer: align, add, compare (the limit); "
             "vector: an array allocated at its final size",
     BENCH_VARIANT_MAIN, true, ALL | VECTOR_ONLY},
    {"bump-huge",
     "the inline bump over a 2 MiB-aligned mapping with huge pages asked for before the first "
     "touch: the first-use limit",
     BENCH_VARIANT_MAIN, HAVE_BENCH_BUMP_HUGE != 0,
     BENCH_ONLY(BENCH_FILL) | BENCH_ONLY(BENCH_ZEROED_FRESH) | BENCH_ONLY(BENCH_GROW)},
    {"samrena-chained",
     "samrena_push/_aligned/_zero, samrena_reset, samrena_resize; chained strategy",
     BENCH_VARIANT_MAIN, true, ALL},
    {"samrena-virtual",
     "samrena_push/_aligned/_zero, samrena_reset, samrena_resize; virtual strategy",
     BENCH_VARIANT_MAIN, true, ALL},
    {"samrena-stable", "samrena_vmem_realloc: the stable realloc (grow only)", BENCH_VARIANT_MAIN,
     true, BENCH_ONLY(BENCH_GROW)},
    {"malloc", "C library malloc/calloc/realloc; reset frees every object", BENCH_VARIANT_MAIN,
     true, ALL},
    {"jemalloc", "jemalloc as the process malloc (bench/bench-jemalloc); reset frees every object",
     BENCH_VARIANT_JEMALLOC, HAVE_BENCH_JEMALLOC != 0, ALL},
    {"mimalloc", "mimalloc heaps: mi_heap_malloc/_aligned/_zalloc/_realloc; reset = mi_heap_destroy",
     BENCH_VARIANT_MIMALLOC, HAVE_BENCH_MIMALLOC != 0, ALL},
    {"apr", "apr_palloc/apr_pcalloc on an apr_pool_t; reset = apr_pool_clear", BENCH_VARIANT_MAIN,
     HAVE_BENCH_APR != 0, ARENA_WORKLOADS},
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
};
const size_t bench_contender_count = sizeof bench_contenders / sizeof bench_contenders[0];

static const char *const bench_workload_names[BENCH_WORKLOAD_COUNT] = {
    [BENCH_SMALL] = "small",         [BENCH_MIXED] = "mixed",
    [BENCH_FILL] = "fill",           [BENCH_ZEROED_FRESH] = "zeroed-fresh",
    [BENCH_ZEROED_REUSED] = "zeroed-reused", [BENCH_GROW] = "grow",
    [BENCH_RSS] = "rss",             [BENCH_LIFECYCLE] = "lifecycle",
    [BENCH_VECTOR] = "vector",
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
#define BENCH_MEASURED __attribute__((noinline, noclone))
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

#define C_ID c_bump
#define C_CTX BumpCtx
#define C_VCTX IntArray
#define C_ARENA_OPS 1
#define C_GROW 1
#define C_VECTOR 1
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

/* Default configuration, the strategy forced: no silent fallback. */
static bool samrena_ctx_open(SamrenaCtx *c, SamrenaStrategy strategy) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = strategy;
  config.flags = SAMRENA_FLAG_STRICT | SAMRENA_FLAG_QUIET;
  c->arena = samrena_create(&config);
  if (c->arena == NULL) {
    fprintf(stderr, "bench: samrena_create(%s): %s\n", samrena_strategy_name(strategy),
            samrena_error_string(samrena_last_error()));
    return false;
  }
  return true;
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

#define C_ID c_chained
#define C_CTX SamrenaCtx
#define C_ARENA_OPS 1
#define C_GROW 1
#include "workloads.h"

#define C_ID c_virtual
#define C_CTX SamrenaCtx
#define C_ARENA_OPS 1
#define C_GROW 1
#include "workloads.h"

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

#define C_ID c_malloc
#define C_CTX MallocCtx
#define C_ARENA_OPS 1
#define C_GROW 1
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

#define C_ID c_mimalloc
#define C_CTX MimallocCtx
#define C_ARENA_OPS 1
#define C_GROW 1
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

#define C_ID c_apr
#define C_CTX AprCtx
#define C_ARENA_OPS 1
#define C_GROW 0
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

static const char *inline_version_text(void) {
  return "inline";
}

static const BenchRunner bench_runners[] = {
#if BENCH_VARIANT == BENCH_VARIANT_MAIN
    {"bump", inline_version_text,
     {ARENA_RUNS(c_bump), [BENCH_GROW] = bench_grow_c_bump, [BENCH_VECTOR] = bench_vector_c_bump}},
#if HAVE_BENCH_BUMP_HUGE
    {"bump-huge", inline_version_text,
     {ARENA_RUNS(c_bump_huge), [BENCH_GROW] = bench_grow_c_bump_huge}},
#endif
    {"samrena-chained", samrena_version_text,
     {ARENA_RUNS(c_chained), [BENCH_GROW] = bench_grow_c_chained}},
    {"samrena-virtual", samrena_version_text,
     {ARENA_RUNS(c_virtual), [BENCH_GROW] = bench_grow_c_virtual}},
    {"samrena-stable", samrena_version_text, {[BENCH_GROW] = bench_grow_c_stable}},
    {"malloc", malloc_version_text, {ARENA_RUNS(c_malloc), [BENCH_GROW] = bench_grow_c_malloc}},
#if HAVE_BENCH_APR
    {"apr", apr_version_text, {ARENA_RUNS(c_apr)}},
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
#elif BENCH_VARIANT == BENCH_VARIANT_JEMALLOC && HAVE_BENCH_JEMALLOC
    {"jemalloc", malloc_version_text, {ARENA_RUNS(c_malloc), [BENCH_GROW] = bench_grow_c_malloc}},
#elif BENCH_VARIANT == BENCH_VARIANT_MIMALLOC && HAVE_BENCH_MIMALLOC
    {"mimalloc", mimalloc_version_text,
     {ARENA_RUNS(c_mimalloc), [BENCH_GROW] = bench_grow_c_mimalloc}},
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

int bench_child_main(int argc, char **argv) {
  if (argc < 4 || strcmp(argv[1], "--child") != 0) {
    fprintf(stderr, "usage: %s --child CONTENDER WORKLOAD [--count N] [--bytes N] [--cycle N] "
                    "[--runs N] [--warmup N]\n", argv[0]);
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

  BenchParams params = {1, BENCH_BLOCK, 1};
  uint64_t runs = 1, warmup = 0;
  for (int i = 4; i < argc; i++) {
    uint64_t *target = NULL;
    if (strcmp(argv[i], "--count") == 0)
      target = &params.count;
    else if (strcmp(argv[i], "--bytes") == 0)
      target = &params.bytes;
    else if (strcmp(argv[i], "--cycle") == 0)
      target = &params.cycle;
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
  if (params.count == 0 || params.cycle == 0 || params.bytes < BENCH_BLOCK ||
      params.count > SIZE_MAX / 64 || params.bytes > SIZE_MAX / 4 || params.cycle > SIZE_MAX / 1024) {
    fprintf(stderr, "bench: child sizes out of range\n");
    return 2;
  }

  bench_init_mixed();
  printf("version %s\n", runner->version());
  fflush(stdout);
  for (uint64_t i = 0; i < warmup + runs; i++) {
    BenchSample sample = {0.0, 0.0};
    if (!runner->run[workload](&params, &sample)) {
      fprintf(stderr, "bench: %s failed on %s\n", name, argv[3]);
      return 1;
    }
    if (i >= warmup) {
      printf("sample %.9g %.9g\n", sample.seconds, sample.extra);
      fflush(stdout);
    }
  }
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
