/* port/debug.c -- the debug mode: a guard zone after every push, checked
 * when memory is given back, and a pattern over what was given back.
 *
 * The mode is on for an arena made with SAMRENA_FLAG_DEBUG or
 * config.enable_debug, and for every arena when the environment has
 * SAMRENA_DEBUG set to anything but "" or "0".  Its arenas keep their
 * fast limit at the cursor (samrena__publish_limit), so that every push,
 * the inline ones included, comes here.  Each push takes its size plus
 * SAMRENA__GUARD_BYTES, the guard filled with SAMRENA__GUARD_BYTE, and is
 * recorded in a log malloc'd apart from the arena: an overrun cannot
 * reach the records that describe it.  Reset, restore and destroy check
 * the guards of the pushes they give back and report each one written,
 * naming the arena and the push by its size and number (the n-th push of
 * the arena, from 1, never reused); reset and restore then fill what those
 * pushes took with SAMRENA__FREED_BYTE, so that a use after the reset
 * reads that, not the old, plausible data.
 *
 * A program that writes the guard byte itself past a push is not caught:
 * 0xFD is an unlikely value, and the price of any scheme that compares.
 */
#include <config.h>

#include "port/internal.h"
#include "fault.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  unsigned char *start;
  uint64_t size;
  uint64_t number;
} DebugRecord;

struct SamrenaDebugLog {
  DebugRecord *records;
  size_t count, capacity;
  uint64_t pushes; /* numbers handed out */
};

/* -1: not read yet; 0 or 1 once read.  Read once, as MALLOC_PERTURB_ is:
 * a program cannot switch the mode on for half of its arenas by mistake. */
static _Atomic int samrena_debug_env = -1;

bool samrena__debug_from_environment(void) {
  int on = atomic_load_explicit(&samrena_debug_env, memory_order_relaxed);
  if (on < 0) {
    const char *value = getenv("SAMRENA_DEBUG");
    on = value != NULL && value[0] != '\0' && strcmp(value, "0") != 0;
    atomic_store_explicit(&samrena_debug_env, on, memory_order_relaxed);
  }
  return on != 0;
}

SamrenaError samrena__debug_start(Samrena *arena) {
  SamrenaDebugLog *log = samrena__malloc(sizeof *log);
  if (log == NULL)
    return SAMRENA_ERROR_OUT_OF_MEMORY;
  *log = (SamrenaDebugLog){NULL, 0, 0, 0};
  arena->debug = log;
  arena->capabilities |= SAMRENA_CAP_DEBUG;
  return SAMRENA_OK;
}

void samrena__log(const Samrena *arena, const char *message) {
  if (arena->log_callback != NULL)
    arena->log_callback(message, arena->log_user_data);
  else
    fprintf(stderr, "%s\n", message);
}

/* The bytes of the record's guard that were written; 0 when it is whole.
 * The guard is poisoned (poison.h), so that a sanitizer reports a write
 * to it where it happens; the library vouches for reading it here. */
static uint64_t guard_damage(const DebugRecord *record) {
  const unsigned char *guard = record->start + record->size;
  SAMRENA__DEFINED(guard, SAMRENA__GUARD_BYTES);
  uint64_t damaged = 0;
  for (unsigned i = 0; i < SAMRENA__GUARD_BYTES; i++)
    damaged += guard[i] != SAMRENA__GUARD_BYTE;
  return damaged;
}

static void report_overrun(const Samrena *arena, const DebugRecord *record, uint64_t damaged) {
  char message[256];
  snprintf(message, sizeof message,
           "samrena: debug: arena \"%s\": written past the end of allocation #%" PRIu64
           " (%" PRIu64 " bytes at %p): %" PRIu64 " of the %u guard bytes after it changed",
           samrena_name(arena), record->number, record->size, (void *)record->start, damaged,
           SAMRENA__GUARD_BYTES);
  samrena__log(arena, message);
}

static void check_record(const Samrena *arena, const DebugRecord *record) {
  uint64_t damaged = guard_damage(record);
  if (damaged != 0)
    report_overrun(arena, record, damaged);
}

static void write_guard(unsigned char *end) {
  SAMRENA__UNPOISON(end, SAMRENA__GUARD_BYTES);
  memset(end, SAMRENA__GUARD_BYTE, SAMRENA__GUARD_BYTES);
  SAMRENA__POISON(end, SAMRENA__GUARD_BYTES);
}

void samrena__debug_stop(Samrena *arena) {
  SamrenaDebugLog *log = arena->debug;
  for (size_t i = 0; i < log->count; i++)
    check_record(arena, &log->records[i]);
  free(log->records);
  free(log);
  arena->debug = NULL;
}

/* Room for one more record, so that a push never fails after it was made. */
static bool make_room(SamrenaDebugLog *log) {
  if (log->count < log->capacity)
    return true;
  size_t capacity = log->capacity ? 2 * log->capacity : 64;
  if (capacity > SIZE_MAX / sizeof *log->records)
    return false;
  DebugRecord *records = samrena__realloc(log->records, capacity * sizeof *records);
  if (records == NULL)
    return false;
  log->records = records;
  log->capacity = capacity;
  return true;
}

void *samrena__debug_push(Samrena *arena, uint64_t size, uint64_t alignment) {
  SamrenaDebugLog *log = arena->debug;
  if (size > SAMRENA__MAX_FOOTPRINT - (alignment - 1) - SAMRENA__GUARD_BYTES)
    return samrena__fail_null(SAMRENA_ERROR_OVERFLOW);
  if (!make_room(log))
    return samrena__fail_null(SAMRENA_ERROR_OUT_OF_MEMORY);
  unsigned char *result = samrena__push_plain(arena, size + SAMRENA__GUARD_BYTES, alignment);
  /* push_plain unpoisoned the guard too; write_guard poisons it again. */
  if (result == NULL)
    return NULL;
  write_guard(result + size);
  log->records[log->count++] = (DebugRecord){result, size, ++log->pushes};
  samrena__publish_limit(arena); /* shut again */
  return result;
}

void *samrena__debug_resize_last(Samrena *arena, unsigned char *ptr, uint64_t old_size,
                                 uint64_t new_size) {
  SamrenaDebugLog *log = arena->debug;
  if (log->count == 0)
    return NULL;
  DebugRecord *last = &log->records[log->count - 1];
  if (last->start != ptr || last->size != old_size ||
      arena->fast.cursor != ptr + old_size + SAMRENA__GUARD_BYTES)
    return NULL;
  if (new_size > SAMRENA__MAX_FOOTPRINT - SAMRENA__GUARD_BYTES)
    return NULL;
  uint64_t more = new_size > old_size ? new_size - old_size : 0;
  if (more > (uint64_t)(arena->limit - arena->fast.cursor) && !arena->ops->extend(arena, more))
    return NULL;
  check_record(arena, last); /* what was written past it before it moves */
  SAMRENA__UNPOISON(ptr + old_size, SAMRENA__GUARD_BYTES); /* the caller's now, or past the end */
  /* Resized to 0 it is given back whole, guard and record too, as a push
   * of 0 bytes has neither, and the next push lands at ptr, as outside the
   * mode (an owned vector released to 0 and grown again stays put). */
  bool whole = new_size == 0;
  if (new_size <= old_size) {
    samrena__note_peak(arena);
    arena->ops->rewind(arena, whole ? ptr : ptr + new_size + SAMRENA__GUARD_BYTES);
  } else {
    SAMRENA__UNPOISON(arena->fast.cursor, more);
    arena->fast.cursor += more;
  }
  if (whole) {
    log->count--;
  } else {
    last->size = new_size;
    write_guard(ptr + new_size);
  }
  samrena__publish_limit(arena);
  return ptr;
}

size_t samrena__debug_records(const Samrena *arena) {
  return arena->debug != NULL ? arena->debug->count : 0;
}

void samrena__debug_give_back(Samrena *arena, size_t keep) {
  SamrenaDebugLog *log = arena->debug;
  for (size_t i = keep; i < log->count; i++) {
    DebugRecord *record = &log->records[i];
    check_record(arena, record);
    /* What was poisoned in it (its guard, a pool's free slots) too: the
     * adapter poisons it all again once it is given back. */
    SAMRENA__UNPOISON(record->start, record->size + SAMRENA__GUARD_BYTES);
    memset(record->start, SAMRENA__FREED_BYTE, (size_t)(record->size + SAMRENA__GUARD_BYTES));
  }
  if (keep < log->count)
    log->count = keep;
}

uint64_t samrena__debug_guard_bytes(const Samrena *arena) {
  return arena->debug != NULL ? (uint64_t)arena->debug->count * SAMRENA__GUARD_BYTES : 0;
}
