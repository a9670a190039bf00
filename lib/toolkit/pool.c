/* toolkit/pool.c -- fixed-size slots with O(1) alloc and free.
 *
 * Slots come from blocks, either pushed on a backing arena or malloc'd and
 * owned by the pool.  A free slot holds the address of the next free slot
 * (an intrusive list), so freeing costs no memory.  Slots never handed out
 * are taken from the current block by a bump pointer, so a new block costs
 * nothing until it is used.  Debug builds (--enable-debug) check every
 * free: a pointer that is not a slot of this pool, or a slot already free,
 * is refused with SAMRENA_ERROR_INVALID_PARAMETER and the list is untouched.
 */
#include <config.h>

#include "port/internal.h"
#include "fault.h"

#include <stdlib.h>
#include <string.h>

/* A block of slots.  Owned blocks remember what malloc returned. */
typedef struct PoolBlock {
  struct PoolBlock *next;
  struct SamrenaPool *pool;
  void *allocation;      /* owned: the pointer to free; backed: NULL */
  unsigned char *slots;  /* first slot, aligned */
} PoolBlock;

struct SamrenaPool {
  Samrena *backing;       /* NULL: blocks are malloc'd and owned */
  uint64_t slot_size;     /* usable bytes per slot, as reported */
  uint64_t stride;        /* bytes between slots: slot_size rounded to the alignment */
  uint64_t alignment;
  uint64_t slots_per_block;
  void *free_list;        /* freed slots, each holding the next */
  PoolBlock *blocks;      /* in order of creation */
  PoolBlock *current;     /* the block the bump pointer is in */
  unsigned char *bump, *bump_end; /* never-used slots of the current block */
  uint64_t in_use;
};

/* Blocks hold about this much, and at least one slot. */
#define POOL_BLOCK_TARGET (UINT64_C(64) * 1024)

static uint64_t block_bytes(const SamrenaPool *pool) {
  return pool->slots_per_block * pool->stride;
}

/* The header and enough slack to align the first slot. */
static uint64_t block_overhead(const SamrenaPool *pool) {
  return sizeof(PoolBlock) + pool->alignment - 1;
}

/* A free slot is poisoned (poison.h) but for the link word, which the
 * library reads and writes through these. */
static void *next_free(void *slot) {
  void *next;
  SAMRENA__DEFINED(slot, sizeof next); /* memcheck forgot link_free wrote it */
  memcpy(&next, slot, sizeof next);
  SAMRENA__POISON(slot, sizeof next);
  return next;
}

static void link_free(void *slot, void *next) {
  SAMRENA__UNPOISON(slot, sizeof next);
  memcpy(slot, &next, sizeof next);
  SAMRENA__POISON(slot, sizeof next);
}

static void *pool_memory(SamrenaPool *pool, uint64_t size, void **allocation) {
  if (pool->backing != NULL) {
    *allocation = NULL; /* aligned for the header whatever the arena's alignment */
    return samrena_push_aligned(pool->backing, size, SAMRENA__MAX_ALIGN);
  }
  if (size > SIZE_MAX)
    return samrena__fail_null(SAMRENA_ERROR_OVERFLOW);
  *allocation = samrena__malloc((size_t)size);
  if (*allocation == NULL)
    return samrena__fail_null(SAMRENA_ERROR_OUT_OF_MEMORY);
  return *allocation;
}

/* Where a block lies, and how many of its slots were handed out. */
static bool holds(const SamrenaPool *pool, const PoolBlock *block, const void *slot) {
  uintptr_t address = (uintptr_t)slot, first = (uintptr_t)block->slots;
  return address >= first && address < first + (uintptr_t)block_bytes(pool);
}

/* Unlinks from the free list the slots that lie in block; returns how many. */
static uint64_t unlink_free_slots_in(SamrenaPool *pool, const PoolBlock *block) {
  uint64_t unlinked = 0;
  void *kept = NULL, *kept_last = NULL;
  for (void *slot = pool->free_list; slot != NULL;) {
    void *next = next_free(slot);
    if (holds(pool, block, slot)) {
      unlinked++;
    } else {
      if (kept_last != NULL)
        link_free(kept_last, slot);
      else
        kept = slot;
      kept_last = slot;
    }
    slot = next;
  }
  if (kept_last != NULL)
    link_free(kept_last, NULL);
  pool->free_list = kept;
  return unlinked;
}

/* A restore or reset of the backing arena takes back a block pushed after
 * the mark: the pool forgets it, its free slots and its live ones, so later
 * allocations never land in memory the arena hands out again.  Blocks go
 * newest first, so the block is the last of the list, and the one before
 * it, if it was issuing, is used up: it becomes the current block with its
 * bump at its end, so that in_use, the debug build's check of frees and a
 * further forget all see its slots as issued. */
static void forget_block(void *data) {
  PoolBlock *block = data;
  SamrenaPool *pool = block->pool;
  PoolBlock **link = &pool->blocks, *previous = NULL;
  while (*link != NULL && *link != block) {
    previous = *link;
    link = &(*link)->next;
  }
  if (*link == NULL)
    return;
  *link = NULL;

  uint64_t freed_here = unlink_free_slots_in(pool, block);
  if (pool->current != block)
    return; /* after the current block: it issued nothing since the pool's last reset */
  uint64_t issued = (uint64_t)(pool->bump - block->slots) / pool->stride;
  pool->in_use -= issued - freed_here;
  pool->current = previous;
  pool->bump = pool->bump_end = previous != NULL ? previous->slots + block_bytes(pool) : NULL;
}

static PoolBlock *add_block(SamrenaPool *pool) {
  void *allocation;
  unsigned char *memory = pool_memory(pool, block_overhead(pool) + block_bytes(pool), &allocation);
  if (memory == NULL)
    return NULL;
  PoolBlock *block = (PoolBlock *)(void *)memory;
  unsigned char *after_header = memory + sizeof(PoolBlock);
  block->pool = pool;
  block->allocation = allocation;
  block->slots = after_header + samrena__padding_for(after_header, pool->alignment);
  block->next = NULL;
  SAMRENA__POISON(block->slots, block_bytes(pool));
  if (pool->backing != NULL &&
      samrena_on_release(pool->backing, forget_block, block) != SAMRENA_OK)
    return NULL; /* the block stays in the arena, unused, until its reset */
  if (pool->current != NULL)
    pool->current->next = block;
  else
    pool->blocks = block;
  return block;
}

static void start_block(SamrenaPool *pool, PoolBlock *block) {
  pool->current = block;
  pool->bump = block->slots;
  pool->bump_end = block->slots + block_bytes(pool);
}

SamrenaPool *samrena_pool_create(Samrena *backing, uint64_t slot_size, uint64_t slot_alignment) {
  if (slot_size == 0)
    return samrena__fail_null(SAMRENA_ERROR_INVALID_SIZE);
  uint64_t alignment = slot_alignment ? slot_alignment : SAMRENA__MAX_ALIGN;
  if (!samrena__is_power_of_two(alignment))
    return samrena__fail_null(SAMRENA_ERROR_INVALID_PARAMETER);
  if (alignment < alignof(void *))
    alignment = alignof(void *); /* a free slot holds a pointer */
  uint64_t size = slot_size < sizeof(void *) ? sizeof(void *) : slot_size;
  uint64_t stride;
  if (alignment > SAMRENA__MAX_FOOTPRINT / 4 || size > SAMRENA__MAX_FOOTPRINT / 4 ||
      !samrena__round_up_checked(size, alignment, &stride))
    return samrena__fail_null(SAMRENA_ERROR_OVERFLOW);

  SamrenaPool *pool = backing != NULL ? samrena_push_aligned(backing, sizeof *pool, SAMRENA__MAX_ALIGN)
                                       : samrena__malloc(sizeof *pool);
  if (pool == NULL)
    return backing != NULL ? NULL : samrena__fail_null(SAMRENA_ERROR_OUT_OF_MEMORY);
  memset(pool, 0, sizeof *pool);
  pool->backing = backing;
  pool->slot_size = size;
  pool->stride = stride;
  pool->alignment = alignment;
  pool->slots_per_block = stride >= POOL_BLOCK_TARGET ? 1 : POOL_BLOCK_TARGET / stride;
  return pool;
}

void *samrena_pool_alloc(SamrenaPool *pool) {
  if (pool == NULL)
    return samrena__fail_null(SAMRENA_ERROR_NULL_POINTER);
  void *slot = pool->free_list;
  if (slot != NULL) {
    pool->free_list = next_free(slot);
  } else {
    if (pool->bump == pool->bump_end) {
      PoolBlock *next = pool->current != NULL ? pool->current->next : pool->blocks;
      if (next == NULL && (next = add_block(pool)) == NULL)
        return NULL;
      start_block(pool, next);
    }
    slot = pool->bump;
    pool->bump += pool->stride;
  }
  pool->in_use++;
  SAMRENA__UNPOISON(slot, pool->slot_size);
  return slot;
}

#if SAMRENA_DEBUG
/* Whether slot is a slot this pool has handed out (free or not). */
static bool is_issued_slot(const SamrenaPool *pool, const void *slot) {
  uintptr_t address = (uintptr_t)slot;
  if (pool->current == NULL)
    return false; /* nothing issued since the last reset */
  for (const PoolBlock *block = pool->blocks; block != NULL; block = block->next) {
    uintptr_t first = (uintptr_t)block->slots;
    uintptr_t end = block == pool->current ? (uintptr_t)pool->bump : first + (uintptr_t)block_bytes(pool);
    if (address >= first && address < end)
      return (address - first) % pool->stride == 0;
    if (block == pool->current)
      break; /* blocks after the current one issued nothing since the last reset */
  }
  return false;
}

static bool is_on_free_list(const SamrenaPool *pool, const void *slot) {
  for (void *free_slot = pool->free_list; free_slot != NULL; free_slot = next_free(free_slot))
    if (free_slot == slot)
      return true;
  return false;
}
#endif

void samrena_pool_free(SamrenaPool *pool, void *slot) {
  if (pool == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return;
  }
  if (slot == NULL)
    return;
#if SAMRENA_DEBUG
  if (!is_issued_slot(pool, slot) || is_on_free_list(pool, slot)) {
    samrena__fail(SAMRENA_ERROR_INVALID_PARAMETER);
    return;
  }
#endif
  SAMRENA__POISON(slot, pool->stride);
  link_free(slot, pool->free_list);
  pool->free_list = slot;
  pool->in_use--;
}

void samrena_pool_reset(SamrenaPool *pool) {
  if (pool == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return;
  }
  if (SAMRENA__POISONING())
    for (PoolBlock *block = pool->blocks; block != NULL; block = block->next)
      SAMRENA__POISON(block->slots, block_bytes(pool));
  pool->free_list = NULL;
  pool->in_use = 0;
  pool->current = NULL;
  pool->bump = pool->bump_end = NULL;
}

/* A backed pool's memory belongs to its arena, which frees it. */
void samrena_pool_destroy(SamrenaPool *pool) {
  if (pool == NULL || pool->backing != NULL)
    return;
  PoolBlock *block = pool->blocks;
  while (block != NULL) {
    PoolBlock *next = block->next;
    SAMRENA__UNPOISON(block->slots, block_bytes(pool)); /* malloc reuses it */
    free(block->allocation);
    block = next;
  }
  free(pool);
}

uint64_t samrena_pool_in_use(const SamrenaPool *pool) {
  if (pool == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return 0;
  }
  return pool->in_use;
}

uint64_t samrena_pool_slot_size(const SamrenaPool *pool) {
  if (pool == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return 0;
  }
  return pool->slot_size;
}
