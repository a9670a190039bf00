/* fastpath.c -- instructions per push of the smallest loops that push:
 * a minimal inline bump (align, compare, bump, store), samrena's inline
 * fast path, the exported samrena_push called through the PLT, a call
 * through SamrenaAllocator's function pointer (as allocator hooks make
 * it), the same inline loop on a SAMRENA_FLAG_CONCURRENT arena (every
 * push a call), on an arena asked for as SAMRENA_STRATEGY_VIRTUAL and on a
 * SAMRENA_STRATEGY_BUFFER arena in a malloc'd buffer (both with a cap, so
 * the pair compares two adapters under one fast path), a scratch scope's
 * begin and end (per pair, nothing pushed) and,
 * when configure found APR, apr_palloc.  Every handle is a heap
 * pointer, as a user's is.  Each loop pushes 32 bytes and stores one
 * 64-bit word in it; the arena is reset every PUSHES_PER_ROUND pushes,
 * outside the counted loop.
 *
 * Two floors: "bump" runs out into a function that never returns (the
 * compiler then keeps the cursor and limit in registers), "bump-refill"
 * into one that returns a new block, as any real allocator's slow path
 * does and samrena's does; the handle must then be reloaded.
 *
 * Run under callgrind by `make bench-callgrind` (bench/fastpath.sh):
 *   valgrind --tool=callgrind --toggle-collect='fastpath_*' bench/fastpath NAME
 * counts only the loop of NAME; `bench/fastpath` alone prints the names. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <samrena.h>
#if HAVE_BENCH_APR
#include <apr_pools.h>
#endif

#define PUSH_SIZE 32u
#define PUSHES_PER_ROUND 10000u
#define ROUNDS 100u

#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#define NORETURN __attribute__((noreturn))
#else
#define NOINLINE
#define NORETURN
#endif

typedef struct {
  unsigned char *cursor;
  unsigned char *limit;
} Bump;

NOINLINE NORETURN static void bump_exhausted(void) {
  fprintf(stderr, "fastpath: the bump ran out, which the harness never lets happen\n");
  exit(1);
}

/* A new block, as a real allocator's slow path would get. */
static unsigned char *bump_spare;
NOINLINE static void *bump_refill(Bump *bump) {
  bump->cursor = bump_spare + PUSH_SIZE;
  bump->limit = bump_spare + 4096;
  return bump_spare;
}

static inline void *bump_push(Bump *bump, int refill) {
  uintptr_t start = ((uintptr_t)bump->cursor + 15u) & ~(uintptr_t)15u;
  if (start + PUSH_SIZE > (uintptr_t)bump->limit) {
    if (!refill)
      bump_exhausted();
    return bump_refill(bump);
  }
  unsigned char *object = bump->cursor + (start - (uintptr_t)bump->cursor);
  bump->cursor = object + PUSH_SIZE;
  return object;
}

NOINLINE static void fastpath_bump(Bump *bump, uint64_t n) {
  for (uint64_t i = 0; i < n; i++) {
    uint64_t *object = bump_push(bump, 0);
    *object = i;
  }
}

NOINLINE static void fastpath_bump_refill(Bump *bump, uint64_t n) {
  for (uint64_t i = 0; i < n; i++) {
    uint64_t *object = bump_push(bump, 1);
    *object = i;
  }
}

NOINLINE static void fastpath_inline(Samrena *arena, uint64_t n) {
  for (uint64_t i = 0; i < n; i++) {
    uint64_t *object = samrena_push(arena, PUSH_SIZE);
    if (object == NULL)
      exit(1);
    *object = i;
  }
}

NOINLINE static void fastpath_called(Samrena *arena, uint64_t n) {
  for (uint64_t i = 0; i < n; i++) {
    uint64_t *object = (samrena_push)(arena, PUSH_SIZE);
    if (object == NULL)
      exit(1);
    *object = i;
  }
}

NOINLINE static void fastpath_allocator(SamrenaAllocator *allocator, uint64_t n) {
  for (uint64_t i = 0; i < n; i++) {
    uint64_t *object = allocator->alloc(PUSH_SIZE, allocator->ctx);
    if (object == NULL)
      exit(1);
    *object = i;
  }
}

/* A scope on the thread's scratch arena, which exists by then, with
 * nothing pushed: what a begin and an end cost by themselves. */
NOINLINE static void fastpath_scratch(uint64_t n) {
  for (uint64_t i = 0; i < n; i++) {
    SamrenaScratch scratch = samrena_scratch_begin(NULL, 0);
    samrena_scratch_end(scratch);
  }
}

#if HAVE_BENCH_APR
NOINLINE static void fastpath_apr(apr_pool_t *pool, uint64_t n) {
  for (uint64_t i = 0; i < n; i++) {
    uint64_t *object = apr_palloc(pool, PUSH_SIZE);
    if (object == NULL)
      exit(1);
    *object = i;
  }
}
#endif

static void run_bump(int refill) {
  size_t bytes = (size_t)PUSHES_PER_ROUND * (PUSH_SIZE + 16u);
  Bump *bump = malloc(sizeof *bump);
  unsigned char *buffer = malloc(bytes);
  bump_spare = malloc(4096);
  if (bump == NULL || buffer == NULL || bump_spare == NULL)
    exit(1);
  for (unsigned round = 0; round < ROUNDS; round++) {
    bump->cursor = buffer;
    bump->limit = buffer + bytes;
    if (refill)
      fastpath_bump_refill(bump, PUSHES_PER_ROUND);
    else
      fastpath_bump(bump, PUSHES_PER_ROUND);
  }
  free(bump_spare);
  free(buffer);
  free(bump);
}

/* A buffer that holds a round's pushes, the handle and more. */
#define BUFFER_BYTES ((size_t)PUSHES_PER_ROUND * (PUSH_SIZE + 16u) + 65536u)

static void run_samrena(const char *how) {
  SamrenaConfig config = samrena_default_config();
  void *buffer = NULL;
  if (strcmp(how, "concurrent") == 0)
    config.flags = SAMRENA_FLAG_CONCURRENT;
  if (strcmp(how, "virtual") == 0)
    config.strategy = SAMRENA_STRATEGY_VIRTUAL;
  if (strcmp(how, "buffer") == 0) {
    buffer = malloc(BUFFER_BYTES);
    config.strategy = SAMRENA_STRATEGY_BUFFER;
    config.buffer = buffer;
    config.buffer_size = BUFFER_BYTES;
  }
  Samrena *arena = samrena_create(&config);
  if (arena == NULL)
    exit(1);
  SamrenaAllocator allocator = samrena_arena_allocator(arena);
  for (unsigned round = 0; round < ROUNDS; round++) {
    if (strcmp(how, "inline") == 0 || strcmp(how, "concurrent") == 0 ||
        strcmp(how, "virtual") == 0 || strcmp(how, "buffer") == 0)
      fastpath_inline(arena, PUSHES_PER_ROUND);
    else if (strcmp(how, "called") == 0)
      fastpath_called(arena, PUSHES_PER_ROUND);
    else
      fastpath_allocator(&allocator, PUSHES_PER_ROUND);
    samrena_reset(arena);
  }
  samrena_destroy(arena);
  free(buffer);
}

#if HAVE_BENCH_APR
static void run_apr(void) {
  apr_pool_t *pool;
  if (apr_initialize() != APR_SUCCESS || apr_pool_create(&pool, NULL) != APR_SUCCESS)
    exit(1);
  for (unsigned round = 0; round < ROUNDS; round++) {
    fastpath_apr(pool, PUSHES_PER_ROUND);
    apr_pool_clear(pool);
  }
  apr_pool_destroy(pool);
  apr_terminate();
}
#endif

static void run_scratch(void) {
  samrena_scratch_end(samrena_scratch_begin(NULL, 0)); /* makes the arena */
  for (unsigned round = 0; round < ROUNDS; round++)
    fastpath_scratch(PUSHES_PER_ROUND);
}

int main(int argc, char **argv) {
  static const char *const names[] = {"bump", "bump-refill", "inline", "called", "allocator",
                                      "concurrent", "virtual", "buffer", "scratch",
#if HAVE_BENCH_APR
                                      "apr",
#endif
  };
  if (argc != 2) {
    printf("usage: fastpath NAME   (%u pushes of %u bytes; NAME:", PUSHES_PER_ROUND * ROUNDS,
           PUSH_SIZE);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
      printf(" %s", names[i]);
    printf(")\n");
    return argc == 1 ? 0 : 2;
  }
  const char *name = argv[1];
  if (strcmp(name, "bump") == 0 || strcmp(name, "bump-refill") == 0)
    run_bump(strcmp(name, "bump-refill") == 0);
  else if (strcmp(name, "inline") == 0 || strcmp(name, "called") == 0 ||
           strcmp(name, "allocator") == 0 || strcmp(name, "concurrent") == 0 ||
           strcmp(name, "virtual") == 0 || strcmp(name, "buffer") == 0)
    run_samrena(name);
  else if (strcmp(name, "scratch") == 0)
    run_scratch();
#if HAVE_BENCH_APR
  else if (strcmp(name, "apr") == 0)
    run_apr();
#endif
  else {
    fprintf(stderr, "fastpath: unknown loop %s\n", name);
    return 2;
  }
  return 0;
}
