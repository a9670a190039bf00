/* toolkit/strings.c -- copies of strings and bytes, and formatted strings, in an
 * arena.  Strings need no alignment, so they pack without padding. */
#include <config.h>

#include "port/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

char *samrena_strdup(Samrena *arena, const char *s) {
  if (arena == NULL || s == NULL)
    return samrena__fail_null(SAMRENA_ERROR_NULL_POINTER);
  size_t length = strlen(s);
  char *copy = samrena_push_aligned(arena, (uint64_t)length + 1, 1);
  if (copy != NULL)
    memcpy(copy, s, length + 1);
  return copy;
}

void *samrena_memdup(Samrena *arena, const void *src, uint64_t size) {
  if (arena == NULL || (src == NULL && size != 0))
    return samrena__fail_null(SAMRENA_ERROR_NULL_POINTER);
  void *copy = samrena_push(arena, size);
  if (copy != NULL && size != 0)
    memcpy(copy, src, (size_t)size);
  return copy;
}

/* Formats straight into the free end of the current span; only when the
 * text does not fit there is it formatted a second time, into a push of
 * the measured size. */
char *samrena_printf(Samrena *arena, const char *format, ...) {
  if (arena == NULL || format == NULL)
    return samrena__fail_null(SAMRENA_ERROR_NULL_POINTER);
  uint64_t room = (uint64_t)(arena->limit - arena->fast.cursor);
  if (arena->debug != NULL) /* the push takes its guard too */
    room = room > SAMRENA__GUARD_BYTES ? room - SAMRENA__GUARD_BYTES : 0;
  size_t window = room > INT32_MAX ? (size_t)INT32_MAX : (size_t)room;
  char scratch[1]; /* somewhere to write when the span is full */
  SAMRENA__UNPOISON(arena->fast.cursor, window);
  va_list args;
  va_start(args, format);
  int length = vsnprintf(window ? (char *)arena->fast.cursor : scratch, window ? window : 1,
                         format, args);
  va_end(args);
  if (length >= 0 && (size_t)length < window) {
    char *text = samrena_push_aligned(arena, (uint64_t)length + 1, 1);
    SAMRENA__DEFINED(text, (size_t)length + 1); /* the push forgot what vsnprintf wrote */
    SAMRENA__POISON(arena->fast.cursor, window - ((size_t)length + 1));
    return text;
  }
  /* The attempt wrote above the cursor: put the zeros back, since memory
   * never handed out counts as fresh for samrena_push_zero. */
  if (window != 0)
    memset(arena->fast.cursor, 0, window);
  SAMRENA__POISON(arena->fast.cursor, window);
  if (length < 0)
    return samrena__fail_null(SAMRENA_ERROR_INVALID_PARAMETER);

  char *text = samrena_push_aligned(arena, (uint64_t)length + 1, 1);
  if (text == NULL)
    return NULL;
  va_start(args, format);
  vsnprintf(text, (size_t)length + 1, format, args);
  va_end(args);
  return text;
}
