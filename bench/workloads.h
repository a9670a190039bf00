/* workloads.h -- the workloads, written once and instantiated per contender
 * (runner.c includes this file once for each).  No include guard on purpose.
 *
 * Before including, define:
 *   C_ID         the contender's identifier: its operations are C_ID_open ...
 *   C_CTX        the type of its context
 *   C_ARENA_OPS  1 if it has alloc, alloc_aligned, zalloc, reset: the
 *                small, mixed, fill, zeroed, rss and lifecycle workloads
 *   C_GROW       1 if it has grow and grow_end: the grow workload
 *   C_VECTOR     1 if it has the vector operations, over a context of type
 *                C_VCTX: the vector workload (may be left undefined)
 * and the operations themselves, static and usually inline, so the inline
 * bump is really inline and every library call is a plain call:
 *   bool  C_ID_open(C_CTX *, const BenchHint *)     a fresh context
 *   void  C_ID_close(C_CTX *)                       frees everything
 *   void *C_ID_alloc(C_CTX *, size_t size)          default alignment
 *   void *C_ID_alloc_aligned(C_CTX *, size_t size, size_t alignment)
 *   void *C_ID_zalloc(C_CTX *, size_t size)         zeroed
 *   bool  C_ID_reset(C_CTX *)                       frees every allocation
 *   void *C_ID_grow(C_CTX *, void *p, size_t old, size_t new)   realloc
 *   void  C_ID_grow_end(C_CTX *, void *p)           frees the grown block
 *   bool  C_ID_vopen(C_VCTX *, const BenchHint *)   an empty vector of ints
 *   bool  C_ID_vpush(C_VCTX *, int value)           appends, growing as it must
 *   const int *C_ID_vdata(const C_VCTX *)           where the elements are now
 *   void  C_ID_vclose(C_VCTX *)                     frees the vector
 *
 * Each workload has a measured function, bench_measure_WORKLOAD_C_ID, kept
 * out of line: the timer brackets exactly that call, and `bench
 * --callgrind` counts instructions inside it (--toggle-collect).
 */

#define CF(op) BENCH_CAT(BENCH_CAT(C_ID, _), op)
#define CW(w) BENCH_CAT(BENCH_CAT(bench_, w), BENCH_CAT(_, C_ID))
#define CM(w) BENCH_CAT(BENCH_CAT(bench_measure_, w), BENCH_CAT(_, C_ID))

#if C_ARENA_OPS

/* ------------------------------------------------------------------ small */

BENCH_MEASURED static bool CM(small)(C_CTX *c, const BenchParams *p) {
  for (uint64_t done = 0; done < p->count;) {
    uint64_t n = p->count - done < p->cycle ? p->count - done : p->cycle;
    for (uint64_t i = 0; i < n; i++) {
      uint64_t *object = CF(alloc)(c, BENCH_SMALL_SIZE);
      if (object == NULL)
        return false;
      *object = i;
    }
    if (!CF(reset)(c))
      return false;
    done += n;
  }
  return true;
}

static bool CW(small)(const BenchParams *p, BenchSample *s) {
  C_CTX c;
  BenchHint hint = {(size_t)p->cycle, (size_t)(p->cycle * BENCH_SMALL_SIZE)};
  if (!CF(open)(&c, &hint))
    return false;
  BenchParams prime = {p->cycle, p->bytes, p->cycle};
  bool ok = CM(small)(&c, &prime); /* one untimed cycle: the memory is faulted in */
  double start = bench_now();
  ok = ok && CM(small)(&c, p);
  s->seconds = bench_now() - start;
  CF(close)(&c);
  return ok;
}

/* ------------------------------------------------------------------ mixed */

BENCH_MEASURED static bool CM(mixed)(C_CTX *c, const BenchParams *p) {
  for (uint64_t done = 0; done < p->count;) {
    uint64_t n = p->count - done < p->cycle ? p->count - done : p->cycle;
    for (uint64_t i = 0; i < n; i++) {
      uint64_t *object =
          CF(alloc_aligned)(c, bench_mixed_sizes[i & BENCH_MIXED_MASK], BENCH_MIXED_ALIGN);
      if (object == NULL)
        return false;
      *object = i;
    }
    if (!CF(reset)(c))
      return false;
    done += n;
  }
  return true;
}

static bool CW(mixed)(const BenchParams *p, BenchSample *s) {
  C_CTX c;
  BenchHint hint = {(size_t)p->cycle, bench_mixed_cycle_bytes(p->cycle)};
  if (!CF(open)(&c, &hint))
    return false;
  BenchParams prime = {p->cycle, p->bytes, p->cycle};
  bool ok = CM(mixed)(&c, &prime); /* one untimed cycle, as for small */
  double start = bench_now();
  ok = ok && CM(mixed)(&c, p);
  s->seconds = bench_now() - start;
  CF(close)(&c);
  return ok;
}

/* ------------------------------------------------------------------- fill */

BENCH_MEASURED static bool CM(fill)(C_CTX *c, const BenchParams *p) {
  for (uint64_t done = 0; done < p->bytes; done += BENCH_BLOCK) {
    unsigned char *block = CF(alloc)(c, BENCH_BLOCK);
    if (block == NULL)
      return false;
    memset(block, (int)((done >> 16) & 0x7f) | 1, BENCH_BLOCK);
  }
  return true;
}

static bool CW(fill)(const BenchParams *p, BenchSample *s) {
  C_CTX c;
  BenchHint hint = {(size_t)(p->bytes / BENCH_BLOCK + 1), (size_t)(p->bytes + BENCH_BLOCK)};
  if (!CF(open)(&c, &hint))
    return false;
  double start = bench_now();
  bool ok = CM(fill)(&c, p);
  s->seconds = bench_now() - start;
  CF(close)(&c);
  return ok;
}

/* ----------------------------------------------------------------- zeroed */

/* Zeroed 64 KiB blocks, each then written once per 4 KiB page, as any use
 * would: the pages a zeroing allocator leaves to the kernel are faulted in
 * here, not skipped. */
BENCH_MEASURED static bool CM(zeroed)(C_CTX *c, const BenchParams *p) {
  for (uint64_t done = 0; done < p->bytes; done += BENCH_BLOCK) {
    unsigned char *block = CF(zalloc)(c, BENCH_BLOCK);
    if (block == NULL)
      return false;
    for (size_t at = 0; at < BENCH_BLOCK; at += BENCH_TOUCH_STRIDE)
      block[at] = (unsigned char)(block[at] + 1u);
  }
  return true;
}

static bool CW(zeroed_fresh)(const BenchParams *p, BenchSample *s) {
  C_CTX c;
  BenchHint hint = {(size_t)(p->bytes / BENCH_BLOCK + 1), (size_t)(p->bytes + BENCH_BLOCK)};
  if (!CF(open)(&c, &hint))
    return false;
  double start = bench_now();
  bool ok = CM(zeroed)(&c, p);
  s->seconds = bench_now() - start;
  CF(close)(&c);
  return ok;
}

/* The same after a first, untimed pass and a reset of the same context:
 * the memory comes back dirty and must really be zeroed (unless the
 * allocator gave it back to the kernel at the reset). */
static bool CW(zeroed_reused)(const BenchParams *p, BenchSample *s) {
  C_CTX c;
  BenchHint hint = {(size_t)(p->bytes / BENCH_BLOCK + 1), (size_t)(p->bytes + BENCH_BLOCK)};
  if (!CF(open)(&c, &hint))
    return false;
  bool ok = CM(zeroed)(&c, p) && CF(reset)(&c);
  double start = bench_now();
  ok = ok && CM(zeroed)(&c, p);
  s->seconds = bench_now() - start;
  CF(close)(&c);
  return ok;
}

/* -------------------------------------------------------------------- rss */

BENCH_MEASURED static bool CM(rss)(C_CTX *c, const BenchParams *p) {
  for (uint64_t i = 0; i < p->count; i++) {
    unsigned char *object = CF(alloc_aligned)(c, BENCH_RSS_SIZE, BENCH_RSS_ALIGN);
    if (object == NULL)
      return false;
    memset(object, (int)(i & 0x7f) | 1, BENCH_RSS_SIZE);
  }
  return true;
}

/* Resident memory is read before and after the allocations, in a fresh
 * process; the context (and malloc's pointer array) exist before the first
 * reading, so only what the objects cost is counted. */
static bool CW(rss)(const BenchParams *p, BenchSample *s) {
  C_CTX c;
  BenchHint hint = {(size_t)p->count, (size_t)(p->count * BENCH_RSS_SIZE)};
  if (!CF(open)(&c, &hint))
    return false;
  uint64_t before = bench_resident_bytes();
  double start = bench_now();
  bool ok = CM(rss)(&c, p);
  s->seconds = bench_now() - start;
  uint64_t after = bench_resident_bytes();
  CF(close)(&c);
  if (before == 0 || after == 0)
    return false;
  s->extra = ((double)after - (double)before) / (double)p->count;
  return ok;
}

/* -------------------------------------------------------------- lifecycle */

BENCH_MEASURED static bool CM(lifecycle)(const BenchParams *p) {
  static const BenchHint hint = {BENCH_LIFE_PUSHES, BENCH_LIFE_PUSHES * BENCH_LIFE_SIZE};
  for (uint64_t i = 0; i < p->count; i++) {
    C_CTX c;
    if (!CF(open)(&c, &hint))
      return false;
    for (unsigned j = 0; j < BENCH_LIFE_PUSHES; j++) {
      uint64_t *object = CF(alloc)(&c, BENCH_LIFE_SIZE);
      if (object == NULL) {
        CF(close)(&c);
        return false;
      }
      *object = j;
    }
    CF(close)(&c);
  }
  return true;
}

static bool CW(lifecycle)(const BenchParams *p, BenchSample *s) {
  double start = bench_now();
  bool ok = CM(lifecycle)(p);
  s->seconds = bench_now() - start;
  return ok;
}

#endif /* C_ARENA_OPS */

#if C_GROW

/* ------------------------------------------------------------------- grow */

/* One array, doubled from 64 bytes to p->bytes, its new half written each
 * time.  *out is the array at the end, for grow_end. */
BENCH_MEASURED static bool CM(grow)(C_CTX *c, const BenchParams *p, uint64_t *moves,
                                    void **out) {
  size_t size = BENCH_GROW_START;
  unsigned char *array = CF(grow)(c, NULL, 0, size);
  *out = array;
  if (array == NULL)
    return false;
  memset(array, 1, size);
  while (size < p->bytes) {
    size_t next = size * 2;
    uintptr_t before = (uintptr_t)array;
    unsigned char *grown = CF(grow)(c, array, size, next);
    if (grown == NULL)
      return false; /* array is still valid, and *out holds it */
    if ((uintptr_t)grown != before)
      (*moves)++;
    memset(grown + size, 2, next - size);
    array = grown;
    *out = array;
    size = next;
  }
  return true;
}

static bool CW(grow)(const BenchParams *p, BenchSample *s) {
  C_CTX c;
  BenchHint hint = {1, (size_t)(p->bytes + BENCH_BLOCK)};
  if (!CF(open)(&c, &hint))
    return false;
  uint64_t moves = 0;
  void *array = NULL;
  double start = bench_now();
  bool ok = CM(grow)(&c, p, &moves, &array);
  s->seconds = bench_now() - start;
  s->extra = (double)moves;
  if (array != NULL)
    CF(grow_end)(&c, array);
  CF(close)(&c);
  return ok;
}

#endif /* C_GROW */

#if defined(C_VECTOR) && C_VECTOR

/* ----------------------------------------------------------------- vector */

/* p->count ints pushed one by one into one vector that starts with room
 * for BENCH_VECTOR_START; *moves counts the times its data pointer
 * changed, each contender checking after every push alike.  The loop
 * works on a copy of the context, as a program's own loop would on its
 * local variables: what a contender keeps in it may live in registers. */
BENCH_MEASURED static bool CM(vector)(C_VCTX *context, const BenchParams *p, uint64_t *moves) {
  C_VCTX copy = *context, *c = &copy;
  const int *data = NULL;
  uint64_t moved = 0;
  bool ok = true;
  for (uint64_t i = 0; ok && i < p->count; i++) {
    ok = CF(vpush)(c, (int)i);
    const int *now = CF(vdata)(c);
    if (now != data) {
      moved += data != NULL;
      data = now;
    }
  }
  *context = copy;
  *moves += moved;
  return ok;
}

static bool CW(vector)(const BenchParams *p, BenchSample *s) {
  C_VCTX c;
  BenchHint hint = {(size_t)p->count, (size_t)p->count * sizeof(int)};
  if (!CF(vopen)(&c, &hint))
    return false;
  uint64_t moves = 0;
  double start = bench_now();
  bool ok = CM(vector)(&c, p, &moves);
  s->seconds = bench_now() - start;
  s->extra = (double)moves;
  /* Outside the timer: every element is where it should be, which also
   * keeps the stores from being optimised away. */
  const int *data = CF(vdata)(&c);
  for (uint64_t i = 0; ok && i < p->count; i++)
    ok = data[i] == (int)i;
  if (!ok)
    fprintf(stderr, "bench: the vector does not hold what was pushed\n");
  CF(vclose)(&c);
  return ok;
}

#endif /* C_VECTOR */

#undef CF
#undef CW
#undef CM
#undef C_ID
#undef C_CTX
#undef C_VCTX
#undef C_ARENA_OPS
#undef C_GROW
#undef C_VECTOR
