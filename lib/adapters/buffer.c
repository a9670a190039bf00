/* adapters/buffer.c -- the buffer adapter: an arena inside memory the caller
 * gives it (SamrenaConfig.buffer and buffer_size): a static array, a stack
 * buffer, a region of shared memory.
 *
 *   buffer                                                        end
 *   | pad | handle | pushes ->     (free)     <- port's bookkeeping |
 *         ^ aligned for any object             ^ the limit, once a mark
 *                                                or a cleanup needs room
 *
 * The handle lives at the start of the buffer, aligned up for any object;
 * pushes fill what follows, one contiguous span, and the port's own
 * bookkeeping (the scope stack, see SamrenaOps.resize_bookkeeping) takes
 * the far end when a mark or a cleanup first needs it, growing towards the
 * pushes.  Nothing is ever obtained from malloc or the operating system
 * and nothing is given back: a push that does not fit fails with
 * OUT_OF_MEMORY, and destroying the arena leaves the buffer to its owner.
 */
#include <config.h>

#include "port/internal.h"

#include <string.h>

typedef struct {
  unsigned char *buffer; /* the caller's, as given */
  uint64_t buffer_size;
  unsigned char *start; /* where pushes begin: past the handle */
  unsigned char *end;   /* the buffer's end; the limit while there is no bookkeeping */
} Buffer;

_Static_assert(sizeof(Buffer) <= SAMRENA__ADAPTER_STATE_BYTES, "Buffer must fit in the arena");

static Buffer *state_of(const Samrena *arena) {
  return (Buffer *)arena->adapter;
}

static bool buffer_available(void) {
  return true;
}

/* The buffer must hold the handle, aligned up for any object, and room
 * for a push of one byte at the arena's alignment; it must lie within the
 * address space and be no larger than an object may be. */
static Samrena *buffer_create(const Samrena *proto, const SamrenaSettings *settings,
                              SamrenaError *error) {
  unsigned char *buffer = settings->buffer;
  uint64_t size = settings->buffer_size;
  if (buffer == NULL) {
    *error = SAMRENA_ERROR_NULL_POINTER;
    return NULL;
  }
  uint64_t padding = samrena__padding_for(buffer, SAMRENA__MAX_ALIGN);
  if (size > SAMRENA__MAX_FOOTPRINT || size > (uint64_t)(UINTPTR_MAX - (uintptr_t)buffer) ||
      size < padding || size - padding < SAMRENA__HANDLE_BYTES) {
    *error = SAMRENA_ERROR_INVALID_SIZE;
    return NULL;
  }
  unsigned char *handle = buffer + padding;
  unsigned char *start = handle + SAMRENA__HANDLE_BYTES;
  uint64_t rest = size - padding - SAMRENA__HANDLE_BYTES;
  if (rest <= samrena__padding_for(start, settings->alignment)) {
    *error = SAMRENA_ERROR_INVALID_SIZE;
    return NULL;
  }
  SAMRENA__UNPOISON(handle, SAMRENA__HANDLE_BYTES);
  Samrena *arena = samrena__place_handle(handle, proto, sizeof(Buffer));
  Buffer *state = state_of(arena);
  state->buffer = buffer;
  state->buffer_size = size;
  state->start = start;
  state->end = start + rest;
  arena->fast.cursor = start;
  arena->limit = state->end;
  SAMRENA__POISON(start, rest);
  return arena;
}

/* The buffer is its owner's again, all of it addressable as before the
 * arena took it, its contents what the arena's use left there.  To
 * memcheck they are defined: what was pushed was written, and what never
 * was holds what it held before (which memcheck no longer knows, having
 * seen it off limits); calling it undefined would report the owner's
 * reads of bytes the arena never touched. */
static void buffer_destroy(Samrena *arena) {
  Buffer state = *state_of(arena);
  SAMRENA__DEFINED(state.buffer, state.buffer_size);
}

/* Called only when the push does not fit in what is left. */
static void *buffer_push_slow(Samrena *arena, uint64_t size, uint64_t alignment) {
  (void)arena;
  (void)size;
  (void)alignment;
  return samrena__fail_null(SAMRENA_ERROR_OUT_OF_MEMORY);
}

/* The caller's memory may hold anything. */
static void buffer_zero(Samrena *arena, void *ptr, uint64_t size) {
  (void)arena;
  memset(ptr, 0, (size_t)size);
}

static uint64_t buffer_allocated(const Samrena *arena) {
  return (uint64_t)(arena->fast.cursor - state_of(arena)->start);
}

/* Everything between the handle and the bookkeeping. */
static uint64_t buffer_capacity(const Samrena *arena) {
  return (uint64_t)(arena->limit - state_of(arena)->start);
}

static void buffer_reset(Samrena *arena) {
  Buffer *state = state_of(arena);
  arena->fast.cursor = state->start;
  SAMRENA__POISON(state->start, arena->limit - state->start);
}

/* Called only for more than the capacity, which never grows: as for a
 * virtual arena asked for more than its reservation, the request is one
 * the arena can never meet, and nothing changes. */
static SamrenaError buffer_reserve(Samrena *arena, uint64_t min_capacity) {
  (void)arena;
  (void)min_capacity;
  return samrena__fail(SAMRENA_ERROR_INVALID_PARAMETER);
}

/* The memory is the caller's: there is nothing to give back. */
static SamrenaError buffer_trim(Samrena *arena, uint64_t keep_bytes) {
  (void)arena;
  (void)keep_bytes;
  return SAMRENA_OK;
}

static void buffer_stats(const Samrena *arena, SamrenaStats *out) {
  const Buffer *state = state_of(arena);
  out->committed = state->buffer_size;
  out->reserved = state->buffer_size;
  out->blocks = 1;
  out->wasted = 0;
}

static void buffer_save(const Samrena *arena, SamrenaPosition *out) {
  memset(out, 0, sizeof *out);
  out->cursor = arena->fast.cursor;
}

static void buffer_restore(Samrena *arena, const SamrenaPosition *position) {
  arena->fast.cursor = position->cursor;
  SAMRENA__POISON(arena->fast.cursor, arena->limit - arena->fast.cursor);
}

static void buffer_rewind(Samrena *arena, unsigned char *cursor) {
  SAMRENA__POISON(cursor, arena->fast.cursor - cursor);
  arena->fast.cursor = cursor;
}

/* The span is everything there is. */
static bool buffer_extend(Samrena *arena, uint64_t bytes) {
  (void)arena;
  (void)bytes;
  return false;
}

/* What is left past the padding; a new arena has no buffer. */
static uint64_t buffer_room(const Samrena *arena, uint64_t alignment) {
  if (arena == NULL)
    return 0;
  uint64_t rest = (uint64_t)(arena->limit - arena->fast.cursor);
  uint64_t padding = samrena__padding_for(arena->fast.cursor, alignment);
  return padding <= rest ? rest - padding : 0;
}

/* The bookkeeping ends where the buffer does, aligned down for any
 * object, and grows down towards the cursor; it never takes what was
 * pushed.  Growing moves its contents down with it. */
static void *buffer_resize_bookkeeping(Samrena *arena, void *ptr, size_t old_size,
                                       size_t new_size) {
  Buffer *state = state_of(arena);
  unsigned char *top = state->end - ((uintptr_t)state->end & (uintptr_t)(SAMRENA__MAX_ALIGN - 1));
  unsigned char *old = ptr;
  if (new_size == 0) {
    if (old != NULL)
      SAMRENA__POISON(old, top - old);
    arena->limit = state->end;
    return NULL;
  }
  uintptr_t cursor = (uintptr_t)arena->fast.cursor;
  uint64_t room = (uintptr_t)top > cursor ? (uint64_t)((uintptr_t)top - cursor) : 0;
  if ((uint64_t)new_size > room || samrena__align_up(new_size, SAMRENA__MAX_ALIGN) > room)
    return NULL;
  unsigned char *block = top - samrena__align_up(new_size, SAMRENA__MAX_ALIGN);
  /* Only what the block did not cover is opened: under memcheck, opening
   * the old part too would make what it holds undefined before the move. */
  unsigned char *opened_end = old != NULL ? old : top;
  if (block < opened_end)
    SAMRENA__UNPOISON(block, opened_end - block);
  if (old != NULL) {
    memmove(block, old, old_size < new_size ? old_size : new_size);
    if (block > old) /* smaller: what it no longer covers is free again */
      SAMRENA__POISON(old, block - old);
  }
  arena->limit = block;
  return block;
}

const SamrenaOps samrena__buffer_ops = {
    .name = "buffer",
    .strategy = SAMRENA_STRATEGY_BUFFER,
    .capabilities = SAMRENA_CAP_CONTIGUOUS_MEMORY | SAMRENA_CAP_RESET,
    .fallback = SAMRENA_STRATEGY_DEFAULT, /* always available */
    .takes = SAMRENA__TAKES_BUFFER,
    .available = buffer_available,
    .create = buffer_create,
    .destroy = buffer_destroy,
    .push_slow = buffer_push_slow,
    .zero = buffer_zero,
    .allocated = buffer_allocated,
    .capacity = buffer_capacity,
    .reset = buffer_reset,
    .reserve = buffer_reserve,
    .trim = buffer_trim,
    .stats = buffer_stats,
    .save = buffer_save,
    .restore = buffer_restore,
    .rewind = buffer_rewind,
    .extend = buffer_extend,
    .room = buffer_room,
    .resize_bookkeeping = buffer_resize_bookkeeping,
};
