/* containers/vector.c -- SamrenaVector (samvector.h): growable arrays on an
 * arena, over the public arena API and one hint of the port's
 * (samrena__prepare: a vector's next pages made resident).
 *
 * A vector's buffer grows with samrena_resize, which grows it in place
 * while it is its arena's last allocation.  An owned vector is alone on an
 * arena of its own, so its buffer always is: on a virtual arena (one
 * reservation) it never moves; on a chained arena, growth past the current
 * block moves it into a fresh arena sized for it and frees the old one, so
 * old buffers are not left behind as they would be in a shared arena.
 */
#include <config.h>

#include "samvector.h"
#include "port/internal.h"
#include "fault.h"

#include <stdlib.h>
#include <string.h>

#define VECTOR_GROWTH_FACTOR 1.5f
#define VECTOR_MIN_GROWTH 8u

/* Address space an owned vector reserves by default: the virtual arena's
 * own default (2 GiB on 64-bit hosts, 256 MiB on 32-bit ones). */
#if UINTPTR_MAX > UINT32_MAX
#define VECTOR_OWNED_RESERVE (UINT64_C(2) << 30)
#else
#define VECTOR_OWNED_RESERVE (UINT64_C(256) << 20)
#endif

/* ---------------------------------------------------------------- helpers */

static SamrenaVectorError fail(SamrenaVectorError result, SamrenaError error) {
  samrena__fail(error);
  return result;
}

/* count * element_size, when it is a size an allocation can have. */
static bool bytes_for(uint64_t count, uint64_t element_size, uint64_t *out) {
  uint64_t bytes;
  if (SAMRENA_VECTOR_MUL_OVERFLOW(count, element_size, &bytes) || bytes > SAMRENA__MAX_FOOTPRINT)
    return false;
  *out = bytes;
  return true;
}

/* The element at index, which must be below size; NULL when the fields do
 * not describe a buffer (a vector written to by hand). */
static unsigned char *element_at(const SamrenaVector *vec, uint64_t index) {
  uint64_t offset;
  if (vec->data == NULL || !bytes_for(index, vec->element_size, &offset))
    return NULL;
  return (unsigned char *)vec->data + (size_t)offset;
}

/* The bytes of the buffer, which the invariants make representable; false
 * for a vector whose fields were broken. */
static bool buffer_bytes(const SamrenaVector *vec, uint64_t *out) {
  if (vec->element_size == 0 || vec->size > vec->capacity)
    return false;
  if (vec->data == NULL) {
    *out = 0;
    return vec->capacity == 0;
  }
  return bytes_for(vec->capacity, vec->element_size, out);
}

/* Sets ready, the index below which the inline push stores without a
 * call: the capacity, except for a vector with more than
 * SAMRENA__PREPARE_AHEAD_BYTES of room past its size on an arena that can
 * make memory resident ahead (virtual: samrena__prepare, which leaves
 * alone what was handed out before, resident already), whose next
 * SAMRENA__PREPARE_AHEAD_BYTES are prepared and ready stops after them, so
 * that the push reaching it comes back here.  Pages once prepared are
 * below ready from then on (a clear or a pop keeps it), so none is asked
 * for twice while the buffer stays. */
static void set_ready(SamrenaVector *vec) {
  uint64_t ready = vec->capacity;
  uint64_t step = SAMRENA__PREPARE_AHEAD_BYTES / vec->element_size;
  if (vec->data != NULL && vec->arena != NULL && step != 0 && vec->size < ready &&
      ready - vec->size > step) {
    unsigned char *from = element_at(vec, vec->size);
    if (from != NULL && samrena__prepare(vec->arena, from, step * vec->element_size))
      ready = vec->size + step;
  }
  vec->ready = ready;
}

static void set_defaults(SamrenaVector *vec, Samrena *arena, uint64_t element_size,
                         uint64_t capacity, void *data, bool owned) {
  vec->size = 0;
  vec->element_size = element_size;
  vec->capacity = capacity;
  vec->data = data;
  vec->arena = arena;
  vec->owns_arena = owned;
  vec->growth_factor = VECTOR_GROWTH_FACTOR;
  vec->min_growth = VECTOR_MIN_GROWTH;
  set_ready(vec);
}

/* ----------------------------------------------------------- owned arenas */

/* An arena for one buffer of `bytes` (committed or malloc'd now).  Asked
 * for VIRTUAL, it may grow to `reserve` without moving, and it is chained
 * when this build or the system has no virtual memory for it (quietly: the
 * fallback is documented). */
static Samrena *owned_arena(SamrenaStrategy strategy, uint64_t bytes, uint64_t reserve) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = strategy;
  config.flags = SAMRENA_FLAG_QUIET;
  config.initial_pages = bytes / SAMRENA_DEFAULT_PAGE_SIZE + 1;
  uint64_t initial_bytes = config.initial_pages * SAMRENA_DEFAULT_PAGE_SIZE;
  config.max_reserve = reserve > initial_bytes ? reserve : initial_bytes;
  return samrena_create(&config);
}

/* Room the owned arena has for the buffer to grow in place. */
static uint64_t room_in_place(Samrena *arena) {
  SamrenaStats stats;
  if (samrena_stats(arena, &stats) != SAMRENA_OK)
    return 0;
  uint64_t end = samrena_strategy(arena) == SAMRENA_STRATEGY_VIRTUAL ? stats.reserved
                                                                      : stats.capacity;
  return end > stats.allocated ? end - stats.allocated : 0;
}

/* A chained owned vector outgrew its block: a fresh chained arena holding
 * the buffer, the elements copied, the old arena freed.  (It stays
 * chained: the strategy is settled when the vector is made.) */
static SamrenaVectorError relocate(SamrenaVector *vec, uint64_t new_bytes, uint64_t new_capacity) {
  uint64_t used;
  if (!bytes_for(vec->size, vec->element_size, &used))
    return fail(SAMRENA_VECTOR_ERROR_INVALID_OPERATION, SAMRENA_ERROR_INVALID_PARAMETER);
  Samrena *fresh = owned_arena(SAMRENA_STRATEGY_CHAINED, new_bytes, 0);
  if (fresh == NULL)
    return SAMRENA_VECTOR_ERROR_ALLOCATION_FAILED;
  void *data = samrena_push(fresh, new_bytes);
  if (data == NULL) {
    SamrenaError error = samrena_last_error();
    samrena_destroy(fresh);
    return fail(SAMRENA_VECTOR_ERROR_ALLOCATION_FAILED, error);
  }
  if (used != 0 && vec->data != NULL)
    memcpy(data, vec->data, (size_t)used);
  samrena_destroy(vec->arena);
  vec->arena = fresh;
  vec->data = data;
  vec->capacity = new_capacity; /* a growth: size stays within it */
  set_ready(vec);
  return SAMRENA_VECTOR_SUCCESS;
}

/* ------------------------------------------------------------- reallocate */

/* capacity = new_capacity exactly, the first min(size, new_capacity)
 * elements kept.  Nothing changes on failure. */
static SamrenaVectorError set_capacity(SamrenaVector *vec, uint64_t new_capacity) {
  uint64_t old_bytes, new_bytes;
  if (!buffer_bytes(vec, &old_bytes))
    return fail(SAMRENA_VECTOR_ERROR_INVALID_OPERATION, SAMRENA_ERROR_INVALID_PARAMETER);
  if (vec->arena == NULL)
    return fail(SAMRENA_VECTOR_ERROR_INVALID_OPERATION, SAMRENA_ERROR_NULL_POINTER);
  if (!bytes_for(new_capacity, vec->element_size, &new_bytes))
    return fail(SAMRENA_VECTOR_ERROR_ALLOCATION_FAILED, SAMRENA_ERROR_OVERFLOW);

  if (new_bytes > old_bytes && vec->owns_arena &&
      room_in_place(vec->arena) < new_bytes - old_bytes) {
    if (samrena_strategy(vec->arena) == SAMRENA_STRATEGY_VIRTUAL)
      return fail(SAMRENA_VECTOR_ERROR_ARENA_EXHAUSTED, SAMRENA_ERROR_OUT_OF_MEMORY);
    return relocate(vec, new_bytes, new_capacity);
  }

  /* In place when the buffer is the arena's last allocation (a shrink
   * gives the bytes back), otherwise a growth copies and a shrink stays. */
  void *data = samrena_resize(vec->arena, vec->data, old_bytes, new_bytes);
  if (data == NULL)
    return SAMRENA_VECTOR_ERROR_ALLOCATION_FAILED;
  if (new_bytes == 0)
    data = NULL;
  if (vec->owns_arena && new_bytes < old_bytes)
    (void)samrena_trim(vec->arena, new_bytes); /* the pages past it go back to the system */
  vec->data = data;
  vec->capacity = new_capacity;
  if (vec->size > new_capacity)
    vec->size = new_capacity;
  set_ready(vec);
  return SAMRENA_VECTOR_SUCCESS;
}

/* The capacity a full vector grows to for `needed` elements: at least
 * growth_factor times and min_growth more than now, saturating instead of
 * overflowing, and no more than element_size allows. */
static uint64_t grown_capacity(const SamrenaVector *vec, uint64_t needed) {
  uint64_t capacity = vec->capacity;
  uint64_t target = capacity;
  if (vec->growth_factor > 1.0f) { /* false for NaN too */
    double scaled = (double)capacity * (double)vec->growth_factor;
    target = scaled < 18446744073709551616.0 ? (uint64_t)scaled : UINT64_MAX;
  }
  uint64_t plus = (uint64_t)vec->min_growth;
  plus = capacity > UINT64_MAX - plus ? UINT64_MAX : capacity + plus;
  if (plus > target)
    target = plus;
  if (needed > target)
    target = needed;
  uint64_t most = SAMRENA__MAX_FOOTPRINT / vec->element_size;
  return target > most ? most : target;
}

/* Makes room for `needed` elements by the growth policy; when the policy's
 * capacity cannot be had (no memory, or more than the arena can count),
 * exactly `needed`. */
static SamrenaVectorError grow_for(SamrenaVector *vec, uint64_t needed) {
  if (vec->element_size == 0)
    return fail(SAMRENA_VECTOR_ERROR_INVALID_OPERATION, SAMRENA_ERROR_INVALID_PARAMETER);
  uint64_t target = grown_capacity(vec, needed);
  if (target < needed)
    return fail(SAMRENA_VECTOR_ERROR_ALLOCATION_FAILED, SAMRENA_ERROR_OVERFLOW);
  SamrenaVectorError error = set_capacity(vec, target);
  if (error != SAMRENA_VECTOR_SUCCESS && target > needed &&
      (error == SAMRENA_VECTOR_ERROR_ALLOCATION_FAILED ||
       error == SAMRENA_VECTOR_ERROR_ARENA_EXHAUSTED))
    error = set_capacity(vec, needed);
  return error;
}

/* ---------------------------------------------------------------- lifecycle */

SamrenaVector *samrena_vector_init(Samrena *arena, uint64_t element_size,
                                   uint64_t initial_capacity) {
  if (arena == NULL)
    return samrena__fail_null(SAMRENA_ERROR_NULL_POINTER);
  if (element_size == 0)
    return samrena__fail_null(SAMRENA_ERROR_INVALID_SIZE);
  uint64_t capacity = initial_capacity != 0 ? initial_capacity : 1;
  uint64_t bytes;
  if (!bytes_for(capacity, element_size, &bytes))
    return samrena__fail_null(SAMRENA_ERROR_OVERFLOW);
  SamrenaVector *vec = samrena_push(arena, sizeof *vec);
  if (vec == NULL)
    return NULL;
  void *data = samrena_push_zero(arena, bytes);
  if (data == NULL) {
    SamrenaError error = samrena_last_error();
    (void)samrena_resize(arena, vec, sizeof *vec, 0); /* the handle goes back */
    return samrena__fail_null(error);
  }
  set_defaults(vec, arena, element_size, capacity, data, false);
  return vec;
}

SamrenaVector *samrena_vector_init_owned_reserve(uint64_t element_size, uint64_t initial_capacity,
                                                 uint64_t reserve_capacity) {
  if (element_size == 0)
    return samrena__fail_null(SAMRENA_ERROR_INVALID_SIZE);
  uint64_t capacity = initial_capacity != 0 ? initial_capacity : 1;
  uint64_t bytes, reserve;
  if (!bytes_for(capacity, element_size, &bytes))
    return samrena__fail_null(SAMRENA_ERROR_OVERFLOW);
  if (reserve_capacity != 0) {
    if (!bytes_for(reserve_capacity, element_size, &reserve))
      return samrena__fail_null(SAMRENA_ERROR_OVERFLOW);
  } else {
    /* Room to grow however large the start: twice it, saturating. */
    reserve = bytes > SAMRENA__MAX_FOOTPRINT / 2 ? SAMRENA__MAX_FOOTPRINT : 2 * bytes;
    if (reserve < VECTOR_OWNED_RESERVE)
      reserve = VECTOR_OWNED_RESERVE;
  }
  if (reserve < bytes)
    reserve = bytes;

  SamrenaVector *vec = samrena__malloc(sizeof *vec);
  if (vec == NULL)
    return samrena__fail_null(SAMRENA_ERROR_OUT_OF_MEMORY);
  Samrena *arena = owned_arena(SAMRENA_STRATEGY_VIRTUAL, bytes, reserve);
  void *data = arena != NULL ? samrena_push_zero(arena, bytes) : NULL;
  if (data == NULL) {
    SamrenaError error = samrena_last_error();
    samrena_destroy(arena);
    free(vec);
    return samrena__fail_null(error);
  }
  set_defaults(vec, arena, element_size, capacity, data, true);
  return vec;
}

SamrenaVector *samrena_vector_init_owned(uint64_t element_size, uint64_t initial_capacity) {
  return samrena_vector_init_owned_reserve(element_size, initial_capacity, 0);
}

void samrena_vector_destroy(SamrenaVector *vec) {
  if (vec == NULL)
    return;
  if (vec->owns_arena) {
    samrena_destroy(vec->arena);
    free(vec);
    return;
  }
  uint64_t bytes;
  if (vec->arena != NULL && vec->data != NULL && buffer_bytes(vec, &bytes))
    (void)samrena_resize(vec->arena, vec->data, bytes, 0); /* back to the arena if last */
  vec->data = NULL;
  vec->size = 0;
  vec->capacity = 0;
  vec->ready = 0;
  vec->arena = NULL;
}

/* ------------------------------------------------------------- push and pop */

void *(samrena_vector_push)(SamrenaVector *vec, const void *element) {
  if (vec == NULL || element == NULL)
    return samrena__fail_null(SAMRENA_ERROR_NULL_POINTER);
  if (vec->size >= vec->capacity) {
    if (vec->size == UINT64_MAX)
      return samrena__fail_null(SAMRENA_ERROR_OVERFLOW);
    /* An element inside the buffer is found again after a move. */
    uintptr_t at = (uintptr_t)element, start = (uintptr_t)vec->data;
    uint64_t used = 0;
    bool inside = vec->data != NULL && bytes_for(vec->size, vec->element_size, &used) &&
                  at >= start && at - start < used;
    if (grow_for(vec, vec->size + 1) != SAMRENA_VECTOR_SUCCESS)
      return NULL;
    if (inside)
      element = (const unsigned char *)vec->data + (at - start);
  } else if (vec->size >= vec->ready) {
    set_ready(vec); /* the next pages, or a vector made by hand */
  }
  unsigned char *slot = element_at(vec, vec->size);
  if (slot == NULL)
    return samrena__fail_null(SAMRENA_ERROR_INVALID_PARAMETER);
  memcpy(slot, element, (size_t)vec->element_size);
  vec->size++;
  return slot;
}

void *samrena_vector_pop(SamrenaVector *vec) {
  if (vec == NULL)
    return samrena__fail_null(SAMRENA_ERROR_NULL_POINTER);
  if (vec->size == 0)
    return samrena__fail_null(SAMRENA_ERROR_INVALID_PARAMETER);
  unsigned char *last = element_at(vec, vec->size - 1);
  if (last == NULL)
    return samrena__fail_null(SAMRENA_ERROR_INVALID_PARAMETER);
  vec->size--;
  return last;
}

/* ----------------------------------------------------------- element access */

/* The element at index, or NULL with the error recorded. */
static unsigned char *checked_at(const SamrenaVector *vec, size_t index) {
  if (vec == NULL)
    return samrena__fail_null(SAMRENA_ERROR_NULL_POINTER);
  if ((uint64_t)index >= vec->size)
    return samrena__fail_null(SAMRENA_ERROR_INVALID_PARAMETER);
  unsigned char *element = element_at(vec, index);
  if (element == NULL)
    return samrena__fail_null(SAMRENA_ERROR_INVALID_PARAMETER);
  return element;
}

/* The code for what checked_at refused. */
static SamrenaVectorError access_error(const SamrenaVector *vec) {
  return vec == NULL ? SAMRENA_VECTOR_ERROR_NULL_POINTER : SAMRENA_VECTOR_ERROR_OUT_OF_BOUNDS;
}

SamrenaVectorError samrena_vector_get(const SamrenaVector *vec, size_t index, void *out_element) {
  if (out_element == NULL)
    return fail(SAMRENA_VECTOR_ERROR_NULL_POINTER, SAMRENA_ERROR_NULL_POINTER);
  unsigned char *element = checked_at(vec, index);
  if (element == NULL)
    return access_error(vec);
  memmove(out_element, element, (size_t)vec->element_size);
  return SAMRENA_VECTOR_SUCCESS;
}

SamrenaVectorError samrena_vector_set(SamrenaVector *vec, size_t index, const void *element) {
  if (element == NULL)
    return fail(SAMRENA_VECTOR_ERROR_NULL_POINTER, SAMRENA_ERROR_NULL_POINTER);
  unsigned char *slot = checked_at(vec, index);
  if (slot == NULL)
    return access_error(vec);
  memmove(slot, element, (size_t)vec->element_size);
  return SAMRENA_VECTOR_SUCCESS;
}

void *samrena_vector_at(SamrenaVector *vec, size_t index) {
  return checked_at(vec, index);
}

const void *samrena_vector_at_const(const SamrenaVector *vec, size_t index) {
  return checked_at(vec, index);
}

/* ---------------------------------------------------- capacity and content */

void samrena_vector_clear(SamrenaVector *vec) {
  if (vec == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return;
  }
  vec->size = 0;
}

SamrenaVectorError samrena_vector_truncate(SamrenaVector *vec, size_t new_size) {
  if (vec == NULL)
    return fail(SAMRENA_VECTOR_ERROR_NULL_POINTER, SAMRENA_ERROR_NULL_POINTER);
  if ((uint64_t)new_size > vec->size)
    return fail(SAMRENA_VECTOR_ERROR_OUT_OF_BOUNDS, SAMRENA_ERROR_INVALID_PARAMETER);
  vec->size = new_size;
  return SAMRENA_VECTOR_SUCCESS;
}

SamrenaVectorError samrena_vector_resize(SamrenaVector *vec, uint64_t new_capacity) {
  if (vec == NULL)
    return fail(SAMRENA_VECTOR_ERROR_NULL_POINTER, SAMRENA_ERROR_NULL_POINTER);
  if (new_capacity == vec->capacity)
    return SAMRENA_VECTOR_SUCCESS;
  return set_capacity(vec, new_capacity);
}

SamrenaVectorError samrena_vector_reset(SamrenaVector *vec, size_t initial_capacity) {
  if (vec == NULL)
    return fail(SAMRENA_VECTOR_ERROR_NULL_POINTER, SAMRENA_ERROR_NULL_POINTER);
  vec->size = 0;
  return samrena_vector_resize(vec, initial_capacity);
}

size_t samrena_vector_size(const SamrenaVector *vec) {
  if (vec == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return 0;
  }
  return (size_t)vec->size;
}

size_t samrena_vector_capacity(const SamrenaVector *vec) {
  if (vec == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return 0;
  }
  return (size_t)vec->capacity;
}

bool samrena_vector_is_empty(const SamrenaVector *vec) {
  if (vec == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return true;
  }
  return vec->size == 0;
}

bool samrena_vector_is_full(const SamrenaVector *vec) {
  if (vec == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return false;
  }
  return vec->size >= vec->capacity;
}

size_t samrena_vector_available(const SamrenaVector *vec) {
  if (vec == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return 0;
  }
  return vec->capacity > vec->size ? (size_t)(vec->capacity - vec->size) : 0;
}

SamrenaVectorStats samrena_vector_get_stats(const SamrenaVector *vec) {
  SamrenaVectorStats stats = {0, 0, 0, 0.0f};
  uint64_t used, allocated;
  if (vec == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return stats;
  }
  if (!bytes_for(vec->size, vec->element_size, &used) ||
      !bytes_for(vec->capacity, vec->element_size, &allocated)) {
    samrena__fail(SAMRENA_ERROR_OVERFLOW);
    return stats;
  }
  stats.used_bytes = (size_t)used;
  stats.allocated_bytes = (size_t)allocated;
  stats.wasted_bytes = allocated > used ? (size_t)(allocated - used) : 0;
  if (allocated != 0)
    stats.utilization = (float)((double)used / (double)allocated);
  return stats;
}

/* -------------------------------------------------------------- iterators */

SamrenaVectorIterator samrena_vector_iter_begin(const SamrenaVector *vec) {
  SamrenaVectorIterator iter = {vec, 0, false};
  if (vec == NULL)
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
  else
    iter.is_valid = vec->size > 0;
  return iter;
}

bool samrena_vector_iter_has_next(const SamrenaVectorIterator *iter) {
  if (iter == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return false;
  }
  return iter->is_valid && iter->vector != NULL && (uint64_t)iter->current_index < iter->vector->size;
}

const void *samrena_vector_iter_next(SamrenaVectorIterator *iter) {
  if (!samrena_vector_iter_has_next(iter))
    return NULL;
  const unsigned char *element = element_at(iter->vector, iter->current_index);
  if (element == NULL)
    return samrena__fail_null(SAMRENA_ERROR_INVALID_PARAMETER);
  iter->current_index++;
  if ((uint64_t)iter->current_index >= iter->vector->size)
    iter->is_valid = false;
  return element;
}

void samrena_vector_iter_reset(SamrenaVectorIterator *iter) {
  if (iter == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return;
  }
  if (iter->vector == NULL)
    return;
  iter->current_index = 0;
  iter->is_valid = iter->vector->size > 0;
}

/* ------------------------------------------------- filter, map, foreach */

/* A new vector must not land on an owned vector's arena: its buffer would
 * no longer be the last allocation there, and would move. */
static bool is_owned_arena_of(const SamrenaVector *vec, const Samrena *arena) {
  return vec->owns_arena && arena == vec->arena;
}

SamrenaVector *samrena_vector_filter(const SamrenaVector *vec, SamrenaVectorPredicate predicate,
                                     void *user_data, Samrena *target_arena) {
  if (vec == NULL || predicate == NULL || target_arena == NULL)
    return samrena__fail_null(SAMRENA_ERROR_NULL_POINTER);
  if (is_owned_arena_of(vec, target_arena))
    return samrena__fail_null(SAMRENA_ERROR_INVALID_PARAMETER);
  SamrenaVector *result = samrena_vector_init(target_arena, vec->element_size, vec->size / 4 + 1);
  if (result == NULL)
    return NULL;
  /* The size is read every time: the predicate may change the vector. */
  for (uint64_t i = 0; i < vec->size; i++) {
    const unsigned char *element = element_at(vec, i);
    if (element == NULL)
      return samrena__fail_null(SAMRENA_ERROR_INVALID_PARAMETER);
    if (predicate(element, user_data) && (samrena_vector_push)(result, element) == NULL)
      return NULL;
  }
  return result;
}

SamrenaVector *samrena_vector_map(const SamrenaVector *src_vec, size_t dst_element_size,
                                  SamrenaVectorTransform transform, void *user_data,
                                  Samrena *target_arena) {
  if (src_vec == NULL || transform == NULL || target_arena == NULL)
    return samrena__fail_null(SAMRENA_ERROR_NULL_POINTER);
  if (dst_element_size == 0)
    return samrena__fail_null(SAMRENA_ERROR_INVALID_SIZE);
  if (is_owned_arena_of(src_vec, target_arena))
    return samrena__fail_null(SAMRENA_ERROR_INVALID_PARAMETER);
  uint64_t count = src_vec->size;
  SamrenaVector *result = samrena_vector_init(target_arena, dst_element_size, count);
  if (result == NULL)
    return NULL;
  for (uint64_t i = 0; i < count && i < src_vec->size; i++) {
    const unsigned char *element = element_at(src_vec, i);
    unsigned char *slot = element_at(result, i);
    if (element == NULL || slot == NULL)
      return samrena__fail_null(SAMRENA_ERROR_INVALID_PARAMETER);
    transform(element, slot, user_data);
    result->size = i + 1;
  }
  return result;
}

void samrena_vector_foreach(const SamrenaVector *vec, SamrenaVectorForEach callback,
                            void *user_data) {
  if (vec == NULL || callback == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return;
  }
  for (uint64_t i = 0; i < vec->size; i++) {
    const unsigned char *element = element_at(vec, i);
    if (element == NULL) {
      samrena__fail(SAMRENA_ERROR_INVALID_PARAMETER);
      return;
    }
    callback(element, user_data);
  }
}

/* ---------------------------------------------------------- transfer, slice */

/* A vector on arena holding count elements of vec from first, with vec's
 * growth settings and at least min_capacity of room. */
static SamrenaVector *copy_range(const SamrenaVector *vec, uint64_t first, uint64_t count,
                                 uint64_t min_capacity, Samrena *arena) {
  uint64_t bytes;
  if (!bytes_for(count, vec->element_size, &bytes))
    return samrena__fail_null(SAMRENA_ERROR_OVERFLOW);
  const unsigned char *source = count != 0 ? element_at(vec, first) : NULL;
  if (count != 0 && source == NULL)
    return samrena__fail_null(SAMRENA_ERROR_INVALID_PARAMETER);
  SamrenaVector *copy =
      samrena_vector_init(arena, vec->element_size, min_capacity > count ? min_capacity : count);
  if (copy == NULL)
    return NULL;
  if (count != 0)
    memcpy(copy->data, source, (size_t)bytes);
  copy->size = count;
  copy->growth_factor = vec->growth_factor;
  copy->min_growth = vec->min_growth;
  return copy;
}

SamrenaVector *samrena_vector_transfer(SamrenaVector *vec, Samrena *new_arena) {
  if (vec == NULL || new_arena == NULL)
    return samrena__fail_null(SAMRENA_ERROR_NULL_POINTER);
  if (is_owned_arena_of(vec, new_arena))
    return samrena__fail_null(SAMRENA_ERROR_INVALID_PARAMETER);
  return copy_range(vec, 0, vec->size, vec->capacity, new_arena);
}

SamrenaVector *samrena_vector_slice(const SamrenaVector *vec, size_t start, size_t end,
                                    Samrena *target_arena) {
  if (vec == NULL)
    return samrena__fail_null(SAMRENA_ERROR_NULL_POINTER);
  if (target_arena == NULL) {
    if (vec->owns_arena)
      return samrena__fail_null(SAMRENA_ERROR_INVALID_PARAMETER);
    target_arena = vec->arena;
    if (target_arena == NULL)
      return samrena__fail_null(SAMRENA_ERROR_NULL_POINTER);
  }
  if (is_owned_arena_of(vec, target_arena))
    return samrena__fail_null(SAMRENA_ERROR_INVALID_PARAMETER);
  if (start > end || (uint64_t)end > vec->size)
    return samrena__fail_null(SAMRENA_ERROR_INVALID_PARAMETER);
  return copy_range(vec, start, end - start, 0, target_arena);
}
