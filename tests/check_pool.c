/* check_pool.c -- the fixed-size pool and the SamrenaAllocator interface. */
#include "check_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_pool_create_validates) {
  ck_assert_ptr_null(samrena_pool_create(NULL, 0, 8));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_SIZE);
  ck_assert_ptr_null(samrena_pool_create(NULL, 16, 3));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
  ck_assert_ptr_null(samrena_pool_create(NULL, 16, 24));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
  ck_assert_ptr_null(samrena_pool_create(NULL, UINT64_MAX, 8));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  ck_assert_ptr_null(samrena_pool_create(NULL, 16, UINT64_C(1) << 63));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);

  /* A slot smaller than a pointer is rounded up: a free slot holds one. */
  SamrenaPool *tiny = samrena_pool_create(NULL, 1, 1);
  ck_assert_ptr_nonnull(tiny);
  ck_assert_uint_eq(samrena_pool_slot_size(tiny), sizeof(void *));
  samrena_pool_destroy(tiny);

  ck_assert_ptr_null(samrena_pool_alloc(NULL));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  samrena_pool_free(NULL, NULL);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_uint_eq(samrena_pool_in_use(NULL), 0);
  samrena_pool_reset(NULL);
  samrena_pool_destroy(NULL);
}
END_TEST

/* Many slots over several blocks: aligned, distinct, contents intact,
 * in_use exact, frees reused first. */
static void exercise_pool(SamrenaPool *pool, uint64_t slot_size, uint64_t alignment) {
  enum { COUNT = 20000 };
  unsigned char **slots = malloc(COUNT * sizeof *slots);
  ck_assert_ptr_nonnull(slots);
  for (uint64_t i = 0; i < COUNT; i++) {
    slots[i] = samrena_pool_alloc(pool);
    util_require(slots[i] != NULL);
    util_require_uint_eq((uintptr_t)slots[i] % alignment, 0);
    util_fill(slots[i], slot_size, i);
  }
  ck_assert_uint_eq(samrena_pool_in_use(pool), COUNT);
  for (uint64_t i = 0; i < COUNT; i++)
    util_require(util_check(slots[i], slot_size, i));
  for (uint64_t i = 0; i < COUNT; i += 2)
    samrena_pool_free(pool, slots[i]);
  ck_assert_uint_eq(samrena_pool_in_use(pool), COUNT / 2);
  for (uint64_t i = 1; i < COUNT; i += 2)
    util_require(util_check(slots[i], slot_size, i));
  /* The most recently freed slot comes back first. */
  ck_assert_ptr_eq(samrena_pool_alloc(pool), slots[COUNT - 2]);
  ck_assert_uint_eq(samrena_pool_in_use(pool), COUNT / 2 + 1);

  samrena_pool_reset(pool);
  ck_assert_uint_eq(samrena_pool_in_use(pool), 0);
  /* After a reset the same slots are handed out again, in order. */
  for (uint64_t i = 0; i < COUNT; i++)
    util_require(samrena_pool_alloc(pool) == slots[i]);
  free(slots);
}

START_TEST(test_owned_pool) {
  SamrenaPool *pool = samrena_pool_create(NULL, 24, 8);
  ck_assert_ptr_nonnull(pool);
  exercise_pool(pool, 24, 8);
  samrena_pool_destroy(pool);
  pool = samrena_pool_create(NULL, 100, 64);
  ck_assert_ptr_nonnull(pool);
  exercise_pool(pool, 100, 64);
  samrena_pool_destroy(pool);
}
END_TEST

START_TEST(test_backed_pool) {
  for (int s = 0; s < util_strategy_count; s++) {
    Samrena *arena = util_arena(util_strategies[s], 1);
    ck_assert_ptr_nonnull(samrena_push(arena, 5));
    uint64_t before = samrena_allocated(arena);
    SamrenaPool *pool = samrena_pool_create(arena, 48, 0);
    ck_assert_ptr_nonnull(pool);
    ck_assert_uint_gt(samrena_allocated(arena), before); /* it lives in the arena */
    exercise_pool(pool, 48, alignof(max_align_t));
    samrena_pool_destroy(pool); /* nothing to free: the arena owns it */
    samrena_destroy(arena);
  }
}
END_TEST

#if SAMRENA_DEBUG
START_TEST(test_debug_refuses_bad_frees) {
  SamrenaPool *pool = samrena_pool_create(NULL, 32, 8);
  SamrenaPool *other = samrena_pool_create(NULL, 32, 8);
  unsigned char *a = samrena_pool_alloc(pool);
  unsigned char *b = samrena_pool_alloc(pool);
  unsigned char *foreign = samrena_pool_alloc(other);
  ck_assert(a != NULL && b != NULL && foreign != NULL);
  samrena_pool_free(pool, a);
  ck_assert_uint_eq(samrena_pool_in_use(pool), 1);

  samrena_pool_free(pool, a); /* double free */
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
  samrena_pool_free(pool, foreign); /* another pool's slot */
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
  samrena_pool_free(pool, b + 1); /* inside a slot */
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
  int on_stack;
  samrena_pool_free(pool, &on_stack);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
  ck_assert_uint_eq(samrena_pool_in_use(pool), 1);

  /* The free list is intact: a, then fresh slots, all distinct. */
  ck_assert_ptr_eq(samrena_pool_alloc(pool), a);
  unsigned char *c = samrena_pool_alloc(pool);
  ck_assert(c != a && c != b);
  samrena_pool_destroy(other);
  samrena_pool_destroy(pool);
}
END_TEST
#endif

/* ------------------------------------------------------------ allocator */

typedef struct {
  int id;
  double score;
  char name[24];
} Record;

/* Written once against the interface: loads n records. */
static Record *load_records(SamrenaAllocator allocator, int n) {
  Record *records = SAMRENA_MAKE(Record, (size_t)n, allocator);
  if (records == NULL)
    return NULL;
  for (int i = 0; i < n; i++) {
    records[i].id = i;
    records[i].score = i * 1.5;
    snprintf(records[i].name, sizeof records[i].name, "record-%d", i);
  }
  return records;
}

static void check_records(const Record *records, int n) {
  char name[24];
  for (int i = 0; i < n; i++) {
    snprintf(name, sizeof name, "record-%d", i);
    ck_assert_int_eq(records[i].id, i);
    ck_assert(records[i].score == i * 1.5);
    ck_assert_str_eq(records[i].name, name);
  }
}

START_TEST(test_one_function_three_allocators) {
  Samrena *arena = util_arena(SAMRENA_STRATEGY_CHAINED, 1);
  SamrenaAllocator on_arena = samrena_arena_allocator(arena);
  Record *a = load_records(on_arena, 1000);
  ck_assert_ptr_nonnull(a);
  check_records(a, 1000);
  ck_assert_uint_ge(samrena_allocated(arena), 1000 * sizeof(Record));
  on_arena.free(1000 * sizeof(Record), a, on_arena.ctx); /* a no-op */
  check_records(a, 1000);

  SamrenaAllocator with_malloc = samrena_malloc_allocator();
  Record *m = load_records(with_malloc, 1000);
  ck_assert_ptr_nonnull(m);
  check_records(m, 1000);
  with_malloc.free(1000 * sizeof(Record), m, with_malloc.ctx);

  SamrenaPool *pool = samrena_pool_create(NULL, 4 * sizeof(Record), 0);
  SamrenaAllocator from_pool = samrena_pool_allocator(pool);
  Record *p = load_records(from_pool, 4);
  ck_assert_ptr_nonnull(p);
  check_records(p, 4);
  ck_assert_uint_eq(samrena_pool_in_use(pool), 1);
  ck_assert_ptr_null(load_records(from_pool, 5)); /* bigger than a slot */
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_SIZE);
  from_pool.free(4 * sizeof(Record), p, from_pool.ctx);
  ck_assert_uint_eq(samrena_pool_in_use(pool), 0);
  samrena_pool_destroy(pool);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_alloc_array_overflow) {
  Samrena *arena = util_arena(SAMRENA_STRATEGY_CHAINED, 1);
  SamrenaAllocator allocator = samrena_arena_allocator(arena);
  ck_assert_ptr_null(samrena_alloc_array(allocator, SIZE_MAX / 2 + 1, 2));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  ck_assert_ptr_null(SAMRENA_MAKE(uint64_t, SIZE_MAX / 4, allocator));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  ck_assert_uint_eq(samrena_allocated(arena), 0);
  int *ints = SAMRENA_MAKE(int, 10, allocator);
  ck_assert_ptr_nonnull(ints);
  ints[9] = 9;
  ck_assert_ptr_nonnull(samrena_alloc_array(allocator, 0, 8));

  SamrenaAllocator broken = {NULL, NULL, NULL};
  ck_assert_ptr_null(samrena_alloc_array(broken, 1, 1));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  SamrenaAllocator no_arena = samrena_arena_allocator(NULL);
  ck_assert_ptr_null(samrena_alloc_array(no_arena, 1, 1));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  samrena_destroy(arena);
}
END_TEST

Suite *make_pool_suite(void) {
  Suite *suite = suite_create("pool and allocator");
  TCase *tc = util_tcase("pool");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_pool_create_validates);
  tcase_add_test(tc, test_owned_pool);
  tcase_add_test(tc, test_backed_pool);
#if SAMRENA_DEBUG
  tcase_add_test(tc, test_debug_refuses_bad_frees);
#endif
  suite_add_tcase(suite, tc);
  tc = util_tcase("allocator");
  tcase_add_test(tc, test_one_function_three_allocators);
  tcase_add_test(tc, test_alloc_array_overflow);
  suite_add_tcase(suite, tc);
  return suite;
}
