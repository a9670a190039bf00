/* check_vector.c -- SamrenaVector (samvector.h): the upstream behaviour of
 * every call, growth in place when the buffer is the arena's last
 * allocation, the owned vector that never moves, overflow and bad input.
 * Vectors on a caller's arena run over every strategy the build has. */
#include "check_util.h"

#include "samvector.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define STRATEGY (util_strategies[_i])

/* A vector of ints on arena holding 0, 1, ..., n - 1. */
static SamrenaVector *ints(Samrena *arena, uint64_t capacity, int n) {
  SamrenaVector *vec = samrena_vector_init(arena, sizeof(int), capacity);
  ck_assert_ptr_nonnull(vec);
  for (int i = 0; i < n; i++)
    ck_assert_ptr_nonnull(samrena_vector_push(vec, &i));
  return vec;
}

static bool holds_sequence(const SamrenaVector *vec, int n) {
  if (vec->size != (uint64_t)n)
    return false;
  for (int i = 0; i < n; i++) {
    int value = -1;
    if (samrena_vector_get(vec, (size_t)i, &value) != SAMRENA_VECTOR_SUCCESS || value != i)
      return false;
  }
  return true;
}

/* ---------------------------------------------------------------- lifecycle */

START_TEST(test_init_fields) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaVector *vec = samrena_vector_init(arena, sizeof(double), 10);
  ck_assert_ptr_nonnull(vec);
  ck_assert_uint_eq(vec->size, 0);
  ck_assert_uint_eq(vec->element_size, sizeof(double));
  ck_assert_uint_eq(vec->capacity, 10);
  ck_assert_ptr_nonnull(vec->data);
  ck_assert(util_all_zero(vec->data, 10 * sizeof(double)));
  ck_assert_ptr_eq(vec->arena, arena);
  ck_assert(!vec->owns_arena);
  ck_assert(vec->growth_factor > 1.0f);
  ck_assert_uint_gt(vec->min_growth, 0);
  ck_assert_uint_eq((uintptr_t)vec->data % alignof(max_align_t), 0);

  SamrenaVector *one = samrena_vector_init(arena, 3, 0); /* 0 means 1 */
  ck_assert_ptr_nonnull(one);
  ck_assert_uint_eq(one->capacity, 1);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_init_refuses) {
  Samrena *arena = util_arena(STRATEGY, 1);
  uint64_t before = samrena_allocated(arena);
  ck_assert_ptr_null(samrena_vector_init(NULL, sizeof(int), 10));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_ptr_null(samrena_vector_init(arena, 0, 10));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_SIZE);
  /* capacity * element_size overflows: refused before anything is pushed */
  ck_assert_ptr_null(samrena_vector_init(arena, UINT64_MAX, 1));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  ck_assert_ptr_null(samrena_vector_init(arena, SIZE_MAX - 7, 2));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  ck_assert_ptr_null(samrena_vector_init(arena, (uint64_t)PTRDIFF_MAX / 2 + 1, 2));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  ck_assert_ptr_null(samrena_vector_init(arena, 8, UINT64_MAX / 4));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  ck_assert_uint_eq(samrena_allocated(arena), before);
  ck_assert_ptr_null(samrena_vector_init_owned(0, 1));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_SIZE);
  ck_assert_ptr_null(samrena_vector_init_owned(UINT64_MAX, 1));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  ck_assert_ptr_null(samrena_vector_init_owned_reserve(4, 1, UINT64_MAX / 2));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  samrena_destroy(arena);
}
END_TEST

/* A failed data push gives the vector's handle back to the arena. */
START_TEST(test_init_out_of_memory) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = STRATEGY;
  config.max_reserve = STRATEGY == SAMRENA_STRATEGY_VIRTUAL ? 1 * MiB : 0;
  if (STRATEGY == SAMRENA_STRATEGY_BUFFER) {
    config.buffer = util_buffer(1 * MiB);
    config.buffer_size = 1 * MiB;
  }
  Samrena *arena = util_arena_config(config);
  if (STRATEGY == SAMRENA_STRATEGY_CHAINED) {
    samrena_destroy(arena);
    return; /* malloc does not fail on demand here */
  }
  uint64_t before = samrena_allocated(arena);
  ck_assert_ptr_null(samrena_vector_init(arena, 1, 2 * MiB));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
  /* The handle went back too (in the debug mode its guard too). */
  ck_assert_uint_le(samrena_allocated(arena), before);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_destroy_borrowed) {
  Samrena *arena = util_arena(STRATEGY, 1);
  uint64_t empty = samrena_allocated(arena);
  SamrenaVector *vec = ints(arena, 16, 5);
  uint64_t with_vector = samrena_allocated(arena);
  samrena_vector_destroy(vec);
  /* The data was the last allocation: it goes back (its guard too, in the
   * debug mode); the handle stays. */
  ck_assert_uint_eq(samrena_allocated(arena), with_vector - UTIL_FOOTPRINT(arena, 16 * sizeof(int)));
  ck_assert_uint_gt(samrena_allocated(arena), empty);
  ck_assert_ptr_null(vec->data);
  ck_assert_ptr_null(vec->arena);
  ck_assert_uint_eq(vec->size, 0);
  ck_assert_uint_eq(vec->capacity, 0);
  /* A destroyed vector refuses to grow, and never crashes. */
  int value = 1;
  ck_assert_ptr_null(samrena_vector_push(vec, &value));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_int_eq(samrena_vector_resize(vec, 4), SAMRENA_VECTOR_ERROR_INVALID_OPERATION);
  ck_assert_ptr_null(samrena_vector_at(vec, 0));
  ck_assert_ptr_null(samrena_vector_pop(vec));
  samrena_vector_destroy(vec); /* again: nothing to do */
  samrena_vector_destroy(NULL);
  ck_assert_ptr_nonnull(samrena_push(arena, 100)); /* the arena is fine */
  samrena_destroy(arena);
}
END_TEST

/* ------------------------------------------------------------- push and pop */

START_TEST(test_push_pop) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaVector *vec = samrena_vector_init(arena, sizeof(int), 3);
  int values[] = {10, 20, 30, 40, 50};
  for (int i = 0; i < 5; i++) {
    int *stored = samrena_vector_push(vec, &values[i]);
    ck_assert_ptr_nonnull(stored);
    ck_assert_int_eq(*stored, values[i]);
    ck_assert_uint_eq(vec->size, (uint64_t)i + 1);
  }
  ck_assert_uint_ge(vec->capacity, 5);
  for (int i = 4; i >= 0; i--) {
    int *popped = samrena_vector_pop(vec);
    ck_assert_ptr_nonnull(popped);
    ck_assert_int_eq(*popped, values[i]);
    ck_assert_uint_eq(vec->size, (uint64_t)i);
  }
  ck_assert_ptr_null(samrena_vector_pop(vec));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
  ck_assert_ptr_null(samrena_vector_push(NULL, &values[0]));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_ptr_null(samrena_vector_push(vec, NULL));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_ptr_null(samrena_vector_pop(NULL));
  ck_assert_uint_eq(vec->size, 0);
  samrena_destroy(arena);
}
END_TEST

/* The inline fast path and the exported function do the same, for the
 * sizes the fast path copies itself and for others. */
START_TEST(test_push_inline_and_exported) {
  Samrena *arena = util_arena(STRATEGY, 1);
  static const uint64_t sizes[] = {1, 2, 3, 4, 8, 12, 16, 100};
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    uint64_t size = sizes[s];
    SamrenaVector *vec = samrena_vector_init(arena, size, 2);
    unsigned char element[100];
    for (uint64_t i = 0; i < 50; i++) {
      util_fill(element, size, i);
      unsigned char *stored = i % 2 ? (samrena_vector_push)(vec, element)
                                    : samrena_vector_push(vec, element);
      ck_assert_ptr_nonnull(stored);
      ck_assert_ptr_eq(stored, (unsigned char *)vec->data + i * size);
      ck_assert_uint_le(vec->ready, vec->capacity);
    }
    for (uint64_t i = 0; i < 50; i++)
      ck_assert(util_check(samrena_vector_at(vec, (size_t)i), size, i));
  }
  samrena_destroy(arena);
}
END_TEST

/* upstream: the new capacity is at least growth_factor times the old and
 * min_growth more, and grows only when full. */
START_TEST(test_growth_policy) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaVector *vec = samrena_vector_init(arena, sizeof(int), 2);
  int growths = 0;
  for (int i = 0; i < 200; i++) {
    uint64_t before = vec->capacity;
    bool full = samrena_vector_is_full(vec);
    ck_assert_ptr_nonnull(samrena_vector_push(vec, &i));
    if (vec->capacity != before) {
      ck_assert(full);
      ck_assert_uint_ge(vec->capacity, (uint64_t)((double)before * 1.5));
      ck_assert_uint_ge(vec->capacity, before + vec->min_growth);
      growths++;
    }
  }
  ck_assert_int_gt(growths, 2);
  ck_assert(holds_sequence(vec, 200));
  samrena_destroy(arena);
}
END_TEST

/* Growth settings a caller wrote that make no sense still grow by one at
 * least, and huge ones saturate and then fall back to what is needed. */
START_TEST(test_growth_settings_hostile) {
  Samrena *arena = util_arena(STRATEGY, 1);
  static const float factors[] = {0.0f, 0.5f, 1.0f, -3.0f, 1e30f};
  for (size_t f = 0; f < sizeof factors / sizeof factors[0]; f++) {
    SamrenaVector *vec = samrena_vector_init(arena, sizeof(int), 1);
    vec->growth_factor = factors[f];
    vec->min_growth = 0;
    for (int i = 0; i < 20; i++)
      ck_assert_ptr_nonnull(samrena_vector_push(vec, &i));
    ck_assert(holds_sequence(vec, 20));
  }
  SamrenaVector *vec = samrena_vector_init(arena, sizeof(int), 1);
  vec->growth_factor = (float)NAN;
  vec->min_growth = 0;
  for (int i = 0; i < 20; i++)
    ck_assert_ptr_nonnull(samrena_vector_push(vec, &i));
  ck_assert(holds_sequence(vec, 20));
  vec = samrena_vector_init(arena, sizeof(int), 1);
  vec->growth_factor = (float)INFINITY;
  vec->min_growth = SIZE_MAX;
  for (int i = 0; i < 20; i++)
    ck_assert_ptr_nonnull(samrena_vector_push(vec, &i));
  ck_assert(holds_sequence(vec, 20));
  ck_assert_uint_le(vec->capacity, 20);
  samrena_destroy(arena);
}
END_TEST

/* Pushing an element of the vector itself, when the push grows it. */
START_TEST(test_push_own_element) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaVector *vec = ints(arena, 4, 4);
  ck_assert_ptr_nonnull(samrena_push(arena, 8)); /* the growth must move the data */
  void *before = vec->data;
  int *copied = samrena_vector_push(vec, samrena_vector_at(vec, 2));
  ck_assert_ptr_nonnull(copied);
  ck_assert_ptr_ne(vec->data, before);
  ck_assert_int_eq(*copied, 2);
  samrena_destroy(arena);
}
END_TEST

/* ---------------------------------------------------- growth in place */

/* While its data is the arena's last allocation, a vector grows in place:
 * the pointer stays and the arena grows by exactly the growth. */
START_TEST(test_grows_in_place_when_last) {
  Samrena *arena = util_arena(STRATEGY, 4); /* 256 KiB: the chained block holds it all */
  SamrenaVector *vec = samrena_vector_init(arena, sizeof(int), 1);
  void *data = vec->data;
  int growths = 0;
  for (int i = 0; i < 30000; i++) {
    uint64_t capacity = vec->capacity, allocated = samrena_allocated(arena);
    util_require(samrena_vector_push(vec, &i) != NULL);
    if (vec->capacity != capacity) {
      growths++;
      ck_assert_ptr_eq(vec->data, data);
      ck_assert_uint_eq(samrena_allocated(arena),
                        allocated + (vec->capacity - capacity) * sizeof(int));
    }
  }
  ck_assert_int_gt(growths, 10);
  ck_assert(holds_sequence(vec, 30000));

  /* An explicit resize grows and shrinks in place too. */
  uint64_t allocated = samrena_allocated(arena);
  uint64_t capacity = vec->capacity;
  ck_assert_int_eq(samrena_vector_resize(vec, capacity + 1000), SAMRENA_VECTOR_SUCCESS);
  ck_assert_ptr_eq(vec->data, data);
  ck_assert_uint_eq(samrena_allocated(arena), allocated + 1000 * sizeof(int));
  ck_assert_int_eq(samrena_vector_resize(vec, 30000), SAMRENA_VECTOR_SUCCESS);
  ck_assert_ptr_eq(vec->data, data);
  ck_assert_uint_eq(samrena_allocated(arena), allocated - (capacity - 30000) * sizeof(int));
  ck_assert(holds_sequence(vec, 30000));
  samrena_destroy(arena);
}
END_TEST

/* A virtual arena is contiguous: the last allocation grows in place to
 * many MiB. */
START_TEST(test_grows_in_place_virtual_large) {
  if (STRATEGY != SAMRENA_STRATEGY_VIRTUAL)
    return;
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaVector *vec = samrena_vector_init(arena, sizeof(uint32_t), 1);
  void *data = vec->data;
  uint32_t count = util_under_valgrind() ? 1u << 19 : 2u << 20; /* 8 MiB */
  for (uint32_t i = 0; i < count; i++)
    util_require(samrena_vector_push(vec, &i) != NULL);
  ck_assert_ptr_eq(vec->data, data);
  for (uint32_t i = 0; i < count; i += 4099)
    ck_assert_uint_eq(SAMRENA_VECTOR_ELEM(vec, uint32_t, i), i);
  samrena_destroy(arena);
}
END_TEST

/* When something was pushed after the data, growth copies: the elements
 * move to a new buffer of the new capacity; the old one stays behind. */
START_TEST(test_grows_by_copy_when_not_last) {
  Samrena *arena = util_arena(STRATEGY, 4);
  SamrenaVector *vec = ints(arena, 8, 8);
  int *old = vec->data;
  ck_assert_ptr_nonnull(samrena_push(arena, 24));
  uint64_t allocated = samrena_allocated(arena);
  int eight = 8;
  ck_assert_ptr_nonnull(samrena_vector_push(vec, &eight));
  ck_assert_ptr_ne(vec->data, old);
  ck_assert_uint_ge(samrena_allocated(arena), allocated + vec->capacity * sizeof(int));
  ck_assert(holds_sequence(vec, 9));
  for (int i = 0; i < 8; i++)
    ck_assert_int_eq(old[i], i); /* the old buffer is still the arena's */
  /* The copy is the last allocation now: the next growth is in place. */
  void *moved = vec->data;
  for (int i = 9; i < 100; i++)
    ck_assert_ptr_nonnull(samrena_vector_push(vec, &i));
  ck_assert_ptr_eq(vec->data, moved);
  ck_assert(holds_sequence(vec, 100));
  samrena_destroy(arena);
}
END_TEST

/* A live mark taken after the data keeps it from growing in place across
 * the mark; restoring the mark leaves the vector as it was. */
START_TEST(test_growth_respects_marks) {
  Samrena *arena = util_arena(STRATEGY, 4);
  SamrenaVector *vec = ints(arena, 4, 4);
  SamrenaMark mark = samrena_save(arena);
  void *before = vec->data;
  ck_assert_int_eq(samrena_vector_resize(vec, 8), SAMRENA_VECTOR_SUCCESS);
  ck_assert_ptr_ne(vec->data, before);
  ck_assert(holds_sequence(vec, 4));
  ck_assert_int_eq(samrena_restore(arena, mark), SAMRENA_OK);
  samrena_destroy(arena);
}
END_TEST

/* ---------------------------------------------------------- capacity */

START_TEST(test_resize) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaVector *vec = ints(arena, 5, 5);
  ck_assert_int_eq(samrena_vector_resize(vec, 20), SAMRENA_VECTOR_SUCCESS);
  ck_assert_uint_eq(vec->capacity, 20);
  ck_assert(holds_sequence(vec, 5));
  ck_assert_int_eq(samrena_vector_resize(vec, 20), SAMRENA_VECTOR_SUCCESS);
  ck_assert_int_eq(samrena_vector_resize(vec, 3), SAMRENA_VECTOR_SUCCESS);
  ck_assert_uint_eq(vec->capacity, 3);
  ck_assert(holds_sequence(vec, 3)); /* truncated to the new capacity */
  ck_assert_int_eq(samrena_vector_resize(vec, 0), SAMRENA_VECTOR_SUCCESS);
  ck_assert_uint_eq(vec->capacity, 0);
  ck_assert_uint_eq(vec->size, 0);
  ck_assert_ptr_null(vec->data);
  ck_assert(samrena_vector_is_full(vec));
  int seven = 7;
  ck_assert_ptr_nonnull(samrena_vector_push(vec, &seven)); /* grows from nothing */
  ck_assert_uint_ge(vec->capacity, 1);
  ck_assert_int_eq(SAMRENA_VECTOR_ELEM(vec, int, 0), 7);

  ck_assert_int_eq(samrena_vector_resize(NULL, 4), SAMRENA_VECTOR_ERROR_NULL_POINTER);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  /* A capacity whose bytes overflow changes nothing. */
  uint64_t capacity = vec->capacity;
  void *data = vec->data;
  ck_assert_int_eq(samrena_vector_resize(vec, UINT64_MAX), SAMRENA_VECTOR_ERROR_ALLOCATION_FAILED);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  ck_assert_int_eq(samrena_vector_resize(vec, UINT64_MAX / sizeof(int) + 1),
                   SAMRENA_VECTOR_ERROR_ALLOCATION_FAILED);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  ck_assert_uint_eq(vec->capacity, capacity);
  ck_assert_ptr_eq(vec->data, data);
  ck_assert_int_eq(SAMRENA_VECTOR_ELEM(vec, int, 0), 7);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_clear_truncate_reset) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaVector *vec = ints(arena, 10, 8);
  samrena_vector_clear(vec);
  ck_assert_uint_eq(vec->size, 0);
  ck_assert_uint_eq(vec->capacity, 10);
  samrena_vector_clear(NULL);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);

  vec = ints(arena, 10, 8);
  ck_assert_int_eq(samrena_vector_truncate(vec, 5), SAMRENA_VECTOR_SUCCESS);
  ck_assert(holds_sequence(vec, 5));
  ck_assert_int_eq(samrena_vector_truncate(vec, 5), SAMRENA_VECTOR_SUCCESS);
  ck_assert_int_eq(samrena_vector_truncate(vec, 6), SAMRENA_VECTOR_ERROR_OUT_OF_BOUNDS);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
  ck_assert_int_eq(samrena_vector_truncate(vec, SIZE_MAX), SAMRENA_VECTOR_ERROR_OUT_OF_BOUNDS);
  ck_assert_int_eq(samrena_vector_truncate(NULL, 0), SAMRENA_VECTOR_ERROR_NULL_POINTER);
  ck_assert_int_eq(samrena_vector_truncate(vec, 0), SAMRENA_VECTOR_SUCCESS);
  ck_assert_uint_eq(vec->size, 0);

  vec = ints(arena, 10, 8);
  ck_assert_int_eq(samrena_vector_reset(vec, 10), SAMRENA_VECTOR_SUCCESS);
  ck_assert_uint_eq(vec->size, 0);
  ck_assert_uint_eq(vec->capacity, 10);
  ck_assert_int_eq(samrena_vector_reset(vec, 20), SAMRENA_VECTOR_SUCCESS);
  ck_assert_uint_eq(vec->capacity, 20);
  ck_assert_int_eq(samrena_vector_reset(vec, 0), SAMRENA_VECTOR_SUCCESS);
  ck_assert_uint_eq(vec->capacity, 0);
  ck_assert_int_eq(samrena_vector_reset(NULL, 1), SAMRENA_VECTOR_ERROR_NULL_POINTER);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_queries) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaVector *vec = samrena_vector_init(arena, sizeof(int), 4);
  ck_assert_uint_eq(samrena_vector_size(vec), 0);
  ck_assert_uint_eq(samrena_vector_capacity(vec), 4);
  ck_assert(samrena_vector_is_empty(vec));
  ck_assert(!samrena_vector_is_full(vec));
  ck_assert_uint_eq(samrena_vector_available(vec), 4);
  for (int i = 0; i < 4; i++) {
    ck_assert_uint_eq(samrena_vector_available(vec), (size_t)(4 - i));
    samrena_vector_push(vec, &i);
  }
  ck_assert(samrena_vector_is_full(vec));
  ck_assert(!samrena_vector_is_empty(vec));
  ck_assert_uint_eq(samrena_vector_available(vec), 0);
  SamrenaVectorStats stats = samrena_vector_get_stats(vec);
  ck_assert_uint_eq(stats.used_bytes, 4 * sizeof(int));
  ck_assert_uint_eq(stats.allocated_bytes, 4 * sizeof(int));
  ck_assert_uint_eq(stats.wasted_bytes, 0);
  ck_assert(stats.utilization == 1.0f);
  samrena_vector_pop(vec);
  stats = samrena_vector_get_stats(vec);
  ck_assert_uint_eq(stats.used_bytes, 3 * sizeof(int));
  ck_assert_uint_eq(stats.wasted_bytes, sizeof(int));
  ck_assert(stats.utilization == 0.75f);
  samrena_vector_resize(vec, 0);
  stats = samrena_vector_get_stats(vec);
  ck_assert_uint_eq(stats.allocated_bytes, 0);
  ck_assert(stats.utilization == 0.0f);

  ck_assert_uint_eq(samrena_vector_size(NULL), 0);
  ck_assert_uint_eq(samrena_vector_capacity(NULL), 0);
  ck_assert(samrena_vector_is_empty(NULL));
  ck_assert(!samrena_vector_is_full(NULL));
  ck_assert_uint_eq(samrena_vector_available(NULL), 0);
  stats = samrena_vector_get_stats(NULL);
  ck_assert_uint_eq(stats.used_bytes + stats.allocated_bytes + stats.wasted_bytes, 0);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  samrena_destroy(arena);
}
END_TEST

/* ------------------------------------------------------------ access */

START_TEST(test_access) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaVector *vec = ints(arena, 10, 5);
  int value;
  for (int i = 0; i < 5; i++) {
    ck_assert_int_eq(samrena_vector_get(vec, (size_t)i, &value), SAMRENA_VECTOR_SUCCESS);
    ck_assert_int_eq(value, i);
    int *at = samrena_vector_at(vec, (size_t)i);
    ck_assert_ptr_eq(at, (int *)vec->data + i);
    ck_assert_ptr_eq(samrena_vector_at_const(vec, (size_t)i), at);
    ck_assert_ptr_eq(samrena_vector_at_unchecked(vec, (size_t)i), at);
    ck_assert_ptr_eq(samrena_vector_at_unchecked_const(vec, (size_t)i), at);
    ck_assert_int_eq(SAMRENA_VECTOR_ELEM(vec, int, i), i);
  }
  int hundred = 100;
  ck_assert_int_eq(samrena_vector_set(vec, 2, &hundred), SAMRENA_VECTOR_SUCCESS);
  ck_assert_int_eq(SAMRENA_VECTOR_ELEM(vec, int, 2), 100);
  SAMRENA_VECTOR_ELEM(vec, int, 3) = 33;
  ck_assert_int_eq(*(int *)samrena_vector_at(vec, 3), 33);
  /* set from, and get into, the element itself */
  ck_assert_int_eq(samrena_vector_set(vec, 3, samrena_vector_at(vec, 3)), SAMRENA_VECTOR_SUCCESS);
  ck_assert_int_eq(samrena_vector_get(vec, 3, samrena_vector_at(vec, 3)), SAMRENA_VECTOR_SUCCESS);
  ck_assert_int_eq(SAMRENA_VECTOR_ELEM(vec, int, 3), 33);

  static const size_t bad[] = {5, 9, 10, SIZE_MAX, SIZE_MAX / 2};
  for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
    ck_assert_int_eq(samrena_vector_get(vec, bad[b], &value), SAMRENA_VECTOR_ERROR_OUT_OF_BOUNDS);
    ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
    ck_assert_int_eq(samrena_vector_set(vec, bad[b], &value), SAMRENA_VECTOR_ERROR_OUT_OF_BOUNDS);
    ck_assert_ptr_null(samrena_vector_at(vec, bad[b]));
    ck_assert_ptr_null(samrena_vector_at_const(vec, bad[b]));
  }
  ck_assert_int_eq(samrena_vector_get(NULL, 0, &value), SAMRENA_VECTOR_ERROR_NULL_POINTER);
  ck_assert_int_eq(samrena_vector_get(vec, 0, NULL), SAMRENA_VECTOR_ERROR_NULL_POINTER);
  ck_assert_int_eq(samrena_vector_set(NULL, 0, &value), SAMRENA_VECTOR_ERROR_NULL_POINTER);
  ck_assert_int_eq(samrena_vector_set(vec, 0, NULL), SAMRENA_VECTOR_ERROR_NULL_POINTER);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_ptr_null(samrena_vector_at(NULL, 0));
  ck_assert_ptr_null(samrena_vector_at_const(NULL, 0));
  samrena_vector_clear(vec);
  ck_assert_ptr_null(samrena_vector_at(vec, 0));
  ck_assert_int_eq(samrena_vector_get(vec, 0, &value), SAMRENA_VECTOR_ERROR_OUT_OF_BOUNDS);
  samrena_destroy(arena);
}
END_TEST

/* Large elements, structs: copied whole. */
typedef struct {
  char name[40];
  double weight;
  int id;
} Record;

START_TEST(test_struct_elements) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaVector *vec = samrena_vector_init(arena, sizeof(Record), 2);
  for (int i = 0; i < 100; i++) {
    Record r;
    memset(&r, 0, sizeof r);
    snprintf(r.name, sizeof r.name, "record %d", i);
    r.weight = i * 0.5;
    r.id = i;
    ck_assert_ptr_nonnull(samrena_vector_push(vec, &r));
  }
  for (int i = 0; i < 100; i++) {
    const Record *r = samrena_vector_at_const(vec, (size_t)i);
    char expected[40];
    snprintf(expected, sizeof expected, "record %d", i);
    ck_assert_str_eq(r->name, expected);
    ck_assert(r->weight == i * 0.5);
    ck_assert_int_eq(r->id, i);
  }
  samrena_destroy(arena);
}
END_TEST

/* --------------------------------------------------------- iterators */

START_TEST(test_iterators) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaVector *vec = ints(arena, 4, 6);
  SamrenaVectorIterator iter = samrena_vector_iter_begin(vec);
  ck_assert(iter.is_valid);
  ck_assert_ptr_eq(iter.vector, vec);
  ck_assert_uint_eq(iter.current_index, 0);
  int seen = 0;
  while (samrena_vector_iter_has_next(&iter)) {
    const int *element = samrena_vector_iter_next(&iter);
    ck_assert_ptr_nonnull(element);
    ck_assert_int_eq(*element, seen++);
  }
  ck_assert_int_eq(seen, 6);
  ck_assert(!iter.is_valid);
  ck_assert_ptr_null(samrena_vector_iter_next(&iter));
  samrena_vector_iter_reset(&iter);
  ck_assert(iter.is_valid);
  ck_assert_uint_eq(iter.current_index, 0);
  ck_assert_int_eq(*(const int *)samrena_vector_iter_next(&iter), 0);

  SamrenaVector *empty = samrena_vector_init(arena, sizeof(int), 4);
  iter = samrena_vector_iter_begin(empty);
  ck_assert(!iter.is_valid);
  ck_assert(!samrena_vector_iter_has_next(&iter));
  ck_assert_ptr_null(samrena_vector_iter_next(&iter));
  /* A vector that was empty at begin is ended until a reset. */
  int one = 1;
  samrena_vector_push(empty, &one);
  ck_assert(!samrena_vector_iter_has_next(&iter));
  samrena_vector_iter_reset(&iter);
  ck_assert(samrena_vector_iter_has_next(&iter));

  iter = samrena_vector_iter_begin(NULL);
  ck_assert(!iter.is_valid);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert(!samrena_vector_iter_has_next(&iter));
  ck_assert(!samrena_vector_iter_has_next(NULL));
  ck_assert_ptr_null(samrena_vector_iter_next(NULL));
  samrena_vector_iter_reset(NULL);
  samrena_vector_iter_reset(&iter); /* no vector: stays ended */
  ck_assert(!iter.is_valid);
  samrena_destroy(arena);
}
END_TEST

/* --------------------------------------------- filter, map, foreach */

static bool is_even(const void *element, void *user_data) {
  (*(int *)user_data)++;
  return *(const int *)element % 2 == 0;
}

static void to_double(const void *src, void *dst, void *user_data) {
  double *out = dst;
  ck_assert(*out == 0.0); /* each destination starts zeroed */
  *out = *(const int *)src * *(const double *)user_data;
}

static void sum_into(const void *element, void *user_data) {
  *(long *)user_data += *(const int *)element;
}

START_TEST(test_filter_map_foreach) {
  Samrena *arena = util_arena(STRATEGY, 1);
  Samrena *target = util_arena(STRATEGY, 1);
  SamrenaVector *vec = ints(arena, 4, 100);
  int calls = 0;
  SamrenaVector *even = samrena_vector_filter(vec, is_even, &calls, target);
  ck_assert_ptr_nonnull(even);
  ck_assert_int_eq(calls, 100);
  ck_assert_ptr_eq(even->arena, target);
  ck_assert(!even->owns_arena);
  ck_assert_uint_eq(even->size, 50);
  for (int i = 0; i < 50; i++)
    ck_assert_int_eq(SAMRENA_VECTOR_ELEM(even, int, i), 2 * i);

  double scale = 0.5;
  SamrenaVector *halves = samrena_vector_map(vec, sizeof(double), to_double, &scale, target);
  ck_assert_ptr_nonnull(halves);
  ck_assert_ptr_eq(halves->arena, target);
  ck_assert_uint_eq(halves->element_size, sizeof(double));
  ck_assert_uint_eq(halves->size, 100);
  for (int i = 0; i < 100; i++)
    ck_assert(SAMRENA_VECTOR_ELEM(halves, double, i) == i * 0.5);

  long sum = 0;
  samrena_vector_foreach(vec, sum_into, &sum);
  ck_assert_int_eq(sum, 99 * 100 / 2);

  /* empty sources */
  SamrenaVector *empty = samrena_vector_init(arena, sizeof(int), 1);
  calls = 0;
  SamrenaVector *none = samrena_vector_filter(empty, is_even, &calls, target);
  ck_assert_ptr_nonnull(none);
  ck_assert_uint_eq(none->size, 0);
  ck_assert_int_eq(calls, 0);
  none = samrena_vector_map(empty, sizeof(double), to_double, &scale, target);
  ck_assert_ptr_nonnull(none);
  ck_assert_uint_eq(none->size, 0);
  sum = 0;
  samrena_vector_foreach(empty, sum_into, &sum);
  ck_assert_int_eq(sum, 0);

  /* refused */
  ck_assert_ptr_null(samrena_vector_filter(NULL, is_even, &calls, target));
  ck_assert_ptr_null(samrena_vector_filter(vec, NULL, &calls, target));
  ck_assert_ptr_null(samrena_vector_filter(vec, is_even, &calls, NULL));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_ptr_null(samrena_vector_map(NULL, 8, to_double, &scale, target));
  ck_assert_ptr_null(samrena_vector_map(vec, 8, NULL, &scale, target));
  ck_assert_ptr_null(samrena_vector_map(vec, 8, to_double, &scale, NULL));
  ck_assert_ptr_null(samrena_vector_map(vec, 0, to_double, &scale, target));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_SIZE);
  ck_assert_ptr_null(samrena_vector_map(vec, SIZE_MAX, to_double, &scale, target));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  sum = 0;
  samrena_vector_foreach(NULL, sum_into, &sum);
  samrena_vector_foreach(vec, NULL, &sum);
  ck_assert_int_eq(sum, 0);
  samrena_destroy(target);
  samrena_destroy(arena);
}
END_TEST

/* ------------------------------------------------- transfer and slice */

START_TEST(test_transfer_slice) {
  Samrena *arena = util_arena(STRATEGY, 1);
  Samrena *other = util_arena(STRATEGY, 1);
  SamrenaVector *vec = ints(arena, 16, 10);
  vec->growth_factor = 3.0f;
  vec->min_growth = 5;

  SamrenaVector *moved = samrena_vector_transfer(vec, other);
  ck_assert_ptr_nonnull(moved);
  ck_assert_ptr_eq(moved->arena, other);
  ck_assert_uint_eq(moved->capacity, 16);
  ck_assert(moved->growth_factor == 3.0f);
  ck_assert_uint_eq(moved->min_growth, 5);
  ck_assert(holds_sequence(moved, 10));
  ck_assert(holds_sequence(vec, 10)); /* the original is untouched */
  int minus = -1;
  samrena_vector_set(moved, 0, &minus);
  ck_assert_int_eq(SAMRENA_VECTOR_ELEM(vec, int, 0), 0); /* and independent */

  SamrenaVector *middle = samrena_vector_slice(vec, 3, 7, other);
  ck_assert_ptr_nonnull(middle);
  ck_assert_ptr_eq(middle->arena, other);
  ck_assert_uint_eq(middle->size, 4);
  ck_assert_uint_eq(middle->capacity, 4);
  ck_assert(middle->growth_factor == 3.0f);
  for (int i = 0; i < 4; i++)
    ck_assert_int_eq(SAMRENA_VECTOR_ELEM(middle, int, i), 3 + i);
  SamrenaVector *all = samrena_vector_slice(vec, 0, 10, NULL); /* on vec's arena */
  ck_assert_ptr_nonnull(all);
  ck_assert_ptr_eq(all->arena, arena);
  ck_assert(holds_sequence(all, 10));
  SamrenaVector *nothing = samrena_vector_slice(vec, 10, 10, other);
  ck_assert_ptr_nonnull(nothing);
  ck_assert_uint_eq(nothing->size, 0);
  ck_assert_int_eq(*(int *)samrena_vector_push(nothing, &minus), -1);

  ck_assert_ptr_null(samrena_vector_slice(vec, 7, 3, other));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
  ck_assert_ptr_null(samrena_vector_slice(vec, 0, 11, other));
  ck_assert_ptr_null(samrena_vector_slice(vec, SIZE_MAX, SIZE_MAX, other));
  ck_assert_ptr_null(samrena_vector_slice(NULL, 0, 0, other));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_ptr_null(samrena_vector_transfer(NULL, other));
  ck_assert_ptr_null(samrena_vector_transfer(vec, NULL));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  samrena_destroy(other);
  samrena_destroy(arena);
}
END_TEST

/* ----------------------------------------------------------- typed */

SAMRENA_DECLARE_VECTOR(int)
SAMRENA_DECLARE_VECTOR(Record)

START_TEST(test_typed_on_arena) {
  Samrena *arena = util_arena(STRATEGY, 1);
  SamrenaVector_int *vec = samrena_vector_int_init(arena, 2);
  ck_assert_ptr_nonnull(vec);
  ck_assert(samrena_vector_int_is_empty(vec));
  for (int i = 0; i < 10; i++) {
    int *stored = samrena_vector_int_push(vec, &i);
    ck_assert_ptr_nonnull(stored);
    ck_assert_int_eq(*stored, i);
  }
  ck_assert_uint_eq(samrena_vector_int_size(vec), 10);
  ck_assert_uint_ge(samrena_vector_int_capacity(vec), 10);
  ck_assert_int_eq(*samrena_vector_int_at(vec, 4), 4);
  ck_assert_int_eq(*samrena_vector_int_at_const(vec, 5), 5);
  int value = 0;
  ck_assert_int_eq(samrena_vector_int_get(vec, 6, &value), SAMRENA_VECTOR_SUCCESS);
  ck_assert_int_eq(value, 6);
  value = 60;
  ck_assert_int_eq(samrena_vector_int_set(vec, 6, &value), SAMRENA_VECTOR_SUCCESS);
  ck_assert_int_eq(*samrena_vector_int_pop(vec), 9);
  ck_assert_int_eq(samrena_vector_int_resize(vec, 32), SAMRENA_VECTOR_SUCCESS);
  ck_assert_uint_eq(samrena_vector_int_capacity(vec), 32);
  ck_assert(!samrena_vector_int_is_full(vec));
  samrena_vector_int_clear(vec);
  ck_assert(samrena_vector_int_is_empty(vec));
  samrena_vector_int_destroy(vec); /* borrowed: the handle stays in the arena */
  ck_assert_ptr_null(vec->_vec->arena);

  SamrenaVector_Record *records = samrena_vector_Record_init(arena, 1);
  Record r = {"typed", 2.5, 7};
  ck_assert_int_eq(samrena_vector_Record_push(records, &r)->id, 7);
  ck_assert_str_eq(samrena_vector_Record_at(records, 0)->name, "typed");
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_typed_owned_and_null) {
  SamrenaVector_int *vec = samrena_vector_int_init_owned(3);
  ck_assert_ptr_nonnull(vec);
  ck_assert(vec->_vec->owns_arena);
  for (int i = 0; i < 1000; i++)
    ck_assert_ptr_nonnull(samrena_vector_int_push(vec, &i));
  ck_assert(holds_sequence(vec->_vec, 1000));
  samrena_vector_int_destroy(vec); /* frees the handle too: Valgrind and ASan watch */

  ck_assert_ptr_null(samrena_vector_int_push(NULL, NULL));
  ck_assert_ptr_null(samrena_vector_int_pop(NULL));
  ck_assert_ptr_null(samrena_vector_int_at(NULL, 0));
  ck_assert_ptr_null(samrena_vector_int_at_const(NULL, 0));
  ck_assert_int_eq(samrena_vector_int_get(NULL, 0, NULL), SAMRENA_VECTOR_ERROR_NULL_POINTER);
  ck_assert_int_eq(samrena_vector_int_set(NULL, 0, NULL), SAMRENA_VECTOR_ERROR_NULL_POINTER);
  ck_assert_uint_eq(samrena_vector_int_size(NULL), 0);
  ck_assert_uint_eq(samrena_vector_int_capacity(NULL), 0);
  ck_assert(samrena_vector_int_is_empty(NULL));
  ck_assert(samrena_vector_int_is_full(NULL)); /* as upstream's */
  ck_assert_int_eq(samrena_vector_int_resize(NULL, 1), SAMRENA_VECTOR_ERROR_NULL_POINTER);
  samrena_vector_int_clear(NULL);
  samrena_vector_int_destroy(NULL);
  ck_assert_ptr_null(samrena_vector_int_init(NULL, 1));
}
END_TEST

/* ------------------------------------------------------------ owned */

START_TEST(test_owned_fields) {
  SamrenaVector *vec = samrena_vector_init_owned(sizeof(int), 10);
  ck_assert_ptr_nonnull(vec);
  ck_assert(vec->owns_arena);
  ck_assert_ptr_nonnull(vec->arena);
  ck_assert_ptr_nonnull(vec->data);
  ck_assert_uint_eq(vec->capacity, 10);
  ck_assert_uint_eq(vec->size, 0);
  ck_assert(util_all_zero(vec->data, 10 * sizeof(int)));
  ck_assert_int_eq(samrena_strategy(vec->arena),
                   samrena_strategy_available(SAMRENA_STRATEGY_VIRTUAL) ? SAMRENA_STRATEGY_VIRTUAL
                                                                        : SAMRENA_STRATEGY_CHAINED);
  /* The data is alone on its arena. */
  ck_assert_uint_eq(samrena_allocated(vec->arena), UTIL_FOOTPRINT(vec->arena, 10 * sizeof(int)));
  SamrenaVector *other = samrena_vector_init_owned(sizeof(int), 0);
  ck_assert_ptr_nonnull(other);
  ck_assert_uint_eq(other->capacity, 1);
  ck_assert_ptr_ne(other->arena, vec->arena);
  samrena_vector_destroy(other);
  samrena_vector_destroy(vec);
}
END_TEST

/* Growth to 16 MiB: on a virtual arena the data never moves, and the
 * arena holds the data and nothing else; on a chained one it may move,
 * and each move frees the arena it leaves (one block, never a trail). */
START_TEST(test_owned_never_moves) {
  SamrenaVector *vec = samrena_vector_init_owned(sizeof(uint32_t), 1);
  ck_assert_ptr_nonnull(vec);
  bool stable = samrena_strategy(vec->arena) == SAMRENA_STRATEGY_VIRTUAL;
  void *data = vec->data;
  uint32_t count = util_under_valgrind() ? 1u << 20 : 4u << 20; /* 16 MiB */
  uint64_t moves = 0;
  for (uint32_t i = 0; i < count; i++) {
    void *before = vec->data;
    util_require(samrena_vector_push(vec, &i) != NULL);
    if (vec->data != before)
      moves++;
  }
  if (stable) {
    ck_assert_uint_eq(moves, 0);
    ck_assert_ptr_eq(vec->data, data);
  }
  ck_assert_uint_eq(samrena_allocated(vec->arena),
                    UTIL_FOOTPRINT(vec->arena, vec->capacity * sizeof(uint32_t)));
  ck_assert_uint_eq(util_stats(vec->arena).blocks, 1);
  for (uint32_t i = 0; i < count; i += 997)
    ck_assert_uint_eq(SAMRENA_VECTOR_ELEM(vec, uint32_t, i), i);
  ck_assert_uint_eq(SAMRENA_VECTOR_ELEM(vec, uint32_t, count - 1), count - 1);

  /* Shrinking gives the memory back to the system; growing again reuses
   * the same addresses. */
  ck_assert_int_eq(samrena_vector_resize(vec, 1000), SAMRENA_VECTOR_SUCCESS);
  if (stable) {
    ck_assert_ptr_eq(vec->data, data);
    ck_assert_uint_le(util_stats(vec->arena).committed, 1000 * sizeof(uint32_t) + 4 * MiB);
  }
  ck_assert_int_eq(samrena_vector_resize(vec, 0), SAMRENA_VECTOR_SUCCESS);
  ck_assert_ptr_null(vec->data);
  uint32_t seven = 7;
  ck_assert_ptr_nonnull(samrena_vector_push(vec, &seven));
  if (stable && util_guard(vec->arena) == 0) /* the debug mode leaves a guard behind */
    ck_assert_ptr_eq(vec->data, data);
  samrena_vector_destroy(vec);
}
END_TEST

/* Pushes of elements of element_size bytes into vec, up to count
 * elements, then a clear, a shrink to a quarter and pushes up to count
 * again: every push lands at the end, ready never passes the capacity and
 * the elements stay intact.  `tag` tells the rounds' contents apart. */
static void push_through_steps(SamrenaVector *vec, uint64_t element_size, uint64_t count,
                               uint64_t tag) {
  unsigned char *element = malloc((size_t)element_size);
  ck_assert_ptr_nonnull(element);
  for (int round = 0; round < 2; round++, tag += count) {
    for (uint64_t i = vec->size; i < count; i++) {
      util_fill(element, element_size, tag + i);
      unsigned char *slot = samrena_vector_push(vec, element);
      util_require(slot != NULL);
      util_require(slot == (unsigned char *)vec->data + i * element_size);
      util_require_uint_eq(vec->size, i + 1);
      util_require(vec->ready <= vec->capacity);
    }
    for (uint64_t i = 0; i < count; i++)
      util_require(util_check((unsigned char *)vec->data + i * element_size, element_size, tag + i));
    samrena_vector_clear(vec);
    ck_assert_uint_le(vec->ready, vec->capacity);
    ck_assert_int_eq(samrena_vector_resize(vec, count / 4), SAMRENA_VECTOR_SUCCESS);
    ck_assert_uint_le(vec->ready, vec->capacity);
  }
  free(element);
}

static const uint64_t step_element_sizes[] = {1, 4, 24, 70000};

/* A vector's fresh pages are made resident ahead of its pushes, a step at
 * a time, which the inline push reaches through `ready`: with elements
 * smaller and larger than a step the pushes behave as without it. */
START_TEST(test_owned_ready_steps) {
  for (size_t k = 0; k < sizeof step_element_sizes / sizeof step_element_sizes[0]; k++) {
    uint64_t es = step_element_sizes[k];
    SamrenaVector *vec = samrena_vector_init_owned(es, 3);
    ck_assert_ptr_nonnull(vec);
    push_through_steps(vec, es, (util_under_valgrind() ? 256 * 1024 : 1 * MiB) / es + 20, k);
    samrena_vector_destroy(vec);
  }
}
END_TEST

/* The same on a shared arena of every strategy, twice over the same
 * memory: fresh, then (after a reset) handed out before. */
START_TEST(test_ready_steps_on_arena) {
  Samrena *arena = util_arena(STRATEGY, 1);
  for (size_t k = 0; k < sizeof step_element_sizes / sizeof step_element_sizes[0]; k++) {
    uint64_t es = step_element_sizes[k];
    for (int pass = 0; pass < 2; pass++) {
      SamrenaVector *vec = samrena_vector_init(arena, es, 3);
      ck_assert_ptr_nonnull(vec);
      push_through_steps(vec, es, 512 * 1024 / es + 20, k * 2 + (uint64_t)pass);
      samrena_reset(arena);
    }
  }
  samrena_destroy(arena);
}
END_TEST

/* Past its reservation a virtual owned vector refuses to grow rather than
 * move: the data stays where it was, intact and usable. */
START_TEST(test_owned_reservation_exhausted) {
  SamrenaVector *vec = samrena_vector_init_owned_reserve(1, 1, 1 * MiB);
  ck_assert_ptr_nonnull(vec);
  if (samrena_strategy(vec->arena) != SAMRENA_STRATEGY_VIRTUAL) {
    samrena_vector_destroy(vec);
    return;
  }
  void *data = vec->data;
  uint64_t pushed = 0;
  unsigned char byte = 0;
  while (samrena_vector_push(vec, &byte) != NULL) {
    pushed++;
    byte = (unsigned char)(pushed * 7);
    util_require(pushed <= 2 * MiB);
  }
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
  ck_assert_uint_ge(pushed, 1 * MiB); /* the reservation is filled, not just approached */
  ck_assert_uint_eq(vec->size, pushed);
  ck_assert_ptr_eq(vec->data, data);
  ck_assert_int_eq(samrena_vector_resize(vec, vec->capacity * 2),
                   SAMRENA_VECTOR_ERROR_ARENA_EXHAUSTED);
  ck_assert_ptr_eq(vec->data, data);
  for (uint64_t i = 1; i < pushed; i += 4093)
    ck_assert_uint_eq(SAMRENA_VECTOR_ELEM(vec, unsigned char, i), (unsigned char)(i * 7));
  ck_assert_ptr_nonnull(samrena_vector_pop(vec));
  ck_assert_ptr_nonnull(samrena_vector_push(vec, &byte)); /* within capacity: fine */
  samrena_vector_destroy(vec);
}
END_TEST

/* Where the reservation cannot be had the owned vector is chained: it
 * works, and growth moves it into a fresh arena each time its block is
 * full, freeing the old one.  A reservation of PTRDIFF_MAX / 2 bytes (4 EiB)
 * fails on any 64-bit system; 32-bit builds with virtual memory leave this
 * to their --disable-virtual sibling. */
START_TEST(test_owned_chained_fallback) {
  SamrenaVector *vec;
  if (!samrena_strategy_available(SAMRENA_STRATEGY_VIRTUAL))
    vec = samrena_vector_init_owned(sizeof(int), 4);
  else if (UINTPTR_MAX > 0xffffffffu)
    vec = samrena_vector_init_owned_reserve(sizeof(int), 4, (uint64_t)PTRDIFF_MAX / 8);
  else
    return;
  ck_assert_ptr_nonnull(vec);
  ck_assert_int_eq(samrena_strategy(vec->arena), SAMRENA_STRATEGY_CHAINED);
  int count = 200000, moves = 0;
  for (int i = 0; i < count; i++) {
    void *data = vec->data;
    util_require(samrena_vector_push(vec, &i) != NULL);
    moves += vec->data != data;
  }
  ck_assert_int_gt(moves, 0);
  ck_assert_int_eq(samrena_strategy(vec->arena), SAMRENA_STRATEGY_CHAINED);
  ck_assert(holds_sequence(vec, count));
  ck_assert_uint_eq(util_stats(vec->arena).blocks, 1);
  ck_assert_uint_eq(samrena_allocated(vec->arena),
                    UTIL_FOOTPRINT(vec->arena, vec->capacity * sizeof(int)));
  /* pushing an element of its own across a move: the old arena is gone */
  while (!samrena_vector_is_full(vec))
    util_require(samrena_vector_push(vec, &count) != NULL);
  void *before = vec->data;
  int *copied = samrena_vector_push(vec, samrena_vector_at(vec, 12345));
  ck_assert_ptr_nonnull(copied);
  ck_assert_ptr_ne(vec->data, before);
  ck_assert_int_eq(*copied, 12345);
  samrena_vector_destroy(vec);
}
END_TEST

/* Nothing else may be put on an owned vector's arena by the vector calls:
 * its data would stop being the last allocation. */
START_TEST(test_owned_arena_is_its_own) {
  SamrenaVector *vec = samrena_vector_init_owned(sizeof(int), 4);
  ck_assert_ptr_nonnull(vec);
  for (int i = 0; i < 4; i++)
    samrena_vector_push(vec, &i);
  ck_assert_ptr_null(samrena_vector_slice(vec, 0, 2, NULL));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
  ck_assert_ptr_null(samrena_vector_slice(vec, 0, 2, vec->arena));
  ck_assert_ptr_null(samrena_vector_transfer(vec, vec->arena));
  int calls = 0;
  ck_assert_ptr_null(samrena_vector_filter(vec, is_even, &calls, vec->arena));
  double scale = 1.0;
  ck_assert_ptr_null(samrena_vector_map(vec, sizeof(double), to_double, &scale, vec->arena));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
  ck_assert_uint_eq(samrena_allocated(vec->arena), UTIL_FOOTPRINT(vec->arena, 4 * sizeof(int)));

  Samrena *arena = samrena_create(NULL);
  SamrenaVector *copy = samrena_vector_slice(vec, 1, 4, arena);
  ck_assert_ptr_nonnull(copy);
  ck_assert_int_eq(SAMRENA_VECTOR_ELEM(copy, int, 0), 1);
  SamrenaVector *transferred = samrena_vector_transfer(vec, arena);
  ck_assert(holds_sequence(transferred, 4));
  samrena_vector_destroy(vec);
  ck_assert(holds_sequence(transferred, 4)); /* a copy outlives the original */
  samrena_destroy(arena);
}
END_TEST

#if SAMRENA_FAULT_INJECTION
#include "../lib/fault.h"

/* A call failed: it must say so with OUT_OF_MEMORY or PLATFORM. */
static void fault_seen(int *failed, int *bad, const char **where, const char *what) {
  SamrenaError error = samrena_last_error();
  (*failed)++;
  if (error != SAMRENA_ERROR_OUT_OF_MEMORY && error != SAMRENA_ERROR_PLATFORM) {
    (*bad)++;
    *where = what;
  }
}

/* Vectors and builders through a failure of every memory request in turn:
 * the call that made it fails cleanly, the data is intact, and nothing
 * leaks (LeakSanitizer and memcheck watch). */
static void fault_sequence(SamrenaConfig config, int *failed, int *bad, const char **where) {
  SamrenaVector *owned = samrena_vector_init_owned(sizeof(int), 4);
  if (owned == NULL) {
    fault_seen(failed, bad, where, "init_owned");
  } else {
    int i = 0;
    for (; i < 300000; i++)
      if (samrena_vector_push(owned, &i) == NULL) {
        fault_seen(failed, bad, where, "owned push");
        break;
      }
    if (!holds_sequence(owned, i)) {
      (*bad)++;
      *where = "owned contents";
    }
    if (samrena_vector_resize(owned, 10) != SAMRENA_VECTOR_SUCCESS)
      fault_seen(failed, bad, where, "owned shrink");
    samrena_vector_destroy(owned);
  }

  Samrena *arena = samrena_create(&config);
  if (arena == NULL) {
    fault_seen(failed, bad, where, "create");
    return;
  }
  SamrenaVector *vec = samrena_vector_init(arena, sizeof(int), 1);
  if (vec == NULL) {
    fault_seen(failed, bad, where, "init");
  } else {
    int i = 0;
    for (; i < 100000; i++) {
      if (i % 1000 == 0 && samrena_push(arena, 8) == NULL)
        fault_seen(failed, bad, where, "push between");
      if (samrena_vector_push(vec, &i) == NULL) {
        fault_seen(failed, bad, where, "push");
        break;
      }
    }
    if (!holds_sequence(vec, i)) {
      (*bad)++;
      *where = "contents";
    }
    SamrenaVector *copy = samrena_vector_transfer(vec, arena);
    if (copy == NULL)
      fault_seen(failed, bad, where, "transfer");
  }
  SamrenaStr *s = samrena_str_init(arena);
  if (s == NULL) {
    fault_seen(failed, bad, where, "str_init");
  } else {
    for (int i = 0; i < 20000; i++)
      if (samrena_str_appendf(s, "%d,", i) != SAMRENA_OK) {
        fault_seen(failed, bad, where, "appendf");
        break;
      }
    if (strlen(samrena_str_cstr(s)) != samrena_str_len(s)) {
      (*bad)++;
      *where = "str length";
    }
  }
  samrena_destroy(arena);
}

START_TEST(test_fault_points) {
  /* one configuration for every round, so a buffer arena's buffer is
   * allocated once, before any failure is armed */
  SamrenaConfig config = util_config(STRATEGY);
  config.flags = SAMRENA_FLAG_QUIET;
  int points = 0;
  for (int64_t n = 0; n < 100000; n++) {
    samrena_fault_drain_caches();
    uint64_t before = samrena_fault_injected();
    samrena_fault_inject_after(n);
    int failed = 0, bad = 0;
    const char *where = NULL;
    fault_sequence(config, &failed, &bad, &where);
    samrena_fault_inject_after(-1);
    ck_assert_msg(bad == 0, "%s, failure %d: broken promise at %s",
                  samrena_strategy_name(STRATEGY), (int)n, where ? where : "?");
    ck_assert_msg(failed <= 1, "%s, failure %d: %d calls failed", samrena_strategy_name(STRATEGY),
                  (int)n, failed);
    if (samrena_fault_injected() == before)
      break;
    points++;
  }
  ck_assert_int_ge(points, 5);
  printf("faults: %d failure points injected into vectors and builders on %s\n", points,
         samrena_strategy_name(STRATEGY));
}
END_TEST
#endif

Suite *make_vector_suite(void) {
  Suite *suite = suite_create("vector");
  TCase *tc = util_tcase("on an arena");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, test_init_fields, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_init_refuses, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_init_out_of_memory, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_destroy_borrowed, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_push_pop, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_push_inline_and_exported, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_growth_policy, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_growth_settings_hostile, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_push_own_element, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_grows_in_place_when_last, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_grows_in_place_virtual_large, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_grows_by_copy_when_not_last, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_growth_respects_marks, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_resize, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_clear_truncate_reset, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_queries, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_access, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_struct_elements, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_iterators, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_filter_map_foreach, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_transfer_slice, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_typed_on_arena, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_ready_steps_on_arena, 0, util_strategy_count);
  suite_add_tcase(suite, tc);
  tc = util_tcase("owned");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_owned_fields);
  tcase_add_test(tc, test_owned_never_moves);
  tcase_add_test(tc, test_owned_ready_steps);
  tcase_add_test(tc, test_owned_reservation_exhausted);
  tcase_add_test(tc, test_owned_chained_fallback);
  tcase_add_test(tc, test_owned_arena_is_its_own);
  tcase_add_test(tc, test_typed_owned_and_null);
  suite_add_tcase(suite, tc);
#if SAMRENA_FAULT_INJECTION
  tc = util_tcase("faults");
  tcase_set_timeout(tc, 600);
  tcase_add_loop_test(tc, test_fault_points, 0, util_strategy_count);
  suite_add_tcase(suite, tc);
#endif
  return suite;
}
