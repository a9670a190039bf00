/* samrena.h -- libsamrena, an arena (region, bump) allocator.
 *
 * One API, the port, over several memory strategies, the adapters: chained
 * malloc'd blocks (or blocks from any allocator, another arena's too), one
 * contiguous virtual memory reservation committed lazily, and a buffer the
 * caller provides.  See samrena(3) for the overview and a page per call.
 *
 * Error convention: a call returning a pointer returns NULL on failure, a
 * call returning SamrenaError returns the code; both also record the code
 * for samrena_last_error(), which is per thread and, like errno, is not
 * cleared by a call that succeeds.  No call aborts or prints on failure.
 *
 * This header compiles as C99, C11 and C++11.
 */
#ifndef SAMRENA_H
#define SAMRENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* SAMRENA_API marks what the library exports.  Building the DLL, libtool
 * defines DLL_EXPORT; users of the static library define SAMRENA_STATIC
 * (pkg-config --static --cflags does it for them). */
#if defined(_WIN32) || defined(__CYGWIN__)
#  if defined(SAMRENA_BUILDING) && defined(DLL_EXPORT)
#    define SAMRENA_API __declspec(dllexport)
#  elif defined(SAMRENA_BUILDING) || defined(SAMRENA_STATIC)
#    define SAMRENA_API
#  else
#    define SAMRENA_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define SAMRENA_API __attribute__((visibility("default")))
#else
#  define SAMRENA_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ errors */

typedef enum {
  SAMRENA_OK = 0,
  SAMRENA_ERROR_NULL_POINTER,
  SAMRENA_ERROR_INVALID_SIZE,
  SAMRENA_ERROR_INVALID_PARAMETER,
  SAMRENA_ERROR_OUT_OF_MEMORY,
  SAMRENA_ERROR_OVERFLOW,
  SAMRENA_ERROR_UNSUPPORTED_STRATEGY,
  SAMRENA_ERROR_UNSUPPORTED_OPERATION,
  SAMRENA_ERROR_PLATFORM
} SamrenaError;

/* Upstream samrena's name for SAMRENA_OK. */
#define SAMRENA_SUCCESS SAMRENA_OK

/* The code of the last failed call in this thread. */
SAMRENA_API SamrenaError samrena_last_error(void);
/* Upstream samrena's name for samrena_last_error. */
SAMRENA_API SamrenaError samrena_get_last_error(void);
/* A constant English description; never NULL, even for unknown codes. */
SAMRENA_API const char *samrena_error_string(SamrenaError error);
/* The library's version, "MAJOR.MINOR.PATCH". */
SAMRENA_API const char *samrena_version(void);

/* ---------------------------------------------------------------- creation */

typedef enum {
  SAMRENA_STRATEGY_DEFAULT = 0, /* virtual when available, else chained */
  SAMRENA_STRATEGY_CHAINED,     /* linked malloc'd blocks, portable */
  SAMRENA_STRATEGY_VIRTUAL,     /* one reservation, lazy commit; falls back */
  SAMRENA_STRATEGY_BUFFER       /* inside the caller's buffer: no malloc, no OS call */
} SamrenaStrategy;

#define SAMRENA_FLAG_STRICT (1u << 0)     /* no fallback: create fails instead */
#define SAMRENA_FLAG_HUGE_PAGES (1u << 1) /* virtual: huge pages from the start */
#define SAMRENA_FLAG_QUIET (1u << 2)      /* no fallback warning on stderr */
#define SAMRENA_FLAG_NO_HUGE_PAGES (1u << 3) /* virtual: never ask for huge pages */
#define SAMRENA_FLAG_CONCURRENT (1u << 4) /* pushes from any number of threads at once */
#define SAMRENA_FLAG_DEBUG (1u << 5)      /* guard zones and patterns; see samrena(3) */

/* Page size used when SamrenaConfig.page_size is 0: 64 KiB. */
#define SAMRENA_DEFAULT_PAGE_SIZE (UINT64_C(64) * 1024)

/* What happens when the strategy asked for is not available (upstream
 * samrena's names).  With SAMRENA_FLAG_STRICT and SAMRENA_FLAG_QUIET:
 * either asking for strict is strict, AUTO or QUIET is silent. */
typedef enum {
  SAMRENA_FALLBACK_AUTO = 0, /* fall back to chained, nothing on stderr */
  SAMRENA_FALLBACK_WARN,     /* fall back with a warning (the default) */
  SAMRENA_FALLBACK_STRICT    /* fail instead, as SAMRENA_FLAG_STRICT */
} SamrenaFallbackMode;

/* How a chained arena sizes each new block. */
typedef enum {
  SAMRENA_GROWTH_LINEAR = 0, /* every block params.linear.increment bytes */
  SAMRENA_GROWTH_EXPONENTIAL /* each block params.exponential.factor times the last */
} SamrenaGrowthPolicy;

typedef struct {
  SamrenaGrowthPolicy policy;
  union {
    struct {
      uint64_t increment; /* bytes per block; 0 = growth_pages pages */
    } linear;
    struct {
      double factor; /* >= 1.0 */
    } exponential;
  } params;
} SamrenaGrowthConfig;

/* Blocks of 64 KiB, whatever the page size. */
SAMRENA_API extern const SamrenaGrowthConfig SAMRENA_GROWTH_CONSERVATIVE;
/* Each block 1.5 times the last. */
SAMRENA_API extern const SamrenaGrowthConfig SAMRENA_GROWTH_BALANCED;

/* Defined below (allocator); a chained arena may take its blocks from one. */
struct SamrenaAllocator;

typedef struct {
  SamrenaStrategy strategy;
  uint64_t initial_pages; /* pages ready at create (>= 1) */
  uint64_t growth_pages;  /* chained: pages of the first new block (>= 1) */
  uint64_t max_reserve;   /* virtual: address space reserved; 0 = 2 GiB on 64-bit */
  uint64_t page_size;     /* arena page in bytes, a power of two >= 64; 0 = 64 KiB */
  uint64_t commit_size;   /* virtual: commit granularity; 0 = library default */
  uint64_t alignment;     /* alignment of samrena_push; 0 = alignof(max_align_t) */
  uint32_t flags;         /* SAMRENA_FLAG_* */
  void (*log_callback)(const char *message, void *user_data); /* NULL: stderr */
  void *log_user_data;
  /* Upstream samrena's fields. */
  bool enable_stats;                 /* ignored: statistics are always kept */
  bool enable_debug;                 /* as SAMRENA_FLAG_DEBUG */
  SamrenaFallbackMode fallback_mode; /* see SamrenaFallbackMode */
  SamrenaGrowthConfig growth;        /* chained: sizes of new blocks */
  /* Where the memory comes from (NULL, 0: the strategy's own way). */
  void *buffer;          /* buffer: the memory the arena lives in, handle included */
  uint64_t buffer_size;  /* buffer: its size in bytes */
  const struct SamrenaAllocator *block_source; /* chained: blocks from it, not malloc */
} SamrenaConfig;

/* The arena handle.  Its contents are private. */
typedef struct Samrena Samrena;

/* The first member of every arena: the bump state that the inline push
 * below reads and writes.  Its layout is part of the ABI (changing it
 * changes the soname).  Private: only the inline functions use it.
 * Nothing here is a counter the fast path must update, and the pointers
 * are of a type a store of an integer through a pushed object cannot
 * alias, so a compiler keeps what it can in registers across pushes. */
typedef struct {
  unsigned char *cursor;     /* next free byte of the current block or commit */
  unsigned char *limit;      /* end of what the fast path may carve */
  uintptr_t alignment_mask;  /* the arena's push alignment - 1 */
  uintptr_t alignment_floor; /* ~alignment_mask: rounds an address down */
  uint64_t stamp;            /* grows at every cleanup registered, mark taken,
                                restore and reset: while it stands still, a
                                scratch scope ends by moving the cursor back */
} SamrenaFastPath;

SAMRENA_API SamrenaConfig samrena_default_config(void);
/* NULL config means samrena_default_config(). */
SAMRENA_API Samrena *samrena_create(const SamrenaConfig *config);
/* Default configuration with initial_pages; 0 gives NULL, INVALID_SIZE. */
SAMRENA_API Samrena *samrena_allocate(uint64_t initial_pages);
/* samrena_create(NULL), under upstream samrena's name. */
SAMRENA_API Samrena *samrena_create_default(void);
/* The default configuration for a chained arena of blocks of `pages`
 * pages, and for a virtual arena reserving reserve_mb MiB (0: default). */
SAMRENA_API SamrenaConfig samrena_config_chained(uint64_t pages);
SAMRENA_API SamrenaConfig samrena_config_virtual(uint64_t reserve_mb);
/* Frees the arena and everything pushed on it.  NULL is a no-op. */
SAMRENA_API void samrena_destroy(Samrena *arena);

/* The adapter actually chosen (never DEFAULT).  NULL arena: DEFAULT. */
SAMRENA_API SamrenaStrategy samrena_strategy(const Samrena *arena);
/* "default", "chained", "virtual", "buffer"; "unknown" for other values. */
SAMRENA_API const char *samrena_strategy_name(SamrenaStrategy strategy);
/* Whether this build and platform can create arenas of that strategy. */
SAMRENA_API bool samrena_strategy_available(SamrenaStrategy strategy);
/* Stores up to max_count available strategies (never DEFAULT) in out, or
 * only counts them when out is NULL; returns how many. */
SAMRENA_API int samrena_available_strategies(SamrenaStrategy *out, int max_count);

/* What an adapter can do (upstream samrena's names). */
typedef enum {
  SAMRENA_CAP_CONTIGUOUS_MEMORY = 1 << 0, /* all pushes in one range */
  SAMRENA_CAP_ZERO_COPY_GROWTH = 1 << 1,  /* grows without moving what it holds */
  SAMRENA_CAP_RESET = 1 << 2,             /* samrena_reset */
  SAMRENA_CAP_RESERVE = 1 << 3,           /* samrena_reserve gets memory ahead */
  /* libsamrena's own: */
  SAMRENA_CAP_GROWS = 1 << 4, /* obtains memory beyond what it holds when full */
  SAMRENA_CAP_DEBUG = 1 << 5  /* the debug mode is on: guard zones, patterns */
} SamrenaCapabilityFlags;

typedef struct {
  uint32_t flags;               /* SamrenaCapabilityFlags */
  uint64_t max_allocation_size; /* the largest single push that could succeed */
  uint64_t alignment_guarantee; /* the alignment of samrena_push */
} SamrenaCapabilities;

/* An arena's capabilities; all zero for NULL. */
SAMRENA_API SamrenaCapabilities samrena_get_capabilities(const Samrena *arena);
SAMRENA_API bool samrena_has_capability(const Samrena *arena, SamrenaCapabilityFlags cap);
/* A strategy's, as a new arena of it with the default configuration would
 * have them; all zero when it is not available. */
SAMRENA_API SamrenaCapabilities samrena_strategy_capabilities(SamrenaStrategy strategy);

typedef struct {
  const char *adapter_name; /* samrena_strategy_name of the adapter */
  SamrenaStrategy strategy;
  uint64_t allocated;
  uint64_t capacity;
  uint64_t page_size;       /* the arena's page (SamrenaConfig.page_size) */
  bool can_grow;            /* can get memory beyond one reservation */
  bool is_contiguous;       /* all pushes in one range */
} SamrenaInfo;

/* Fills *info; NULL arena or info records NULL_POINTER and leaves it. */
SAMRENA_API void samrena_get_info(const Samrena *arena, SamrenaInfo *info);

/* -------------------------------------------------------------- allocation */

/* size bytes at the configured alignment; push(a, 0) gives a non-NULL
 * pointer that must not be dereferenced and consumes nothing. */
SAMRENA_API void *samrena_push(Samrena *arena, uint64_t size);
/* As samrena_push, and the bytes read as zero. */
SAMRENA_API void *samrena_push_zero(Samrena *arena, uint64_t size);
/* alignment: a power of two (0 is invalid here). */
SAMRENA_API void *samrena_push_aligned(Samrena *arena, uint64_t size, uint64_t alignment);
/* Pushes; on failure reserves max(2 * (allocated + size), hint) and retries once. */
SAMRENA_API void *samrena_push_with_reserve(Samrena *arena, uint64_t size);
/* Grows or shrinks in place when ptr is the last allocation and there is
 * room; otherwise pushes new_size bytes and copies min(old, new).  ptr NULL
 * pushes. */
SAMRENA_API void *samrena_resize(Samrena *arena, void *ptr, uint64_t old_size, uint64_t new_size);
/* Whether a push of size bytes would succeed, the operating system and
 * malloc permitting: within the reservation, the budget, the size limits.
 * Changes nothing. */
SAMRENA_API bool samrena_can_allocate(const Samrena *arena, uint64_t size);
/* count * element_size bytes, the product checked for overflow (NULL and
 * SAMRENA_ERROR_OVERFLOW); behind SAMRENA_PUSH_ARRAY. */
SAMRENA_API void *samrena_push_array(Samrena *arena, uint64_t count, uint64_t element_size);
SAMRENA_API void *samrena_push_array_zero(Samrena *arena, uint64_t count, uint64_t element_size);
/* Copies of a string, of bytes, and a formatted string, in the arena. */
SAMRENA_API char *samrena_strdup(Samrena *arena, const char *s);
SAMRENA_API void *samrena_memdup(Samrena *arena, const void *src, uint64_t size);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
SAMRENA_API char *samrena_printf(Samrena *arena, const char *format, ...);

/* The inline fast path.  samrena_push and samrena_push_aligned are macros
 * over these functions: when the push fits where the arena stands, they
 * align, compare and bump without a call; otherwise, and for any bad
 * argument, they call the exported function of the same name, which
 * grows the arena or records the error.  (samrena_push)(a, n), #undef, or
 * defining SAMRENA_NO_INLINE reaches the exported functions directly.
 * Builds with AddressSanitizer always call the library, which poisons. */
#if defined(__SANITIZE_ADDRESS__) && !defined(SAMRENA_NO_INLINE)
#define SAMRENA_NO_INLINE 1
#endif
#if defined(__has_feature) && !defined(SAMRENA_NO_INLINE)
#if __has_feature(address_sanitizer)
#define SAMRENA_NO_INLINE 1
#endif
#endif

/* The largest alignment samrena_inline_push_aligned handles itself. */
#define SAMRENA_INLINE_MAX_ALIGNMENT 4096u

/* Tells the compiler a fast-path result is never NULL (the span it is
 * carved from is real memory), so a caller's own NULL test of the result
 * costs nothing on the fast path. */
#if defined(__GNUC__)
#define SAMRENA_INLINE_NONNULL(p) \
  do {                            \
    if ((p) == NULL)              \
      __builtin_unreachable();    \
  } while (0)
#else
#define SAMRENA_INLINE_NONNULL(p) ((void)0)
#endif

/* For a push whose size the compiler knows and that is at most
 * SAMRENA_INLINE_PREFETCH_MAX bytes (an object: a node, a record), the fast
 * path asks the CPU for the cache line SAMRENA_INLINE_PREFETCH_AHEAD bytes
 * further on, for writing, so that a run of such pushes finds its lines
 * ready: bench's small workload (32-byte pushes over 3 MiB, reused) ran
 * 1.5-2x faster.  Pushes of other sizes do not: where only some of the
 * bytes pushed get written, the prefetches cost more than they save (its
 * mixed workload, 8-512 bytes, ran 10-25% slower with them).  A prefetch
 * never faults, wherever it points, and the address is formed as an
 * integer, never as a pointer past the span. */
#define SAMRENA_INLINE_PREFETCH_AHEAD 1024u
#define SAMRENA_INLINE_PREFETCH_MAX 64u
#if defined(__GNUC__)
#define SAMRENA_INLINE_PREFETCH(p, size)                                                       \
  do {                                                                                         \
    if (__builtin_constant_p(size) && (size) <= SAMRENA_INLINE_PREFETCH_MAX)                   \
      __builtin_prefetch((const void *)((uintptr_t)(p) + SAMRENA_INLINE_PREFETCH_AHEAD), 1, 3); \
  } while (0)
#else
#define SAMRENA_INLINE_PREFETCH(p, size) ((void)0)
#endif

/* Carves size bytes aligned to mask + 1 (floor is ~mask) from [cursor,
 * limit) when they fit; size 0 never does, the library handles it.
 * Returns whether it did.  The test is exact for any address: the room
 * left past the aligned start is computed as a signed difference, which
 * is negative when aligning passed the limit, and sizes above PTRDIFF_MAX
 * never fit.  With a constant size the first test folds away. */
static inline bool samrena_inline_bump(Samrena *arena, uint64_t size, uintptr_t mask,
                                       uintptr_t floor, void **result) {
  SamrenaFastPath *fast = (SamrenaFastPath *)(void *)arena;
  uintptr_t cursor = (uintptr_t)fast->cursor;
  uintptr_t start = (cursor + mask) & floor;
  uintptr_t room = (uintptr_t)fast->limit - start;
  if (size - 1 >= (uint64_t)PTRDIFF_MAX || (ptrdiff_t)room < (ptrdiff_t)size)
    return false;
  unsigned char *carved = fast->cursor + (start - cursor);
  SAMRENA_INLINE_NONNULL(carved);
  fast->cursor = carved + (uintptr_t)size;
  SAMRENA_INLINE_PREFETCH(carved, size);
  *result = carved;
  return true;
}

static inline void *samrena_inline_push(Samrena *arena, uint64_t size) {
  void *result;
  if (arena != NULL) {
    const SamrenaFastPath *fast = (const SamrenaFastPath *)(const void *)arena;
    if (samrena_inline_bump(arena, size, fast->alignment_mask, fast->alignment_floor, &result))
      return result;
  }
  return (samrena_push)(arena, size);
}

static inline void *samrena_inline_push_aligned(Samrena *arena, uint64_t size,
                                                uint64_t alignment) {
  void *result;
  uintptr_t mask = (uintptr_t)(alignment - 1);
  if (arena != NULL && alignment - 1 < SAMRENA_INLINE_MAX_ALIGNMENT &&
      (alignment & (alignment - 1)) == 0 && samrena_inline_bump(arena, size, mask, ~mask, &result))
    return result;
  return (samrena_push_aligned)(arena, size, alignment);
}

#if !defined(SAMRENA_NO_INLINE) && !defined(SAMRENA_BUILDING)
#define samrena_push(arena, size) samrena_inline_push((arena), (size))
#define samrena_push_aligned(arena, size, alignment) \
  samrena_inline_push_aligned((arena), (size), (alignment))
#endif

/* An array push whose product does not overflow takes the fast path; the
 * library records the overflow otherwise.  element_size is usually a
 * sizeof, so the division folds into a comparison. */
static inline void *samrena_inline_push_array(Samrena *arena, uint64_t count,
                                              uint64_t element_size) {
  if (element_size != 0 && count > UINT64_MAX / element_size)
    return (samrena_push_array)(arena, count, element_size);
  return samrena_push(arena, count * element_size);
}

#if !defined(SAMRENA_NO_INLINE) && !defined(SAMRENA_BUILDING)
#define samrena_push_array(arena, count, element_size) \
  samrena_inline_push_array((arena), (count), (element_size))
#endif

/* Typed pushes (upstream samrena's macros).  The array forms check
 * count * sizeof(type) for overflow. */
#define SAMRENA_PUSH_TYPE(arena, type) ((type *)samrena_push((arena), sizeof(type)))
#define SAMRENA_PUSH_TYPE_ZERO(arena, type) ((type *)samrena_push_zero((arena), sizeof(type)))
#define SAMRENA_PUSH_ARRAY(arena, type, count) \
  ((type *)samrena_push_array((arena), (uint64_t)(count), sizeof(type)))
#define SAMRENA_PUSH_ARRAY_ZERO(arena, type, count) \
  ((type *)samrena_push_array_zero((arena), (uint64_t)(count), sizeof(type)))
#define SAMRENA_PUSH_ALIGNED_TYPE(arena, type, alignment) \
  ((type *)samrena_push_aligned((arena), sizeof(type), (alignment)))

/* ---------------------------------------------------- capacity, reservation */

/* Bytes consumed, alignment padding included. */
SAMRENA_API uint64_t samrena_allocated(const Samrena *arena);
/* allocated + what can be pushed before the next OS or malloc call. */
SAMRENA_API uint64_t samrena_capacity(const Samrena *arena);
/* Makes capacity >= min_capacity (absolute, like vector::reserve). */
SAMRENA_API SamrenaError samrena_reserve(Samrena *arena, uint64_t min_capacity);
/* Stores expected_total as a growth hint and reserves
 * max(2 * immediate_size, expected_total / 4). */
SAMRENA_API SamrenaError samrena_reserve_with_growth(Samrena *arena, uint64_t immediate_size,
                                                     uint64_t expected_total);

typedef struct {
  uint64_t allocated;      /* as samrena_allocated */
  uint64_t capacity;       /* as samrena_capacity */
  uint64_t committed;      /* bytes backed by malloc or committed pages */
  uint64_t reserved;       /* address space held (chained: equals committed) */
  uint64_t peak_allocated; /* high-water mark of allocated, across resets */
  uint64_t blocks;         /* chained: blocks held; virtual: 1 */
  uint64_t wasted;         /* abandoned block tails, and the debug mode's guards */
  uint64_t limit;          /* samrena_set_limit's budget; 0: none */
} SamrenaStats;

SAMRENA_API SamrenaError samrena_stats(const Samrena *arena, SamrenaStats *out);

/* ------------------------------------------------------------ diagnostics */

/* Names the arena with a copy of name, for samrena_report and the debug
 * mode's reports; NULL or "" takes the name away. */
SAMRENA_API SamrenaError samrena_set_name(Samrena *arena, const char *name);
/* The arena's name; "" when it has none (and for NULL). */
SAMRENA_API const char *samrena_name(const Samrena *arena);
/* A budget: a push that would take what the arena holds (committed) past
 * max_bytes fails with SAMRENA_ERROR_OUT_OF_MEMORY, the arena usable.
 * 0 removes it. */
SAMRENA_API SamrenaError samrena_set_limit(Samrena *arena, uint64_t max_bytes);
/* Writes a line per live arena of the process and a total to out; the
 * columns are in samrena_report(3). */
SAMRENA_API SamrenaError samrena_report(FILE *out);

/* ------------------------------------------------------- reset and trimming */

/* Every pointer from the arena becomes invalid; memory is kept for reuse. */
SAMRENA_API void samrena_reset(Samrena *arena);
/* samrena_reset, when the arena has SAMRENA_CAP_RESET (every adapter
 * does); false for NULL. */
SAMRENA_API bool samrena_reset_if_supported(Samrena *arena);
/* Gives memory above max(keep_bytes, allocated) back to the OS or malloc. */
SAMRENA_API SamrenaError samrena_trim(Samrena *arena, uint64_t keep_bytes);

/* A saved position of an arena, for samrena_restore.  Opaque. */
typedef struct {
  uint64_t opaque[2];
} SamrenaMark;

/* The arena's current position.  Marks nest like scopes. */
SAMRENA_API SamrenaMark samrena_save(Samrena *arena);
/* Frees everything pushed since mark was taken.  A mark of another arena,
 * or one made stale by a reset or a restore to an older mark, changes
 * nothing and gives SAMRENA_ERROR_INVALID_PARAMETER. */
SAMRENA_API SamrenaError samrena_restore(Samrena *arena, SamrenaMark mark);
/* fn(data) runs, last registered first, when the arena is destroyed, reset,
 * or restored to a mark taken before the registration. */
SAMRENA_API SamrenaError samrena_on_release(Samrena *arena, void (*fn)(void *data), void *data);

/* ---------------------------------------------------------------- scratch */

/* A scratch scope: one of the calling thread's scratch arenas and where it
 * stood when the scope began.  The mark is for samrena_scratch_end only. */
typedef struct {
  Samrena *arena;
  SamrenaMark mark;
} SamrenaScratch;

/* Begins a scope on a scratch arena of this thread that is none of the
 * conflict_count arenas of conflicts (the ones the caller is using, say
 * for its result); the arenas are made on first use and destroyed when
 * the thread exits.  When every scratch arena conflicts: arena NULL and
 * SAMRENA_ERROR_INVALID_PARAMETER.  Scopes nest. */
SAMRENA_API SamrenaScratch samrena_scratch_begin(Samrena *const *conflicts, size_t conflict_count);
/* Gives back everything pushed on the scratch arena since the scope began
 * (and runs the cleanups registered since).  A scope of arena NULL is a no-op. */
SAMRENA_API void samrena_scratch_end(SamrenaScratch scratch);

/* samrena_scratch_end's common case without a call: when nothing but
 * pushes came since the scope began (the stamp stands still), moving the
 * cursor back is all of it; anything else is the library's.  As for
 * samrena_push, SAMRENA_NO_INLINE or (samrena_scratch_end)(s) calls it. */
static inline void samrena_inline_scratch_end(SamrenaScratch scratch) {
  SamrenaFastPath *fast = (SamrenaFastPath *)(void *)scratch.arena;
  if (fast != NULL && scratch.mark.opaque[1] == fast->stamp &&
      scratch.mark.opaque[0] <= (uint64_t)(uintptr_t)fast->cursor) {
    fast->cursor = (unsigned char *)(uintptr_t)scratch.mark.opaque[0];
    return;
  }
  (samrena_scratch_end)(scratch);
}

/* samrena_scratch_begin's common case without a call, where the object
 * format can export a thread-local variable (ELF, GNU C): the library
 * keeps in samrena_scratch_fast_arena the calling thread's first scratch
 * arena while a scope on it is only a position (a contiguous arena outside
 * the debug mode and the sanitizers), NULL otherwise, and no conflict or a
 * conflict that is another arena needs no call.  The variable is the
 * inline path's, not an interface: read it through this function only.
 * Elsewhere (a Windows DLL cannot export one) it always calls. */
#if defined(__ELF__) && defined(__GNUC__)
#define SAMRENA_HAS_INLINE_SCRATCH_BEGIN 1
SAMRENA_API extern __thread Samrena *samrena_scratch_fast_arena
    __attribute__((tls_model("initial-exec")));
#endif

static inline SamrenaScratch samrena_inline_scratch_begin(Samrena *const *conflicts,
                                                          size_t conflict_count) {
#if defined(SAMRENA_HAS_INLINE_SCRATCH_BEGIN)
  Samrena *first = samrena_scratch_fast_arena;
  if (first != NULL && (conflict_count == 0 ||
                        (conflict_count == 1 && conflicts != NULL && conflicts[0] != first))) {
    const SamrenaFastPath *fast = (const SamrenaFastPath *)(const void *)first;
    SamrenaScratch scratch = {first, {{(uint64_t)(uintptr_t)fast->cursor, fast->stamp}}};
    return scratch;
  }
#endif
  return (samrena_scratch_begin)(conflicts, conflict_count);
}

#if !defined(SAMRENA_NO_INLINE) && !defined(SAMRENA_BUILDING)
#define samrena_scratch_begin(conflicts, count) samrena_inline_scratch_begin(conflicts, count)
#define samrena_scratch_end(scratch) samrena_inline_scratch_end(scratch)
#endif

/* ------------------------------------------------------------------- pool */

/* Fixed-size slots with O(1) alloc and free.  Opaque. */
typedef struct SamrenaPool SamrenaPool;

/* backing NULL: the pool owns its blocks.  Otherwise the pool lives in the
 * arena and ends with it (reset, or restore to a mark older than the pool).
 * slot_alignment 0 means alignof(max_align_t). */
SAMRENA_API SamrenaPool *samrena_pool_create(Samrena *backing, uint64_t slot_size,
                                             uint64_t slot_alignment);
SAMRENA_API void *samrena_pool_alloc(SamrenaPool *pool);
/* slot NULL is a no-op. */
SAMRENA_API void samrena_pool_free(SamrenaPool *pool, void *slot);
/* Every slot becomes free; blocks are kept. */
SAMRENA_API void samrena_pool_reset(SamrenaPool *pool);
SAMRENA_API void samrena_pool_destroy(SamrenaPool *pool);
SAMRENA_API uint64_t samrena_pool_in_use(const SamrenaPool *pool);
/* The usable size of a slot: slot_size, or a pointer's size if that is larger. */
SAMRENA_API uint64_t samrena_pool_slot_size(const SamrenaPool *pool);

/* -------------------------------------------------------------- allocator */

/* One interface over an arena, a pool or malloc. */
typedef struct SamrenaAllocator {
  void *(*alloc)(size_t size, void *ctx);
  void (*free)(size_t size, void *ptr, void *ctx);
  void *ctx;
} SamrenaAllocator;

/* free is a no-op: the arena frees at reset or destroy. */
SAMRENA_API SamrenaAllocator samrena_arena_allocator(Samrena *arena);
/* alloc of more than the slot size gives NULL. */
SAMRENA_API SamrenaAllocator samrena_pool_allocator(SamrenaPool *pool);
SAMRENA_API SamrenaAllocator samrena_malloc_allocator(void);
/* count * elem_size bytes, the product checked for overflow. */
SAMRENA_API void *samrena_alloc_array(SamrenaAllocator allocator, size_t count, size_t elem_size);
#define SAMRENA_MAKE(T, n, allocator) ((T *)samrena_alloc_array((allocator), (n), sizeof(T)))

/* ------------------------------------------------- virtual memory region */

/* A reserve-then-commit bump region.  {0} is the empty region; the fields
 * may be read, never written. */
typedef struct {
  void *base;         /* start of the reservation, NULL when empty */
  uint64_t reserved;  /* bytes of address space held */
  uint64_t committed; /* bytes backed by memory, from base */
  uint64_t used;      /* bytes handed out, from base */
} SamrenaVmem;

/* Reserves at least reserve_size bytes of address space, committing none.
 * vm must be empty. */
SAMRENA_API bool samrena_vmem_reserve(SamrenaVmem *vm, uint64_t reserve_size);
/* The next bytes of the region, committed on demand; NULL past the reservation. */
SAMRENA_API void *samrena_vmem_commit(SamrenaVmem *vm, uint64_t bytes);
/* used = 0; the commit is kept. */
SAMRENA_API void samrena_vmem_reset(SamrenaVmem *vm);
/* Returns the whole reservation; vm becomes empty. */
SAMRENA_API bool samrena_vmem_release(SamrenaVmem *vm);
/* Makes the region hold exactly size bytes from base (reserving
 * SAMRENA_VMEM_DEFAULT_RESERVE when empty), committing or decommitting;
 * 0 releases. */
SAMRENA_API bool samrena_vmem_resize(SamrenaVmem *vm, uint64_t size);

/* What an empty region or a new stable allocation reserves by default:
 * 1 GiB, as v_alloc does (64 MiB where pointers are 32 bits). */
#if UINTPTR_MAX > 0xffffffffu
#define SAMRENA_VMEM_DEFAULT_RESERVE (UINT64_C(1) << 30)
#else
#define SAMRENA_VMEM_DEFAULT_RESERVE (UINT64_C(64) << 20)
#endif

/* A realloc whose pointer never moves: each block owns a reservation with
 * its header in front of the data.  (NULL, n) creates with the default
 * reservation, (p, 0) frees and returns NULL, growth past the reservation
 * returns NULL and leaves p as it was. */
SAMRENA_API void *samrena_vmem_realloc(void *data, uint64_t size);
/* As samrena_vmem_realloc; a new block reserves room for at least
 * reserve bytes of data (reserve is ignored when data is not NULL). */
SAMRENA_API void *samrena_vmem_realloc_reserve(void *data, uint64_t size, uint64_t reserve);
/* The size last given for a stable block; 0 for NULL. */
SAMRENA_API uint64_t samrena_vmem_size(const void *data);

/* The granularity of a region's commits and decommits (the system's page
 * size); 0 where this build or platform has no virtual memory. */
SAMRENA_API uint64_t samrena_vmem_page_size(void);
/* Gives the committed pages wholly above keep_bytes back to the system,
 * keeping the reservation; used drops to the new committed size if it was
 * above it. */
SAMRENA_API bool samrena_vmem_decommit(SamrenaVmem *vm, uint64_t keep_bytes);

/* ---------------------------------------------------------- string builder */

/* A string that grows on an arena: in place while it is the arena's last
 * allocation, by a copy otherwise.  The builder lives in the arena and ends
 * with it.  Opaque; the man page is samrena_str.3. */
typedef struct SamrenaStr SamrenaStr;

/* An empty builder, pushed on arena; NULL on failure. */
SAMRENA_API SamrenaStr *samrena_str_init(Samrena *arena);
/* Appends length bytes of text (which may hold NUL bytes). */
SAMRENA_API SamrenaError samrena_str_append(SamrenaStr *s, const char *text, size_t length);
/* Appends the text printf(3) would write. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
SAMRENA_API SamrenaError samrena_str_appendf(SamrenaStr *s, const char *format, ...);
/* The text, NUL-terminated; valid until the next append, clear or finish. */
SAMRENA_API const char *samrena_str_cstr(const SamrenaStr *s);
/* Its length in bytes, the NUL not counted. */
SAMRENA_API size_t samrena_str_len(const SamrenaStr *s);
/* Empties the string, keeping its buffer for what comes next. */
SAMRENA_API SamrenaError samrena_str_clear(SamrenaStr *s);
/* Hands the text over: its unused room goes back to the arena when it is
 * the last allocation, and the builder starts again empty with a buffer of
 * its own, so the text is never changed again and lives as long as the
 * arena.  NULL on failure. */
SAMRENA_API char *samrena_str_finish(SamrenaStr *s);

#ifdef __cplusplus
}
#endif

#endif /* SAMRENA_H */
