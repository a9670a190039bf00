/* port/concurrent.c -- arenas made with SAMRENA_FLAG_CONCURRENT, which any
 * number of threads may push at once.
 *
 * Such an arena is a handle of its own around a plain arena of the same
 * configuration, its backing, and it fills a SamrenaOps table as an
 * adapter would, forwarding whole-arena operations.  Each pushing thread
 * carves its pushes from a chunk of its own (ConcurrentSlot), taken from
 * the backing arena under a lock CHUNK_BYTES at a time; a push that fits
 * in the thread's chunk takes no lock and writes nothing another thread
 * reads.  A thread finds its slot through a small thread-local cache keyed
 * by the arena's id, which is never reused.  Pushes larger than
 * DIRECT_BYTES go straight to the backing arena under the lock.
 *
 * The handle's cursor and limit stay NULL, so the inline fast path always
 * declines (and reads nothing that changes) and every push reaches
 * samrena__concurrent_push.  Every other call needs the pushes stopped,
 * as samrena(3) says; save, restore and reset first retire every slot, so
 * that what comes after a mark lies in chunks taken after it.
 */
#include <config.h>

#include "port/internal.h"
#include "platform/thread.h"
#include "fault.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* A chunk holds 2048 pushes of 32 bytes: the lock is taken once for them. */
#define CHUNK_BYTES (UINT64_C(64) << 10)
#define DIRECT_BYTES (CHUNK_BYTES / 4)

typedef struct ConcurrentSlot {
  struct ConcurrentSlot *next;
  const void *owner;                     /* the thread's token (see below) */
  unsigned char *start, *cursor, *limit; /* the chunk; all NULL when retired */
} ConcurrentSlot;

typedef struct {
  SamrenaMutex lock; /* guards slots, the counters and the backing arena */
  Samrena *backing;
  ConcurrentSlot *slots;
  uint64_t id;
  uint64_t retired_used;  /* pushed in chunks given up, and directly */
  uint64_t retired_tails; /* the unused ends of chunks given up */
} Concurrent;

_Static_assert(sizeof(Concurrent) <= SAMRENA__ADAPTER_STATE_BYTES, "Concurrent must fit in the arena");

static Concurrent *state_of(const Samrena *arena) {
  return (Concurrent *)arena->adapter;
}

/* Ids tell arenas apart in the threads' caches for the life of the
 * process; 0 is never one. */
static _Atomic uint64_t samrena_concurrent_ids;

/* A thread's token is the address of a thread-local byte: unique among
 * live threads.  A thread that starts where one ended may find that one's
 * slot and carry on in its chunk, which is as good as a new one. */
static SAMRENA__THREAD_LOCAL char samrena_thread_token;

#define SLOT_CACHE 4
typedef struct {
  uint64_t id;
  ConcurrentSlot *slot;
} SlotCacheEntry;
static SAMRENA__THREAD_LOCAL SlotCacheEntry samrena_slot_cache[SLOT_CACHE];

extern const SamrenaOps samrena__concurrent_ops;

Samrena *samrena__concurrent_wrap(Samrena *backing, const Samrena *proto, SamrenaError *error) {
  Samrena *arena = samrena__malloc(sizeof *arena);
  if (arena == NULL) {
    samrena_destroy(backing);
    *error = SAMRENA_ERROR_OUT_OF_MEMORY;
    return NULL;
  }
  samrena__place_handle(arena, proto, sizeof(Concurrent));
  Concurrent *concurrent = state_of(arena);
  if (!samrena__mutex_init(&concurrent->lock)) {
    free(arena);
    samrena_destroy(backing);
    *error = SAMRENA_ERROR_OUT_OF_MEMORY;
    return NULL;
  }
  concurrent->backing = backing;
  concurrent->id = atomic_fetch_add_explicit(&samrena_concurrent_ids, 1, memory_order_relaxed) + 1;
  arena->ops = &samrena__concurrent_ops;
  arena->strategy = backing->strategy;
  /* Each thread carves from chunks of its own: pushes are not contiguous. */
  arena->capabilities = backing->capabilities & ~(uint32_t)SAMRENA_CAP_CONTIGUOUS_MEMORY;
  arena->flags |= SAMRENA_FLAG_CONCURRENT;
  arena->fast.cursor = arena->limit = NULL;
  return arena;
}

/* This thread's slot, from the cache or found or added under the lock;
 * NULL when none could be made. */
static ConcurrentSlot *slot_of(Concurrent *concurrent) {
  SlotCacheEntry *entry = &samrena_slot_cache[concurrent->id % SLOT_CACHE];
  if (entry->id == concurrent->id)
    return entry->slot;
  const void *token = &samrena_thread_token;
  samrena__mutex_lock(&concurrent->lock);
  ConcurrentSlot *slot = concurrent->slots;
  while (slot != NULL && slot->owner != token)
    slot = slot->next;
  if (slot == NULL && (slot = samrena__malloc(sizeof *slot)) != NULL) {
    *slot = (ConcurrentSlot){concurrent->slots, token, NULL, NULL, NULL};
    concurrent->slots = slot;
  }
  samrena__mutex_unlock(&concurrent->lock);
  if (slot != NULL) {
    entry->id = concurrent->id;
    entry->slot = slot;
  }
  return slot;
}

/* Gives up a slot's chunk.  Pre: the lock held, or the pushes stopped. */
static void retire(Concurrent *concurrent, ConcurrentSlot *slot) {
  if (slot->start == NULL)
    return;
  concurrent->retired_used += (uint64_t)(slot->cursor - slot->start);
  concurrent->retired_tails += (uint64_t)(slot->limit - slot->cursor);
  slot->start = slot->cursor = slot->limit = NULL;
}

static void retire_all(Concurrent *concurrent) {
  for (ConcurrentSlot *slot = concurrent->slots; slot != NULL; slot = slot->next)
    retire(concurrent, slot);
}

/* Size bytes at alignment from the slot's chunk, or NULL if they do not
 * fit there. */
static void *carve(ConcurrentSlot *slot, uint64_t size, uint64_t alignment) {
  if (slot->cursor == NULL)
    return NULL;
  uint64_t padding = samrena__padding_for(slot->cursor, alignment);
  uint64_t room = (uint64_t)(slot->limit - slot->cursor);
  if (padding > room || size > room - padding)
    return NULL;
  unsigned char *result = slot->cursor + padding;
  slot->cursor = result + size;
  return result;
}

/* Under the lock: a push straight from the backing arena. */
static void *push_direct(Concurrent *concurrent, uint64_t size, uint64_t alignment) {
  Samrena *backing = concurrent->backing;
  uint64_t before = samrena_allocated(backing);
  void *result = samrena_push_aligned(backing, size, alignment);
  if (result != NULL)
    concurrent->retired_used += samrena_allocated(backing) - before;
  return result;
}

/* Under the lock: a large push straight from the backing arena, or a new
 * chunk for the slot and the push from it. */
static void *push_locked(Concurrent *concurrent, ConcurrentSlot *slot, uint64_t size,
                         uint64_t alignment) {
  Samrena *backing = concurrent->backing;
  if (size + (alignment - 1) > DIRECT_BYTES)
    return push_direct(concurrent, size, alignment);
  unsigned char *chunk = samrena_push_aligned(backing, CHUNK_BYTES, SAMRENA__MAX_ALIGN);
  if (chunk == NULL)
    return NULL;
  retire(concurrent, slot);
  slot->start = slot->cursor = chunk;
  slot->limit = chunk + CHUNK_BYTES;
  return carve(slot, size, alignment);
}

/* Everything but a push that fits in the thread's chunk: finding or
 * making the slot, a push of 0 bytes, a new chunk, a large push. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void *push_slowly(Samrena *arena, uint64_t size, uint64_t alignment) {
  Concurrent *concurrent = state_of(arena);
  ConcurrentSlot *slot = slot_of(concurrent);
  if (slot == NULL)
    return samrena__fail_null(SAMRENA_ERROR_OUT_OF_MEMORY);
  if (size == 0) { /* any aligned address will do, and nothing is consumed */
    uintptr_t mask = (uintptr_t)(alignment - 1);
    uintptr_t at = slot->cursor != NULL ? (uintptr_t)slot->cursor : (uintptr_t)arena;
    return (void *)(((at + mask) & ~mask) != 0 ? (at + mask) & ~mask : at & ~mask);
  }
  void *result = carve(slot, size, alignment);
  if (result != NULL)
    return result;
  samrena__mutex_lock(&concurrent->lock);
  result = push_locked(concurrent, slot, size, alignment);
  samrena__mutex_unlock(&concurrent->lock);
  return result;
}

/* In the debug mode every push goes to the backing arena, which gives it
 * its guard and its record. */
static void *push_debug(Samrena *arena, uint64_t size, uint64_t alignment) {
  Concurrent *concurrent = state_of(arena);
  if (size == 0)
    return push_slowly(arena, size, alignment);
  samrena__mutex_lock(&concurrent->lock);
  void *result = push_direct(concurrent, size, alignment);
  samrena__mutex_unlock(&concurrent->lock);
  return result;
}

Samrena *samrena__concurrent_backing(const Samrena *arena) {
  return arena->ops == &samrena__concurrent_ops ? state_of(arena)->backing : NULL;
}

/* The common case: this thread's slot is in its cache and the push fits
 * in its chunk. */
void *samrena__concurrent_push(Samrena *arena, uint64_t size, uint64_t alignment) {
  if ((arena->flags & SAMRENA_FLAG_DEBUG) != 0)
    return push_debug(arena, size, alignment);
  const Concurrent *concurrent = state_of(arena);
  const SlotCacheEntry *entry = &samrena_slot_cache[concurrent->id % SLOT_CACHE];
  if (entry->id == concurrent->id && size != 0) {
    void *result = carve(entry->slot, size, alignment);
    if (result != NULL)
      return result;
  }
  return push_slowly(arena, size, alignment);
}

/* ------------------------------------------- the rest, pushes stopped */

static bool concurrent_available(void) {
  return true;
}

static Samrena *concurrent_create(const Samrena *proto, const SamrenaSettings *settings,
                                  SamrenaError *error) {
  (void)proto;
  (void)settings;
  *error = SAMRENA_ERROR_UNSUPPORTED_OPERATION; /* made by samrena__concurrent_wrap only */
  return NULL;
}

static void concurrent_destroy(Samrena *arena) {
  Concurrent *concurrent = state_of(arena);
  for (ConcurrentSlot *slot = concurrent->slots; slot != NULL;) {
    ConcurrentSlot *next = slot->next;
    free(slot);
    slot = next;
  }
  samrena_destroy(concurrent->backing);
  samrena__mutex_destroy(&concurrent->lock);
  free(arena);
}

/* Never called: the span is empty, so every push is the concurrent one. */
static void *concurrent_push_slow(Samrena *arena, uint64_t size, uint64_t alignment) {
  return samrena__concurrent_push(arena, size, alignment);
}

/* Chunks are carved without the backing arena knowing what was handed
 * out, so nothing is taken for fresh. */
static void concurrent_zero(Samrena *arena, void *ptr, uint64_t size) {
  (void)arena;
  memset(ptr, 0, (size_t)size);
}

static uint64_t in_slots(const Concurrent *concurrent, bool free_part) {
  uint64_t total = 0;
  for (const ConcurrentSlot *slot = concurrent->slots; slot != NULL; slot = slot->next)
    if (slot->start != NULL)
      total += free_part ? (uint64_t)(slot->limit - slot->cursor)
                         : (uint64_t)(slot->cursor - slot->start);
  return total;
}

static uint64_t concurrent_allocated(const Samrena *arena) {
  const Concurrent *concurrent = state_of(arena);
  return concurrent->retired_used + in_slots(concurrent, false);
}

static uint64_t concurrent_capacity(const Samrena *arena) {
  const Concurrent *concurrent = state_of(arena);
  Samrena *backing = concurrent->backing;
  return concurrent_allocated(arena) + in_slots(concurrent, true) + samrena_capacity(backing) -
         samrena_allocated(backing);
}

static void concurrent_reset(Samrena *arena) {
  Concurrent *concurrent = state_of(arena);
  retire_all(concurrent);
  samrena_reset(concurrent->backing);
  concurrent->retired_used = concurrent->retired_tails = 0;
}

static SamrenaError concurrent_reserve(Samrena *arena, uint64_t min_capacity) {
  Concurrent *concurrent = state_of(arena);
  uint64_t capacity = concurrent_capacity(arena);
  Samrena *backing = concurrent->backing;
  return samrena_reserve(backing, samrena_capacity(backing) + (min_capacity - capacity));
}

static SamrenaError concurrent_trim(Samrena *arena, uint64_t keep_bytes) {
  Concurrent *concurrent = state_of(arena);
  uint64_t allocated = concurrent_allocated(arena);
  uint64_t extra = keep_bytes > allocated ? keep_bytes - allocated : 0;
  Samrena *backing = concurrent->backing;
  uint64_t backing_allocated = samrena_allocated(backing);
  return samrena_trim(backing, backing_allocated + (extra < UINT64_MAX - backing_allocated
                                                        ? extra
                                                        : UINT64_MAX - backing_allocated));
}

static void concurrent_stats(const Samrena *arena, SamrenaStats *out) {
  const Concurrent *concurrent = state_of(arena);
  SamrenaStats backing;
  samrena_stats(concurrent->backing, &backing);
  out->committed = backing.committed;
  out->reserved = backing.reserved;
  out->blocks = backing.blocks;
  out->wasted = backing.wasted + concurrent->retired_tails;
}

/* The backing arena's position is its own mark; this arena's counters go
 * in the outer words. */
static void concurrent_save(const Samrena *arena, SamrenaPosition *out) {
  Concurrent *concurrent = state_of(arena);
  retire_all(concurrent);
  memset(out, 0, sizeof *out);
  SamrenaMark mark = samrena_save(concurrent->backing);
  out->retired_used = mark.opaque[0];
  out->retired_tails = mark.opaque[1];
  out->outer[0] = concurrent->retired_used;
  out->outer[1] = concurrent->retired_tails;
}

static void concurrent_restore(Samrena *arena, const SamrenaPosition *position) {
  Concurrent *concurrent = state_of(arena);
  retire_all(concurrent);
  SamrenaMark mark = {{position->retired_used, position->retired_tails}};
  samrena_restore(concurrent->backing, mark);
  concurrent->retired_used = position->outer[0];
  concurrent->retired_tails = position->outer[1];
}

/* The cursor is never in a chunk, so nothing is ever resized in place. */
static void concurrent_rewind(Samrena *arena, unsigned char *cursor) {
  (void)arena;
  (void)cursor;
}

static bool concurrent_extend(Samrena *arena, uint64_t bytes) {
  (void)arena;
  (void)bytes;
  return false;
}

static uint64_t concurrent_room(const Samrena *arena, uint64_t alignment) {
  if (arena == NULL)
    return 0;
  (void)alignment;
  return samrena_get_capabilities(state_of(arena)->backing).max_allocation_size;
}

const SamrenaOps samrena__concurrent_ops = {
    .name = "concurrent",
    .strategy = SAMRENA_STRATEGY_DEFAULT, /* the handle says its backing's */
    .capabilities = 0,
    .available = concurrent_available,
    .create = concurrent_create,
    .destroy = concurrent_destroy,
    .push_slow = concurrent_push_slow,
    .zero = concurrent_zero,
    .allocated = concurrent_allocated,
    .capacity = concurrent_capacity,
    .reset = concurrent_reset,
    .reserve = concurrent_reserve,
    .trim = concurrent_trim,
    .stats = concurrent_stats,
    .save = concurrent_save,
    .restore = concurrent_restore,
    .rewind = concurrent_rewind,
    .extend = concurrent_extend,
    .room = concurrent_room,
};
