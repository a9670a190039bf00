/* fuzz_arena.c -- a fuzz target for libsamrena, checked against a model.
 *
 * LLVMFuzzerTestOneInput decodes its input into a sequence of operations on
 * one arena (recreated at will, with any configuration), two owned pools,
 * a few stable blocks (samrena_vmem_realloc) and one SamrenaVmem region,
 * and keeps a model of every live allocation: address, size and the bytes
 * written there.  After each operation it checks what the API promises
 * (samrena.h, DESIGN.md and the man pages): no two live allocations
 * overlap, each has its alignment and its contents, zeroed memory reads
 * zero, allocated/capacity/stats agree with each other and with the model,
 * and every failure gives the documented error and changes nothing.  A
 * violation prints the check and aborts, which libFuzzer reports.
 *
 * The same file is built twice: with clang -fsanitize=fuzzer,address,undefined
 * for `make fuzz` (the library compiled in, with the same sanitizers), and
 * with the normal compiler against libsamrena for tests/fuzz/replay, which
 * `make check` runs over tests/fuzz/corpus and tests/fuzz/regressions.
 * Set SAMRENA_FUZZ_TRACE=1 in the environment to print each operation.
 *
 * Input format (tests/fuzz/make-corpus.sh writes examples): nine bytes of
 * configuration for the first arena (see decode_config), then operations,
 * each an opcode byte (modulo OP_COUNT, see the enum) and its arguments.
 * Reading past the end gives zeros; the run ends with the input.
 */
#include <config.h>

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samrena.h"

#define FUZZ_TARGET "fuzz_arena.c"
#include "fuzz_common.h"

/* ------------------------------------------------------------------ limits */

/* Each input runs fast and holds little memory: sizes stay below these,
 * and operations that would pass them are skipped. */
#define MAX_TRACKED 256                       /* allocations in the model */
#define MAX_TRACKED_BYTES (UINT64_C(1) << 20) /* their bytes */
#define ARENA_BUDGET (UINT64_C(2) << 20)      /* samrena_allocated */
#define COMMIT_CAP (UINT64_C(8) << 20)        /* stats.committed */
#define SMALL_RESERVE (UINT64_C(8) << 20)     /* a virtual arena this small may fill up */
#define MAX_MARKS 48
#define MAX_STALE 16
#define MAX_POOLS 2
#define MAX_STABLE 4
#define MAX_CLEANUPS 32
#define MAX_STRING 4096
#define MAX_SLOT (UINT64_C(2) * 65536)

#define PMAX ((uint64_t)PTRDIFF_MAX)
/* No block bigger than this can be had: none beyond PTRDIFF_MAX exists,
 * and no 64-bit machine maps 2^62 bytes.  Below it, on 32-bit, even a
 * 2 GiB block may be granted. */
#define NO_BLOCK_BEYOND (PMAX < (UINT64_C(1) << 62) ? PMAX : UINT64_C(1) << 62)
#define MAX_ALIGN ((uint64_t)alignof(max_align_t))

/* ------------------------------------------------------------- reporting */

/* The last error is one of the codes in mask (bits 1 << code). */
#define BIT(error) (1u << (unsigned)(error))
#define CHECK_ERROR(mask) CHECK(((mask) & BIT(samrena_last_error())) != 0)

/* ----------------------------------------------------------------- input */

static uint32_t u32(Input *in) {
  uint32_t low = u16(in);
  return low | ((uint32_t)u16(in) << 16);
}

/* Mostly small sizes, some up to 64 KiB, and a few that no arena can hold:
 * two beyond PTRDIFF_MAX (OVERFLOW everywhere), two below it. */
static uint64_t decode_size(Input *in) {
  static const uint64_t huge[4] = {UINT64_MAX, PMAX + 1, PMAX - 8, UINT64_C(1) << 62};
  uint8_t t = u8(in);
  if (t < 0x80)
    return t;
  if (t < 0xc0)
    return ((uint64_t)(t & 0x3f) << 8) | u8(in);
  if (t < 0xfc)
    return u16(in);
  return huge[t - 0xfc];
}

static bool is_huge(uint64_t size) {
  return size > UINT64_C(0xffffffff);
}

static bool is_power_of_two(uint64_t value) {
  return value != 0 && (value & (value - 1)) == 0;
}

static uint64_t add_sat(uint64_t a, uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t max_u64(uint64_t a, uint64_t b) {
  return a > b ? a : b;
}

static uint64_t min_u64(uint64_t a, uint64_t b) {
  return a < b ? a : b;
}

/* ------------------------------------------------------------- contents */

/* Tracked memory holds pattern[phase + i], never 0, or zeros. */
#define PATTERN_SIZE (MAX_SLOT + 512)
static unsigned char pattern[PATTERN_SIZE];
static unsigned char zeros[PATTERN_SIZE];

static void init_pattern(void) {
  if (pattern[0] != 0)
    return; /* done for an earlier input */
  for (size_t i = 0; i < PATTERN_SIZE; i++)
    pattern[i] = (unsigned char)((i * 7u + i / 251u) % 255u + 1u);
}

/* ----------------------------------------------------------------- model */

typedef enum { KIND_ARENA, KIND_POOL, KIND_STABLE, KIND_REGION } Kind;

typedef struct {
  unsigned char *ptr;
  uint64_t size;
  uint64_t seq;     /* arena: creation order, against marks */
  uint64_t reserve; /* stable: the reservation it was sure to get */
  unsigned phase;   /* contents: pattern + phase */
  bool zero;        /* contents: zeros */
  Kind kind;
  int owner; /* pool: its index */
} Alloc;

typedef struct {
  SamrenaMark mark;
  uint64_t seq;       /* what came later has a larger seq */
  uint64_t allocated; /* samrena_allocated when it was taken */
} ModelMark;

typedef struct {
  uint64_t seq;
  unsigned id;
} ModelCleanup;

typedef struct {
  SamrenaPool *pool;
  uint64_t slot_size; /* as reported */
  uint64_t alignment; /* effective */
  uint64_t live;
} ModelPool;

static struct {
  Samrena *arena;
  SamrenaStrategy strategy;
  uint64_t alignment;    /* of samrena_push */
  uint64_t growth_bytes; /* chained: a new normal block */
  uint64_t reserved;     /* virtual: stats.reserved */
  uint64_t room;         /* virtual: the most it can hold, less than reserved by its handle */
  bool uncapped;         /* DEFAULT without max_reserve: goes on past its reservation */
  uintptr_t base;        /* virtual: where offset 0 is, once known */
  uint64_t peak_seen;    /* the largest allocated observed */
  uint64_t capacity;     /* after the last operation */
  bool dirty;            /* pushed or registered since the newest mark */
  uint64_t seq;
  unsigned next_id;

  ModelMark marks[MAX_MARKS];
  size_t mark_count;
  SamrenaMark stale[MAX_STALE];
  size_t stale_count, stale_next;

  ModelCleanup cleanups[MAX_CLEANUPS];
  size_t cleanup_count;
  unsigned ran[MAX_CLEANUPS]; /* ids, in the order the callbacks ran */
  size_t ran_count;
  unsigned warnings;

  Alloc allocs[MAX_TRACKED];
  size_t alloc_count;
  uint64_t tracked_bytes;

  ModelPool pools[MAX_POOLS];
  SamrenaVmem region;
} M;

static void on_release(void *data) {
  unsigned id = (unsigned)(uintptr_t)data;
  CHECK(M.ran_count < MAX_CLEANUPS);
  M.ran[M.ran_count++] = id;
}

static void on_log(const char *message, void *user_data) {
  (void)message;
  CHECK(user_data == &M.warnings);
  M.warnings++;
}

static bool can_track(uint64_t size) {
  return M.alloc_count < MAX_TRACKED && size <= MAX_SLOT &&
         M.tracked_bytes + size <= MAX_TRACKED_BYTES;
}

static void fill(Alloc *a, uint64_t from) {
  if (a->size > from)
    memcpy(a->ptr + from, pattern + a->phase + from, (size_t)(a->size - from));
}

static void check_contents(const Alloc *a) {
  if (a->size == 0)
    return;
  const unsigned char *expected = a->zero ? zeros : pattern + a->phase;
  CHECK(memcmp(a->ptr, expected, (size_t)a->size) == 0);
}

static void check_all_contents(void) {
  for (size_t i = 0; i < M.alloc_count; i++)
    check_contents(&M.allocs[i]);
}

/* [ptr, ptr + size) overlaps no tracked allocation (other than skip). */
static void check_disjoint(const unsigned char *ptr, uint64_t size, const Alloc *skip) {
  if (size == 0)
    return;
  uintptr_t start = (uintptr_t)ptr, end = start + (uintptr_t)size;
  CHECK(end > start);
  for (size_t i = 0; i < M.alloc_count; i++) {
    const Alloc *a = &M.allocs[i];
    if (a == skip || a->size == 0)
      continue;
    uintptr_t a_start = (uintptr_t)a->ptr, a_end = a_start + (uintptr_t)a->size;
    CHECK(end <= a_start || a_end <= start);
  }
}

static void check_aligned(const void *ptr, uint64_t alignment) {
  CHECK(((uintptr_t)ptr & (uintptr_t)(alignment - 1)) == 0);
}

/* Starts tracking new memory: checks it against the rest, then writes the
 * pattern there (or keeps its zeros).  Returns NULL when it is not tracked. */
static Alloc *track(Kind kind, void *ptr, uint64_t size, bool zero) {
  check_disjoint(ptr, size, NULL);
  if (size == 0 || !can_track(size))
    return NULL;
  Alloc *a = &M.allocs[M.alloc_count++];
  memset(a, 0, sizeof *a);
  a->ptr = ptr;
  a->size = size;
  a->kind = kind;
  a->seq = ++M.seq;
  a->phase = (unsigned)(a->seq % 251u);
  a->zero = zero;
  if (!zero)
    fill(a, 0);
  M.tracked_bytes += size;
  return a;
}

static void untrack(size_t i) {
  M.tracked_bytes -= M.allocs[i].size;
  M.allocs[i] = M.allocs[--M.alloc_count];
}

/* Stops tracking what matches: an arena's allocations after seq, say. */
static void untrack_if(bool (*match)(const Alloc *, uint64_t), uint64_t arg) {
  for (size_t i = 0; i < M.alloc_count;)
    if (match(&M.allocs[i], arg))
      untrack(i);
    else
      i++;
}

static bool arena_after(const Alloc *a, uint64_t seq) {
  return a->kind == KIND_ARENA && a->seq > seq;
}

static bool of_pool(const Alloc *a, uint64_t pool) {
  return a->kind == KIND_POOL && (uint64_t)a->owner == pool;
}

static bool region_beyond(const Alloc *a, uint64_t end) {
  return a->kind == KIND_REGION && (uintptr_t)(a->ptr + a->size) > (uintptr_t)end;
}

/* The i-th tracked allocation of a kind (and pool), or NULL. */
static Alloc *nth(Kind kind, int owner, unsigned i) {
  size_t count = 0;
  for (size_t k = 0; k < M.alloc_count; k++)
    if (M.allocs[k].kind == kind && (kind != KIND_POOL || M.allocs[k].owner == owner))
      count++;
  if (count == 0)
    return NULL;
  size_t want = i % count;
  for (size_t k = 0; k < M.alloc_count; k++)
    if (M.allocs[k].kind == kind && (kind != KIND_POOL || M.allocs[k].owner == owner))
      if (want-- == 0)
        return &M.allocs[k];
  return NULL;
}

static uint64_t arena_tracked_bytes(void) {
  uint64_t sum = 0;
  for (size_t i = 0; i < M.alloc_count; i++)
    if (M.allocs[i].kind == KIND_ARENA)
      sum += M.allocs[i].size;
  return sum;
}

/* ---------------------------------------------------------------- marks */

static bool same_mark(SamrenaMark a, SamrenaMark b) {
  return a.opaque[0] == b.opaque[0] && a.opaque[1] == b.opaque[1];
}

static void make_stale(SamrenaMark mark) {
  M.stale[M.stale_next] = mark;
  M.stale_next = (M.stale_next + 1) % MAX_STALE;
  if (M.stale_count < MAX_STALE)
    M.stale_count++;
}

static void drop_marks_above(size_t count) {
  while (M.mark_count > count)
    make_stale(M.marks[--M.mark_count].mark);
}

/* The callbacks registered after seq ran, newest first, and no other. */
static void check_cleanups_ran(uint64_t seq) {
  size_t keep = M.cleanup_count;
  while (keep > 0 && M.cleanups[keep - 1].seq > seq)
    keep--;
  CHECK(M.ran_count == M.cleanup_count - keep);
  for (size_t i = 0; i < M.ran_count; i++)
    CHECK(M.ran[i] == M.cleanups[M.cleanup_count - 1 - i].id);
  M.cleanup_count = keep;
  M.ran_count = 0;
}

/* -------------------------------------------------------------- the arena */

static SamrenaStats stats_now(void) {
  SamrenaStats stats;
  CHECK(samrena_stats(M.arena, &stats) == SAMRENA_OK);
  return stats;
}

/* Everything the arena reports agrees with itself and with the model. */
static void check_arena(bool capacity_may_shrink) {
  if (M.arena == NULL)
    return;
  SamrenaStats st = stats_now();
  uint64_t allocated = samrena_allocated(M.arena);
  uint64_t capacity = samrena_capacity(M.arena);
  CHECK(st.allocated == allocated);
  CHECK(st.capacity == capacity);
  CHECK(capacity >= allocated);
  CHECK(st.committed >= capacity);
  CHECK(st.reserved >= st.committed);
  CHECK(st.blocks >= 1);
  CHECK(st.wasted <= st.committed);
  CHECK(st.peak_allocated >= allocated);
  CHECK(st.peak_allocated >= M.peak_seen); /* a high-water mark never drops */
  M.peak_seen = st.peak_allocated;
  CHECK(allocated >= arena_tracked_bytes());
  CHECK(samrena_strategy(M.arena) == M.strategy);
  if (M.strategy == SAMRENA_STRATEGY_VIRTUAL) {
    CHECK(M.uncapped || st.blocks == 1);
    CHECK(st.committed - capacity < 4096 * st.blocks); /* the handle, in the first reservation */
    CHECK(M.uncapped ? st.reserved >= M.reserved : st.reserved == M.reserved);
    CHECK(st.wasted <= allocated);
    /* Only a trim gives committed memory back. */
    CHECK(capacity_may_shrink || capacity >= M.capacity);
  } else {
    CHECK(st.reserved == st.committed);
  }
  if (M.strategy == SAMRENA_STRATEGY_BUFFER) {
    CHECK(st.blocks == 1 && st.wasted == 0);
    CHECK(st.committed == M.reserved); /* the buffer's size */
    CHECK(capacity < M.reserved);      /* its handle, and its bookkeeping */
  }
  M.capacity = capacity;
}

/* Whether a push may fail for want of room: a virtual arena (its
 * reservation) or a buffer arena (its buffer). */
static bool is_capped(void) {
  return M.strategy == SAMRENA_STRATEGY_VIRTUAL || M.strategy == SAMRENA_STRATEGY_BUFFER;
}

/* The most the arena holds for pushes, counted from where they begin: a
 * virtual arena's reservation less its handle (UINT64_MAX without a cap),
 * a buffer arena's capacity, which its bookkeeping takes from. */
static uint64_t room_now(void) {
  if (M.strategy == SAMRENA_STRATEGY_BUFFER)
    return samrena_capacity(M.arena);
  return M.strategy == SAMRENA_STRATEGY_VIRTUAL ? M.room : UINT64_MAX;
}

/* Whether the arena may grow by need bytes within this input's budget. */
static bool may_grow(uint64_t need) {
  SamrenaStats st = stats_now();
  if ((M.strategy == SAMRENA_STRATEGY_VIRTUAL && M.room <= SMALL_RESERVE) ||
      M.strategy == SAMRENA_STRATEGY_BUFFER)
    return true; /* the reservation or the buffer itself bounds it */
  return need <= ARENA_BUDGET && st.allocated + need <= ARENA_BUDGET &&
         st.committed + need + M.growth_bytes <= COMMIT_CAP;
}

/* A virtual arena's pushes are contiguous: the end of the newest one lies
 * at base + allocated, for one base over the arena's life. */
static void check_virtual_end(const unsigned char *end) {
  if (M.strategy != SAMRENA_STRATEGY_VIRTUAL && M.strategy != SAMRENA_STRATEGY_BUFFER)
    return;
  uintptr_t base = (uintptr_t)end - (uintptr_t)samrena_allocated(M.arena);
  if (M.base == 0)
    M.base = base;
  CHECK(base == M.base);
}

static void destroy_arena(void) {
  if (M.arena == NULL)
    return;
  samrena_destroy(M.arena);
  M.arena = NULL;
  check_cleanups_ran(0);
  drop_marks_above(0);
  untrack_if(arena_after, 0);
}

/* The memory of a buffer arena: up to 4 MiB and a little, at an offset
 * of up to 15 bytes, so not always aligned. */
#define BUFFER_MAX (UINT64_C(4) << 20)
static max_align_t fuzz_buffer[(BUFFER_MAX + 65536) / sizeof(max_align_t)];

/* Nine bytes: strategy, flags, page size, initial and growth pages,
 * alignment, max_reserve (two), commit size.  Values that break a rule
 * come up often enough to check the errors.  A buffer arena (strategy
 * byte 7 with its top bit set; without it, a strategy that does not
 * exist) takes its buffer size from the max_reserve bytes and the offset
 * of its buffer from the commit size byte. */
static SamrenaConfig decode_config(Input *in, bool *use_allocate) {
  SamrenaConfig c = samrena_default_config();
  uint8_t s = u8(in);
  static const SamrenaStrategy strategies[8] = {
      SAMRENA_STRATEGY_DEFAULT, SAMRENA_STRATEGY_DEFAULT, SAMRENA_STRATEGY_CHAINED,
      SAMRENA_STRATEGY_CHAINED, SAMRENA_STRATEGY_VIRTUAL, SAMRENA_STRATEGY_VIRTUAL,
      SAMRENA_STRATEGY_VIRTUAL, (SamrenaStrategy)(SAMRENA_STRATEGY_BUFFER + 1)};
  c.strategy = strategies[s % 8];
  if (s % 8 == 7 && (s & 0x80) != 0)
    c.strategy = SAMRENA_STRATEGY_BUFFER;
  *use_allocate = s % 16 == 15;
  uint8_t f = u8(in);
  c.flags = f & 0xfu;
  if ((f & 0xf0u) == 0xf0u)
    c.flags |= 1u << 30; /* not a flag (1 << 4 and 1 << 5 are CONCURRENT and DEBUG) */
  uint8_t p = u8(in) % 16;
  bool huge_page = false;
  if (p == 0 || p == 15)
    c.page_size = 0;
  else if (p <= 11)
    c.page_size = UINT64_C(64) << (p - 1);
  else if (p == 12)
    c.page_size = 96;
  else if (p == 13)
    c.page_size = 32;
  else
    huge_page = true;
  c.initial_pages = (u8(in) + 1u) % 9u; /* a zero byte gives 1 */
  c.growth_pages = (u8(in) + 1u) % 9u;
  if (huge_page) { /* only where pages * size overflows: never a real block */
    c.page_size = UINT64_C(1) << 62;
    if (c.initial_pages == 1)
      c.initial_pages = 2;
  }
  uint8_t a = u8(in) % 24;
  if (a >= 1 && a <= 17)
    c.alignment = UINT64_C(1) << (a - 1);
  else if (a == 18)
    c.alignment = 3;
  else if (a == 19)
    c.alignment = UINT64_C(1) << 63;
  else if (a == 20)
    c.alignment = 48;
  uint16_t r = u16(in);
  if (r == 0xffff)
    c.max_reserve = UINT64_MAX;
  else if (r != 0)
    c.max_reserve = (uint64_t)(r & 0x3f) * 65536 + (uint64_t)(r >> 6) * 8;
  static const uint64_t commits[8] = {0, 1, 4096, 65536, UINT64_C(1) << 20, 12345, 0, UINT64_MAX};
  uint8_t k = u8(in) % 8;
  c.commit_size = commits[k];
  if (k == 6 && c.max_reserve != 0 && c.max_reserve <= SMALL_RESERVE)
    c.commit_size = UINT64_C(1) << 62; /* commits the whole (small) reservation */
  if (c.strategy == SAMRENA_STRATEGY_BUFFER) {
    unsigned offset = (unsigned)(r >> 10) % 16;
    c.buffer = (unsigned char *)fuzz_buffer + offset;
    c.buffer_size = r == 0 ? BUFFER_MAX : r == 0xffff ? UINT64_MAX : min_u64(c.max_reserve, BUFFER_MAX);
    c.max_reserve = 0;
    c.commit_size = 0;
    if (k == 7)
      c.buffer = NULL;
  }
  c.log_callback = on_log;
  c.log_user_data = &M.warnings;
  return c;
}

/* The errors the configuration must give (man samrena_create), or 0. */
static unsigned config_errors(const SamrenaConfig *c) {
  unsigned errors = 0;
  if ((unsigned)c->strategy > (unsigned)SAMRENA_STRATEGY_BUFFER || (c->flags & ~0xfu) != 0)
    errors |= BIT(SAMRENA_ERROR_INVALID_PARAMETER);
  if (c->initial_pages == 0 || c->growth_pages == 0)
    errors |= BIT(SAMRENA_ERROR_INVALID_SIZE);
  uint64_t page = c->page_size ? c->page_size : SAMRENA_DEFAULT_PAGE_SIZE;
  uint64_t alignment = c->alignment ? c->alignment : MAX_ALIGN;
  if (!is_power_of_two(alignment))
    errors |= BIT(SAMRENA_ERROR_INVALID_PARAMETER);
  if (!is_power_of_two(page) || page < 64) {
    errors |= BIT(SAMRENA_ERROR_INVALID_SIZE);
  } else {
    if (alignment > page)
      errors |= BIT(SAMRENA_ERROR_INVALID_PARAMETER);
    if (c->initial_pages > PMAX / page || c->growth_pages > PMAX / page)
      errors |= BIT(SAMRENA_ERROR_OVERFLOW);
    else if (c->max_reserve != 0 && c->max_reserve < c->initial_pages * page)
      errors |= BIT(SAMRENA_ERROR_INVALID_PARAMETER);
  }
  return errors;
}

static void op_create(Input *in) {
  destroy_arena();
  bool use_allocate;
  SamrenaConfig c = decode_config(in, &use_allocate);
  M.warnings = 0;
  M.base = 0;
  M.reserved = 0;
  M.room = 0;
  M.uncapped = false;
  if (use_allocate) { /* samrena_allocate: defaults and initial_pages */
    uint64_t pages = c.initial_pages % 4;
    trace("allocate", pages, 0);
    M.arena = samrena_allocate(pages);
    if (pages == 0) {
      CHECK(M.arena == NULL);
      CHECK_ERROR(BIT(SAMRENA_ERROR_INVALID_SIZE));
      return;
    }
    c = samrena_default_config();
    c.initial_pages = pages;
  } else {
    trace("create", (uint64_t)c.strategy, c.max_reserve);
    M.arena = samrena_create(&c);
  }

  unsigned errors = config_errors(&c);
  bool virtual_available = samrena_strategy_available(SAMRENA_STRATEGY_VIRTUAL);
  bool virtual_tried = (c.strategy == SAMRENA_STRATEGY_DEFAULT || c.strategy == SAMRENA_STRATEGY_VIRTUAL) &&
                       virtual_available;
  bool buffer = c.strategy == SAMRENA_STRATEGY_BUFFER;
  bool strict = (c.flags & SAMRENA_FLAG_STRICT) != 0;
  if (errors == 0 && virtual_tried && (c.max_reserve > PMAX || c.commit_size > PMAX))
    errors = BIT(SAMRENA_ERROR_OVERFLOW);
  if (errors == 0 && c.strategy == SAMRENA_STRATEGY_VIRTUAL && !virtual_available && strict)
    errors = BIT(SAMRENA_ERROR_UNSUPPORTED_STRATEGY);
  /* A buffer must exist and hold the handle (a few hundred bytes, the
   * model does not know how many) and one push with its padding: a small
   * one may be refused, a larger one never. */
  uint64_t alignment = c.alignment ? c.alignment : MAX_ALIGN;
  if (errors == 0 && buffer && c.buffer == NULL)
    errors = BIT(SAMRENA_ERROR_NULL_POINTER);
  if (errors == 0 && buffer && c.buffer_size > PMAX)
    errors = BIT(SAMRENA_ERROR_INVALID_SIZE);
  if (errors == 0 && buffer && c.buffer_size < 1024 + alignment && M.arena == NULL)
    errors = BIT(SAMRENA_ERROR_INVALID_SIZE);
  if (errors != 0) {
    CHECK(M.arena == NULL);
    CHECK_ERROR(errors);
    CHECK(M.warnings == 0);
    return;
  }
  if (M.arena == NULL) {
    /* Only the virtual reservation may be refused: for lack of memory,
     * which only STRICT turns into a failure, or by the OS. */
    CHECK(virtual_tried);
    if (samrena_last_error() == SAMRENA_ERROR_OUT_OF_MEMORY)
      CHECK(c.strategy == SAMRENA_STRATEGY_VIRTUAL && strict);
    else
      CHECK(samrena_last_error() == SAMRENA_ERROR_PLATFORM);
    return;
  }
  M.strategy = samrena_strategy(M.arena);
  if (buffer) {
    CHECK(M.strategy == SAMRENA_STRATEGY_BUFFER);
  } else if (c.strategy == SAMRENA_STRATEGY_CHAINED || !virtual_available) {
    CHECK(M.strategy == SAMRENA_STRATEGY_CHAINED);
  } else {
    CHECK(M.strategy == SAMRENA_STRATEGY_VIRTUAL || M.strategy == SAMRENA_STRATEGY_CHAINED);
    CHECK(M.strategy == SAMRENA_STRATEGY_VIRTUAL || !strict || c.strategy != SAMRENA_STRATEGY_VIRTUAL);
  }
  /* One warning exactly when VIRTUAL was asked for and chained was given. */
  bool fell_back = c.strategy == SAMRENA_STRATEGY_VIRTUAL && M.strategy == SAMRENA_STRATEGY_CHAINED;
  CHECK(M.warnings == (fell_back && !use_allocate ? 1u : 0u));

  uint64_t page = c.page_size ? c.page_size : SAMRENA_DEFAULT_PAGE_SIZE;
  M.alignment = c.alignment ? c.alignment : MAX_ALIGN;
  M.growth_bytes = c.growth_pages * page;
  SamrenaStats st = stats_now();
  CHECK(st.allocated == 0);
  CHECK(buffer || st.capacity >= c.initial_pages * page);
  if (buffer) {
    M.reserved = c.buffer_size;
    CHECK(st.committed == c.buffer_size && st.reserved == c.buffer_size && st.blocks == 1);
    CHECK(st.capacity < c.buffer_size && st.capacity + 1024 > c.buffer_size);
    CHECK(samrena_has_capability(M.arena, SAMRENA_CAP_CONTIGUOUS_MEMORY));
    CHECK(!samrena_has_capability(M.arena, SAMRENA_CAP_GROWS));
    CHECK((uintptr_t)M.arena % MAX_ALIGN == 0); /* the handle, in the buffer */
    CHECK((uintptr_t)M.arena - (uintptr_t)c.buffer < MAX_ALIGN);
  } else if (M.strategy == SAMRENA_STRATEGY_CHAINED) {
    CHECK(st.capacity == c.initial_pages * page);
    CHECK(st.blocks == 1);
  } else {
    M.reserved = st.reserved;
    M.uncapped = c.strategy == SAMRENA_STRATEGY_DEFAULT && c.max_reserve == 0;
    /* The reservation less the handle at its start, which is committed
     * and not capacity: what pushes can fill, counted from where they begin. */
    M.room = M.uncapped ? UINT64_MAX : M.reserved - (st.committed - st.capacity);
    CHECK(M.uncapped || (M.room < M.reserved && M.room + 4096 + 65536 >= M.reserved));
    CHECK(M.uncapped == !samrena_has_capability(M.arena, SAMRENA_CAP_CONTIGUOUS_MEMORY));
    if (c.max_reserve != 0) {
      /* max_reserve for pushes, and the handle before them, rounded up to
       * the reservation granularity (64 KiB on Windows). */
      CHECK(M.room >= c.max_reserve);
      CHECK(st.reserved - c.max_reserve < 65536 + 4096);
    }
  }
  M.peak_seen = 0;
  M.capacity = st.capacity;
  M.dirty = false;
}

/* How to push, and what the result holds. */
typedef enum {
  PUSH_PLAIN,
  PUSH_ZERO,
  PUSH_ALIGNED,
  PUSH_WITH_RESERVE,
  PUSH_MEMDUP,
  PUSH_ARRAY
} PushKind;

/* Any push: checks the result or the error against the size and
 * alignment, and tracks what it got. */
static void arena_push(PushKind kind, uint64_t size, uint64_t alignment, bool keep_zero,
                       bool array_overflow) {
  bool bad_alignment = !is_power_of_two(alignment);
  bool overflow = size != 0 && !bad_alignment &&
                  (alignment - 1 > PMAX || size > PMAX - (alignment - 1));
  uint64_t need = add_sat(size, bad_alignment ? 0 : alignment - 1);
  /* Sizes no arena can serve fail before any malloc; others must fit the budget. */
  if (!overflow && !array_overflow && !bad_alignment && !may_grow(need)) {
    bool virtual_refuses = M.strategy == SAMRENA_STRATEGY_VIRTUAL &&
                           add_sat(samrena_allocated(M.arena), size) > M.room;
    if (!virtual_refuses)
      return;
  }
  uint64_t room = room_now();
  uint64_t before = samrena_allocated(M.arena);
  void *p = NULL;
  switch (kind) {
  case PUSH_PLAIN:
    p = samrena_push(M.arena, size);
    break;
  case PUSH_ZERO:
    p = samrena_push_zero(M.arena, size);
    break;
  case PUSH_ALIGNED:
    p = samrena_push_aligned(M.arena, size, alignment);
    break;
  case PUSH_WITH_RESERVE:
    p = samrena_push_with_reserve(M.arena, size);
    break;
  case PUSH_MEMDUP:
    p = samrena_memdup(M.arena, size <= MAX_SLOT ? pattern : NULL, size);
    break;
  case PUSH_ARRAY: {
    size_t count = array_overflow ? 3 : 1;
    size_t elem = array_overflow ? SIZE_MAX / 2 : (size_t)size;
    if (!array_overflow && (uint64_t)elem != size)
      return;
    p = samrena_alloc_array(samrena_arena_allocator(M.arena), count, elem);
    break;
  }
  }
  uint64_t after = samrena_allocated(M.arena);

  if (bad_alignment) {
    CHECK(p == NULL);
    CHECK_ERROR(BIT(SAMRENA_ERROR_INVALID_PARAMETER));
    CHECK(after == before);
    return;
  }
  if (array_overflow) {
    CHECK(p == NULL);
    CHECK_ERROR(BIT(SAMRENA_ERROR_OVERFLOW));
    CHECK(after == before);
    return;
  }
  if (kind == PUSH_MEMDUP && size > MAX_SLOT) {
    CHECK(p == NULL); /* a NULL source with a size */
    CHECK_ERROR(BIT(SAMRENA_ERROR_NULL_POINTER));
    CHECK(after == before);
    return;
  }
  if (size == 0) {
    CHECK(p != NULL); /* not to be dereferenced */
    CHECK(after == before);
    return;
  }
  if (overflow) {
    CHECK(p == NULL);
    CHECK_ERROR(BIT(SAMRENA_ERROR_OVERFLOW));
    CHECK(after == before);
    return;
  }
  if (p == NULL) {
    /* Only a capped arena runs out here, and only when the push cannot fit. */
    CHECK(is_capped());
    unsigned allowed = BIT(SAMRENA_ERROR_OUT_OF_MEMORY);
    if (kind == PUSH_WITH_RESERVE)
      allowed |= BIT(SAMRENA_ERROR_OVERFLOW); /* 2 * (allocated + size) */
    CHECK_ERROR(allowed);
    CHECK(add_sat(before, need) > room);
    CHECK(after == before);
    return;
  }
  CHECK(add_sat(before, size) <= room);
  check_aligned(p, alignment);
  CHECK(after >= before + size);
  CHECK(after - before <= need); /* the push and its padding */
  check_virtual_end((unsigned char *)p + size);
  if (kind == PUSH_ZERO)
    CHECK(memcmp(p, zeros, (size_t)min_u64(size, MAX_SLOT)) == 0);
  if (kind == PUSH_MEMDUP)
    CHECK(memcmp(p, pattern, (size_t)size) == 0);
  Alloc *a = track(KIND_ARENA, p, size, kind == PUSH_ZERO && keep_zero);
  if (a != NULL && kind == PUSH_MEMDUP) {
    a->phase = 0; /* memdup copied pattern + 0 */
    fill(a, 0);
  }
  M.dirty = true;
}

static uint64_t decode_alignment(Input *in) {
  uint8_t t = u8(in) % 32;
  if (t == 0)
    return 0;
  if (t <= 21)
    return UINT64_C(1) << (t - 1);
  if (t == 22)
    return 3;
  if (t == 23)
    return UINT64_C(1) << 63;
  if (t == 24)
    return UINT64_C(1) << 62;
  return MAX_ALIGN;
}

/* A string of len pattern bytes, by strdup or printf: alignment 1, and a
 * terminating zero, which is then overwritten so the whole allocation
 * holds the pattern. */
static void arena_string(uint64_t len, bool use_printf) {
  if (!may_grow(len + 1))
    return;
  static char text[MAX_STRING + 1];
  unsigned phase = (unsigned)(len % 200u);
  memcpy(text, pattern + phase, (size_t)len);
  text[len] = '\0';
  uint64_t room = room_now();
  uint64_t before = samrena_allocated(M.arena);
  char *s = use_printf ? samrena_printf(M.arena, "%s", text) : samrena_strdup(M.arena, text);
  if (s == NULL) {
    CHECK(is_capped());
    CHECK_ERROR(BIT(SAMRENA_ERROR_OUT_OF_MEMORY));
    CHECK(before + len + 1 > room);
    CHECK(samrena_allocated(M.arena) == before);
    return;
  }
  uint64_t after = samrena_allocated(M.arena);
  CHECK(after - before == len + 1); /* strings pack without padding */
  CHECK(memcmp(s, text, (size_t)len + 1) == 0);
  check_virtual_end((unsigned char *)s + len + 1);
  Alloc *a = track(KIND_ARENA, s, len + 1, false);
  if (a != NULL) {
    a->phase = phase;
    fill(a, 0);
  }
  M.dirty = true;
}

static void op_resize(Input *in) {
  uint8_t how = u8(in);
  uint64_t new_size = decode_size(in);
  Alloc *a = (how & 7) == 0 ? NULL : nth(KIND_ARENA, 0, u8(in));
  if (a == NULL) {
    trace("resize NULL", new_size, 0);
    arena_push(PUSH_PLAIN, new_size, M.alignment, false, false); /* resize(NULL) pushes */
    return;
  }
  if (a->zero) { /* from here on it holds the pattern */
    a->zero = false;
    fill(a, 0);
  }
  uint64_t old_size = a->size;
  trace("resize", old_size, new_size);
  bool growth = new_size > old_size;
  uint64_t need = add_sat(new_size, M.alignment - 1);
  if (growth && new_size <= PMAX && !may_grow(need)) {
    bool virtual_refuses = M.strategy == SAMRENA_STRATEGY_VIRTUAL &&
                           add_sat(samrena_allocated(M.arena), new_size - old_size) > M.room &&
                           add_sat(samrena_allocated(M.arena), new_size) > M.room;
    if (!virtual_refuses)
      return;
  }
  uint64_t room = room_now();
  uint64_t before = samrena_allocated(M.arena);
  unsigned char *p = samrena_resize(M.arena, a->ptr, old_size, new_size);
  uint64_t after = samrena_allocated(M.arena);

  if (new_size > PMAX) {
    CHECK(p == NULL);
    CHECK_ERROR(BIT(SAMRENA_ERROR_OVERFLOW));
    CHECK(after == before);
    return;
  }
  if (!growth) { /* a shrink stays where it is and never fails */
    CHECK(p == a->ptr);
    CHECK(after <= before);
    CHECK(after == before || before - after == old_size - new_size);
    M.tracked_bytes -= old_size - new_size;
    a->size = new_size;
    if (after != before)
      M.dirty = true;
    if (new_size == 0)
      untrack((size_t)(a - M.allocs));
    return;
  }
  if (p == NULL) {
    CHECK(is_capped());
    CHECK_ERROR(BIT(SAMRENA_ERROR_OUT_OF_MEMORY) | BIT(SAMRENA_ERROR_OVERFLOW));
    CHECK(add_sat(before, new_size - old_size) > room || add_sat(before, need) > room);
    CHECK(after == before);
    return;
  }
  M.dirty = true;
  if (p == a->ptr) { /* grown in place: it was the last allocation */
    CHECK(after - before == new_size - old_size);
    check_virtual_end(p + new_size);
    /* The model keeps it only until a restore of any mark it crossed. */
    if (M.mark_count > 0 && a->seq <= M.marks[M.mark_count - 1].seq)
      a->seq = ++M.seq;
    if (M.tracked_bytes + (new_size - old_size) > MAX_TRACKED_BYTES || new_size > MAX_SLOT) {
      untrack((size_t)(a - M.allocs));
      return;
    }
    check_disjoint(p + old_size, new_size - old_size, a);
    M.tracked_bytes += new_size - old_size;
    a->size = new_size;
    fill(a, old_size);
    return;
  }
  /* Moved: the old allocation stays valid; the new one has the arena's
   * alignment and the old contents. */
  check_aligned(p, M.alignment);
  CHECK(after - before >= new_size && after - before <= need);
  check_virtual_end(p + new_size);
  CHECK(memcmp(p, pattern + a->phase, (size_t)old_size) == 0);
  unsigned phase = a->phase;
  if (!can_track(new_size) && M.alloc_count == MAX_TRACKED)
    untrack((size_t)(a - M.allocs)); /* room for the new one */
  check_disjoint(p, new_size, NULL);
  if (!can_track(new_size))
    return;
  Alloc *moved = &M.allocs[M.alloc_count++];
  memset(moved, 0, sizeof *moved);
  moved->ptr = p;
  moved->size = new_size;
  moved->kind = KIND_ARENA;
  moved->seq = ++M.seq;
  moved->phase = phase;
  M.tracked_bytes += new_size;
  fill(moved, old_size);
}

static void op_save(void) {
  if (M.mark_count == MAX_MARKS)
    return;
  SamrenaMark mark = samrena_save(M.arena);
  uint64_t allocated = samrena_allocated(M.arena);
  trace("save", allocated, M.mark_count);
  if (mark.opaque[0] == 0 && mark.opaque[1] == 0) {
    /* Only a buffer arena may lack room for its bookkeeping. */
    CHECK(M.strategy == SAMRENA_STRATEGY_BUFFER);
    CHECK_ERROR(BIT(SAMRENA_ERROR_OUT_OF_MEMORY));
    return;
  }
  if (M.mark_count > 0 && same_mark(mark, M.marks[M.mark_count - 1].mark)) {
    /* Nothing changed since the newest mark: the same mark again. */
    CHECK(M.marks[M.mark_count - 1].allocated == allocated);
    M.dirty = false;
    return;
  }
  CHECK(M.mark_count == 0 || M.dirty); /* else it had to be the same mark */
  CHECK(mark.opaque[0] != 0 || mark.opaque[1] != 0);
  for (size_t i = 0; i < M.mark_count; i++)
    CHECK(!same_mark(mark, M.marks[i].mark));
  for (size_t i = 0; i < M.stale_count; i++)
    CHECK(!same_mark(mark, M.stale[i]));
  ModelMark *m = &M.marks[M.mark_count++];
  m->mark = mark;
  m->seq = M.seq;
  m->allocated = allocated;
  M.dirty = false;
}

static void op_restore(Input *in) {
  uint8_t how = u8(in) % 6;
  uint8_t pick = u8(in);
  SamrenaMark mark = {{0, 0}};
  if (how <= 2 && M.mark_count > 0) {
    mark = M.marks[pick % M.mark_count].mark; /* live */
  } else if (how == 3 && M.stale_count > 0) {
    mark = M.stale[pick % M.stale_count]; /* stale or foreign */
  } else if (how == 4 && M.mark_count > 0) {
    mark = M.marks[pick % M.mark_count].mark; /* a live one, altered */
    uint8_t bits = u8(in);
    mark.opaque[bits & 1] ^= UINT64_C(1) << (bits >> 2);
  } else if (how == 5) {
    mark.opaque[0] = ((uint64_t)u32(in) << 32) | u8(in); /* made up */
    mark.opaque[1] = u8(in);
  }
  size_t live = M.mark_count;
  for (size_t i = 0; i < M.mark_count; i++)
    if (same_mark(mark, M.marks[i].mark))
      live = i;
  uint64_t allocated = samrena_allocated(M.arena);
  uint64_t capacity = samrena_capacity(M.arena);
  trace("restore", live, M.mark_count);
  SamrenaError error = samrena_restore(M.arena, mark);
  if (live == M.mark_count) {
    CHECK(error == SAMRENA_ERROR_INVALID_PARAMETER);
    CHECK(samrena_last_error() == SAMRENA_ERROR_INVALID_PARAMETER);
    CHECK(samrena_allocated(M.arena) == allocated);
    CHECK(samrena_capacity(M.arena) == capacity);
    CHECK(M.ran_count == 0);
    return;
  }
  CHECK(error == SAMRENA_OK);
  const ModelMark *m = &M.marks[live];
  CHECK(samrena_allocated(M.arena) == m->allocated);
  check_cleanups_ran(m->seq);
  untrack_if(arena_after, m->seq);
  drop_marks_above(live + 1);
  M.dirty = false;
}

static void op_reset(void) {
  trace("reset", 0, 0);
  samrena_reset(M.arena);
  CHECK(samrena_allocated(M.arena) == 0);
  check_cleanups_ran(0);
  untrack_if(arena_after, 0);
  drop_marks_above(0);
  M.dirty = false;
}

static void op_trim(Input *in) {
  uint8_t how = u8(in) % 4;
  uint16_t amount = u16(in);
  uint64_t allocated = samrena_allocated(M.arena);
  uint64_t capacity = samrena_capacity(M.arena);
  uint64_t keep = how == 0   ? 0
                  : how == 1 ? (uint64_t)amount * 64
                  : how == 2 ? allocated + (uint64_t)amount * 16
                             : UINT64_MAX;
  trace("trim", keep, capacity);
  SamrenaError error = samrena_trim(M.arena, keep);
  uint64_t after = samrena_capacity(M.arena);
  CHECK(samrena_allocated(M.arena) == allocated);
  CHECK(after <= capacity); /* never commits */
  if (M.strategy != SAMRENA_STRATEGY_VIRTUAL) {
    CHECK(error == SAMRENA_OK);
    if (M.strategy == SAMRENA_STRATEGY_BUFFER)
      CHECK(after == capacity); /* nothing to give back */
  } else if (error != SAMRENA_OK) {
    CHECK(error == SAMRENA_ERROR_PLATFORM);
    CHECK(after == capacity);
  }
  uint64_t floor = max_u64(keep, allocated);
  CHECK(after >= min_u64(capacity, floor));
  if (M.strategy == SAMRENA_STRATEGY_VIRTUAL && error == SAMRENA_OK &&
      capacity > add_sat(floor, 65536))
    CHECK(after < add_sat(floor, 65536)); /* pages above floor went back */
}

/* Reserve min_capacity and check it: the capacity reaches it, or the
 * documented error and nothing changed. */
static void arena_reserve(uint64_t min_capacity, bool with_growth, uint64_t immediate,
                          uint64_t expected_total) {
  uint64_t allocated = samrena_allocated(M.arena);
  uint64_t capacity = samrena_capacity(M.arena);
  bool immediate_overflow = with_growth && immediate > UINT64_MAX / 2;
  bool virtual_refuses = is_capped() && min_capacity > room_now();
  /* A chained arena covers the shortfall with one block; a virtual one
   * without a cap, with a further reservation no larger than an object. */
  bool too_big = M.strategy == SAMRENA_STRATEGY_CHAINED
                     ? min_capacity > capacity && min_capacity - capacity > NO_BLOCK_BEYOND
                     : min_capacity > PMAX;
  if (!immediate_overflow && !virtual_refuses && !too_big && min_capacity > capacity &&
      !may_grow(min_capacity - capacity))
    return;
  trace(with_growth ? "reserve_growth" : "reserve", min_capacity, capacity);
  SamrenaError error = with_growth ? samrena_reserve_with_growth(M.arena, immediate, expected_total)
                                   : samrena_reserve(M.arena, min_capacity);
  uint64_t after = samrena_capacity(M.arena);
  CHECK(samrena_allocated(M.arena) == allocated);
  if (error != SAMRENA_OK)
    CHECK(samrena_last_error() == error);
  if (immediate_overflow) {
    CHECK(error == SAMRENA_ERROR_OVERFLOW);
    CHECK(after == capacity);
    return;
  }
  if (min_capacity <= capacity) {
    CHECK(error == SAMRENA_OK);
    CHECK(after == capacity);
    return;
  }
  if (virtual_refuses) {
    CHECK(error == SAMRENA_ERROR_INVALID_PARAMETER);
    CHECK(after == capacity);
    return;
  }
  if (too_big) { /* chained: a block that size cannot exist */
    CHECK(error == SAMRENA_ERROR_OVERFLOW || error == SAMRENA_ERROR_OUT_OF_MEMORY);
    CHECK(after == capacity);
    return;
  }
  CHECK(error == SAMRENA_OK);
  CHECK(after >= min_capacity);
}

static void op_reserve(Input *in, bool with_growth) {
  uint8_t how = u8(in) % 5;
  uint16_t amount = u16(in);
  uint64_t allocated = samrena_allocated(M.arena);
  uint64_t capacity = samrena_capacity(M.arena);
  uint64_t value = how == 0   ? allocated + (uint64_t)amount * 16
                   : how == 1 ? (uint64_t)amount * 64
                   : how == 2 ? capacity + (uint64_t)(amount & 0xff) * 4096
                   : how == 3 ? (amount & 1 ? UINT64_MAX : PMAX + 1)
                              : M.reserved + (amount & 0xff);
  if (!with_growth) {
    arena_reserve(value, false, 0, 0);
    return;
  }
  /* reserve_with_growth(immediate, expected): reserves
   * max(2 * immediate, expected / 4). */
  uint64_t immediate = how == 3 ? (amount & 1 ? UINT64_MAX : UINT64_MAX / 2 + 1) : value / 2;
  uint64_t expected = (uint64_t)u16(in) * 256;
  uint64_t wanted = immediate > UINT64_MAX / 2 ? 0 : max_u64(2 * immediate, expected / 4);
  arena_reserve(wanted, true, immediate, expected);
}

static void op_on_release(Input *in) {
  if (u8(in) % 8 == 0) {
    CHECK(samrena_on_release(M.arena, NULL, NULL) == SAMRENA_ERROR_NULL_POINTER);
    return;
  }
  if (M.cleanup_count == MAX_CLEANUPS)
    return;
  unsigned id = ++M.next_id;
  trace("on_release", id, 0);
  SamrenaError error = samrena_on_release(M.arena, on_release, (void *)(uintptr_t)id);
  if (error != SAMRENA_OK) { /* as for samrena_save */
    CHECK(M.strategy == SAMRENA_STRATEGY_BUFFER && error == SAMRENA_ERROR_OUT_OF_MEMORY);
    return;
  }
  M.cleanups[M.cleanup_count].id = id;
  M.cleanups[M.cleanup_count].seq = ++M.seq;
  M.cleanup_count++;
  M.dirty = true;
}

/* ----------------------------------------------------------------- pools */

static void destroy_pool(int index) {
  ModelPool *mp = &M.pools[index];
  if (mp->pool == NULL)
    return;
  samrena_pool_destroy(mp->pool);
  mp->pool = NULL;
  untrack_if(of_pool, (uint64_t)index);
}

static void op_pool_create(Input *in) {
  int index = u8(in) % MAX_POOLS;
  destroy_pool(index);
  uint8_t s = u8(in);
  uint64_t slot_size;
  switch (s % 8) {
  case 0: slot_size = 0; break;
  case 4: slot_size = 1u + (s >> 3); break;
  case 5: slot_size = 1u + (uint64_t)u16(in); break;
  case 6: slot_size = 65536u + (uint64_t)u16(in); break;
  case 7: slot_size = s & 0x80 ? UINT64_MAX : UINT64_C(1) << 62; break;
  default: slot_size = 1u + (uint64_t)u8(in); break;
  }
  uint8_t t = u8(in) % 16;
  uint64_t alignment = t == 0    ? 0
                       : t <= 13 ? UINT64_C(1) << (t - 1)
                       : t == 14 ? 24
                                 : UINT64_C(1) << 62;
  trace("pool_create", slot_size, alignment);
  SamrenaPool *pool = samrena_pool_create(NULL, slot_size, alignment);
  unsigned errors = 0;
  uint64_t effective = alignment ? alignment : MAX_ALIGN;
  if (slot_size == 0)
    errors |= BIT(SAMRENA_ERROR_INVALID_SIZE);
  if (!is_power_of_two(effective))
    errors |= BIT(SAMRENA_ERROR_INVALID_PARAMETER);
  else if (slot_size > PMAX / 4 || effective > PMAX / 4)
    errors |= BIT(SAMRENA_ERROR_OVERFLOW);
  if (errors != 0) {
    CHECK(pool == NULL);
    CHECK_ERROR(errors);
    return;
  }
  CHECK(pool != NULL);
  ModelPool *mp = &M.pools[index];
  mp->pool = pool;
  mp->slot_size = max_u64(slot_size, sizeof(void *));
  mp->alignment = max_u64(effective, alignof(void *));
  mp->live = 0;
  CHECK(samrena_pool_slot_size(pool) == mp->slot_size);
  CHECK(samrena_pool_in_use(pool) == 0);
}

static void op_pool_alloc(Input *in) {
  int index = u8(in) % MAX_POOLS;
  ModelPool *mp = &M.pools[index];
  if (mp->pool == NULL || !can_track(mp->slot_size))
    return; /* every slot is tracked, so the pool's memory stays bounded */
  void *slot = samrena_pool_alloc(mp->pool);
  trace("pool_alloc", (uint64_t)index, mp->slot_size);
  CHECK(slot != NULL);
  check_aligned(slot, mp->alignment);
  Alloc *a = track(KIND_POOL, slot, mp->slot_size, false);
  CHECK(a != NULL);
  a->owner = index;
  mp->live++;
  CHECK(samrena_pool_in_use(mp->pool) == mp->live);
}

static void op_pool_free(Input *in) {
  int index = u8(in) % MAX_POOLS;
  uint8_t pick = u8(in);
  ModelPool *mp = &M.pools[index];
  if (mp->pool == NULL)
    return;
  Alloc *a = pick == 0xff ? NULL : nth(KIND_POOL, index, pick);
  trace("pool_free", (uint64_t)index, a != NULL);
  samrena_pool_free(mp->pool, a != NULL ? a->ptr : NULL); /* NULL: no-op */
  if (a != NULL) {
    untrack((size_t)(a - M.allocs));
    mp->live--;
  }
  CHECK(samrena_pool_in_use(mp->pool) == mp->live);
}

static void op_pool_reset(Input *in) {
  int index = u8(in) % MAX_POOLS;
  ModelPool *mp = &M.pools[index];
  if (mp->pool == NULL)
    return;
  trace("pool_reset", (uint64_t)index, 0);
  samrena_pool_reset(mp->pool);
  untrack_if(of_pool, (uint64_t)index);
  mp->live = 0;
  CHECK(samrena_pool_in_use(mp->pool) == 0);
}

/* -------------------------------------------------------- stable blocks */

static size_t stable_count(void) {
  size_t count = 0;
  for (size_t i = 0; i < M.alloc_count; i++)
    count += M.allocs[i].kind == KIND_STABLE;
  return count;
}

/* A new block, a resize, a free: the pointer never moves, contents stay. */
static void op_stable(Input *in) {
  uint8_t how = u8(in);
  uint64_t size = decode_size(in);
  Alloc *a = nth(KIND_STABLE, 0, u8(in));
  if (how % 4 == 0 || a == NULL) {
    if (stable_count() == MAX_STABLE || (!is_huge(size) && !can_track(size)))
      return;
    uint8_t r = u8(in) % 4;
    uint64_t reserve = r == 1 ? size : r == 2 ? (uint64_t)u16(in) * 16 : UINT64_C(1) << 20;
    trace("stable_new", size, r == 0 ? 0 : reserve);
    void *p = r == 0 ? samrena_vmem_realloc(NULL, size)
                     : samrena_vmem_realloc_reserve(NULL, size, reserve);
    if (size == 0) {
      CHECK(p == NULL);
      return;
    }
    if (size > PMAX - 64) {
      CHECK(p == NULL);
      CHECK_ERROR(BIT(SAMRENA_ERROR_OVERFLOW));
      return;
    }
    if (is_huge(size)) { /* 2^62: more address space than there is */
      CHECK(p == NULL);
      CHECK_ERROR(BIT(SAMRENA_ERROR_OUT_OF_MEMORY) | BIT(SAMRENA_ERROR_OVERFLOW));
      return;
    }
    CHECK(p != NULL);
    check_aligned(p, MAX_ALIGN);
    CHECK(samrena_vmem_size(p) == size);
    Alloc *b = track(KIND_STABLE, p, size, false);
    CHECK(b != NULL);
    b->reserve = max_u64(size, r == 0 ? SAMRENA_VMEM_DEFAULT_RESERVE : reserve);
    return;
  }
  if (how % 4 == 1 || size == 0) {
    trace("stable_free", a->size, 0);
    CHECK(samrena_vmem_realloc(a->ptr, 0) == NULL);
    untrack((size_t)(a - M.allocs));
    return;
  }
  if (how % 4 == 2) {
    CHECK(samrena_vmem_size(a->ptr) == a->size);
    CHECK(samrena_vmem_size(NULL) == 0);
    return;
  }
  if (!is_huge(size) && (size > MAX_SLOT || M.tracked_bytes - a->size + size > MAX_TRACKED_BYTES))
    return;
  trace("stable_resize", a->size, size);
  unsigned char *p = samrena_vmem_realloc(a->ptr, size);
  if (p == NULL) {
    CHECK(size > a->reserve); /* within what it reserved, growth succeeds */
    CHECK_ERROR(BIT(SAMRENA_ERROR_OUT_OF_MEMORY) | BIT(SAMRENA_ERROR_OVERFLOW));
    if (size > PMAX - 64)
      CHECK_ERROR(BIT(SAMRENA_ERROR_OVERFLOW));
    CHECK(samrena_vmem_size(a->ptr) == a->size);
    return;
  }
  CHECK(p == a->ptr);
  CHECK(!is_huge(size));
  CHECK(samrena_vmem_size(p) == size);
  uint64_t old_size = a->size;
  a->size = min_u64(old_size, size);
  check_contents(a);
  M.tracked_bytes = M.tracked_bytes - old_size + size;
  a->size = size;
  fill(a, min_u64(old_size, size));
}

/* ---------------------------------------------------------- vmem region */

static void op_region(Input *in) {
  SamrenaVmem *vm = &M.region;
  uint8_t how = u8(in) % 6;
  if (how == 0) { /* reserve */
    uint8_t r = u8(in) % 4;
    uint64_t size = r == 0 ? 0 : r == 1 ? (uint64_t)u16(in) * 64 + 1 : r == 2 ? UINT64_MAX : UINT64_C(1) << 20;
    SamrenaVmem before = *vm;
    trace("vmem_reserve", size, vm->base != NULL);
    bool ok = samrena_vmem_reserve(vm, size);
    if (before.base != NULL) {
      CHECK(!ok);
      CHECK_ERROR(BIT(SAMRENA_ERROR_INVALID_PARAMETER));
      CHECK(memcmp(&before, vm, sizeof before) == 0);
    } else if (size == 0 || size == UINT64_MAX) {
      CHECK(!ok);
      CHECK_ERROR(size == 0 ? BIT(SAMRENA_ERROR_INVALID_SIZE) : BIT(SAMRENA_ERROR_OVERFLOW));
      CHECK(vm->base == NULL);
    } else {
      CHECK(ok);
      CHECK(vm->base != NULL && vm->reserved >= size && vm->committed == 0 && vm->used == 0);
    }
    return;
  }
  if (how == 1) { /* commit */
    uint64_t bytes = decode_size(in);
    SamrenaVmem before = *vm;
    if (vm->base != NULL && !is_huge(bytes) && !can_track(bytes))
      return;
    trace("vmem_commit", bytes, vm->used);
    unsigned char *p = samrena_vmem_commit(vm, bytes);
    if (before.base == NULL) {
      CHECK(p == NULL);
      CHECK_ERROR(BIT(SAMRENA_ERROR_INVALID_PARAMETER));
      return;
    }
    uint64_t start = (before.used + MAX_ALIGN - 1) & ~(MAX_ALIGN - 1);
    if (bytes == 0) {
      CHECK(p != NULL);
      CHECK(memcmp(&before, vm, sizeof before) == 0);
      return;
    }
    if (start > before.reserved || bytes > before.reserved - start) {
      CHECK(p == NULL);
      CHECK_ERROR(bytes > PMAX ? BIT(SAMRENA_ERROR_OVERFLOW) : BIT(SAMRENA_ERROR_OUT_OF_MEMORY));
      CHECK(memcmp(&before, vm, sizeof before) == 0);
      return;
    }
    CHECK(p == (unsigned char *)before.base + start);
    CHECK(vm->used == start + bytes);
    CHECK(vm->committed >= vm->used && vm->committed <= vm->reserved);
    CHECK(vm->base == before.base && vm->reserved == before.reserved);
    track(KIND_REGION, p, bytes, false);
    return;
  }
  if (how == 2) { /* reset: the pieces go, the commit stays */
    if (vm->base == NULL)
      return;
    uint64_t committed = vm->committed;
    trace("vmem_reset", vm->used, 0);
    samrena_vmem_reset(vm);
    CHECK(vm->used == 0 && vm->committed == committed);
    untrack_if(region_beyond, (uint64_t)(uintptr_t)vm->base);
    return;
  }
  if (how == 3) { /* release */
    trace("vmem_release", vm->reserved, 0);
    CHECK(samrena_vmem_release(vm));
    CHECK(vm->base == NULL && vm->reserved == 0 && vm->committed == 0 && vm->used == 0);
    untrack_if(region_beyond, 0);
    return;
  }
  if (how == 4) { /* resize */
    uint8_t r = u8(in) % 4;
    uint64_t size = r == 0 ? 0 : r == 3 ? UINT64_MAX : (uint64_t)u16(in) * 16;
    if (vm->base == NULL && size != 0 && size != UINT64_MAX && size > MAX_TRACKED_BYTES)
      return;
    SamrenaVmem before = *vm;
    trace("vmem_resize", size, vm->used);
    bool ok = samrena_vmem_resize(vm, size);
    if (size == 0) {
      CHECK(ok);
      CHECK(vm->base == NULL);
      untrack_if(region_beyond, 0);
      return;
    }
    if (size == UINT64_MAX || size > (before.base ? before.reserved : UINT64_MAX)) {
      CHECK(!ok);
      CHECK_ERROR(BIT(SAMRENA_ERROR_OVERFLOW) | BIT(SAMRENA_ERROR_OUT_OF_MEMORY));
      CHECK(memcmp(&before, vm, sizeof before) == 0);
      return;
    }
    CHECK(ok);
    CHECK(vm->used == size && vm->committed >= size && vm->committed <= vm->reserved);
    CHECK(before.base == NULL || vm->base == before.base);
    untrack_if(region_beyond, (uint64_t)((uintptr_t)vm->base + size));
    return;
  }
  CHECK(samrena_vmem_commit(NULL, 1) == NULL);
  CHECK_ERROR(BIT(SAMRENA_ERROR_NULL_POINTER));
}

/* ------------------------------------------------------- misuse of NULL */

static void op_nulls(Input *in) {
  uint8_t code = u8(in);
  CHECK(samrena_error_string((SamrenaError)code) != NULL); /* even unknown codes */
  CHECK(samrena_strategy_name((SamrenaStrategy)(code % 8)) != NULL);
  CHECK(samrena_strategy(NULL) == SAMRENA_STRATEGY_DEFAULT);
  CHECK_ERROR(BIT(SAMRENA_ERROR_NULL_POINTER));
  CHECK((samrena_push)(NULL, 8) == NULL);
  CHECK_ERROR(BIT(SAMRENA_ERROR_NULL_POINTER));
  CHECK(samrena_allocated(NULL) == 0);
  CHECK_ERROR(BIT(SAMRENA_ERROR_NULL_POINTER));
  SamrenaMark none = {{0, 0}};
  CHECK(samrena_restore(NULL, none) == SAMRENA_ERROR_NULL_POINTER);
  CHECK(samrena_pool_alloc(NULL) == NULL);
  CHECK_ERROR(BIT(SAMRENA_ERROR_NULL_POINTER));
  CHECK(samrena_vmem_realloc(NULL, 0) == NULL);
  samrena_destroy(NULL);
  samrena_pool_destroy(NULL);
  if (M.arena != NULL) {
    CHECK(samrena_stats(M.arena, NULL) == SAMRENA_ERROR_NULL_POINTER);
    if (M.mark_count == 0) { /* {0, 0} is never a mark */
      CHECK(samrena_restore(M.arena, none) == SAMRENA_ERROR_INVALID_PARAMETER);
    }
  }
}

/* ------------------------------------------------------------ the target */

enum {
  OP_CREATE,
  OP_PUSH,
  OP_PUSH_ZERO,
  OP_PUSH_ALIGNED,
  OP_PUSH_WITH_RESERVE,
  OP_RESIZE,
  OP_SAVE,
  OP_RESTORE,
  OP_RESET,
  OP_TRIM,
  OP_RESERVE,
  OP_RESERVE_WITH_GROWTH,
  OP_MEMDUP,
  OP_STRDUP,
  OP_PRINTF,
  OP_ALLOC_ARRAY,
  OP_ON_RELEASE,
  OP_POOL_CREATE,
  OP_POOL_ALLOC,
  OP_POOL_FREE,
  OP_POOL_RESET,
  OP_STABLE,
  OP_REGION,
  OP_NULLS,
  OP_COUNT
};

static const char *const op_names[OP_COUNT] = {
    "create",   "push",           "push_zero",  "push_aligned", "push_with_reserve",
    "resize",   "save",           "restore",    "reset",        "trim",
    "reserve",  "reserve_growth", "memdup",     "strdup",       "printf",
    "alloc_array", "on_release",  "pool_create", "pool_alloc",  "pool_free",
    "pool_reset", "stable",       "region",     "nulls"};

static void run_op(Input *in, unsigned op) {
  /* Pools, stable blocks, the region and NULL checks need no arena. */
  if (M.arena == NULL && op < OP_POOL_CREATE && op != OP_CREATE)
    return;
  switch (op) {
  case OP_CREATE: op_create(in); break;
  case OP_PUSH: {
    uint64_t size = decode_size(in);
    trace("push", size, 0);
    arena_push(PUSH_PLAIN, size, M.alignment, false, false);
    break;
  }
  case OP_PUSH_ZERO: {
    uint64_t size = decode_size(in);
    bool keep_zero = (u8(in) & 1) == 0;
    trace("push_zero", size, keep_zero);
    arena_push(PUSH_ZERO, size, M.alignment, keep_zero, false);
    break;
  }
  case OP_PUSH_ALIGNED: {
    uint64_t size = decode_size(in);
    uint64_t alignment = decode_alignment(in);
    trace("push_aligned", size, alignment);
    arena_push(PUSH_ALIGNED, size, alignment, false, false);
    break;
  }
  case OP_PUSH_WITH_RESERVE: {
    uint64_t size = decode_size(in);
    trace("push_with_reserve", size, 0);
    arena_push(PUSH_WITH_RESERVE, size, M.alignment, false, false);
    break;
  }
  case OP_RESIZE: op_resize(in); break;
  case OP_SAVE: op_save(); break;
  case OP_RESTORE: op_restore(in); break;
  case OP_RESET: op_reset(); break;
  case OP_TRIM: op_trim(in); break;
  case OP_RESERVE: op_reserve(in, false); break;
  case OP_RESERVE_WITH_GROWTH: op_reserve(in, true); break;
  case OP_MEMDUP: {
    uint64_t size = decode_size(in);
    trace("memdup", size, 0);
    arena_push(PUSH_MEMDUP, size, M.alignment, false, false);
    break;
  }
  case OP_STRDUP:
  case OP_PRINTF: {
    uint64_t len = u16(in) % (op == OP_STRDUP ? 256u : MAX_STRING + 1u);
    trace(op_names[op], len, 0);
    arena_string(len, op == OP_PRINTF);
    break;
  }
  case OP_ALLOC_ARRAY: {
    uint64_t size = decode_size(in);
    bool overflow = (u8(in) & 3) == 0;
    trace("alloc_array", size, overflow);
    arena_push(PUSH_ARRAY, size, M.alignment, false, overflow);
    break;
  }
  case OP_ON_RELEASE: op_on_release(in); break;
  case OP_POOL_CREATE: op_pool_create(in); break;
  case OP_POOL_ALLOC: op_pool_alloc(in); break;
  case OP_POOL_FREE: op_pool_free(in); break;
  case OP_POOL_RESET: op_pool_reset(in); break;
  case OP_STABLE: op_stable(in); break;
  case OP_REGION: op_region(in); break;
  case OP_NULLS: op_nulls(in); break;
  default: break;
  }
}

static void finish(void) {
  op_name = "end";
  destroy_arena();
  for (int i = 0; i < MAX_POOLS; i++)
    destroy_pool(i);
  for (size_t i = 0; i < M.alloc_count;) {
    if (M.allocs[i].kind == KIND_STABLE) {
      CHECK(samrena_vmem_realloc(M.allocs[i].ptr, 0) == NULL);
      untrack(i);
    } else {
      i++;
    }
  }
  CHECK(samrena_vmem_release(&M.region));
  untrack_if(region_beyond, 0);
  CHECK(M.alloc_count == 0 && M.tracked_bytes == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Input in = fuzz_begin(data, size);
  init_pattern();
  memset(&M, 0, sizeof M);
  op_create(&in);
  check_arena(false);
  while (in.left > 0) {
    unsigned op = fuzz_next_op(&in, OP_COUNT, op_names);
    run_op(&in, op);
    check_arena(op == OP_TRIM || op == OP_CREATE);
    check_all_contents();
  }
  finish();
  return 0;
}
