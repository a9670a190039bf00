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
 *   C_STRINGS    1 if it has the string operations, over a context of type
 *                C_SBCTX: the strings workload (may be left undefined)
 *   C_TREES      1 for binary-trees, C_PARSE 1 for parse-cold and parse-warm,
 *                C_GROWTH 1 for growth-policy: these need the object
 *                operations below, over a context of type C_OCTX, and
 *                C_OFREES, 1 if every object must be freed by itself
 *                before the reset (malloc), 0 if the reset frees them
 *   C_THREADS    1 for concurrent: the thread operations below, over a
 *                context C_SCTX the threads share and one C_TCTX per thread
 * (each of these may be left undefined) and the operations themselves,
 * static and usually inline, so the inline bump is really inline and every
 * library call is a plain call:
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
 *   bool  C_ID_sbopen(C_SBCTX *, const BenchHint *) an empty string builder
 *   bool  C_ID_sbappend(C_SBCTX *, const char *, size_t)   appends bytes
 *   const char *C_ID_sbtext(C_SBCTX *, size_t *length)    the text now
 *   void  C_ID_sbclose(C_SBCTX *)                   frees the builder
 *   bool  C_ID_oopen(C_OCTX *, const BenchHint *)   a fresh context for objects
 *   void *C_ID_oalloc(C_OCTX *, size_t size)        default alignment (>= 8)
 *   void *C_ID_ogrow(C_OCTX *, void *p, size_t old, size_t new)   C_PARSE:
 *                                                   realloc; p NULL allocates
 *   void  C_ID_ofree(C_OCTX *, void *p)             C_OFREES: frees one object
 *   bool  C_ID_oreset(C_OCTX *)                     frees what ofree did not
 *   void  C_ID_oclose(C_OCTX *)                     frees everything
 *   void  C_ID_ostats(C_OCTX *, uint64_t *blocks, uint64_t *committed)
 *                                                   C_GROWTH: malloc calls
 *                                                   (or mappings) and bytes held
 *   bool  C_ID_sopen(C_SCTX *, const BenchHint *)   what the threads share
 *   void  C_ID_sclose(C_SCTX *)
 *   bool  C_ID_topen(C_SCTX *, C_TCTX *, const BenchHint *)   one thread's own
 *   void  C_ID_tclose(C_SCTX *, C_TCTX *)
 *   void *C_ID_tpush(C_SCTX *, C_TCTX *)           BENCH_CONCURRENT_SIZE bytes
 *   bool  C_ID_tdrop(C_SCTX *, C_TCTX *)           a thread's end of cycle: frees
 *                                                   what it pushed, if it can alone
 *   bool  C_ID_sreset(C_SCTX *)                    one thread, all others waiting:
 *                                                   frees what the threads share
 *
 * Each workload has a measured function, bench_measure_WORKLOAD_C_ID, kept
 * out of line: the timer brackets exactly that call, and `bench
 * --callgrind` counts instructions inside it (--toggle-collect).
 */

#define CF(op) BENCH_CAT(BENCH_CAT(C_ID, _), op)
#define CW(w) BENCH_CAT(BENCH_CAT(bench_, w), BENCH_CAT(_, C_ID))
#define CM(w) BENCH_CAT(BENCH_CAT(bench_measure_, w), BENCH_CAT(_, C_ID))
/* The workloads' own helpers, one set per contender. */
#define CP(f) BENCH_CAT(BENCH_CAT(bench_, f), BENCH_CAT(_, C_ID))

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
  BenchParams prime = {p->cycle, p->bytes, p->cycle, p->threads};
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
  BenchParams prime = {p->cycle, p->bytes, p->cycle, p->threads};
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

#if defined(C_STRINGS) && C_STRINGS

/* ---------------------------------------------------------------- strings */

#ifndef BENCH_STRING_PATTERN
#define BENCH_STRING_PATTERN
/* Byte i of the text every builder is given. */
static char bench_string_byte(uint64_t i) {
  return (char)('a' + (int)(i % BENCH_STRING_PERIOD % 26));
}

/* The text's first period and one piece more, so that any piece of the
 * text is one slice of it. */
static char bench_string_pattern[BENCH_STRING_PERIOD + BENCH_STRING_PIECE];

static void bench_string_fill(void) {
  for (uint64_t i = 0; i < sizeof bench_string_pattern; i++)
    bench_string_pattern[i] = bench_string_byte(i);
}
#endif

/* p->bytes of text appended BENCH_STRING_PIECE bytes at a time into one
 * builder, each piece the slice of bench_string_pattern that makes byte i
 * of the text bench_string_byte(i).  As for the vector, the loop works on
 * a copy of the context. */
BENCH_MEASURED static bool CM(strings)(C_SBCTX *context, const BenchParams *p) {
  C_SBCTX copy = *context, *c = &copy;
  bool ok = true;
  for (uint64_t done = 0; ok && done < p->bytes; done += BENCH_STRING_PIECE)
    ok = CF(sbappend)(c, bench_string_pattern + done % BENCH_STRING_PERIOD, BENCH_STRING_PIECE);
  *context = copy;
  return ok;
}

static bool CW(strings)(const BenchParams *p, BenchSample *s) {
  C_SBCTX c;
  /* The pieces' total: p->bytes rounded up to a whole piece. */
  uint64_t total = bench_string_appends(p->bytes) * BENCH_STRING_PIECE;
  BenchHint hint = {(size_t)total, (size_t)total + 1};
  bench_string_fill();
  if (!CF(sbopen)(&c, &hint))
    return false;
  double start = bench_now();
  bool ok = CM(strings)(&c, p);
  s->seconds = bench_now() - start;
  /* Outside the timer: the text is what was appended. */
  size_t length = 0;
  const char *text = CF(sbtext)(&c, &length);
  ok = ok && length == (size_t)total && text[length] == '\0';
  for (size_t i = 0; ok && i < length; i++)
    ok = text[i] == bench_string_byte((uint64_t)i);
  if (!ok)
    fprintf(stderr, "bench: the builder does not hold what was appended\n");
  CF(sbclose)(&c);
  return ok;
}

#endif /* C_STRINGS */

#if defined(C_TREES) && C_TREES

/* ----------------------------------------------------------- binary-trees */

/* A perfect tree of that depth, each node allocated after its children
 * (bottom up); NULL if an allocation failed (the run then fails, and what
 * was built is left to the process's exit). */
static BenchNode *CP(tree_build)(C_OCTX *c, unsigned depth) {
  BenchNode *left = NULL, *right = NULL;
  if (depth > 0) {
    left = CP(tree_build)(c, depth - 1);
    right = left != NULL ? CP(tree_build)(c, depth - 1) : NULL;
    if (right == NULL)
      return NULL;
  }
  BenchNode *node = CF(oalloc)(c, sizeof *node);
  if (node != NULL) {
    node->left = left;
    node->right = right;
  }
  return node;
}

#if C_OFREES
static void CP(tree_free)(C_OCTX *c, BenchNode *node) {
  if (node->left != NULL) {
    CP(tree_free)(c, node->left);
    CP(tree_free)(c, node->right);
  }
  CF(ofree)(c, node);
}
#endif

/* Gives a checked tree back: node by node where the contender frees that
 * way (malloc), then the context's reset (an arena's whole release). */
static bool CP(tree_release)(C_OCTX *c, BenchNode *root) {
#if C_OFREES
  CP(tree_free)(c, root);
#else
  (void)root;
#endif
  return CF(oreset)(c);
}

/* `iterations` trees of one depth in one context of their own, made for
 * that depth, reset between the trees and closed after the last; the
 * stretch tree is such a depth of one tree. */
static bool CP(tree_depth)(unsigned depth, uint64_t iterations, uint64_t *checked) {
  C_OCTX c;
  BenchHint hint = bench_tree_hint(depth);
  if (!CF(oopen)(&c, &hint))
    return false;
  bool ok = true;
  for (uint64_t i = 0; ok && i < iterations; i++) {
    BenchNode *tree = CP(tree_build)(&c, depth);
    ok = tree != NULL;
    if (ok) {
      *checked += bench_tree_check(tree);
      ok = CP(tree_release)(&c, tree);
    }
  }
  CF(oclose)(&c);
  return ok;
}

/* The whole program: the stretch tree (max + 1), the long-lived tree
 * (max), kept while every depth from BENCH_TREE_MIN_DEPTH to max in steps
 * of 2 builds and checks its trees, then checked itself.  *checked counts
 * every node the checks visited. */
BENCH_MEASURED static bool CM(binary_trees)(const BenchParams *p, uint64_t *checked) {
  unsigned max = (unsigned)p->count;
  if (!CP(tree_depth)(max + 1, 1, checked))
    return false;
  C_OCTX keep;
  BenchHint hint = bench_tree_hint(max);
  if (!CF(oopen)(&keep, &hint))
    return false;
  BenchNode *long_lived = CP(tree_build)(&keep, max);
  bool ok = long_lived != NULL;
  for (unsigned depth = BENCH_TREE_MIN_DEPTH; ok && depth <= max; depth += 2)
    ok = CP(tree_depth)(depth, bench_tree_iterations(max, depth), checked);
  if (ok) {
    *checked += bench_tree_check(long_lived);
    ok = CP(tree_release)(&keep, long_lived);
  }
  CF(oclose)(&keep);
  return ok;
}

/* Every run must count exactly the nodes the program builds. */
static bool CW(binary_trees)(const BenchParams *p, BenchSample *s) {
  uint64_t checked = 0;
  double start = bench_now();
  bool ok = CM(binary_trees)(p, &checked);
  s->seconds = bench_now() - start;
  uint64_t expected = bench_tree_nodes((unsigned)p->count);
  if (ok && checked != expected) {
    fprintf(stderr, "bench: binary-trees checked %" PRIu64 " nodes, not %" PRIu64 "\n", checked,
            expected);
    ok = false;
  }
  return ok;
}

#endif /* C_TREES */

#if defined(C_PARSE) && C_PARSE

/* ------------------------------------------------------------------ parse */

/* A copy of text as a parser makes of a string it has read, NUL ended. */
static char *CP(parse_copy)(C_OCTX *c, const char *text, size_t length) {
  char *copy = CF(oalloc)(c, length + 1);
  if (copy != NULL) {
    memcpy(copy, text, length);
    copy[length] = '\0';
  }
  return copy;
}

/* Room for the element at index `length`: the array as it is while it
 * has room, else grown to twice its capacity (to BENCH_PARSE_START when
 * it has none), as a parser grows what it appends to; NULL if that
 * failed.  The array is the context's last allocation only if nothing was
 * allocated since it last grew. */
static void *CP(parse_room)(C_OCTX *c, void *array, uint32_t length, uint32_t *capacity,
                            size_t element) {
  if (length < *capacity)
    return array;
  uint32_t grown = *capacity == 0 ? BENCH_PARSE_START : *capacity * 2u;
  void *moved = CF(ogrow)(c, array, (size_t)*capacity * element, (size_t)grown * element);
  if (moved != NULL)
    *capacity = grown;
  return moved;
}

static bool CP(parse_value)(C_OCTX *c, BenchDocGen *g, unsigned depth, BenchValue *out);

static bool CP(parse_string)(C_OCTX *c, BenchDocGen *g, BenchValue *out) {
  const char *text;
  uint32_t length = bench_doc_string(g, &text);
  out->kind = BENCH_DOC_STRING;
  out->length = length;
  out->as.string = CP(parse_copy)(c, text, length);
  return out->as.string != NULL;
}

/* An array of numbers (each appended where it stands: the array is the
 * last allocation) or of strings (each copied first, so the array's
 * growth usually copies it). */
static bool CP(parse_array)(C_OCTX *c, BenchDocGen *g, bool of_strings, BenchValue *out) {
  uint32_t n = bench_doc_array_length(g, of_strings), capacity = 0;
  out->kind = BENCH_DOC_ARRAY;
  out->length = 0;
  out->as.items = NULL;
  for (uint32_t i = 0; i < n; i++) {
    BenchValue item;
    if (of_strings) {
      if (!CP(parse_string)(c, g, &item))
        return false;
    } else {
      item.kind = BENCH_DOC_NUMBER;
      item.length = 0;
      item.as.number = bench_doc_number(g);
    }
    BenchValue *items = CP(parse_room)(c, out->as.items, i, &capacity, sizeof *items);
    if (items == NULL)
      return false;
    items[i] = item;
    out->as.items = items;
    out->length = i + 1;
  }
  return true;
}

/* An object: each member's key and value are read (and allocated) before
 * the member is appended, as a parser does. */
static bool CP(parse_object)(C_OCTX *c, BenchDocGen *g, unsigned depth, BenchValue *out) {
  uint32_t n = bench_doc_members(g), capacity = 0;
  out->kind = BENCH_DOC_OBJECT;
  out->length = 0;
  out->as.members = NULL;
  for (uint32_t i = 0; i < n; i++) {
    const char *text;
    uint32_t length = bench_doc_key(g, &text);
    BenchMember member;
    member.key = CP(parse_copy)(c, text, length);
    if (member.key == NULL || !CP(parse_value)(c, g, depth, &member.value))
      return false;
    BenchMember *members = CP(parse_room)(c, out->as.members, i, &capacity, sizeof *members);
    if (members == NULL)
      return false;
    members[i] = member;
    out->as.members = members;
    out->length = i + 1;
  }
  return true;
}

static bool CP(parse_value)(C_OCTX *c, BenchDocGen *g, unsigned depth, BenchValue *out) {
  switch (bench_doc_next(g, depth)) {
  case BENCH_NEXT_NUMBER:
    out->kind = BENCH_DOC_NUMBER;
    out->length = 0;
    out->as.number = bench_doc_number(g);
    return true;
  case BENCH_NEXT_STRING:
    return CP(parse_string)(c, g, out);
  case BENCH_NEXT_NUMBERS:
    return CP(parse_array)(c, g, false, out);
  case BENCH_NEXT_STRINGS:
    return CP(parse_array)(c, g, true, out);
  case BENCH_NEXT_OBJECT:
    return CP(parse_object)(c, g, depth + 1, out);
  }
  return false;
}

/* The document: objects appended to the root array until the generator
 * has produced its payload. */
static bool CP(parse_document)(C_OCTX *c, BenchDocGen *g, BenchValue *root) {
  uint32_t capacity = 0;
  root->kind = BENCH_DOC_ARRAY;
  root->length = 0;
  root->as.items = NULL;
  for (uint32_t i = 0; bench_doc_more(g); i++) {
    BenchValue object;
    if (!CP(parse_object)(c, g, 1, &object))
      return false;
    BenchValue *items = CP(parse_room)(c, root->as.items, i, &capacity, sizeof *items);
    if (items == NULL)
      return false;
    items[i] = object;
    root->as.items = items;
    root->length = i + 1;
  }
  return true;
}

#if C_OFREES
/* What a DOM library's free does: every string, array and object freed,
 * walking the document. */
static void CP(parse_free)(C_OCTX *c, BenchValue *value) {
  switch (value->kind) {
  case BENCH_DOC_STRING:
    CF(ofree)(c, value->as.string);
    break;
  case BENCH_DOC_ARRAY:
    for (uint32_t i = 0; i < value->length; i++)
      CP(parse_free)(c, &value->as.items[i]);
    CF(ofree)(c, value->as.items);
    break;
  case BENCH_DOC_OBJECT:
    for (uint32_t i = 0; i < value->length; i++) {
      CF(ofree)(c, value->as.members[i].key);
      CP(parse_free)(c, &value->as.members[i].value);
    }
    CF(ofree)(c, value->as.members);
    break;
  default:
    break;
  }
}
#endif

static bool CP(parse_release)(C_OCTX *c, BenchValue *root) {
#if C_OFREES
  CP(parse_free)(c, root);
#else
  (void)root;
#endif
  return CF(oreset)(c);
}

/* The first parse in a context (parse-cold; parse-warm's untimed one) and
 * a parse in a context that parsed and released a document before
 * (parse-warm): two functions, so callgrind can count either alone. */
BENCH_MEASURED static bool CM(parse_cold)(C_OCTX *c, BenchDocGen *g, BenchValue *root) {
  return CP(parse_document)(c, g, root);
}

BENCH_MEASURED static bool CM(parse_warm)(C_OCTX *c, BenchDocGen *g, BenchValue *root) {
  return CP(parse_document)(c, g, root);
}

/* Times the release (the document freed, or the context reset) into
 * s->extra, the document checked before it. */
static bool CP(parse_check_release)(C_OCTX *c, BenchValue *root, bool ok, uint64_t expected,
                                    BenchSample *s) {
  ok = ok && bench_doc_check(root, expected);
  double start = bench_now();
  ok = CP(parse_release)(c, root) && ok;
  s->extra = bench_now() - start;
  return ok;
}

/* One parse of a document generated afresh, timed into s->seconds, then
 * checked, and its release timed into s->extra.  `warm` only chooses the
 * measured function, so that profiles tell the two uses apart. */
static bool CP(parse_timed)(C_OCTX *c, const BenchParams *p, bool warm, BenchSample *s) {
  BenchDocGen g;
  BenchValue root;
  bench_doc_start(&g, p->bytes);
  double start = bench_now();
  bool ok = warm ? CM(parse_warm)(c, &g, &root) : CM(parse_cold)(c, &g, &root);
  s->seconds = bench_now() - start;
  return CP(parse_check_release)(c, &root, ok, bench_doc_expected(p->bytes), s);
}

/* First use: a fresh process (the driver starts one per run), the
 * context just opened. */
static bool CW(parse_cold)(const BenchParams *p, BenchSample *s) {
  C_OCTX c;
  BenchHint hint = bench_doc_hint(p->bytes);
  if (!CF(oopen)(&c, &hint))
    return false;
  bool ok = CP(parse_timed)(&c, p, false, s);
  CF(oclose)(&c);
  return ok;
}

/* Memory reused: the same document parsed and released once, its figures
 * then replaced by those of a second parse in the same context. */
static bool CW(parse_warm)(const BenchParams *p, BenchSample *s) {
  C_OCTX c;
  BenchHint hint = bench_doc_hint(p->bytes);
  if (!CF(oopen)(&c, &hint))
    return false;
  bool ok = CP(parse_timed)(&c, p, false, s) && CP(parse_timed)(&c, p, true, s);
  CF(oclose)(&c);
  return ok;
}

#endif /* C_PARSE */

#if defined(C_GROWTH) && C_GROWTH

/* ---------------------------------------------------------- growth-policy */

/* Pushes of the mixed sizes (8-512 B) until p->bytes are pushed, one word
 * written in each: the context grows the whole way, never reset. */
BENCH_MEASURED static bool CM(growth)(C_OCTX *c, const BenchParams *p) {
  uint64_t pushed = 0;
  for (uint64_t i = 0; pushed < p->bytes; i++) {
    size_t size = bench_mixed_sizes[i & BENCH_MIXED_MASK];
    uint64_t *object = CF(oalloc)(c, size);
    if (object == NULL)
      return false;
    *object = i;
    pushed += size;
  }
  return true;
}

/* A fresh process per run; extra: the blocks the context obtained (a
 * chained arena's malloc calls), extra2: the bytes it holds. */
static bool CW(growth)(const BenchParams *p, BenchSample *s) {
  uint64_t pushes = bench_growth_pushes(p->bytes);
  C_OCTX c;
  BenchHint hint = {(size_t)pushes, (size_t)(p->bytes + pushes * (BENCH_MIXED_ALIGN - 1))};
  if (!CF(oopen)(&c, &hint))
    return false;
  double start = bench_now();
  bool ok = CM(growth)(&c, p);
  s->seconds = bench_now() - start;
  uint64_t blocks = 0, committed = 0;
  CF(ostats)(&c, &blocks, &committed);
  s->extra = (double)blocks;
  s->extra2 = (double)committed;
  CF(oclose)(&c);
  return ok;
}

#endif /* C_GROWTH */

#if defined(C_THREADS) && C_THREADS

/* ------------------------------------------------------------- concurrent */

/* One thread's cycle: n pushes, one word written in each, then what it
 * frees by itself (its own arena's reset, its own objects).  The measured
 * function is the cycle, not the steps between cycles: callgrind then
 * counts no barrier spinning, which varies from run to run. */
BENCH_MEASURED static bool CM(concurrent)(C_SCTX *shared, C_TCTX *own, uint64_t n) {
  for (uint64_t i = 0; i < n; i++) {
    uint64_t *object = CF(tpush)(shared, own);
    if (object == NULL)
      return false;
    *object = i;
  }
  return CF(tdrop)(shared, own);
}

/* The threads keep in step: when all are done with a cycle, thread 0
 * frees what they share (a shared arena's reset needs every push stopped)
 * while the others wait.  False, for every thread alike, once any failed. */
static bool CP(concurrent_step)(C_SCTX *shared, BenchWorker *w, bool ok) {
  ok = bench_team_wait(w->team, ok);
  if (ok && w->index == 0)
    ok = CF(sreset)(shared);
  return bench_team_wait(w->team, ok);
}

/* One thread: its own context, one untimed cycle (the memory faulted in,
 * a concurrent arena's slot made), then the timed cycles.  Thread 0's
 * clock runs from the step that ends the untimed cycle to the one that
 * ends the last: the wall time of all of them. */
static void *CP(concurrent_thread)(void *arg) {
  BenchWorker *w = arg;
  const BenchParams *p = w->params;
  C_SCTX *shared = w->shared;
  C_TCTX own;
  BenchHint hint = {(size_t)p->cycle, (size_t)p->cycle * BENCH_CONCURRENT_SIZE};
  bool opened = CF(topen)(shared, &own, &hint);
  bool ok = CP(concurrent_step)(shared, w, opened && CM(concurrent)(shared, &own, p->cycle));
  double start = bench_now();
  for (uint64_t done = 0; ok && done < p->count; done += p->cycle) {
    uint64_t n = p->count - done < p->cycle ? p->count - done : p->cycle;
    ok = CP(concurrent_step)(shared, w, CM(concurrent)(shared, &own, n));
  }
  w->seconds = bench_now() - start;
  if (opened)
    CF(tclose)(shared, &own);
  w->ok = ok;
  return NULL;
}

static bool CW(concurrent)(const BenchParams *p, BenchSample *s) {
  C_SCTX shared;
  BenchHint hint = {(size_t)(p->cycle * p->threads),
                    (size_t)(p->cycle * p->threads) * BENCH_CONCURRENT_SIZE};
  if (!CF(sopen)(&shared, &hint))
    return false;
  bool ok = bench_team_run(p, &shared, CP(concurrent_thread), &s->seconds);
  CF(sclose)(&shared);
  return ok;
}

#endif /* C_THREADS */

#undef CF
#undef CW
#undef CM
#undef CP
#undef C_ID
#undef C_CTX
#undef C_VCTX
#undef C_OCTX
#undef C_SCTX
#undef C_TCTX
#undef C_ARENA_OPS
#undef C_GROW
#undef C_VECTOR
#undef C_SBCTX
#undef C_STRINGS
#undef C_TREES
#undef C_PARSE
#undef C_GROWTH
#undef C_OFREES
#undef C_THREADS
