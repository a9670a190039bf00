/* arith.h -- size arithmetic every layer uses, the platform layer
 * included: a leaf, depending on nothing of the library's. */
#ifndef SAMRENA_ARITH_H
#define SAMRENA_ARITH_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The alignment malloc guarantees, and the default push alignment. */
#define SAMRENA__MAX_ALIGN ((uint64_t)alignof(max_align_t))

/* No object may be larger than this (C objects are limited to PTRDIFF_MAX);
 * a push whose size plus alignment slack exceeds it fails with OVERFLOW. */
#define SAMRENA__MAX_FOOTPRINT ((uint64_t)PTRDIFF_MAX)

/* alignment is a power of two in all of these. */
static inline uint64_t samrena__align_up(uint64_t value, uint64_t alignment) {
  return (value + (alignment - 1)) & ~(alignment - 1);
}
static inline bool samrena__is_power_of_two(uint64_t value) {
  return value != 0 && (value & (value - 1)) == 0;
}
/* value rounded up to a multiple of alignment, or false when that overflows. */
static inline bool samrena__round_up_checked(uint64_t value, uint64_t alignment, uint64_t *out) {
  if (value > UINT64_MAX - (alignment - 1))
    return false;
  *out = samrena__align_up(value, alignment);
  return true;
}
/* Bytes of padding that align ptr up to alignment. */
static inline uint64_t samrena__padding_for(const void *ptr, uint64_t alignment) {
  return (uint64_t)(-(uintptr_t)ptr & (uintptr_t)(alignment - 1));
}

#endif /* SAMRENA_ARITH_H */
