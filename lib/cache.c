/* cache.c -- the lock-free slots of cache.h.  A slot is EMPTY, FULL, or
 * BUSY while one thread fills or empties it; a thread that finds it BUSY
 * moves on to the next, so no thread ever waits for another.  Taking a
 * slot acquires what its last owner wrote; giving it up releases what this
 * one wrote: one locked instruction per put or take, the rest plain
 * loads and stores. */
#include <config.h>

#include "cache.h"

#include <stddef.h>

enum { SLOT_EMPTY, SLOT_BUSY, SLOT_FULL };

/* Makes a slot in state *expected BUSY; false if it was in another state.
 * A plain load first: a slot in the wrong state costs no locked access. */
static bool claim(_Atomic int *state, int *expected) {
  if (atomic_load_explicit(state, memory_order_relaxed) != *expected)
    return false;
  return atomic_compare_exchange_strong_explicit(state, expected, SLOT_BUSY, memory_order_acquire,
                                                 memory_order_relaxed);
}

/* Every cache that ever held an entry, newest first.  A cache joins once
 * and never leaves (caches are static), so pushing it needs no lock and
 * walking it needs only the acquire of the head. */
static _Atomic(SamrenaCache *) samrena_listed_caches;

static void list_once(SamrenaCache *cache) {
  if (atomic_load_explicit(&cache->listed, memory_order_relaxed) ||
      atomic_exchange_explicit(&cache->listed, true, memory_order_relaxed))
    return;
  SamrenaCache *head = atomic_load_explicit(&samrena_listed_caches, memory_order_relaxed);
  do
    cache->next_listed = head;
  while (!atomic_compare_exchange_weak_explicit(&samrena_listed_caches, &head, cache,
                                                memory_order_release, memory_order_relaxed));
}

bool samrena__cache_put(SamrenaCache *cache, const SamrenaCacheEntry *entry) {
  list_once(cache);
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

/* Returns how many entries it gave back. */
static int drain(SamrenaCache *cache) {
  int released = 0;
  for (int i = 0; i < SAMRENA__CACHE_SLOTS; i++) {
    int full = SLOT_FULL;
    if (!claim(&cache->slots[i].state, &full))
      continue;
    SamrenaCacheEntry entry = cache->slots[i].entry;
    atomic_store_explicit(&cache->slots[i].state, SLOT_EMPTY, memory_order_release);
    cache->release(&entry);
    released++;
  }
  return released;
}

bool samrena__cache_drain_all(void) {
  int released = 0;
  for (SamrenaCache *cache = atomic_load_explicit(&samrena_listed_caches, memory_order_acquire);
       cache != NULL; cache = cache->next_listed)
    released += drain(cache);
  return released > 0;
}
