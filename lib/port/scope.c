/* port/scope.c -- marks (samrena_save / samrena_restore) and cleanups
 * (samrena_on_release).
 *
 * Both live on one stack per arena, in the order they were made: restoring
 * a mark runs the cleanups above it, newest first, and pops everything
 * above it; a reset pops everything.  Each entry carries the arena's stamp
 * when it was made, which grows along the stack and is never reused, so an
 * entry is found by a binary search (the newest, the common case, is
 * looked at first).  A mark carries the arena's serial and its entry's
 * stamp: a mark whose entry was popped -- by a restore to an older mark or
 * by a reset -- or that belongs to another arena finds no matching entry.
 * Both numbers are 64 bits wide and never reused, so stale and foreign
 * marks are told apart for the life of the process.
 *
 * The stack is one block, which the adapter places
 * (SamrenaOps.resize_bookkeeping): malloc'd, or inside the arena's own
 * memory for an arena that makes no malloc (a buffer or a child arena).
 * Its entries are made and dropped last in, first out, which is what lets
 * an adapter keep it at the far end of a fixed buffer.
 */
#include <config.h>

#include "port/internal.h"
#include "fault.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Entries of a stack's first block: 8 of them are 576 bytes on 64-bit
 * targets, little to take from a small buffer. */
#define FIRST_CAPACITY 8

static _Atomic uint64_t samrena_serials;

/* An arena takes its serial at its first samrena_save, so one that never
 * saves (an arena per request, usually) never touches the shared counter.
 * 0 is never handed out: it means "no serial yet", and no mark carries it. */
static uint64_t serial_of(Samrena *arena) {
  if (arena->serial == 0)
    arena->serial = atomic_fetch_add_explicit(&samrena_serials, 1, memory_order_relaxed) + 1;
  return arena->serial;
}

#if SAMRENA_FAULT_INJECTION
void samrena_fault_skip_serials(uint64_t count) {
  atomic_fetch_add_explicit(&samrena_serials, count, memory_order_relaxed);
}
#endif

void samrena__note_peak(Samrena *arena) {
  uint64_t allocated = arena->ops->allocated(arena);
  if (allocated > arena->peak_allocated)
    arena->peak_allocated = allocated;
}

/* The stack's block grown to capacity entries (more than it has), by the
 * adapter or by malloc; NULL when it cannot be had. */
static SamrenaScopeEntry *grow_stack_block(Samrena *arena, size_t capacity) {
  size_t old_bytes = arena->scope_capacity * sizeof *arena->scopes;
  size_t new_bytes = capacity * sizeof *arena->scopes;
  void *block;
  if (arena->ops->resize_bookkeeping != NULL) {
    block = arena->ops->resize_bookkeeping(arena, arena->scopes, old_bytes, new_bytes);
    samrena__publish_limit(arena); /* the block may come from the span */
  } else {
    block = samrena__realloc(arena->scopes, new_bytes);
  }
  return block;
}

/* The stack's block given back, to the adapter or to free().  Apart from
 * the growth, so that no path of a realloc can free (scan-build). */
static void free_stack_block(Samrena *arena) {
  size_t old_bytes = arena->scope_capacity * sizeof *arena->scopes;
  if (arena->ops->resize_bookkeeping != NULL) {
    arena->ops->resize_bookkeeping(arena, arena->scopes, old_bytes, 0);
    samrena__publish_limit(arena);
  } else {
    free(arena->scopes);
  }
}

/* Room for one more entry: the capacity doubled, or, where that cannot be
 * had (a buffer nearly full), one more. */
static bool grow_stack(Samrena *arena) {
  size_t count = arena->scope_count;
  if (count < arena->scope_capacity)
    return true;
  if (count >= SIZE_MAX / 2 / sizeof *arena->scopes)
    return false;
  size_t wanted[2] = {count ? 2 * count : FIRST_CAPACITY, count + 1};
  for (int i = 0; i < 2; i++) {
    SamrenaScopeEntry *scopes = grow_stack_block(arena, wanted[i]);
    if (scopes != NULL) {
      arena->scopes = scopes;
      arena->scope_capacity = wanted[i];
      return true;
    }
  }
  return false;
}

/* A new entry on top of the stack, of that kind, with the next stamp; NULL
 * with OUT_OF_MEMORY recorded when the stack cannot grow. */
static SamrenaScopeEntry *push_entry(Samrena *arena, uint32_t kind) {
  if (!grow_stack(arena))
    return samrena__fail_null(SAMRENA_ERROR_OUT_OF_MEMORY);
  SamrenaScopeEntry *entry = &arena->scopes[arena->scope_count++];
  entry->kind = kind;
  entry->debug_records = 0;
  entry->stamp = ++arena->fast.stamp;
  return entry;
}

/* Pops the entries above the first `count`, newest first, running each
 * cleanup once it is off the stack: the callback may use the arena, even
 * register more (which are popped and run in turn). */
static void pop_to(Samrena *arena, size_t count) {
  if (arena->scope_count <= count)
    return; /* nothing popped: newest_mark still holds (every reset and destroy) */
  while (arena->scope_count > count) {
    SamrenaScopeEntry entry = arena->scopes[--arena->scope_count];
    if (entry.kind == SAMRENA__SCOPE_CLEANUP)
      entry.u.cleanup.fn(entry.u.cleanup.data);
  }
  size_t i = arena->newest_mark < arena->scope_count ? arena->newest_mark : arena->scope_count;
  while (i > 0 && arena->scopes[i - 1].kind != SAMRENA__SCOPE_MARK)
    i--;
  arena->newest_mark = i;
}

void samrena__release_all(Samrena *arena) {
  pop_to(arena, 0);
  arena->reset_stamp = ++arena->fast.stamp;
}

void samrena__unwind_to_stamp(Samrena *arena, uint64_t stamp) {
  size_t count = arena->scope_count;
  while (count > 0 && arena->scopes[count - 1].stamp > stamp)
    count--;
  pop_to(arena, count);
}

void samrena__free_scopes(Samrena *arena) {
  samrena__release_all(arena);
  if (arena->scope_capacity != 0)
    free_stack_block(arena);
  arena->scopes = NULL;
  arena->scope_capacity = 0;
}

/* The live entry with this stamp, or NULL. */
static SamrenaScopeEntry *find_entry(Samrena *arena, uint64_t stamp) {
  size_t low = 0, high = arena->scope_count;
  if (high > 0 && arena->scopes[high - 1].stamp <= stamp)
    low = high - 1; /* the newest entry, or none */
  while (low < high) {
    size_t middle = low + (high - low) / 2;
    if (arena->scopes[middle].stamp == stamp)
      return &arena->scopes[middle];
    if (arena->scopes[middle].stamp < stamp)
      low = middle + 1;
    else
      high = middle;
  }
  return NULL;
}

static SamrenaMark encode_mark(Samrena *arena, uint64_t stamp) {
  SamrenaMark mark;
  mark.opaque[0] = serial_of(arena);
  mark.opaque[1] = stamp;
  return mark;
}

/* The entry a mark names, or NULL when it is foreign or stale. */
static SamrenaScopeEntry *entry_of(Samrena *arena, SamrenaMark mark) {
  if (mark.opaque[0] == 0 || mark.opaque[0] != arena->serial || mark.opaque[1] == 0)
    return NULL;
  SamrenaScopeEntry *entry = find_entry(arena, mark.opaque[1]);
  return entry != NULL && entry->kind == SAMRENA__SCOPE_MARK ? entry : NULL;
}

static bool same_position(const SamrenaPosition *a, const SamrenaPosition *b) {
  return a->cursor == b->cursor && a->block == b->block && a->large == b->large &&
         a->retired_used == b->retired_used && a->retired_tails == b->retired_tails &&
         a->outer[0] == b->outer[0] && a->outer[1] == b->outer[1];
}

/* A save where the top mark was taken, with nothing pushed or registered
 * since, returns that mark: loops that save without restoring stay O(1)
 * in memory. */
SamrenaMark samrena_save(Samrena *arena) {
  SamrenaMark invalid = {{0, 0}};
  if (arena == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return invalid;
  }
  SamrenaPosition now;
  memset(&now, 0, sizeof now);
  arena->ops->save(arena, &now);
  if (arena->scope_count > 0) {
    const SamrenaScopeEntry *top = &arena->scopes[arena->scope_count - 1];
    if (top->kind == SAMRENA__SCOPE_MARK && same_position(&top->u.position, &now) &&
        top->debug_records == samrena__debug_records(arena))
      return encode_mark(arena, top->stamp);
  }
  SamrenaScopeEntry *entry = push_entry(arena, SAMRENA__SCOPE_MARK);
  if (entry == NULL)
    return invalid;
  entry->u.position = now;
  entry->debug_records = samrena__debug_records(arena);
  arena->newest_mark = arena->scope_count;
  return encode_mark(arena, entry->stamp);
}

SamrenaError samrena_restore(Samrena *arena, SamrenaMark mark) {
  if (arena == NULL)
    return samrena__fail(SAMRENA_ERROR_NULL_POINTER);
  SamrenaScopeEntry *entry = entry_of(arena, mark);
  if (entry == NULL)
    return samrena__fail(SAMRENA_ERROR_INVALID_PARAMETER);
  size_t index = (size_t)(entry - arena->scopes);
  samrena__note_peak(arena);
  pop_to(arena, index + 1);
  /* A cleanup that reset the arena, or restored an older mark, ended
   * this one too: nothing is left to do. */
  if (arena->scope_count <= index || arena->scopes[index].stamp != mark.opaque[1])
    return SAMRENA_OK;
  if (arena->debug != NULL) /* after the cleanups, which may still read what goes */
    samrena__debug_give_back(arena, arena->scopes[index].debug_records);
  SamrenaPosition position = arena->scopes[index].u.position;
  arena->ops->restore(arena, &position);
  samrena__publish_limit(arena);
  arena->newest_mark = index + 1; /* the mark itself stays valid */
  arena->fast.stamp++;
  return SAMRENA_OK;
}

SamrenaError samrena_on_release(Samrena *arena, void (*fn)(void *data), void *data) {
  if (arena == NULL || fn == NULL)
    return samrena__fail(SAMRENA_ERROR_NULL_POINTER);
  SamrenaScopeEntry *entry = push_entry(arena, SAMRENA__SCOPE_CLEANUP);
  if (entry == NULL)
    return SAMRENA_ERROR_OUT_OF_MEMORY;
  entry->u.cleanup.fn = fn;
  entry->u.cleanup.data = data;
  return SAMRENA_OK;
}

/* A registration on top of the stack is made newer by a new stamp alone;
 * one lower down is replaced, and cancelled once the new one is made. */
uint64_t samrena__renew_release(Samrena *arena, uint64_t stamp, void (*fn)(void *data), void *data) {
  if (stamp != 0 && arena->scope_count > 0) {
    SamrenaScopeEntry *top = &arena->scopes[arena->scope_count - 1];
    if (top->stamp == stamp && top->kind == SAMRENA__SCOPE_CLEANUP) {
      top->stamp = ++arena->fast.stamp;
      return top->stamp;
    }
  }
  SamrenaScopeEntry *entry = push_entry(arena, SAMRENA__SCOPE_CLEANUP);
  if (entry == NULL)
    return 0;
  entry->u.cleanup.fn = fn;
  entry->u.cleanup.data = data;
  uint64_t fresh = entry->stamp;
  if (stamp != 0)
    samrena__cancel_release(arena, stamp);
  return fresh;
}

/* A cancelled entry stays where it is, and is skipped, until it reaches
 * the top of the stack, which then drops it. */
void samrena__cancel_release(Samrena *arena, uint64_t stamp) {
  SamrenaScopeEntry *entry = find_entry(arena, stamp);
  if (entry == NULL || entry->kind != SAMRENA__SCOPE_CLEANUP)
    return;
  entry->kind = SAMRENA__SCOPE_CANCELLED;
  while (arena->scope_count > 0 &&
         arena->scopes[arena->scope_count - 1].kind == SAMRENA__SCOPE_CANCELLED)
    arena->scope_count--;
}
