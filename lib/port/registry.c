/* port/registry.c -- arenas' names, the list of live arenas, and
 * samrena_report over it.
 *
 * Every arena samrena_create returns is in the list from its creation to
 * its destroy (a concurrent arena's backing is not: its handle stands for
 * it).  The list is split in REGISTRY_STRIPES, each a doubly linked list
 * through the handles with a spin lock of its own, the stripe chosen by
 * the handle's address: an arena per request takes and gives back one
 * uncontended lock at each end, and threads doing so at once rarely meet.
 * Nothing on the push path looks at the list.
 */
#include <config.h>

#include "port/internal.h"
#include "platform/thread.h"
#include "fault.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REGISTRY_STRIPES 16

typedef struct {
  atomic_flag lock;
  Samrena *first;
} RegistryStripe;

static RegistryStripe samrena_registry[REGISTRY_STRIPES] = {
#define STRIPE {ATOMIC_FLAG_INIT, NULL}
    STRIPE, STRIPE, STRIPE, STRIPE, STRIPE, STRIPE, STRIPE, STRIPE,
    STRIPE, STRIPE, STRIPE, STRIPE, STRIPE, STRIPE, STRIPE, STRIPE,
#undef STRIPE
};

/* Handles are at least max_align_t apart; their first bytes past that
 * alignment, mixed, spread them over the stripes. */
static RegistryStripe *stripe_of(const Samrena *arena) {
  uintptr_t address = (uintptr_t)arena / alignof(max_align_t);
  address ^= address >> 7 ^ address >> 13;
  return &samrena_registry[address % REGISTRY_STRIPES];
}

/* Held for a few stores, except by samrena_report: a waiter that spins a
 * while gives its time slice away. */
static void stripe_lock(RegistryStripe *stripe) {
  unsigned spins = 0;
  while (atomic_flag_test_and_set_explicit(&stripe->lock, memory_order_acquire))
    if (++spins % 64 == 0)
      samrena__thread_yield();
}

static void stripe_unlock(RegistryStripe *stripe) {
  atomic_flag_clear_explicit(&stripe->lock, memory_order_release);
}

/* In stripe order; nothing else holds two stripes, so nothing waits for
 * one while holding another. */
void samrena__registry_hold(void) {
  for (size_t i = 0; i < REGISTRY_STRIPES; i++)
    stripe_lock(&samrena_registry[i]);
}

void samrena__registry_release(void) {
  for (size_t i = 0; i < REGISTRY_STRIPES; i++)
    stripe_unlock(&samrena_registry[i]);
}

/* A fork while another thread creates or destroys an arena would leave
 * that thread's stripe locked in the child, whose first create or destroy
 * there would then spin for ever.  So the forking thread takes every
 * stripe first, and both processes give them back after.  (The caches'
 * slots are claimed without a lock: one claimed at the fork stays so in
 * the child, which just goes without it.) */
#if defined(__GNUC__)
__attribute__((constructor)) static void registry_guard_fork(void) {
  samrena__on_fork(samrena__registry_hold, samrena__registry_release, samrena__registry_release);
}
#endif

void samrena__register(Samrena *arena) {
  RegistryStripe *stripe = stripe_of(arena);
  stripe_lock(stripe);
  arena->registry_prev = NULL;
  arena->registry_next = stripe->first;
  if (stripe->first != NULL)
    stripe->first->registry_prev = arena;
  stripe->first = arena;
  arena->registered = true;
  stripe_unlock(stripe);
}

void samrena__unregister(Samrena *arena) {
  if (!arena->registered)
    return;
  RegistryStripe *stripe = stripe_of(arena);
  stripe_lock(stripe);
  if (arena->registry_prev != NULL)
    arena->registry_prev->registry_next = arena->registry_next;
  else
    stripe->first = arena->registry_next;
  if (arena->registry_next != NULL)
    arena->registry_next->registry_prev = arena->registry_prev;
  arena->registered = false;
  stripe_unlock(stripe);
}

/* ------------------------------------------------------------------ names */

void samrena__drop_name(Samrena *arena) {
  if (arena->name == NULL)
    return; /* most arenas have none: no call */
  free(arena->name);
  arena->name = NULL;
}

/* Swapped under the arena's stripe lock, so that a report in another
 * thread never reads a name being freed. */
static void swap_name(Samrena *arena, char *name) {
  char *old;
  if (arena->registered) {
    RegistryStripe *stripe = stripe_of(arena);
    stripe_lock(stripe);
    old = arena->name;
    arena->name = name;
    stripe_unlock(stripe);
  } else {
    old = arena->name;
    arena->name = name;
  }
  free(old);
}

static char *copy_of(const char *name) {
  size_t length = strlen(name);
  char *copy = samrena__malloc(length + 1);
  if (copy != NULL)
    memcpy(copy, name, length + 1);
  return copy;
}

SamrenaError samrena_set_name(Samrena *arena, const char *name) {
  if (arena == NULL)
    return samrena__fail(SAMRENA_ERROR_NULL_POINTER);
  char *copy = NULL, *backing_copy = NULL;
  Samrena *backing = samrena__concurrent_backing(arena);
  if (name != NULL && name[0] != '\0') {
    copy = copy_of(name);
    backing_copy = backing != NULL && copy != NULL ? copy_of(name) : NULL;
    if (copy == NULL || (backing != NULL && backing_copy == NULL)) {
      free(copy);
      return samrena__fail(SAMRENA_ERROR_OUT_OF_MEMORY);
    }
  }
  /* The backing arena's debug reports speak for this arena. */
  if (backing != NULL)
    swap_name(backing, backing_copy);
  swap_name(arena, copy);
  return SAMRENA_OK;
}

const char *samrena_name(const Samrena *arena) {
  if (arena == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return "";
  }
  return arena->name != NULL ? arena->name : "";
}

/* ----------------------------------------------------------------- report */

/* The figures of one line. */
typedef struct {
  uint64_t allocated, committed, reserved, peak, blocks, wasted;
} ReportFigures;

static void add_figures(ReportFigures *total, const ReportFigures *line) {
  total->allocated += line->allocated;
  total->committed += line->committed;
  total->reserved += line->reserved;
  total->peak += line->peak;
  total->blocks += line->blocks;
  total->wasted += line->wasted;
}

/* The name as one field: "-" when there is none, whitespace and control
 * characters as '_', and a leading '#' too, which would read as a comment. */
static void name_field(const Samrena *arena, char *out, size_t size) {
  const char *name = arena->name != NULL ? arena->name : "-";
  size_t i = 0;
  for (; name[i] != '\0' && i + 1 < size; i++) {
    unsigned char c = (unsigned char)name[i];
    out[i] = c <= ' ' || c == 0x7f || (i == 0 && c == '#') ? '_' : (char)c;
  }
  out[i] = '\0';
}

/* A report's text, formatted while a stripe is locked and written out
 * once it is released: the lock is held for no I/O, so a slow stream (a
 * full pipe) delays no create or destroy in another thread, and a stream
 * whose writes create arenas does not wait for itself. */
typedef struct {
  char *bytes;
  size_t length, size;
  SamrenaError error; /* the first failure, SAMRENA_OK while none */
} ReportText;

/* Room for `more` bytes after the text; there is a buffer after it. */
static bool text_reserve(ReportText *text, size_t more) {
  if (text->bytes != NULL && more <= text->size - text->length)
    return true;
  size_t size = text->size != 0 ? text->size : 4096;
  while (more > size - text->length) {
    if (size > SIZE_MAX / 2) {
      text->error = SAMRENA_ERROR_OVERFLOW;
      return false;
    }
    size *= 2;
  }
  char *bytes = samrena__realloc(text->bytes, size);
  if (bytes == NULL) {
    text->error = SAMRENA_ERROR_OUT_OF_MEMORY;
    return false;
  }
  text->bytes = bytes;
  text->size = size;
  return true;
}

static void print_line(ReportText *text, const char *name, const char *strategy,
                       const ReportFigures *figures) {
  if (text->error != SAMRENA_OK)
    return;
  char line[512]; /* a name of at most 255 bytes, 8 fields of at most 20 digits */
  int length = snprintf(line, sizeof line,
                        "%-20s %-8s %12" PRIu64 " %12" PRIu64 " %14" PRIu64 " %12" PRIu64
                        " %6" PRIu64 " %10" PRIu64 "\n",
                        name, strategy, figures->allocated, figures->committed,
                        figures->reserved, figures->peak, figures->blocks, figures->wasted);
  if (length < 0 || (size_t)length >= sizeof line) {
    text->error = SAMRENA_ERROR_PLATFORM;
    return;
  }
  if (text_reserve(text, (size_t)length)) {
    memcpy(text->bytes + text->length, line, (size_t)length);
    text->length += (size_t)length;
  }
}

/* Writes out what is formatted and empties the text; after a failure,
 * only empties it (the lines of a part are written whole or not at all). */
static void write_text(FILE *out, ReportText *text) {
  if (text->error == SAMRENA_OK && text->length != 0 &&
      fwrite(text->bytes, 1, text->length, out) != text->length)
    text->error = SAMRENA_ERROR_PLATFORM;
  text->length = 0;
}

static void report_arena(ReportText *text, const Samrena *arena, ReportFigures *total) {
  SamrenaStats stats;
  samrena_stats(arena, &stats);
  ReportFigures line = {stats.allocated, stats.committed,      stats.reserved,
                        stats.peak_allocated, stats.blocks, stats.wasted};
  add_figures(total, &line);
  char name[256];
  name_field(arena, name, sizeof name);
  print_line(text, name, samrena_strategy_name(arena->strategy), &line);
}

/* Each stripe's lock is held while its arenas are read and their lines
 * formatted, so none of them is destroyed meanwhile; the lines are
 * written after it is released. */
SamrenaError samrena_report(FILE *out) {
  if (out == NULL)
    return samrena__fail(SAMRENA_ERROR_NULL_POINTER);
  ReportText text = {NULL, 0, 0, SAMRENA_OK};
  ReportFigures total = {0, 0, 0, 0, 0, 0};
  uint64_t arenas = 0;
  if (fprintf(out, "%-20s %-8s %12s %12s %14s %12s %6s %10s\n", "# name", "strategy",
              "allocated", "committed", "reserved", "peak", "blocks", "wasted") < 0)
    text.error = SAMRENA_ERROR_PLATFORM;
  for (size_t i = 0; i < REGISTRY_STRIPES && text.error == SAMRENA_OK; i++) {
    RegistryStripe *stripe = &samrena_registry[i];
    stripe_lock(stripe);
    for (const Samrena *arena = stripe->first; arena != NULL; arena = arena->registry_next) {
      if (atomic_load_explicit(&arena->parked, memory_order_acquire))
        continue; /* destroyed, kept for reuse */
      report_arena(&text, arena, &total);
      arenas++;
    }
    stripe_unlock(stripe);
    write_text(out, &text);
  }
  if (text.error == SAMRENA_OK) {
    char count[24];
    snprintf(count, sizeof count, "%" PRIu64, arenas);
    print_line(&text, "#total", count, &total);
    write_text(out, &text);
  }
  free(text.bytes);
  if ((fflush(out) != 0 || ferror(out)) && text.error == SAMRENA_OK)
    text.error = SAMRENA_ERROR_PLATFORM;
  return text.error != SAMRENA_OK ? samrena__fail(text.error) : SAMRENA_OK;
}
