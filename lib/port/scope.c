/* port/scope.c -- marks (samrena_save / samrena_restore) and cleanups
 * (samrena_on_release).
 *
 * Live marks are kept on a stack beside the arena, in the order they were
 * taken.  A mark carries the arena's serial and its entry's sequence
 * number; sequence numbers grow along the stack, so the entry is found by
 * a binary search (the newest mark, the common case, is looked at first).
 * A mark whose entry was popped -- by a restore to an older mark or by a
 * reset -- or that belongs to another arena finds no matching entry.  Both
 * numbers are 64 bits wide and never reused, so stale and foreign marks
 * are told apart for the life of the process.
 */
#include <config.h>

#include "port/internal.h"
#include "fault.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

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

/* Runs, newest first, the cleanups registered after `until`, and frees them. */
static void run_cleanups_down_to(Samrena *arena, SamrenaCleanup *until) {
  while (arena->cleanups != until) {
    SamrenaCleanup *cleanup = arena->cleanups;
    arena->cleanups = cleanup->next;
    cleanup->fn(cleanup->data);
    free(cleanup);
  }
}

void samrena__release_all(Samrena *arena) {
  run_cleanups_down_to(arena, NULL);
  arena->mark_count = 0;
  arena->reset_stamp = ++arena->fast.stamp;
}

void samrena__unwind_to_stamp(Samrena *arena, uint64_t stamp) {
  while (arena->cleanups != NULL && arena->cleanups->stamp > stamp) {
    SamrenaCleanup *cleanup = arena->cleanups;
    arena->cleanups = cleanup->next;
    cleanup->fn(cleanup->data);
    free(cleanup);
  }
  while (arena->mark_count > 0 && arena->marks[arena->mark_count - 1].stamp > stamp)
    arena->mark_count--;
}

void samrena__free_scopes(Samrena *arena) {
  samrena__release_all(arena);
  free(arena->marks);
  arena->marks = NULL;
  arena->mark_capacity = 0;
}

static SamrenaMark encode_mark(Samrena *arena, uint64_t sequence) {
  SamrenaMark mark;
  mark.opaque[0] = serial_of(arena);
  mark.opaque[1] = sequence;
  return mark;
}

/* The live entry with this sequence number, or NULL. */
static SamrenaMarkEntry *find_entry(Samrena *arena, uint64_t sequence) {
  size_t low = 0, high = arena->mark_count;
  if (high > 0 && arena->marks[high - 1].sequence <= sequence)
    low = high - 1; /* the newest mark, or none */
  while (low < high) {
    size_t middle = low + (high - low) / 2;
    if (arena->marks[middle].sequence == sequence)
      return &arena->marks[middle];
    if (arena->marks[middle].sequence < sequence)
      low = middle + 1;
    else
      high = middle;
  }
  return NULL;
}

/* The entry a mark names, or NULL when it is foreign or stale. */
static SamrenaMarkEntry *entry_of(Samrena *arena, SamrenaMark mark) {
  if (mark.opaque[0] == 0 || mark.opaque[0] != arena->serial || mark.opaque[1] == 0)
    return NULL;
  return find_entry(arena, mark.opaque[1]);
}

static bool same_place(const SamrenaMarkEntry *entry, const SamrenaMarkEntry *now) {
  const SamrenaPosition *a = &entry->position, *b = &now->position;
  return a->cursor == b->cursor && a->block == b->block && a->large == b->large &&
         a->retired_used == b->retired_used && a->retired_tails == b->retired_tails &&
         a->outer[0] == b->outer[0] && a->outer[1] == b->outer[1] &&
         entry->cleanups == now->cleanups && entry->debug_records == now->debug_records;
}

static bool grow_mark_stack(Samrena *arena) {
  if (arena->mark_count < arena->mark_capacity)
    return true;
  size_t capacity = arena->mark_capacity ? 2 * arena->mark_capacity : 16;
  if (capacity > SIZE_MAX / sizeof *arena->marks)
    return false;
  SamrenaMarkEntry *marks = samrena__realloc(arena->marks, capacity * sizeof *marks);
  if (marks == NULL)
    return false;
  arena->marks = marks;
  arena->mark_capacity = capacity;
  return true;
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
  SamrenaMarkEntry now;
  memset(&now, 0, sizeof now);
  arena->ops->save(arena, &now.position);
  now.cleanups = arena->cleanups;
  now.debug_records = samrena__debug_records(arena);
  if (arena->mark_count > 0 && same_place(&arena->marks[arena->mark_count - 1], &now)) {
    return encode_mark(arena, arena->marks[arena->mark_count - 1].sequence);
  }
  if (!grow_mark_stack(arena)) {
    samrena__fail(SAMRENA_ERROR_OUT_OF_MEMORY);
    return invalid;
  }
  now.sequence = ++arena->last_sequence;
  now.stamp = ++arena->fast.stamp;
  arena->marks[arena->mark_count] = now;
  arena->mark_count++;
  return encode_mark(arena, now.sequence);
}

SamrenaError samrena_restore(Samrena *arena, SamrenaMark mark) {
  if (arena == NULL)
    return samrena__fail(SAMRENA_ERROR_NULL_POINTER);
  SamrenaMarkEntry *entry = entry_of(arena, mark);
  if (entry == NULL)
    return samrena__fail(SAMRENA_ERROR_INVALID_PARAMETER);
  samrena__note_peak(arena);
  run_cleanups_down_to(arena, entry->cleanups);
  if (arena->debug != NULL)
    samrena__debug_give_back(arena, entry->debug_records);
  arena->ops->restore(arena, &entry->position);
  samrena__publish_limit(arena);
  arena->mark_count = (size_t)(entry - arena->marks) + 1; /* the mark itself stays valid */
  arena->fast.stamp++;
  return SAMRENA_OK;
}

SamrenaError samrena_on_release(Samrena *arena, void (*fn)(void *data), void *data) {
  if (arena == NULL || fn == NULL)
    return samrena__fail(SAMRENA_ERROR_NULL_POINTER);
  SamrenaCleanup *cleanup = samrena__malloc(sizeof *cleanup);
  if (cleanup == NULL)
    return samrena__fail(SAMRENA_ERROR_OUT_OF_MEMORY);
  cleanup->fn = fn;
  cleanup->data = data;
  cleanup->stamp = ++arena->fast.stamp;
  cleanup->next = arena->cleanups;
  arena->cleanups = cleanup;
  return SAMRENA_OK;
}
