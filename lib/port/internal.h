/* port/internal.h -- what the port (port/samrena.c) and the adapters share.
 *
 * The port owns the Samrena handle and the bump over the current span
 * [cursor, limit).  An adapter supplies spans: it fills one SamrenaOps table
 * and is called only when the span is exhausted or for whole-arena
 * operations.  Nothing here is installed or exported.
 */
#ifndef SAMRENA_INTERNAL_H
#define SAMRENA_INTERNAL_H

#include "samrena.h"
#include "arith.h"
#include "poison.h"

#include <stdalign.h>
#include <stddef.h>
#include <string.h>

/* Thread-local storage of the library's own: the initial-exec model where
 * the compiler and the object format have it, so that reaching it costs
 * one instruction instead of a call to __tls_get_addr.  The library's few
 * such bytes fit in what the C library keeps for libraries loaded later. */
#if defined(__ELF__) && defined(__GNUC__)
#define SAMRENA__THREAD_LOCAL TLS __attribute__((tls_model("initial-exec")))
#else
#define SAMRENA__THREAD_LOCAL TLS
#endif

/* A flag no configuration can set, for arenas the library makes itself:
 * push_zero never takes memory for fresh, because the arena's cursor is
 * moved back where its adapter does not see it (scratch arenas). */
#define SAMRENA__FLAG_ALWAYS_DIRTY (UINT32_C(1) << 31)

/* Room for an adapter's state inside the arena (struct Samrena). */
#define SAMRENA__ADAPTER_STATE_BYTES 144

/* A validated configuration, every default filled in. */
typedef struct {
  uint64_t page_size;     /* arena page, a power of two */
  uint64_t initial_bytes; /* initial_pages * page_size */
  uint64_t growth_bytes;  /* the first new block: growth_pages * page_size, or
                             the linear increment rounded up to page_size */
  double growth_factor;   /* each new block this times the last; 1 = linear */
  uint64_t max_reserve;   /* 0: the adapter's default */
  uint64_t commit_size;   /* 0: the adapter's default */
  uint64_t alignment;     /* default push alignment, a power of two */
  uint32_t flags;         /* SAMRENA_FLAG_*, with the config's bools folded in */
  bool uncapped;          /* DEFAULT with no max_reserve: may go beyond one reservation */
  /* The adapters' own fields, as the configuration gives them; the port
   * has checked that the adapter takes those that are set (see
   * SamrenaOps.takes), and nothing else about them. */
  void *buffer;
  uint64_t buffer_size;
  const SamrenaAllocator *block_source; /* read during create only */
} SamrenaSettings;

/* The fields of SamrenaConfig that belong to one adapter or another
 * (SamrenaOps.takes): set for any other, they make creation fail. */
#define SAMRENA__TAKES_BUFFER (UINT32_C(1) << 0)       /* buffer, buffer_size */
#define SAMRENA__TAKES_BLOCK_SOURCE (UINT32_C(1) << 1) /* block_source */

typedef struct SamrenaOps SamrenaOps;

/* Where an arena stands, as an adapter needs it to go back there. */
typedef struct {
  unsigned char *cursor;
  void *block;            /* the current block or reservation */
  void *large;            /* chained: the newest large block */
  uint64_t retired_used;  /* the adapter's bookkeeping */
  uint64_t retired_tails;
  uint64_t outer[2];      /* a concurrent arena's own, around its backing's */
} SamrenaPosition;

/* An entry of an arena's scope stack (port/scope.c): a live mark, a
 * samrena_on_release registration, or a registration cancelled since.
 * Entries lie in the order they were made, so their stamps grow along the
 * stack; restoring a mark pops (and runs) what lies above it. */
enum { SAMRENA__SCOPE_MARK = 1, SAMRENA__SCOPE_CLEANUP, SAMRENA__SCOPE_CANCELLED };
typedef struct {
  uint64_t stamp; /* the arena's stamp once made: unique, names a mark */
  uint32_t kind;  /* SAMRENA__SCOPE_* */
  size_t debug_records; /* a mark's: the debug mode's records of pushes before it */
  union {
    SamrenaPosition position; /* a mark's */
    struct {
      void (*fn)(void *data);
      void *data;
    } cleanup;
  } u;
} SamrenaScopeEntry;

/* What a create asked for, kept in every arena (port/park.c): a kept
 * arena is given to a create that asks for the same.  The fields of
 * SamrenaConfig that a kept arena can differ in; the others (buffer,
 * buffer_size, block_source, enable_debug) are zero in every one, and
 * enable_stats changes nothing.  reusable false: the arena is never kept
 * (it lives in memory the caller gave or lends, is concurrent, in the
 * debug mode, one the library makes itself, or a fallback from the
 * strategy asked for). */
typedef struct {
  uint64_t initial_pages, growth_pages, max_reserve, page_size, commit_size, alignment;
  uint64_t growth_params; /* the bits of the union's widest member */
  void (*log_callback)(const char *message, void *user_data);
  void *log_user_data;
  SamrenaStrategy strategy;
  uint32_t flags;
  SamrenaFallbackMode fallback_mode;
  SamrenaGrowthPolicy growth_policy;
  uint32_t internal_flags; /* samrena__create_with's */
  bool from_defaults;      /* made from the library's constant (samrena_create(NULL)) */
  bool reusable;
} SamrenaReuseKey;

typedef struct SamrenaDebugLog SamrenaDebugLog;

struct Samrena {
  /* First, as samrena.h promises: the bump state the inline functions use.
   * Pushes are carved from [fast.cursor, fast.limit). */
  SamrenaFastPath fast;
  /* The true end of the current span.  fast.limit equals it, except while
   * poisoning (poison.h), when fast.limit is held at the cursor so that
   * every push comes through the library, which unpoisons what it hands out. */
  unsigned char *limit;

  const SamrenaOps *ops;
  SamrenaStrategy strategy; /* the adapter's, or a concurrent arena's backing's */
  void *adapter;         /* the adapter's own state */
  uint32_t capabilities; /* the adapter's, as its create may narrow them */
  uint64_t page_size; /* the arena page of its configuration */
  uint64_t growth_hint;
  uint64_t peak_allocated; /* high-water of allocated at past resets and restores */
  uint32_t flags;

  /* Marks and cleanups (port/scope.c), in memory the adapter says
   * (SamrenaOps.resize_bookkeeping). */
  uint64_t serial; /* tells this arena's marks from another's; never reused; 0 until the first save */
  SamrenaScopeEntry *scopes;
  size_t scope_count, scope_capacity;
  size_t newest_mark;   /* 1 + the index of the newest mark in scopes; 0: none */
  uint64_t reset_stamp; /* fast.stamp at the last reset: scratch scopes before it are over */

  /* Diagnostics: the name and the list of live arenas (port/registry.c),
   * the budget, and the debug mode (port/debug.c). */
  char *name;            /* a malloc'd copy; NULL when unnamed */
  uint64_t limit_bytes;  /* samrena_set_limit's; 0: none */
  struct Samrena *registry_prev, *registry_next;
  bool registered;       /* in the list of live arenas (a concurrent arena's backing is not) */
  /* Destroyed and kept by its thread for reuse (port/park.c): still in
   * the list, but samrena_report skips it.  Read by reports in other
   * threads, under the stripe lock; written without it. */
  _Atomic bool parked;
  SamrenaReuseKey reuse; /* what this arena was created for */
  SamrenaDebugLog *debug; /* NULL unless the debug mode is on */
  void (*log_callback)(const char *message, void *user_data); /* the config's */
  void *log_user_data;

  /* The adapter's state, which adapter points at: an arena is one
   * allocation, so creating one costs a single malloc. */
  alignas(max_align_t) unsigned char adapter_state[SAMRENA__ADAPTER_STATE_BYTES];
};

/* The bytes a handle takes at the start of the memory an adapter puts it
 * in (its first block, its first reservation, the caller's buffer):
 * sizeof(Samrena), which is a multiple of max_align_t. */
#define SAMRENA__HANDLE_BYTES ((uint64_t)sizeof(Samrena))

/* Makes the handle of a new arena at memory (aligned to max_align_t, at
 * least SAMRENA__HANDLE_BYTES long) from the port's prototype, and gives it
 * size bytes of zeroed adapter state.  Each adapter asserts that its state
 * fits in SAMRENA__ADAPTER_STATE_BYTES. */
static inline Samrena *samrena__place_handle(void *memory, const Samrena *proto, size_t size) {
  Samrena *arena = memory;
  memcpy(arena, proto, offsetof(Samrena, adapter_state));
  memset(arena->adapter_state, 0, size);
  arena->adapter = arena->adapter_state;
  return arena;
}

/* An adapter.  Every function receives a valid arena created by this table.
 * A function that fails records its error with samrena__fail*() and leaves
 * the arena as it was.  Everything the port knows of a strategy is here,
 * so that adding an adapter touches its own file, the registry in
 * port/samrena.c and the build, nothing else. */
struct SamrenaOps {
  const char *name;          /* what samrena_strategy_name says of its strategy */
  SamrenaStrategy strategy;
  uint32_t capabilities; /* SAMRENA_CAP_* */
  /* The strategy tried instead when this one is not available, or its
   * create fails with OUT_OF_MEMORY (a warning when this one was asked
   * for; never with SAMRENA_FLAG_STRICT); SAMRENA_STRATEGY_DEFAULT: none. */
  SamrenaStrategy fallback;
  /* Its own fields of SamrenaConfig (SAMRENA__TAKES_*): the port refuses
   * them, set, for any other adapter. */
  uint32_t takes;

  /* Whether this build and platform support the adapter.  A table whose
   * adapter is not built in answers false and may leave every function
   * below NULL: the port then uses only its name plate (the fields above). */
  bool (*available)(void);

  /* Pre: settings validated; proto holds the port's part of the new
   * handle (every field before adapter_state), ops and capabilities the
   * table's.  Post: the arena, its handle made by samrena__place_handle in
   * memory the adapter obtained for the arena (so that an arena costs no
   * allocation of its own), adapter, cursor and limit set, capabilities
   * narrowed where this arena has fewer; or NULL, *error set, nothing held. */
  Samrena *(*create)(const Samrena *proto, const SamrenaSettings *settings, SamrenaError *error);
  /* Gives back everything the arena holds, its handle included; the
   * arena must not be touched afterwards. */
  void (*destroy)(Samrena *arena);

  /* Pre: [cursor, limit) cannot hold size aligned bytes; size >= 1;
   * size + alignment - 1 <= SAMRENA__MAX_FOOTPRINT.
   * Post: an aligned pointer to size bytes, the arena's bookkeeping moved
   * past them; or NULL with the error recorded and nothing changed. */
  void *(*push_slow)(Samrena *arena, uint64_t size, uint64_t alignment);

  /* Zeroes [ptr, ptr + size), just pushed, skipping what is known zero. */
  void (*zero)(Samrena *arena, void *ptr, uint64_t size);

  uint64_t (*allocated)(const Samrena *arena);
  uint64_t (*capacity)(const Samrena *arena);

  /* Post: allocated is 0; memory is kept. */
  void (*reset)(Samrena *arena);
  /* Post: capacity >= min_capacity, or an error and nothing changed. */
  SamrenaError (*reserve)(Samrena *arena, uint64_t min_capacity);
  /* Gives back memory above max(keep_bytes, allocated). */
  SamrenaError (*trim)(Samrena *arena, uint64_t keep_bytes);
  /* Fills committed, reserved, blocks and the block-tail part of wasted. */
  void (*stats)(const Samrena *arena, SamrenaStats *out);

  /* Records where the arena stands. */
  void (*save)(const Samrena *arena, SamrenaPosition *out);
  /* Pre: position saved from this arena, no reset since.  Post: the arena
   * stands there again; what was pushed since is free (memory kept). */
  void (*restore)(Samrena *arena, const SamrenaPosition *position);
  /* Pre: cursor lies in [start of the current span, arena->cursor].  Moves
   * the cursor back there (shrinking the last allocation). */
  void (*rewind)(Samrena *arena, unsigned char *cursor);
  /* Makes limit - cursor >= bytes without moving anything, or returns
   * false and changes nothing (no error recorded). */
  bool (*extend)(Samrena *arena, uint64_t bytes);
  /* The largest push at this alignment that could succeed now, the OS and
   * malloc permitting.  arena NULL: a new arena's, default configuration. */
  uint64_t (*room)(const Samrena *arena, uint64_t alignment);

  /* Memory for the port's own bookkeeping of the arena, its scope stack.
   * Pre: ptr the block this function last returned for the arena, of
   * old_size bytes (NULL and 0 the first time).  new_size > 0: returns a
   * block of new_size bytes aligned for any object, holding the first
   * min(old_size, new_size) bytes of the old one, which it replaces; or
   * NULL, the old block kept, no error recorded.  new_size 0: gives the
   * block back (at destroy), returns NULL.  The port publishes the limit
   * afterwards, so the adapter may take the block from the arena's own
   * span.  NULL here: the port uses malloc. */
  void *(*resize_bookkeeping)(Samrena *arena, void *ptr, size_t old_size, size_t new_size);
  /* For a destroyed arena the port would keep for reuse (port/park.c):
   * when the arena holds nothing a new one would not (no memory added
   * since its creation, no state a new one would not have), resets it and
   * returns true; otherwise returns false and changes nothing, and the
   * port destroys it.  NULL: never kept. */
  bool (*renew)(Samrena *arena);
  /* Pre: [ptr, ptr + size) lies in memory pushed from the arena.  Asks the
   * system to make its pages resident and writable now, in one call, where
   * the writes that follow would take a page fault each; returns whether
   * it did (a hint: nothing changes and no error is recorded either way).
   * NULL: the adapter's memory gains nothing from it. */
  bool (*prepare)(Samrena *arena, void *ptr, uint64_t size);
};

/* The adapter of that strategy when it is built in and available here;
 * NULL otherwise (and for DEFAULT). */
const SamrenaOps *samrena__find_adapter(SamrenaStrategy strategy);
/* The adapter DEFAULT gives here: the registry's choice, or the first of
 * its fallbacks that is available. */
const SamrenaOps *samrena__default_adapter(void);

/* Concurrent arenas (port/concurrent.c): backing, a new arena of the
 * configuration without SAMRENA_FLAG_CONCURRENT, wrapped in a handle of
 * its own whose pushes go through per-thread chunks.  Takes backing, even
 * on failure (NULL, *error set). */
Samrena *samrena__concurrent_wrap(Samrena *backing, const Samrena *proto, SamrenaError *error);
/* The backing arena of a concurrent arena; NULL for any other. */
Samrena *samrena__concurrent_backing(const Samrena *arena);
/* A push on a concurrent arena, from any thread.  Pre: size + alignment
 * - 1 within SAMRENA__MAX_FOOTPRINT. */
void *samrena__concurrent_push(Samrena *arena, uint64_t size, uint64_t alignment);

/* The adapters, a file each in adapters/, listed in the registry (port/samrena.c). */
extern const SamrenaOps samrena__chained_ops;
extern const SamrenaOps samrena__virtual_ops;
extern const SamrenaOps samrena__buffer_ops;

/* samrena_create with flags only the library sets added to the config's. */
Samrena *samrena__create_with(const SamrenaConfig *config, uint32_t internal_flags);

/* Makes fast.limit right again after the span or the cursor moved.  It is
 * held at the cursor, so that every push comes through the library, while
 * the library poisons or the debug mode puts guards after pushes. */
static inline void samrena__publish_limit(Samrena *arena) {
  bool shut = SAMRENA__POISONING() || arena->debug != NULL;
  arena->fast.limit = shut ? arena->fast.cursor : arena->limit;
}

/* Whether the arena may obtain `more` bytes when it holds `held`: within
 * its budget (samrena_set_limit), or it has none. */
static inline bool samrena__within_limit(const Samrena *arena, uint64_t held, uint64_t more) {
  uint64_t limit = arena->limit_bytes;
  return limit == 0 || (held <= limit && more <= limit - held);
}

/* A push of size bytes at alignment from the current span, or from the
 * adapter's slow path, with no debug guard; it opens the fast path, which
 * a debug mode caller shuts again (samrena__publish_limit).  Pre: size >=
 * 1, size + alignment - 1 within SAMRENA__MAX_FOOTPRINT (port/samrena.c). */
void *samrena__push_plain(Samrena *arena, uint64_t size, uint64_t alignment);

/* ---------------------------------------------------- the debug mode
 * (port/debug.c).  Each push is followed by SAMRENA__GUARD_BYTES bytes of
 * SAMRENA__GUARD_BYTE, and recorded (address, size, number) in a log
 * kept apart from the arena, so that an overrun cannot corrupt it. */
#define SAMRENA__GUARD_BYTES 16u
#define SAMRENA__GUARD_BYTE 0xFD
#define SAMRENA__FREED_BYTE 0xDD

/* Whether SAMRENA_DEBUG asks for the debug mode in every arena; the
 * environment is read once. */
bool samrena__debug_from_environment(void);
/* Gives the arena its log; OUT_OF_MEMORY when there is no memory for it. */
SamrenaError samrena__debug_start(Samrena *arena);
/* Checks every guard, reports the overwritten ones, frees the log. */
void samrena__debug_stop(Samrena *arena);
/* A push with its guard, recorded.  Pre: as samrena__push_plain's. */
void *samrena__debug_push(Samrena *arena, uint64_t size, uint64_t alignment);
/* Resizes the last push in place when ptr is it (old_size its size) and
 * there is room, moving its guard; NULL otherwise (nothing changed). */
void *samrena__debug_resize_last(Samrena *arena, unsigned char *ptr, uint64_t old_size,
                                 uint64_t new_size);
/* How many pushes the log holds: a mark remembers it. */
size_t samrena__debug_records(const Samrena *arena);
/* Checks the guards of the pushes after the first `keep`, reports the
 * overwritten ones, fills what they took with SAMRENA__FREED_BYTE and
 * forgets them: the pushes a reset or a restore gives back. */
void samrena__debug_give_back(Samrena *arena, size_t keep);
/* The bytes the guards of the logged pushes take, for wasted. */
uint64_t samrena__debug_guard_bytes(const Samrena *arena);
/* Writes message for the arena: its log callback, else stderr. */
void samrena__log(const Samrena *arena, const char *message);

/* ------------------------------------------ live arenas (port/registry.c) */

/* Adds a new arena to the list samrena_report walks, and takes it out. */
void samrena__register(Samrena *arena);
void samrena__unregister(Samrena *arena);
/* Takes every part of that list, waiting for their holders, and gives
 * them back: around fork(2), and for a test that holds them. */
void samrena__registry_hold(void);
void samrena__registry_release(void);
/* Frees the arena's name. */
void samrena__drop_name(Samrena *arena);
/* The end of samrena_destroy: out of the list, the debug mode's last
 * check, the name, and the adapter's destroy (its scopes freed before). */
void samrena__take_apart(Samrena *arena);
/* ------------------------------------------- arenas kept for reuse (port/park.c) */
/* Keeps the arena, whose scopes are freed, in this thread's slot, as
 * samrena_destroy; false if it is not to be kept (then nothing changed). */
bool samrena__park(Samrena *arena);
/* The key of an arena made from config by samrena__create_with. */
void samrena__reuse_key_of(const SamrenaConfig *config, bool from_defaults,
                           uint32_t internal_flags, bool reusable, SamrenaReuseKey *key);
/* This thread's kept arena when it was made from this configuration
 * (samrena__create_with's arguments; from_defaults: config is the
 * library's constant), taken out of the slot; else NULL.
 * The configuration needs no validation then: it was valid, and nothing
 * its validation depends on changes while the process runs. */
Samrena *samrena__unpark(const SamrenaConfig *config, bool from_defaults, uint32_t internal_flags);
/* Destroys this thread's kept arena, if any; returns whether there was one. */
bool samrena__park_drain(void);

/* The adapter's prepare (above) for arena; false where it has none. */
bool samrena__prepare(Samrena *arena, void *ptr, uint64_t size);
/* How far ahead of their writes the containers (vector, string builder)
 * have fresh pages prepared: one call per 64 KiB instead of a page fault
 * per page, and the lines the kernel has just zeroed are still in the
 * cache when the writes come.  Measured on bench's vector and strings
 * workloads; samvector(3) and samrena_str(3) have the figures. */
#define SAMRENA__PREPARE_AHEAD_BYTES (UINT64_C(64) << 10)

/* Records error for samrena_last_error() and returns it. */
SamrenaError samrena__fail(SamrenaError error);
/* Records error and returns NULL, for pointer-returning calls. */
void *samrena__fail_null(SamrenaError error);

/* Runs the cleanups registered, and forgets the marks taken, after the
 * arena's stamp was `stamp` (port/scope.c). */
void samrena__unwind_to_stamp(Samrena *arena, uint64_t stamp);

/* Scope machinery (port/scope.c) used by the port: run every cleanup, newest
 * first, and forget every mark; release the scope stack. */
void samrena__release_all(Samrena *arena);
void samrena__free_scopes(Samrena *arena);

/* A registration of fn(data) on arena, as samrena_on_release makes one,
 * kept the newest: given the stamp of the one made before (0: none), it
 * returns the stamp of one that is newer than everything on the arena's
 * scope stack, and the old one is cancelled; or 0, the error recorded and
 * the old one kept.  So fn runs as soon as the arena gives back anything
 * obtained from it before the call.  A child arena keeps one on its
 * parent (adapters/chained.c). */
uint64_t samrena__renew_release(Samrena *arena, uint64_t stamp, void (*fn)(void *data), void *data);
/* Cancels the registration of that stamp, if it has not run: it never will. */
void samrena__cancel_release(Samrena *arena, uint64_t stamp);

/* Whether samrena_arena_allocator made this allocator, and then *arena
 * its arena (toolkit/allocator.c). */
bool samrena__is_arena_allocator(const SamrenaAllocator *allocator, Samrena **arena);
/* peak_allocated raised to the current allocation. */
void samrena__note_peak(Samrena *arena);

/* SamrenaVmem operations for the library's own use (toolkit/vmem.c).  Each records
 * its error, returns it, and on failure leaves vm as it was. */
/* Pre: vm empty, size > 0.  Reserves size rounded up to the reservation granularity. */
SamrenaError samrena__vmem_reserve(SamrenaVmem *vm, uint64_t size);
/* Makes committed >= target (rounded up to the page); target <= reserved. */
SamrenaError samrena__vmem_commit_to(SamrenaVmem *vm, uint64_t target);
/* Makes committed <= target rounded up to the page, giving pages back. */
SamrenaError samrena__vmem_decommit_to(SamrenaVmem *vm, uint64_t target);

/* The process-wide cache of released reservations (toolkit/vmem.c).  put
 * trims vm and keeps it, or returns false (the caller then releases it);
 * take finds a cached reservation of exactly `reserved` bytes whose
 * huge-page advice was the same.  Thread-safe. */
bool samrena__vmem_cache_put(SamrenaVmem *vm, bool huge);
bool samrena__vmem_cache_take(uint64_t reserved, bool huge, SamrenaVmem *vm);
/* reserve(size, base), and once more after emptying the caches of
 * released memory when it fails with OUT_OF_MEMORY (toolkit/vmem.c). */
SamrenaError samrena__reserve_retrying(SamrenaError (*reserve)(uint64_t size, void **base),
                                       uint64_t size, void **base);

#endif /* SAMRENA_INTERNAL_H */
