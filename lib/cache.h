/* cache.h -- a small process-wide cache of released memory, so that a
 * program creating an arena per request does not pay the OS or malloc for
 * it each time.  Each cache holds at most SAMRENA__CACHE_SLOTS entries,
 * each a pointer with a size (the key a later take must match exactly) and
 * one more number for the owner.  Any thread may put or take: every slot is
 * owned through its own atomic state, so there is no lock and no waiting.
 */
#ifndef SAMRENA_CACHE_H
#define SAMRENA_CACHE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define SAMRENA__CACHE_SLOTS 4

typedef struct {
  void *memory;
  uint64_t size;  /* what a take asks for */
  uint64_t extra; /* the owner's, kept as given */
} SamrenaCacheEntry;

typedef struct SamrenaCache {
  struct {
    _Atomic int state;
    SamrenaCacheEntry entry;
  } slots[SAMRENA__CACHE_SLOTS];
  /* What emptying the cache means: gives one entry back to where it came
   * from.  Set by the owner in the cache's initializer. */
  void (*release)(const SamrenaCacheEntry *entry);
  /* The list of every cache that ever held an entry, for
   * samrena__cache_drain_all; filled by samrena__cache_put. */
  _Atomic bool listed;
  struct SamrenaCache *next_listed;
} SamrenaCache;

/* A cache whose entries release gives back. */
#define SAMRENA__CACHE_INIT(release_fn) {.release = (release_fn)}

/* Stores entry if a slot is free; false when the cache is full. */
bool samrena__cache_put(SamrenaCache *cache, const SamrenaCacheEntry *entry);

/* Takes out an entry of exactly this size; false when there is none. */
bool samrena__cache_take(SamrenaCache *cache, uint64_t size, SamrenaCacheEntry *entry);

/* Takes every entry out of every cache of the process and gives each back
 * with its cache's release; returns whether anything was given back, so
 * that a request the OS or malloc refused is worth trying again. */
bool samrena__cache_drain_all(void);

#endif /* SAMRENA_CACHE_H */
