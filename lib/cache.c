/* cache.c -- the lock-free slots of cache.h.  A slot is EMPTY, FULL, or
 * BUSY while one thread fills or empties it; a thread that finds it BUSY
 * moves on to the next, so no thread ever waits for another.  Taking a
 * slot acquires what its last owner wrote; giving it up releases what this
 * one wrote: one locked instruction per put or take, the rest plain
 * loads and stores. */
#include <config.h>

#include "cache.h"

enum { SLOT_EMPTY, SLOT_BUSY, SLOT_FULL };

/* Makes a slot in state *expected BUSY; false if it was in another state.
 * A plain load first: a slot in the wrong state costs no locked access. */
static bool claim(_Atomic int *state, int *expected) {
  if (atomic_load_explicit(state, memory_order_relaxed) != *expected)
    return false;
  return atomic_compare_exchange_strong_explicit(state, expected, SLOT_BUSY, memory_order_acquire,
                                                 memory_order_relaxed);
}

bool samrena__cache_put(SamrenaCache *cache, const SamrenaCacheEntry *entry) {
  for (int i = 0; i < SAMRENA__CACHE_SLOTS; i++) {
    int empty = SLOT_EMPTY;
    if (claim(&cache->slots[i].state, &empty)) {
      cache->slots[i].entry = *entry;
      atomic_store_explicit(&cache->slots[i].state, SLOT_FULL, memory_order_release);
      return true;
    }
  }
  return false;
}

bool samrena__cache_take(SamrenaCache *cache, uint64_t size, SamrenaCacheEntry *entry) {
  for (int i = 0; i < SAMRENA__CACHE_SLOTS; i++) {
    int full = SLOT_FULL;
    if (!claim(&cache->slots[i].state, &full))
      continue;
    bool fits = cache->slots[i].entry.size == size;
    if (fits)
      *entry = cache->slots[i].entry;
    atomic_store_explicit(&cache->slots[i].state, fits ? SLOT_EMPTY : SLOT_FULL,
                          memory_order_release);
    if (fits)
      return true;
  }
  return false;
}

void samrena__cache_drain(SamrenaCache *cache, void (*release)(const SamrenaCacheEntry *entry)) {
  for (int i = 0; i < SAMRENA__CACHE_SLOTS; i++) {
    int full = SLOT_FULL;
    if (!claim(&cache->slots[i].state, &full))
      continue;
    SamrenaCacheEntry entry = cache->slots[i].entry;
    atomic_store_explicit(&cache->slots[i].state, SLOT_EMPTY, memory_order_release);
    release(&entry);
  }
}
