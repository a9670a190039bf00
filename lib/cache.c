/* cache.c -- the lock-free slots of cache.h.  A slot is EMPTY, FULL, or
 * BUSY while one thread fills or empties it; a thread that finds it BUSY
 * moves on to the next, so no thread ever waits for another. */
#include <config.h>

#include "cache.h"

enum { SLOT_EMPTY, SLOT_BUSY, SLOT_FULL };

bool samrena__cache_put(SamrenaCache *cache, const SamrenaCacheEntry *entry) {
  for (int i = 0; i < SAMRENA__CACHE_SLOTS; i++) {
    int empty = SLOT_EMPTY;
    if (atomic_compare_exchange_strong(&cache->slots[i].state, &empty, SLOT_BUSY)) {
      cache->slots[i].entry = *entry;
      atomic_store(&cache->slots[i].state, SLOT_FULL);
      return true;
    }
  }
  return false;
}

bool samrena__cache_take(SamrenaCache *cache, uint64_t size, SamrenaCacheEntry *entry) {
  for (int i = 0; i < SAMRENA__CACHE_SLOTS; i++) {
    int full = SLOT_FULL;
    if (!atomic_compare_exchange_strong(&cache->slots[i].state, &full, SLOT_BUSY))
      continue;
    bool fits = cache->slots[i].entry.size == size;
    if (fits)
      *entry = cache->slots[i].entry;
    atomic_store(&cache->slots[i].state, fits ? SLOT_EMPTY : SLOT_FULL);
    if (fits)
      return true;
  }
  return false;
}

void samrena__cache_drain(SamrenaCache *cache, void (*release)(const SamrenaCacheEntry *entry)) {
  for (int i = 0; i < SAMRENA__CACHE_SLOTS; i++) {
    int full = SLOT_FULL;
    if (!atomic_compare_exchange_strong(&cache->slots[i].state, &full, SLOT_BUSY))
      continue;
    SamrenaCacheEntry entry = cache->slots[i].entry;
    atomic_store(&cache->slots[i].state, SLOT_EMPTY);
    release(&entry);
  }
}
