/* toolkit/scratch.c -- per-thread scratch arenas (samrena_scratch_begin,
 * samrena_scratch_end).
 *
 * Each thread has SCRATCH_ARENAS arenas, made when a scope first needs one
 * and destroyed when the thread exits (platform/thread.h).  A scope on a
 * contiguous scratch arena (the virtual strategy) is only a position: its
 * mark holds the cursor and the arena's stamp, and while the stamp stands
 * still (no cleanup, mark, restore or reset since) ending it is moving the
 * cursor back, a handful of instructions.  When the stamp moved, the end
 * runs the cleanups and forgets the marks made since, then moves back as
 * far as it still can.  A chained scratch arena, whose blocks a scope may
 * leave, takes a real samrena_save instead, as does one in the debug
 * mode or under a sanitizer; its mark says so by its top bit, which no
 * stamp has.  Scratch arenas are made with
 * SAMRENA__FLAG_ALWAYS_DIRTY, since the cheap end moves the cursor back
 * without the adapter seeing what was handed out.
 */
#include <config.h>

#include "port/internal.h"
#include "platform/thread.h"
#include "fault.h"

#include <stdlib.h>

/* Two, so that a function can take its temporaries from one while its
 * caller's result grows in the other, as the conflict rule asks. */
#define SCRATCH_ARENAS 2

/* Marks of scopes that took a real samrena_save. */
#define SCRATCH_REAL_MARK (UINT64_C(1) << 63)

typedef struct {
  Samrena *arenas[SCRATCH_ARENAS];
  bool cheap[SCRATCH_ARENAS]; /* contiguous: a scope is a position */
} ScratchThread;

static SAMRENA__THREAD_LOCAL ScratchThread *samrena_scratch_thread;

/* The inline samrena_scratch_begin's view of this thread (samrena.h): its
 * first scratch arena while that one is cheap, else NULL. */
#if defined(SAMRENA_HAS_INLINE_SCRATCH_BEGIN)
__thread Samrena *samrena_scratch_fast_arena = NULL;
#define SET_FAST_ARENA(arena) (samrena_scratch_fast_arena = (arena))
#else
#define SET_FAST_ARENA(arena) ((void)(arena))
#endif

/* At thread exit (or library unload, for the thread doing it). */
static void scratch_thread_exit(void *data) {
  ScratchThread *thread = data;
  if (samrena_scratch_thread == thread) {
    SET_FAST_ARENA(NULL);
    samrena_scratch_thread = NULL;
  }
  for (int i = 0; i < SCRATCH_ARENAS; i++)
    samrena_destroy(thread->arenas[i]);
  free(thread);
}

/* The process's first thread may never reach a thread-exit callback (exit()
 * ends it without one), so its arenas go when the library is unloaded,
 * which exit() does too; leak checkers then see none. */
#if defined(__GNUC__)
__attribute__((destructor)) static void scratch_unload(void) {
  if (samrena_scratch_thread != NULL)
    scratch_thread_exit(samrena_scratch_thread);
}
#endif

static ScratchThread *this_thread(void) {
  ScratchThread *thread = samrena_scratch_thread;
  if (thread != NULL)
    return thread;
  thread = samrena__malloc(sizeof *thread);
  if (thread == NULL)
    return samrena__fail_null(SAMRENA_ERROR_OUT_OF_MEMORY);
  *thread = (ScratchThread){{NULL, NULL}, {false, false}};
  samrena__on_thread_exit(SAMRENA__EXIT_SCRATCH, scratch_thread_exit, thread); /* else: freed at unload, or not */
  samrena_scratch_thread = thread;
  return thread;
}

/* A virtual arena when the platform has them (its default reservation,
 * and no further ones: a scope is then a position), else a chained one. */
static Samrena *make_scratch_arena(ScratchThread *thread, int i) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_VIRTUAL;
  config.fallback_mode = SAMRENA_FALLBACK_AUTO;
  config.flags = SAMRENA_FLAG_QUIET;
  Samrena *arena = samrena__create_with(&config, SAMRENA__FLAG_ALWAYS_DIRTY);
  if (arena == NULL)
    return NULL;
  SamrenaError before = samrena_last_error();
  if (samrena_set_name(arena, "scratch") != SAMRENA_OK) /* for samrena_report */
    samrena__fail(before); /* an unnamed scratch arena is no failure */
  thread->arenas[i] = arena;
  /* The debug mode must see every scope end, to check and fill. */
  thread->cheap[i] = (arena->capabilities & SAMRENA_CAP_CONTIGUOUS_MEMORY) != 0 &&
                     !SAMRENA__POISONING() && arena->debug == NULL;
  if (i == 0 && thread->cheap[0])
    SET_FAST_ARENA(arena);
  return arena;
}

static bool conflicts_with(const Samrena *arena, Samrena *const *conflicts, size_t count) {
  for (size_t i = 0; i < count; i++)
    if (conflicts[i] == arena)
      return true;
  return false;
}

static SamrenaScratch scope_on(ScratchThread *thread, int i) {
  Samrena *arena = thread->arenas[i];
  SamrenaScratch scratch;
  scratch.arena = arena;
  if (thread->cheap[i]) {
    scratch.mark.opaque[0] = (uint64_t)(uintptr_t)arena->fast.cursor;
    scratch.mark.opaque[1] = arena->fast.stamp;
  } else {
    scratch.mark = samrena_save(arena);
    scratch.mark.opaque[1] |= SCRATCH_REAL_MARK;
  }
  return scratch;
}

/* Everything but a cheap scope on an arena that exists: making the
 * thread's state or an arena, a real mark, the errors. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static SamrenaScratch begin_slowly(Samrena *const *conflicts, size_t conflict_count) {
  SamrenaScratch none = {NULL, {{0, 0}}};
  if (conflicts == NULL && conflict_count != 0) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return none;
  }
  ScratchThread *thread = this_thread();
  if (thread == NULL)
    return none;
  for (int i = 0; i < SCRATCH_ARENAS; i++) {
    Samrena *arena = thread->arenas[i];
    if (arena != NULL && conflicts_with(arena, conflicts, conflict_count))
      continue;
    if (arena == NULL && make_scratch_arena(thread, i) == NULL)
      return none;
    return scope_on(thread, i);
  }
  samrena__fail(SAMRENA_ERROR_INVALID_PARAMETER);
  return none;
}

static SamrenaScratch cheap_scope(Samrena *arena) {
  SamrenaScratch scratch = {arena, {{(uint64_t)(uintptr_t)arena->fast.cursor, arena->fast.stamp}}};
  return scratch;
}

/* The common cases at once: the thread's cheap arenas exist, and there is
 * no conflict, or one (the caller's output arena).  The rest, and every
 * error, go the slow way. */
SamrenaScratch samrena_scratch_begin(Samrena *const *conflicts, size_t conflict_count) {
  ScratchThread *thread = samrena_scratch_thread;
  if (thread != NULL && thread->cheap[0]) {
    Samrena *first = thread->arenas[0];
    if (conflict_count == 0)
      return cheap_scope(first);
    if (conflict_count == 1 && conflicts != NULL) {
      if (conflicts[0] != first)
        return cheap_scope(first);
      if (thread->cheap[1])
        return cheap_scope(thread->arenas[1]);
    }
  }
  return begin_slowly(conflicts, conflict_count);
}

/* The stamp moved.  A reset since ends the scope; otherwise undo what came
 * since, then move back if the cursor is still past the scope's start (a
 * restore to an older mark may have taken it below, and nothing is then
 * left to give back).  A real mark is restored. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void end_slowly(Samrena *arena, SamrenaMark mark) {
  if ((mark.opaque[1] & SCRATCH_REAL_MARK) != 0) {
    mark.opaque[1] &= ~SCRATCH_REAL_MARK;
    samrena_restore(arena, mark);
    return;
  }
  if (mark.opaque[1] < arena->reset_stamp)
    return; /* a reset ended the scope, as it made a real mark stale */
  unsigned char *start = (unsigned char *)(uintptr_t)mark.opaque[0];
  samrena__unwind_to_stamp(arena, mark.opaque[1]);
  uint64_t allocated = arena->ops->allocated(arena);
  unsigned char *origin = arena->fast.cursor - allocated; /* contiguous */
  if ((uintptr_t)start >= (uintptr_t)origin && (uintptr_t)start <= (uintptr_t)arena->fast.cursor) {
    samrena__note_peak(arena);
    arena->ops->rewind(arena, start);
    samrena__publish_limit(arena);
  }
}

/* The common case: nothing but pushes since the scope began, so moving
 * the cursor back gives it all back.  A real mark's top bit never equals
 * a stamp, so it takes the slow way. */
void samrena_scratch_end(SamrenaScratch scratch) {
  Samrena *arena = scratch.arena;
  if (arena == NULL)
    return;
  unsigned char *start = (unsigned char *)(uintptr_t)scratch.mark.opaque[0];
  if (scratch.mark.opaque[1] == arena->fast.stamp && (uintptr_t)start <= (uintptr_t)arena->fast.cursor) {
    arena->fast.cursor = start;
    return;
  }
  end_slowly(arena, scratch.mark);
}
