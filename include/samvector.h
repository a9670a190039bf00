/* samvector.h -- growable arrays on a samrena arena.
 *
 * The interface of upstream samrena's samvector.h: the same names, types,
 * argument order and results, so programs written for it build unchanged.
 * See samvector(3) for the overview and a page per family of calls.
 *
 * What this library adds, all in the man pages:
 *  - a vector whose buffer is the last allocation of its arena grows in
 *    place (samrena_resize), so growth costs no copy;
 *  - an owned vector (samrena_vector_init_owned) is alone on an arena of
 *    its own, a virtual memory reservation: its data pointer never moves,
 *    however large it grows, up to the reservation (2 GiB on 64-bit hosts);
 *    without virtual memory its arena is chained and growth may move it;
 *  - every size computation is checked for overflow, and every call given
 *    NULL or an index out of bounds returns its error (NULL, false, 0 where
 *    the signature has no error code) and records a SamrenaError for
 *    samrena_last_error(), instead of crashing.
 *
 * Invariants the library keeps and the inline functions below rely on:
 * size <= capacity, capacity * element_size <= PTRDIFF_MAX, and data points
 * at capacity * element_size bytes (data is NULL when capacity is 0), and
 * ready <= capacity.  The fields may be read; only growth_factor and
 * min_growth may be written.
 *
 * This header compiles as C99, C11 and C++11.
 */
#ifndef SAMVECTOR_H
#define SAMVECTOR_H

#include "samrena.h"

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h> /* malloc and free, for SAMRENA_DECLARE_VECTOR */
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- types */

typedef enum {
  SAMRENA_VECTOR_SUCCESS = 0,
  SAMRENA_VECTOR_ERROR_NULL_POINTER,
  SAMRENA_VECTOR_ERROR_OUT_OF_BOUNDS,
  SAMRENA_VECTOR_ERROR_ALLOCATION_FAILED,
  SAMRENA_VECTOR_ERROR_INVALID_OPERATION,
  SAMRENA_VECTOR_ERROR_ARENA_EXHAUSTED
} SamrenaVectorError;

typedef struct {
  uint64_t size;         /* elements in use */
  uint64_t element_size; /* bytes per element, >= 1 */
  uint64_t capacity;     /* elements data has room for */
  void *data;            /* capacity * element_size bytes on arena */
  Samrena *arena;        /* where data lives; NULL once destroyed */
  bool owns_arena;       /* made by samrena_vector_init_owned */
  float growth_factor;   /* a full push grows capacity at least this many times */
  size_t min_growth;     /* ... and by at least this many elements */
  uint64_t ready;        /* the library's own: the inline push stores below it without a
                            call (<= capacity; a large vector's next pages are made
                            resident before it moves on) */
} SamrenaVector;

typedef struct {
  const SamrenaVector *vector;
  size_t current_index;
  bool is_valid;
} SamrenaVectorIterator;

typedef struct {
  size_t used_bytes;      /* size * element_size */
  size_t allocated_bytes; /* capacity * element_size */
  size_t wasted_bytes;    /* allocated_bytes - used_bytes */
  float utilization;      /* used_bytes / allocated_bytes; 0 when nothing is allocated */
} SamrenaVectorStats;

typedef bool (*SamrenaVectorPredicate)(const void *element, void *user_data);
typedef void (*SamrenaVectorTransform)(const void *src, void *dst, void *user_data);
typedef void (*SamrenaVectorForEach)(const void *element, void *user_data);

/* ------------------------------------------------------------ lifecycle */

/* The vector and its data on arena, data last so that it grows in place.
 * initial_capacity 0 means 1.  NULL on failure (arena NULL, element_size 0,
 * overflow, out of memory). */
SAMRENA_API SamrenaVector *samrena_vector_init(Samrena *arena, uint64_t element_size,
                                               uint64_t initial_capacity);
/* A vector alone on an arena of its own, which samrena_vector_destroy
 * frees: a virtual reservation (2 GiB on 64-bit hosts, more if the initial
 * capacity needs it), so data never moves; chained where virtual memory is
 * not available. */
SAMRENA_API SamrenaVector *samrena_vector_init_owned(uint64_t element_size,
                                                     uint64_t initial_capacity);
/* As samrena_vector_init_owned, the reservation sized for reserve_capacity
 * elements (0: the default). */
SAMRENA_API SamrenaVector *samrena_vector_init_owned_reserve(uint64_t element_size,
                                                             uint64_t initial_capacity,
                                                             uint64_t reserve_capacity);
/* Owned: frees the arena and the vector.  Otherwise gives the data back to
 * the arena when it is the last allocation and empties the vector (arena
 * NULL); the vector itself stays in the arena.  NULL is a no-op. */
SAMRENA_API void samrena_vector_destroy(SamrenaVector *vec);

/* -------------------------------------------------------- push and pop */

/* Copies element to the end, growing when full; the new element, or NULL. */
SAMRENA_API void *samrena_vector_push(SamrenaVector *vec, const void *element);
/* Removes the last element; a pointer to it, valid until the next push,
 * or NULL when empty. */
SAMRENA_API void *samrena_vector_pop(SamrenaVector *vec);

/* ------------------------------------------------------ element access */

SAMRENA_API SamrenaVectorError samrena_vector_get(const SamrenaVector *vec, size_t index,
                                                  void *out_element);
SAMRENA_API SamrenaVectorError samrena_vector_set(SamrenaVector *vec, size_t index,
                                                  const void *element);
/* A pointer to element index, or NULL when out of bounds. */
SAMRENA_API void *samrena_vector_at(SamrenaVector *vec, size_t index);
SAMRENA_API const void *samrena_vector_at_const(const SamrenaVector *vec, size_t index);

/* No checks beyond assert(): index must be below size. */
static inline void *samrena_vector_at_unchecked(SamrenaVector *vec, size_t index) {
  assert(vec != NULL);
  assert(index < vec->size);
  return (unsigned char *)vec->data + index * (size_t)vec->element_size;
}

static inline const void *samrena_vector_at_unchecked_const(const SamrenaVector *vec,
                                                            size_t index) {
  assert(vec != NULL);
  assert(index < vec->size);
  return (const unsigned char *)vec->data + index * (size_t)vec->element_size;
}

#define SAMRENA_VECTOR_ELEM(vec, type, index) ((type *)((vec)->data))[(index)]

/* ------------------------------------------------- capacity and content */

/* size = 0; the capacity is kept. */
SAMRENA_API void samrena_vector_clear(SamrenaVector *vec);
/* size = new_size, which must not exceed size (OUT_OF_BOUNDS). */
SAMRENA_API SamrenaVectorError samrena_vector_truncate(SamrenaVector *vec, size_t new_size);
/* size = 0 and, if it differs, capacity = initial_capacity. */
SAMRENA_API SamrenaVectorError samrena_vector_reset(SamrenaVector *vec, size_t initial_capacity);
/* capacity = new_capacity exactly: growth in place when possible, a shrink
 * drops the elements past it; 0 releases the data (data NULL). */
SAMRENA_API SamrenaVectorError samrena_vector_resize(SamrenaVector *vec, uint64_t new_capacity);

SAMRENA_API size_t samrena_vector_size(const SamrenaVector *vec);
SAMRENA_API size_t samrena_vector_capacity(const SamrenaVector *vec);
SAMRENA_API bool samrena_vector_is_empty(const SamrenaVector *vec);  /* NULL: true */
SAMRENA_API bool samrena_vector_is_full(const SamrenaVector *vec);   /* size >= capacity; NULL: false */
SAMRENA_API size_t samrena_vector_available(const SamrenaVector *vec); /* capacity - size */
/* Bytes used and allocated; all zero for NULL. */
SAMRENA_API SamrenaVectorStats samrena_vector_get_stats(const SamrenaVector *vec);

/* ----------------------------------------------------------- iterators */

SAMRENA_API SamrenaVectorIterator samrena_vector_iter_begin(const SamrenaVector *vec);
SAMRENA_API bool samrena_vector_iter_has_next(const SamrenaVectorIterator *iter);
/* The next element, or NULL at the end. */
SAMRENA_API const void *samrena_vector_iter_next(SamrenaVectorIterator *iter);
SAMRENA_API void samrena_vector_iter_reset(SamrenaVectorIterator *iter);

/* --------------------------------------------------- filter, map, foreach */

/* A new vector on target_arena of the elements for which predicate is true. */
SAMRENA_API SamrenaVector *samrena_vector_filter(const SamrenaVector *vec,
                                                 SamrenaVectorPredicate predicate, void *user_data,
                                                 Samrena *target_arena);
/* A new vector on target_arena of dst_element_size elements, transform
 * writing each into its (zeroed) place. */
SAMRENA_API SamrenaVector *samrena_vector_map(const SamrenaVector *src_vec, size_t dst_element_size,
                                              SamrenaVectorTransform transform, void *user_data,
                                              Samrena *target_arena);
SAMRENA_API void samrena_vector_foreach(const SamrenaVector *vec, SamrenaVectorForEach callback,
                                        void *user_data);

/* ------------------------------------------------------ transfer, slice */

/* A copy on new_arena, same capacity and growth settings; vec unchanged. */
SAMRENA_API SamrenaVector *samrena_vector_transfer(SamrenaVector *vec, Samrena *new_arena);
/* A copy of elements [start, end) on target_arena (NULL: vec's arena,
 * refused for an owned vector). */
SAMRENA_API SamrenaVector *samrena_vector_slice(const SamrenaVector *vec, size_t start, size_t end,
                                                Samrena *target_arena);

/* ------------------------------------------------------ inline push */

/* samrena_vector_push is a macro over this function: below ready it
 * copies the element without a call into the library (elements of 4 and 8
 * bytes as fixed-size moves); at ready (the vector full, or a large
 * vector's pages ahead to be made resident) and for any bad argument, it
 * calls the exported function, which grows the vector, prepares the next
 * pages or records the error.
 * (samrena_vector_push)(v, e), #undef, or defining SAMRENA_NO_INLINE reaches
 * the exported function directly. */
#if defined(__has_builtin)
#if __has_builtin(__builtin_mul_overflow)
#define SAMRENA_VECTOR_MUL_OVERFLOW(a, b, out) __builtin_mul_overflow((a), (b), (out))
#endif
#endif
#if !defined(SAMRENA_VECTOR_MUL_OVERFLOW) && defined(__GNUC__) && __GNUC__ >= 5
#define SAMRENA_VECTOR_MUL_OVERFLOW(a, b, out) __builtin_mul_overflow((a), (b), (out))
#endif
#if !defined(SAMRENA_VECTOR_MUL_OVERFLOW)
#define SAMRENA_VECTOR_MUL_OVERFLOW(a, b, out) \
  ((b) != 0 && (a) > UINT64_MAX / (b) ? true : (*(out) = (a) * (b), false))
#endif

/* The fixed-size copies are taken only when element_size is that size,
 * which GCC cannot see: it would warn that they read past a smaller
 * element. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#if __GNUC__ >= 11
#pragma GCC diagnostic ignored "-Wstringop-overread"
#endif
#endif
static inline void *samrena_vector_inline_push(SamrenaVector *vec, const void *element) {
  uint64_t size;
  if (vec != NULL && element != NULL && (size = vec->size) < vec->ready) {
    /* No multiplication here can overflow: size < ready <= capacity, and the
     * library checks capacity * element_size <= PTRDIFF_MAX whenever it
     * sets the capacity (a capacity written by hand would break the
     * bounds whatever this checked). */
    unsigned char *data = (unsigned char *)vec->data, *slot;
    uint64_t element_size = vec->element_size;
    if (element_size == 4) {
      slot = data + (size_t)size * 4;
      memcpy(slot, element, 4);
    } else if (element_size == 8) {
      slot = data + (size_t)size * 8;
      memcpy(slot, element, 8);
    } else {
      slot = data + (size_t)size * (size_t)element_size;
      memcpy(slot, element, (size_t)element_size);
    }
    vec->size = size + 1; /* not ++: the compiler would reload what the copy may alias */
    return slot;
  }
  return (samrena_vector_push)(vec, element);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#if !defined(SAMRENA_NO_INLINE) && !defined(SAMRENA_BUILDING)
#define samrena_vector_push(vec, element) samrena_vector_inline_push((vec), (element))
#endif

/* ------------------------------------------------------ typed wrappers */

/* The wrappers are defined where the macro is used, so a compiler would
 * warn about each one a program does not call. */
#if defined(__GNUC__)
#define SAMRENA_VECTOR_MAYBE_UNUSED __attribute__((unused))
#else
#define SAMRENA_VECTOR_MAYBE_UNUSED
#endif

/* SAMRENA_DECLARE_VECTOR(T), T a single identifier (a typedef name for
 * anything else), declares SamrenaVector_T, a handle holding a
 * SamrenaVector of T, and static inline samrena_vector_T_init, _init_owned,
 * _push, _pop, _at, _at_const, _get, _set, _size, _capacity, _is_empty,
 * _is_full, _clear, _resize and _destroy that take and return T.  The handle
 * of _init is pushed on the arena; that of _init_owned is malloc'd, and
 * _destroy frees it with the vector.  A NULL handle is refused as a NULL
 * vector is (_is_full gives true, as upstream's does). */
#define SAMRENA_DECLARE_VECTOR(type)                                                             \
  typedef struct {                                                                               \
    SamrenaVector *_vec;                                                                         \
  } SamrenaVector_##type;                                                                        \
                                                                                                 \
  SAMRENA_VECTOR_MAYBE_UNUSED                                                                    \
  static inline SamrenaVector_##type *samrena_vector_##type##_init(Samrena *arena,               \
                                                                   uint64_t initial_capacity) {  \
    SamrenaVector_##type *handle =                                                               \
        (SamrenaVector_##type *)samrena_push(arena, sizeof(SamrenaVector_##type));               \
    if (handle == NULL)                                                                          \
      return NULL;                                                                               \
    handle->_vec = samrena_vector_init(arena, sizeof(type), initial_capacity);                   \
    return handle->_vec != NULL ? handle : NULL;                                                 \
  }                                                                                              \
                                                                                                 \
  SAMRENA_VECTOR_MAYBE_UNUSED                                                                    \
  static inline SamrenaVector_##type *samrena_vector_##type##_init_owned(                        \
      uint64_t initial_capacity) {                                                               \
    SamrenaVector_##type *handle = (SamrenaVector_##type *)malloc(sizeof(SamrenaVector_##type)); \
    if (handle == NULL)                                                                          \
      return NULL;                                                                               \
    handle->_vec = samrena_vector_init_owned(sizeof(type), initial_capacity);                    \
    if (handle->_vec == NULL) {                                                                  \
      free(handle);                                                                              \
      return NULL;                                                                               \
    }                                                                                            \
    return handle;                                                                               \
  }                                                                                              \
                                                                                                 \
  SAMRENA_VECTOR_MAYBE_UNUSED                                                                    \
  static inline type *samrena_vector_##type##_push(SamrenaVector_##type *vec,                    \
                                                   const type *element) {                        \
    return vec != NULL ? (type *)samrena_vector_push(vec->_vec, element) : NULL;                 \
  }                                                                                              \
                                                                                                 \
  SAMRENA_VECTOR_MAYBE_UNUSED                                                                    \
  static inline type *samrena_vector_##type##_pop(SamrenaVector_##type *vec) {                   \
    return vec != NULL ? (type *)samrena_vector_pop(vec->_vec) : NULL;                           \
  }                                                                                              \
                                                                                                 \
  SAMRENA_VECTOR_MAYBE_UNUSED                                                                    \
  static inline type *samrena_vector_##type##_at(SamrenaVector_##type *vec, size_t index) {      \
    return vec != NULL ? (type *)samrena_vector_at(vec->_vec, index) : NULL;                     \
  }                                                                                              \
                                                                                                 \
  SAMRENA_VECTOR_MAYBE_UNUSED                                                                    \
  static inline const type *samrena_vector_##type##_at_const(const SamrenaVector_##type *vec,    \
                                                             size_t index) {                     \
    return vec != NULL ? (const type *)samrena_vector_at_const(vec->_vec, index) : NULL;         \
  }                                                                                              \
                                                                                                 \
  SAMRENA_VECTOR_MAYBE_UNUSED                                                                    \
  static inline SamrenaVectorError samrena_vector_##type##_get(const SamrenaVector_##type *vec,  \
                                                               size_t index, type *out_element) {\
    return vec != NULL ? samrena_vector_get(vec->_vec, index, out_element)                       \
                       : SAMRENA_VECTOR_ERROR_NULL_POINTER;                                      \
  }                                                                                              \
                                                                                                 \
  SAMRENA_VECTOR_MAYBE_UNUSED                                                                    \
  static inline SamrenaVectorError samrena_vector_##type##_set(SamrenaVector_##type *vec,        \
                                                               size_t index,                     \
                                                               const type *element) {            \
    return vec != NULL ? samrena_vector_set(vec->_vec, index, element)                           \
                       : SAMRENA_VECTOR_ERROR_NULL_POINTER;                                      \
  }                                                                                              \
                                                                                                 \
  SAMRENA_VECTOR_MAYBE_UNUSED                                                                    \
  static inline size_t samrena_vector_##type##_size(const SamrenaVector_##type *vec) {           \
    return vec != NULL ? samrena_vector_size(vec->_vec) : 0;                                     \
  }                                                                                              \
                                                                                                 \
  SAMRENA_VECTOR_MAYBE_UNUSED                                                                    \
  static inline size_t samrena_vector_##type##_capacity(const SamrenaVector_##type *vec) {       \
    return vec != NULL ? samrena_vector_capacity(vec->_vec) : 0;                                 \
  }                                                                                              \
                                                                                                 \
  SAMRENA_VECTOR_MAYBE_UNUSED                                                                    \
  static inline bool samrena_vector_##type##_is_empty(const SamrenaVector_##type *vec) {         \
    return vec != NULL ? samrena_vector_is_empty(vec->_vec) : true;                              \
  }                                                                                              \
                                                                                                 \
  SAMRENA_VECTOR_MAYBE_UNUSED                                                                    \
  static inline bool samrena_vector_##type##_is_full(const SamrenaVector_##type *vec) {          \
    return vec != NULL && vec->_vec != NULL ? samrena_vector_is_full(vec->_vec) : true;          \
  }                                                                                              \
                                                                                                 \
  SAMRENA_VECTOR_MAYBE_UNUSED                                                                    \
  static inline void samrena_vector_##type##_clear(SamrenaVector_##type *vec) {                  \
    if (vec != NULL)                                                                             \
      samrena_vector_clear(vec->_vec);                                                           \
  }                                                                                              \
                                                                                                 \
  SAMRENA_VECTOR_MAYBE_UNUSED                                                                    \
  static inline SamrenaVectorError samrena_vector_##type##_resize(SamrenaVector_##type *vec,     \
                                                                  uint64_t new_capacity) {       \
    return vec != NULL ? samrena_vector_resize(vec->_vec, new_capacity)                          \
                       : SAMRENA_VECTOR_ERROR_NULL_POINTER;                                      \
  }                                                                                              \
                                                                                                 \
  SAMRENA_VECTOR_MAYBE_UNUSED                                                                    \
  static inline void samrena_vector_##type##_destroy(SamrenaVector_##type *vec) {                \
    if (vec == NULL)                                                                             \
      return;                                                                                    \
    bool owned = vec->_vec != NULL && vec->_vec->owns_arena;                                     \
    samrena_vector_destroy(vec->_vec);                                                           \
    if (owned)                                                                                   \
      free(vec);                                                                                 \
  }

#ifdef __cplusplus
}
#endif

#endif /* SAMVECTOR_H */
