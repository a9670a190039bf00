/* containers/str.c -- SamrenaStr, a string builder on an arena.
 *
 * The builder is pushed on its arena; its buffer is pushed at the first
 * append that needs it, so it is usually the arena's last allocation and
 * grows in place there (samrena_resize).  When something else was pushed
 * since, growth copies into a new buffer twice as large; the old one stays
 * in the arena, readable, until the arena is reset.
 */
#include <config.h>

#include "port/internal.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The smallest buffer the builder pushes. */
#define STR_MIN_CAPACITY UINT64_C(64)

struct SamrenaStr {
  Samrena *arena;
  char *data;        /* NULL until the first append that needs it */
  uint64_t length;   /* bytes of text, the NUL not counted */
  uint64_t capacity; /* bytes data holds, the NUL included; 0 without data */
  uint64_t ready;    /* bytes of data made resident ahead, or needing nothing */
};

SamrenaStr *samrena_str_init(Samrena *arena) {
  if (arena == NULL)
    return samrena__fail_null(SAMRENA_ERROR_NULL_POINTER);
  SamrenaStr *s = samrena_push(arena, sizeof *s);
  if (s == NULL)
    return NULL;
  s->arena = arena;
  s->data = NULL;
  s->length = 0;
  s->capacity = 0;
  s->ready = 0;
  return s;
}

/* A buffer of exactly `capacity` bytes holding the text; false with the
 * error recorded, and nothing changed, on failure.  Strings need no
 * alignment: a new buffer packs against what precedes it. */
static bool grow_to(SamrenaStr *s, uint64_t capacity) {
  char *data = s->data == NULL ? samrena_push_aligned(s->arena, capacity, 1)
                               : samrena_resize(s->arena, s->data, s->capacity, capacity);
  if (data == NULL)
    return false;
  if (s->data == NULL)
    data[0] = '\0';
  if (data != s->data) /* a new buffer: only the text copied into it is resident */
    s->ready = s->length + 1;
  s->data = data;
  s->capacity = capacity;
  return true;
}

/* Before the text and its NUL (`need` bytes) pass `ready`, the pages up to
 * SAMRENA__PREPARE_AHEAD_BYTES past them are made resident, as a vector's
 * are (samvector(3), "Pages made ready ahead"), where the arena can and
 * more than that is left; otherwise ready goes to the end of the buffer,
 * and the stores fault as they come. */
static void prepare_ahead(SamrenaStr *s, uint64_t need) {
  if (need <= s->ready)
    return;
  if (s->capacity - need > SAMRENA__PREPARE_AHEAD_BYTES) {
    uint64_t end = need + SAMRENA__PREPARE_AHEAD_BYTES;
    if (samrena__prepare(s->arena, s->data + s->ready, end - s->ready)) {
      s->ready = end;
      return;
    }
  }
  s->ready = s->capacity;
}

/* Room for `extra` more bytes and the NUL: twice the buffer (at least
 * STR_MIN_CAPACITY), or, when that cannot be had, exactly what is needed. */
static SamrenaError make_room(SamrenaStr *s, uint64_t extra) {
  if (extra > SAMRENA__MAX_FOOTPRINT - 1 - s->length)
    return samrena__fail(SAMRENA_ERROR_OVERFLOW);
  uint64_t need = s->length + extra + 1;
  if (need <= s->capacity) {
    prepare_ahead(s, need);
    return SAMRENA_OK;
  }
  uint64_t wanted =
      s->capacity > SAMRENA__MAX_FOOTPRINT / 2 ? SAMRENA__MAX_FOOTPRINT : 2 * s->capacity;
  if (wanted < need)
    wanted = need;
  if (wanted < STR_MIN_CAPACITY)
    wanted = STR_MIN_CAPACITY;
  if (grow_to(s, wanted) || (wanted > need && grow_to(s, need))) {
    prepare_ahead(s, need);
    return SAMRENA_OK;
  }
  return samrena_last_error();
}

/* Whether `length` more bytes and the NUL stay below ready (never past
 * the buffer's end): then no room is made and no pages prepared, and the
 * common append copies at once.  ready can lag behind the text (an appendf
 * writes past it), so it is compared before it is subtracted from. */
static bool fits_below_ready(const SamrenaStr *s, size_t length) {
  return s->ready > s->length && length < s->ready - s->length;
}

SamrenaError samrena_str_append(SamrenaStr *s, const char *text, size_t length) {
  if (s == NULL || text == NULL)
    return samrena__fail(SAMRENA_ERROR_NULL_POINTER);
  if (!fits_below_ready(s, length)) {
    if (length == 0)
      return SAMRENA_OK;
    SamrenaError error = make_room(s, (uint64_t)length);
    if (error != SAMRENA_OK)
      return error;
  }
  /* text may lie in the buffer itself: a move left the old one readable. */
  memmove(s->data + s->length, text, length);
  s->length += length;
  s->data[s->length] = '\0';
  return SAMRENA_OK;
}

/* Formats into the free end of the buffer; only when the text does not fit
 * there does the buffer grow and the text get formatted a second time.
 * The output starts one byte past the string's NUL and moves down after:
 * an argument may be the builder's own text (samrena_str_cstr), which
 * vsnprintf must not see overwritten while it reads it, and the NUL is
 * part of it (writing over it made "%s" read on into the output). */
SamrenaError samrena_str_appendf(SamrenaStr *s, const char *format, ...) {
  if (s == NULL || format == NULL)
    return samrena__fail(SAMRENA_ERROR_NULL_POINTER);
  SamrenaError error = make_room(s, 1);
  if (error != SAMRENA_OK)
    return error;
  uint64_t room = s->capacity - s->length - 1; /* from past the NUL to the end */
  size_t window = room > INT_MAX ? (size_t)INT_MAX : (size_t)room;
  char *end = s->data + s->length;
  va_list args;
  va_start(args, format);
  int written = vsnprintf(end + 1, window, format, args);
  va_end(args);
  if (written < 0)
    return samrena__fail(SAMRENA_ERROR_INVALID_PARAMETER);
  if ((size_t)written >= window) {
    error = make_room(s, (uint64_t)written + 1);
    if (error != SAMRENA_OK)
      return error;
    end = s->data + s->length;
    va_start(args, format);
    vsnprintf(end + 1, (size_t)written + 1, format, args);
    va_end(args);
  }
  memmove(end, end + 1, (size_t)written + 1); /* the text and its NUL */
  s->length += (uint64_t)written;
  return SAMRENA_OK;
}

const char *samrena_str_cstr(const SamrenaStr *s) {
  if (s == NULL)
    return samrena__fail_null(SAMRENA_ERROR_NULL_POINTER);
  return s->data != NULL ? s->data : "";
}

size_t samrena_str_len(const SamrenaStr *s) {
  if (s == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return 0;
  }
  return (size_t)s->length;
}

SamrenaError samrena_str_clear(SamrenaStr *s) {
  if (s == NULL)
    return samrena__fail(SAMRENA_ERROR_NULL_POINTER);
  s->length = 0;
  if (s->data != NULL)
    s->data[0] = '\0';
  return SAMRENA_OK;
}

char *samrena_str_finish(SamrenaStr *s) {
  if (s == NULL)
    return samrena__fail_null(SAMRENA_ERROR_NULL_POINTER);
  if (s->data == NULL) {
    char *empty = samrena_push_aligned(s->arena, 1, 1);
    if (empty != NULL)
      empty[0] = '\0';
    return empty;
  }
  /* A shrink never moves and never fails; in place it frees the rest. */
  char *text = samrena_resize(s->arena, s->data, s->capacity, s->length + 1);
  s->data = NULL;
  s->length = 0;
  s->capacity = 0;
  s->ready = 0;
  return text;
}
