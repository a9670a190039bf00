/* adapters/chained.c -- the chained adapter: a linked list of malloc'd
 * blocks, or of blocks from a SamrenaAllocator (SamrenaConfig.block_source).
 *
 * Normal blocks (the first one initial_pages long, then as the growth
 * policy says: growth_pages each, a linear increment each, or each one
 * factor times the last) are used in list order; those after the current
 * one are spares, left by a reset or made by samrena_reserve, and are
 * reused before anything new is malloc'd.  A push that cannot fit in a fresh normal block gets a block of
 * its own ("large"); after a reset large blocks wait in a spare list and are
 * reused best-fit, so the same workload after a reset mallocs nothing.
 *
 * With a block source, every block and the port's bookkeeping (the scope
 * stack) come from the source and go back to it, never to the cache; the
 * handle, which must outlive the blocks, is malloc'd, and is all such an
 * arena takes from malloc.  A source made by samrena_arena_allocator makes
 * a child arena, whose memory lives in its parent and ends with it: the
 * child keeps a registration on the parent (port/scope.c) newer than
 * anything it took from it, so the parent's reset, a restore of it to an
 * older mark, or its destruction -- whatever gives back child memory --
 * runs the child's cleanups while that memory still stands and leaves the
 * child orphaned: from then on it touches no parent memory, and destroying
 * it frees its handle only.  A child destroyed first cancels the
 * registration, so it never fires into freed memory.
 */
#include <config.h>

#include "port/internal.h"
#include "cache.h"
#include "fault.h"

#include <stdlib.h>
#include <string.h>

typedef struct ChainedBlock {
  struct ChainedBlock *next;
  unsigned char *data; /* the payload: after the header, and in the first
                          block after the arena's handle too */
  uint64_t size;       /* payload bytes */
  uint64_t used;       /* payload bytes consumed; kept for large blocks only */
} ChainedBlock;

/* What follows the header has malloc's alignment. */
#define BLOCK_HEADER_SIZE ((sizeof(ChainedBlock) + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1))

typedef struct {
  ChainedBlock *first;        /* normal blocks; those after current are spares */
  ChainedBlock *current;      /* the block [cursor, limit) lies in */
  ChainedBlock *large;        /* large blocks holding an allocation, newest first */
  ChainedBlock *large_oldest; /* the last of that list, so a reset splices in O(1) */
  ChainedBlock *large_spares; /* large blocks released by reset */
  uint64_t page_size;
  uint64_t next_block_bytes; /* payload of the next normal block */
  uint64_t max_block_bytes;  /* where exponential growth stops */
  double growth_factor;      /* 1: every block next_block_bytes */
  uint64_t retired_used;  /* bytes consumed in normal blocks before current, and in large */
  uint64_t retired_tails; /* unused ends of the normal blocks before current */
  SamrenaAllocator source; /* alloc NULL: malloc and the cache */
  uint64_t parent_stamp;   /* a child's registration on its parent; 0: none */
  uint64_t held;           /* every block's bytes, as malloc'd or taken: what a budget counts */
  bool child;              /* the source is samrena_arena_allocator(parent) */
  bool orphaned;           /* the parent took the child's memory back */
} Chained;

_Static_assert(sizeof(Chained) <= SAMRENA__ADAPTER_STATE_BYTES, "Chained must fit in the arena");

static Chained *state_of(const Samrena *arena) {
  return (Chained *)arena->adapter;
}

static unsigned char *block_data(ChainedBlock *block) {
  return block->data;
}

static bool has_source(const Chained *chained) {
  return chained->source.alloc != NULL;
}

/* The parent of a child arena. */
static Samrena *parent_of(const Chained *chained) {
  return chained->source.ctx;
}

/* ------------------------------------------------------ the block source */

/* A source need not align what it gives (an arena allocator gives its
 * arena's push alignment): each request takes SAMRENA__MAX_ALIGN bytes
 * more, the memory starts at the first aligned address past the start,
 * and the byte before it says how far past. */
_Static_assert(alignof(max_align_t) < 256, "the offset to the source's memory fits in a byte");

static void chained_orphan(void *data);

/* A child keeps its registration on the parent newer than what it just
 * took (see the top of the file). */
static bool renew_on_parent(Samrena *arena) {
  Chained *chained = state_of(arena);
  if (!chained->child)
    return true;
  uint64_t stamp = samrena__renew_release(parent_of(chained), chained->parent_stamp,
                                          chained_orphan, arena);
  if (stamp == 0)
    return false;
  chained->parent_stamp = stamp;
  return true;
}

/* bytes from the source, aligned for any object; NULL when the source (or
 * the parent's registration) fails. */
static void *source_take(Samrena *arena, uint64_t bytes) {
  Chained *chained = state_of(arena);
  if (bytes > SIZE_MAX - SAMRENA__MAX_ALIGN)
    return NULL;
  size_t asked = (size_t)bytes + (size_t)SAMRENA__MAX_ALIGN;
  unsigned char *given = chained->source.alloc(asked, chained->source.ctx);
  if (given == NULL)
    return NULL;
  if (!renew_on_parent(arena)) {
    chained->source.free(asked, given, chained->source.ctx);
    return NULL;
  }
  unsigned char *memory = given + 1 + samrena__padding_for(given + 1, SAMRENA__MAX_ALIGN);
  memory[-1] = (unsigned char)(memory - given);
  return memory;
}

/* Gives memory from source_take, of that many bytes, back to the source. */
static void source_give_back(const Chained *chained, void *memory, uint64_t bytes) {
  unsigned char *start = memory;
  unsigned char *given = start - start[-1];
  chained->source.free((size_t)bytes + (size_t)SAMRENA__MAX_ALIGN, given, chained->source.ctx);
}

/* Blocks of at most this many bytes, released by a destroyed arena, wait
 * in a process-wide cache (cache.h) for the next block of the same size
 * (header, handle and payload together): an arena per request then costs
 * no malloc and no free, its handle living in its first block, whose free
 * would also make glibc consolidate its heap.  Four slots: at most 1 MiB
 * is kept. */
#define CHAINED_CACHE_MAX_BLOCK (UINT64_C(256) << 10)

/* All the bytes of a block, as malloc'd or taken from the source. */
static uint64_t block_total(const ChainedBlock *block) {
  return (uint64_t)(block->data - (const unsigned char *)block) + block->size;
}

/* Gives a block back to malloc (chained NULL, or without a source) or to
 * the source, which may hand its memory out again, so it must not stay
 * poisoned. */
static void block_release(const Chained *chained, ChainedBlock *block) {
  SAMRENA__UNPOISON(block_data(block), block->size);
  if (chained != NULL && has_source(chained))
    source_give_back(chained, block, block_total(block));
  else
    free(block);
}

static void free_cached(const SamrenaCacheEntry *entry) {
  block_release(NULL, entry->memory);
}

static SamrenaCache samrena_chained_cache = SAMRENA__CACHE_INIT(free_cached);

static ChainedBlock *block_from_cache(uint64_t bytes) {
  SamrenaCacheEntry entry;
  if (bytes > CHAINED_CACHE_MAX_BLOCK || !samrena__cache_take(&samrena_chained_cache, bytes, &entry))
    return NULL;
  return entry.memory;
}

/* The bytes of a block with prefix bytes before its payload. */
static uint64_t block_bytes(uint64_t prefix, uint64_t payload_size) {
  return BLOCK_HEADER_SIZE + prefix + payload_size;
}

/* A block of payload_size bytes for arena, from its source or else from
 * the cache or malloc (arena NULL: for an arena being made, malloc'd), the
 * first prefix bytes after its header kept for the arena's handle; NULL
 * with the error recorded when the size is not representable or no memory
 * can be had.  Pre: prefix is small. */
static ChainedBlock *block_new(Samrena *arena, uint64_t payload_size, uint64_t prefix) {
  if (payload_size > SAMRENA__MAX_FOOTPRINT - BLOCK_HEADER_SIZE - prefix ||
      payload_size > SIZE_MAX - BLOCK_HEADER_SIZE - prefix)
    return samrena__fail_null(SAMRENA_ERROR_OVERFLOW);
  uint64_t bytes = block_bytes(prefix, payload_size);
  ChainedBlock *block;
  if (arena != NULL && has_source(state_of(arena))) {
    block = source_take(arena, bytes);
  } else {
    block = block_from_cache(bytes);
    if (block == NULL)
      block = samrena__malloc((size_t)bytes);
  }
  if (block == NULL)
    return samrena__fail_null(SAMRENA_ERROR_OUT_OF_MEMORY);
  /* A cached block was poisoned over its old payload, which may cover
   * where the handle goes now (a large block becoming a first block). */
  SAMRENA__UNPOISON((unsigned char *)block + BLOCK_HEADER_SIZE, prefix);
  block->next = NULL;
  block->data = (unsigned char *)block + BLOCK_HEADER_SIZE + prefix;
  block->size = payload_size;
  block->used = 0;
  SAMRENA__POISON(block_data(block), payload_size);
  return block;
}

/* A block of payload_size bytes for the arena, within its budget: NULL
 * with OUT_OF_MEMORY recorded when the block would take it past. */
static ChainedBlock *block_obtain(Samrena *arena, uint64_t payload_size) {
  Chained *chained = state_of(arena);
  if (payload_size > SAMRENA__MAX_FOOTPRINT - BLOCK_HEADER_SIZE)
    return samrena__fail_null(SAMRENA_ERROR_OVERFLOW);
  if (!samrena__within_limit(arena, chained->held, block_bytes(0, payload_size)))
    return samrena__fail_null(SAMRENA_ERROR_OUT_OF_MEMORY);
  ChainedBlock *block = block_new(arena, payload_size, 0);
  if (block != NULL)
    chained->held += block_total(block);
  return block;
}

/* What the budget leaves for a new block's payload; UINT64_MAX without one. */
static uint64_t budget_payload(const Samrena *arena) {
  uint64_t limit = arena->limit_bytes, held = state_of(arena)->held;
  if (limit == 0)
    return UINT64_MAX;
  return held < limit && limit - held > BLOCK_HEADER_SIZE ? limit - held - BLOCK_HEADER_SIZE : 0;
}

/* A block of a destroyed arena goes to the cache when it fits there and
 * is malloc's.  A cached block is poisoned, as a new one is, before
 * another thread can take it. */
static void block_retire(const Chained *chained, ChainedBlock *block) {
  uint64_t bytes = block_total(block);
  SamrenaCacheEntry entry = {block, bytes, 0};
  if (bytes <= CHAINED_CACHE_MAX_BLOCK && !has_source(chained)) {
    SAMRENA__POISON(block_data(block), block->size);
    if (samrena__cache_put(&samrena_chained_cache, &entry))
      return;
  }
  block_release(chained, block);
}

static void free_list(const Chained *chained, ChainedBlock *block) {
  while (block != NULL) {
    ChainedBlock *next = block->next;
    block_retire(chained, block);
    block = next;
  }
}

/* Poisons the payload of every block of a list, from `block` on. */
static void poison_list(ChainedBlock *block) {
  for (; block != NULL; block = block->next)
    SAMRENA__POISON(block_data(block), block->size);
}

/* Whether size bytes aligned to alignment fit in an empty block. */
static bool fits_empty(ChainedBlock *block, uint64_t size, uint64_t alignment) {
  uint64_t padding = samrena__padding_for(block_data(block), alignment);
  return padding <= block->size && size <= block->size - padding;
}

static void point_cursor_at(Samrena *arena, ChainedBlock *block) {
  arena->fast.cursor = block_data(block);
  arena->limit = arena->fast.cursor + block->size;
}

/* Makes block, which follows current, the current block. */
static void advance_to(Samrena *arena, ChainedBlock *block) {
  Chained *chained = state_of(arena);
  chained->retired_used += (uint64_t)(arena->fast.cursor - block_data(chained->current));
  chained->retired_tails += (uint64_t)(arena->limit - arena->fast.cursor);
  chained->current = block;
  point_cursor_at(arena, block);
}

/* Exponential growth stops at blocks of this many bytes, or of the first
 * new block's size if that is larger: past it a block's malloc is an mmap
 * of its own anyway, and a still larger one would mostly sit unused. */
#define CHAINED_GROWTH_CAP (UINT64_C(64) << 20)

/* The block after next_block_bytes: factor times it, rounded up to the
 * page, at most max_block_bytes (a multiple of the page).  In floating
 * point, so no product can overflow. */
static void grow_next_block(Chained *chained) {
  if (chained->growth_factor == 1.0)
    return;
  double grown = (double)chained->next_block_bytes * chained->growth_factor;
  chained->next_block_bytes = grown < (double)chained->max_block_bytes
                                  ? samrena__align_up((uint64_t)grown, chained->page_size)
                                  : chained->max_block_bytes;
}

static void *bump(Samrena *arena, uint64_t size, uint64_t alignment) {
  unsigned char *result = arena->fast.cursor + samrena__padding_for(arena->fast.cursor, alignment);
  arena->fast.cursor = result + size;
  return result;
}

/* ------------------------------------------------------------------- ops */

static bool chained_available(void) {
  return true;
}

static void init_growth(Chained *chained, const SamrenaSettings *settings) {
  chained->page_size = settings->page_size;
  chained->next_block_bytes = settings->growth_bytes;
  chained->growth_factor = settings->growth_factor;
  chained->max_block_bytes =
      settings->growth_bytes > CHAINED_GROWTH_CAP ? settings->growth_bytes : CHAINED_GROWTH_CAP;
}

/* With a block source: the handle malloc'd, then the first block from the
 * source.  An allocator without functions, or an arena allocator of no
 * arena, is a NULL pointer. */
static Samrena *create_on_source(const Samrena *proto, const SamrenaSettings *settings,
                                 SamrenaError *error) {
  const SamrenaAllocator *source = settings->block_source;
  Samrena *parent = NULL;
  bool child = samrena__is_arena_allocator(source, &parent);
  if (source->alloc == NULL || source->free == NULL || (child && parent == NULL)) {
    *error = SAMRENA_ERROR_NULL_POINTER;
    return NULL;
  }
  Samrena *arena = samrena__malloc((size_t)SAMRENA__HANDLE_BYTES);
  if (arena == NULL) {
    *error = SAMRENA_ERROR_OUT_OF_MEMORY;
    return NULL;
  }
  samrena__place_handle(arena, proto, sizeof(Chained));
  Chained *chained = state_of(arena);
  init_growth(chained, settings);
  chained->source = *source;
  chained->child = child;
  ChainedBlock *first = block_new(arena, settings->initial_bytes, 0);
  if (first == NULL) {
    *error = samrena_last_error();
    free(arena);
    return NULL;
  }
  chained->first = chained->current = first;
  chained->held = block_total(first);
  point_cursor_at(arena, first);
  return arena;
}

/* The handle lives in the first block, after its header. */
static Samrena *chained_create(const Samrena *proto, const SamrenaSettings *settings,
                               SamrenaError *error) {
  if (settings->block_source != NULL)
    return create_on_source(proto, settings, error);
  ChainedBlock *first = block_new(NULL, settings->initial_bytes, SAMRENA__HANDLE_BYTES);
  if (first == NULL) {
    *error = samrena_last_error();
    return NULL;
  }
  Samrena *arena = samrena__place_handle((unsigned char *)first + BLOCK_HEADER_SIZE, proto,
                                         sizeof(Chained));
  Chained *chained = state_of(arena);
  init_growth(chained, settings);
  chained->first = chained->current = first;
  chained->held = block_total(first);
  point_cursor_at(arena, first);
  return arena;
}

/* The first block, which holds the handle and so this state, goes last;
 * with a source, the handle is malloc's and goes after every block.  An
 * orphaned child has no blocks left to give back. */
static void chained_destroy(Samrena *arena) {
  Chained kept = *state_of(arena); /* the first block may hold it */
  if (!kept.orphaned) {
    if (kept.parent_stamp != 0)
      samrena__cancel_release(parent_of(&kept), kept.parent_stamp);
    free_list(&kept, kept.large);
    free_list(&kept, kept.large_spares);
    free_list(&kept, kept.first);
  }
  if (has_source(&kept))
    free(arena);
}

/* The parent is giving back memory of this child's (see the top of the
 * file), which still stands: the child's cleanups run now, and the child
 * takes nothing more.  Its handle is its own, so it may still be destroyed. */
static void chained_orphan(void *data) {
  Samrena *arena = data;
  Chained *chained = state_of(arena);
  chained->parent_stamp = 0;
  chained->orphaned = true;
  samrena__release_all(arena);
  if (arena->debug != NULL) /* its pushes are checked while their memory stands */
    samrena__debug_give_back(arena, 0);
  arena->limit = arena->fast.cursor;
  samrena__publish_limit(arena);
}

/* The smallest spare large block that holds the push, unlinked; or NULL. */
static ChainedBlock *take_best_large_spare(Chained *chained, uint64_t size, uint64_t alignment) {
  ChainedBlock **best = NULL;
  for (ChainedBlock **link = &chained->large_spares; *link != NULL; link = &(*link)->next)
    if (fits_empty(*link, size, alignment) && (best == NULL || (*link)->size < (*best)->size))
      best = link;
  if (best == NULL)
    return NULL;
  ChainedBlock *block = *best;
  *best = block->next;
  return block;
}

/* The payload a fresh block needs for the push: block data is already
 * aligned to malloc's alignment, so only a stricter alignment costs slack. */
static uint64_t fresh_block_need(uint64_t size, uint64_t alignment) {
  return size + (alignment > SAMRENA__MAX_ALIGN ? alignment - 1 : 0);
}

/* A block of its own for a push too big for a normal block; the current
 * block stays current, so its free end is not lost. */
static void *push_large(Samrena *arena, uint64_t size, uint64_t alignment) {
  Chained *chained = state_of(arena);
  ChainedBlock *block = take_best_large_spare(chained, size, alignment);
  if (block == NULL) {
    block = block_obtain(arena, fresh_block_need(size, alignment));
    if (block == NULL)
      return NULL;
  }
  unsigned char *data = block_data(block);
  uint64_t padding = samrena__padding_for(data, alignment);
  block->used = padding + size;
  block->next = chained->large;
  if (chained->large == NULL)
    chained->large_oldest = block;
  chained->large = block;
  chained->retired_used += block->used;
  return data + padding;
}

static void *chained_push_slow(Samrena *arena, uint64_t size, uint64_t alignment) {
  Chained *chained = state_of(arena);
  if (chained->orphaned)
    return samrena__fail_null(SAMRENA_ERROR_UNSUPPORTED_OPERATION);
  ChainedBlock *spare = chained->current->next;
  if (spare != NULL && fits_empty(spare, size, alignment)) {
    advance_to(arena, spare);
    return bump(arena, size, alignment);
  }
  uint64_t need = fresh_block_need(size, alignment);
  if (need > chained->next_block_bytes)
    return push_large(arena, size, alignment);

  /* Near the budget, a smaller block that holds the push still fits. */
  uint64_t payload = chained->next_block_bytes, left = budget_payload(arena);
  if (payload > left && left >= need)
    payload = left;
  ChainedBlock *block = block_obtain(arena, payload);
  if (block == NULL)
    return NULL;
  grow_next_block(chained);
  block->next = spare;
  chained->current->next = block;
  advance_to(arena, block);
  return bump(arena, size, alignment);
}

static void chained_zero(Samrena *arena, void *ptr, uint64_t size) {
  (void)arena;
  memset(ptr, 0, (size_t)size);
}

static uint64_t chained_allocated(const Samrena *arena) {
  Chained *chained = state_of(arena);
  return chained->retired_used + (uint64_t)(arena->fast.cursor - block_data(chained->current));
}

static uint64_t list_payload(const ChainedBlock *block) {
  uint64_t total = 0;
  for (; block != NULL; block = block->next)
    total += block->size;
  return total;
}

static uint64_t chained_capacity(const Samrena *arena) {
  Chained *chained = state_of(arena);
  return chained_allocated(arena) + (uint64_t)(arena->limit - arena->fast.cursor) +
         list_payload(chained->current->next) + list_payload(chained->large_spares);
}

static void chained_reset(Samrena *arena) {
  Chained *chained = state_of(arena);
  if (chained->large != NULL) {
    chained->large_oldest->next = chained->large_spares;
    chained->large_spares = chained->large;
    chained->large = chained->large_oldest = NULL;
  }
  chained->current = chained->first;
  chained->retired_used = 0;
  chained->retired_tails = 0;
  point_cursor_at(arena, chained->first);
  if (SAMRENA__POISONING()) {
    poison_list(chained->first);
    poison_list(chained->large_spares);
  }
}

/* As new when it holds its first block only, from malloc, and grows
 * linearly (exponential growth would go on from the size it reached). */
static bool chained_renew(Samrena *arena) {
  Chained *chained = state_of(arena);
  if (has_source(chained) || chained->growth_factor != 1.0 || chained->first->next != NULL ||
      chained->large != NULL || chained->large_spares != NULL)
    return false;
  chained_reset(arena);
  return true;
}

/* One spare block, right after the current one, covering the shortfall. */
static SamrenaError chained_reserve(Samrena *arena, uint64_t min_capacity) {
  Chained *chained = state_of(arena);
  uint64_t shortfall = min_capacity - chained_capacity(arena);
  uint64_t size;
  if (!samrena__round_up_checked(shortfall, chained->page_size, &size))
    return samrena__fail(SAMRENA_ERROR_OVERFLOW);
  if (size < chained->next_block_bytes && chained->next_block_bytes <= budget_payload(arena))
    size = chained->next_block_bytes;
  ChainedBlock *block = block_obtain(arena, size);
  if (block == NULL)
    return samrena_last_error();
  block->next = chained->current->next;
  chained->current->next = block;
  return SAMRENA_OK;
}

/* Frees the spares of *list that capacity can spare while staying >= floor.
 * Trimming means giving memory back: the blocks go to free(3), never to
 * the cache, where they would stay held by the process. */
static void free_spares_above(Chained *chained, ChainedBlock **list, uint64_t *capacity,
                              uint64_t floor) {
  while (*list != NULL) {
    ChainedBlock *block = *list;
    if (*capacity - block->size >= floor) {
      *capacity -= block->size;
      *list = block->next;
      chained->held -= block_total(block);
      block_release(chained, block);
    } else {
      list = &block->next;
    }
  }
}

static SamrenaError chained_trim(Samrena *arena, uint64_t keep_bytes) {
  Chained *chained = state_of(arena);
  uint64_t allocated = chained_allocated(arena);
  uint64_t floor = keep_bytes > allocated ? keep_bytes : allocated;
  uint64_t capacity = chained_capacity(arena);
  free_spares_above(chained, &chained->large_spares, &capacity, floor);
  free_spares_above(chained, &chained->current->next, &capacity, floor);
  return SAMRENA_OK;
}

static void count_list(const ChainedBlock *block, SamrenaStats *out) {
  for (; block != NULL; block = block->next) {
    out->committed += block_total(block);
    out->blocks++;
  }
}

static void chained_stats(const Samrena *arena, SamrenaStats *out) {
  Chained *chained = state_of(arena);
  count_list(chained->first, out);
  count_list(chained->large, out);
  count_list(chained->large_spares, out);
  out->reserved = out->committed;
  out->wasted = chained->retired_tails;
  for (const ChainedBlock *block = chained->large; block != NULL; block = block->next)
    out->wasted += block->size - block->used;
}

static void chained_save(const Samrena *arena, SamrenaPosition *out) {
  Chained *chained = state_of(arena);
  out->cursor = arena->fast.cursor;
  out->block = chained->current;
  out->large = chained->large;
  out->retired_used = chained->retired_used;
  out->retired_tails = chained->retired_tails;
}

/* Blocks after the saved one become spares again, in order; large blocks
 * taken since go back to the large spares. */
static void chained_restore(Samrena *arena, const SamrenaPosition *position) {
  Chained *chained = state_of(arena);
  while (chained->large != position->large) {
    ChainedBlock *block = chained->large;
    chained->large = block->next;
    block->next = chained->large_spares;
    chained->large_spares = block;
    SAMRENA__POISON(block_data(block), block->size);
  }
  if (chained->large == NULL)
    chained->large_oldest = NULL;
  chained->current = position->block;
  chained->retired_used = position->retired_used;
  chained->retired_tails = position->retired_tails;
  point_cursor_at(arena, chained->current);
  arena->fast.cursor = position->cursor;
  if (SAMRENA__POISONING()) {
    SAMRENA__POISON(arena->fast.cursor, arena->limit - arena->fast.cursor);
    poison_list(chained->current->next);
  }
}

static void chained_rewind(Samrena *arena, unsigned char *cursor) {
  SAMRENA__POISON(cursor, arena->fast.cursor - cursor);
  arena->fast.cursor = cursor;
}

/* A malloc'd block cannot grow in place. */
static bool chained_extend(Samrena *arena, uint64_t bytes) {
  (void)arena;
  (void)bytes;
  return false;
}

/* The largest push block holds when empty; 0 for none. */
static uint64_t empty_room(const ChainedBlock *block, uint64_t alignment) {
  if (block == NULL)
    return 0;
  uint64_t padding = samrena__padding_for(block->data, alignment);
  return padding <= block->size ? block->size - padding : 0;
}

/* The largest push a spare large block holds. */
static uint64_t largest_spare(const ChainedBlock *block, uint64_t alignment) {
  uint64_t largest = 0;
  for (; block != NULL; block = block->next)
    if (empty_room(block, alignment) > largest)
      largest = empty_room(block, alignment);
  return largest;
}

/* Any push a block can hold: the block and its header within an object's
 * limits, and room for the padding when the alignment exceeds malloc's.
 * Under a budget, what a new block it leaves room for holds, or a spare. */
static uint64_t chained_room(const Samrena *arena, uint64_t alignment) {
  uint64_t limit = SAMRENA__MAX_FOOTPRINT < SIZE_MAX ? SAMRENA__MAX_FOOTPRINT : SIZE_MAX;
  uint64_t slack = alignment > SAMRENA__MAX_ALIGN ? alignment - 1 : 0;
  uint64_t room = limit - BLOCK_HEADER_SIZE - slack;
  if (arena == NULL || arena->limit_bytes == 0)
    return room;
  Chained *chained = state_of(arena);
  uint64_t left = budget_payload(arena);
  uint64_t fresh = left > slack ? left - slack : 0;
  if (fresh < room)
    room = fresh;
  uint64_t spare = empty_room(chained->current->next, alignment);
  uint64_t large_spare = largest_spare(chained->large_spares, alignment);
  if (spare > room)
    room = spare;
  return large_spare > room ? large_spare : room;
}

/* The scope stack: malloc'd, or with a source taken from it as a block
 * is (a child's stack then lives in its parent, as its blocks do). */
static void *chained_resize_bookkeeping(Samrena *arena, void *ptr, size_t old_size,
                                        size_t new_size) {
  Chained *chained = state_of(arena);
  if (!has_source(chained)) {
    if (new_size != 0)
      return samrena__realloc(ptr, new_size);
    free(ptr);
    return NULL;
  }
  if (chained->orphaned)
    return NULL; /* the old block went with the parent's memory */
  void *block = NULL;
  if (new_size != 0) {
    block = source_take(arena, new_size);
    if (block == NULL)
      return NULL;
    if (ptr != NULL)
      memcpy(block, ptr, old_size < new_size ? old_size : new_size);
  }
  if (ptr != NULL)
    source_give_back(chained, ptr, old_size);
  return block;
}

const SamrenaOps samrena__chained_ops = {
    .name = "chained",
    .strategy = SAMRENA_STRATEGY_CHAINED,
    .capabilities =
        SAMRENA_CAP_ZERO_COPY_GROWTH | SAMRENA_CAP_RESET | SAMRENA_CAP_RESERVE | SAMRENA_CAP_GROWS,
    .fallback = SAMRENA_STRATEGY_DEFAULT,
    .takes = SAMRENA__TAKES_BLOCK_SOURCE,
    .available = chained_available,
    .create = chained_create,
    .destroy = chained_destroy,
    .push_slow = chained_push_slow,
    .zero = chained_zero,
    .allocated = chained_allocated,
    .capacity = chained_capacity,
    .reset = chained_reset,
    .reserve = chained_reserve,
    .trim = chained_trim,
    .stats = chained_stats,
    .save = chained_save,
    .restore = chained_restore,
    .rewind = chained_rewind,
    .extend = chained_extend,
    .room = chained_room,
    .resize_bookkeeping = chained_resize_bookkeeping,
    .renew = chained_renew,
};
