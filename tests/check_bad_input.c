/* check_bad_input.c -- one table of bad input across the whole API.  Each
 * row makes one bad call and names the error it must give; after every
 * row, good calls on the same arena and pool still work.  The table runs
 * over every strategy the build has. */
#include "check_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  Samrena *arena;
  Samrena *other;
  SamrenaPool *pool;
  SamrenaPool *other_pool;
  SamrenaStrategy strategy;
} Fixture;

/* Each row returns the error its call gave: the returned code, or the
 * recorded one when the call returned NULL (or nothing). */
typedef SamrenaError (*BadCall)(Fixture *f);

static SamrenaError error_if_null(const void *result) {
  return result == NULL ? samrena_last_error() : SAMRENA_OK;
}
static SamrenaError error_after(void) {
  return samrena_last_error();
}

#define ROW(name, ...) \
  static SamrenaError name(Fixture *f) { \
    (void)f; \
    __VA_ARGS__ \
  }

ROW(push_null_arena, return error_if_null(samrena_push(NULL, 8));)
ROW(push_zero_null_arena, return error_if_null(samrena_push_zero(NULL, 8));)
ROW(push_aligned_null_arena, return error_if_null(samrena_push_aligned(NULL, 8, 8));)
ROW(push_with_reserve_null_arena, return error_if_null(samrena_push_with_reserve(NULL, 8));)
ROW(push_max, return error_if_null(samrena_push(f->arena, UINT64_MAX));)
ROW(push_half_max, return error_if_null(samrena_push(f->arena, UINT64_C(1) << 63));)
ROW(push_ptrdiff_max, return error_if_null(samrena_push(f->arena, (uint64_t)PTRDIFF_MAX));)
ROW(push_zero_max, return error_if_null(samrena_push_zero(f->arena, UINT64_MAX));)
ROW(push_with_reserve_max, return error_if_null(samrena_push_with_reserve(f->arena, UINT64_MAX));)
ROW(align_zero, return error_if_null(samrena_push_aligned(f->arena, 8, 0));)
ROW(align_three, return error_if_null(samrena_push_aligned(f->arena, 8, 3));)
ROW(align_max, return error_if_null(samrena_push_aligned(f->arena, 8, UINT64_MAX));)
ROW(align_two_to_63, return error_if_null(samrena_push_aligned(f->arena, 8, UINT64_C(1) << 63));)
ROW(resize_null_arena, return error_if_null(samrena_resize(NULL, NULL, 0, 8));)
ROW(resize_to_max, {
  void *p = samrena_push(f->arena, 8);
  return error_if_null(samrena_resize(f->arena, p, 8, UINT64_MAX));
})
ROW(strdup_null_arena, return error_if_null(samrena_strdup(NULL, "x"));)
ROW(strdup_null_string, return error_if_null(samrena_strdup(f->arena, NULL));)
ROW(memdup_null_source, return error_if_null(samrena_memdup(f->arena, NULL, 4));)
ROW(printf_null_format, return error_if_null(samrena_printf(f->arena, NULL));)
ROW(reserve_null_arena, return samrena_reserve(NULL, 100);)
ROW(reserve_with_growth_null_arena, return samrena_reserve_with_growth(NULL, 1, 2);)
ROW(reserve_with_growth_max, return samrena_reserve_with_growth(f->arena, UINT64_MAX, 0);)
ROW(stats_null_arena, {
  SamrenaStats s;
  return samrena_stats(NULL, &s);
})
ROW(stats_null_out, return samrena_stats(f->arena, NULL);)
ROW(trim_null_arena, return samrena_trim(NULL, 0);)
ROW(allocated_null_arena, {
  samrena_allocated(NULL);
  return error_after();
})
ROW(reset_null_arena, {
  samrena_reset(NULL);
  return error_after();
})
ROW(restore_null_arena, return samrena_restore(NULL, samrena_save(f->arena));)
ROW(restore_zero_mark, {
  SamrenaMark zero = {{0, 0}};
  return samrena_restore(f->arena, zero);
})
ROW(restore_foreign_mark, return samrena_restore(f->arena, samrena_save(f->other));)
ROW(restore_mark_after_reset, {
  Samrena *scratch = samrena_allocate(1);
  SamrenaMark mark = samrena_save(scratch);
  samrena_reset(scratch);
  SamrenaError error = samrena_restore(scratch, mark);
  samrena_destroy(scratch);
  return error;
})
ROW(restore_popped_mark, {
  SamrenaMark outer = samrena_save(f->arena);
  samrena_push(f->arena, 16);
  SamrenaMark inner = samrena_save(f->arena);
  samrena_restore(f->arena, outer);
  samrena_push(f->arena, 64);
  return samrena_restore(f->arena, inner);
})
ROW(on_release_null_fn, return samrena_on_release(f->arena, NULL, NULL);)
ROW(on_release_null_arena, return samrena_on_release(NULL, free, NULL);)

static Samrena *create_with(void (*change)(SamrenaConfig *), SamrenaStrategy strategy) {
  SamrenaConfig config = util_config(strategy);
  change(&config);
  Samrena *arena = samrena_create(&config);
  samrena_destroy(arena);
  return arena;
}
static void bad_strategy(SamrenaConfig *c) { c->strategy = (SamrenaStrategy)9; }
static void zero_pages(SamrenaConfig *c) { c->initial_pages = 0; }
static void odd_page(SamrenaConfig *c) { c->page_size = 1000; }
static void odd_alignment(SamrenaConfig *c) { c->alignment = 12; }
static void unknown_flags(SamrenaConfig *c) { c->flags = 0x80000000u; }
static void reserve_below_initial(SamrenaConfig *c) {
  c->initial_pages = 8;
  c->max_reserve = 4096;
}
static void overflowing_pages(SamrenaConfig *c) { c->initial_pages = UINT64_MAX / 1024; }

ROW(create_bad_strategy, return error_if_null(create_with(bad_strategy, f->strategy));)
ROW(create_zero_pages, return error_if_null(create_with(zero_pages, f->strategy));)
ROW(create_odd_page_size, return error_if_null(create_with(odd_page, f->strategy));)
ROW(create_odd_alignment, return error_if_null(create_with(odd_alignment, f->strategy));)
ROW(create_unknown_flags, return error_if_null(create_with(unknown_flags, f->strategy));)
ROW(create_conflicting_reserve, return error_if_null(create_with(reserve_below_initial, f->strategy));)
ROW(create_overflowing_pages, return error_if_null(create_with(overflowing_pages, f->strategy));)
ROW(allocate_zero_pages, return error_if_null(samrena_allocate(0));)

ROW(pool_zero_slot, return error_if_null(samrena_pool_create(f->arena, 0, 8));)
ROW(pool_odd_alignment, return error_if_null(samrena_pool_create(f->arena, 16, 6));)
ROW(pool_huge_slot, return error_if_null(samrena_pool_create(NULL, UINT64_MAX, 8));)
ROW(pool_alloc_null, return error_if_null(samrena_pool_alloc(NULL));)
ROW(pool_free_null_pool, {
  samrena_pool_free(NULL, f);
  return error_after();
})
#if SAMRENA_DEBUG
ROW(pool_free_foreign_slot, {
  void *slot = samrena_pool_alloc(f->other_pool);
  samrena_pool_free(f->pool, slot);
  SamrenaError error = error_after();
  samrena_pool_free(f->other_pool, slot);
  return error;
})
ROW(pool_double_free, {
  void *slot = samrena_pool_alloc(f->pool);
  samrena_pool_free(f->pool, slot);
  samrena_pool_free(f->pool, slot);
  return error_after();
})
#endif
ROW(alloc_array_overflow,
    return error_if_null(samrena_alloc_array(samrena_arena_allocator(f->arena), SIZE_MAX, 2));)
ROW(alloc_array_no_function, {
  SamrenaAllocator none = {NULL, NULL, NULL};
  return error_if_null(samrena_alloc_array(none, 1, 1));
})
ROW(pool_allocator_too_big,
    return error_if_null(samrena_pool_allocator(f->pool).alloc(4096, f->pool));)

ROW(vmem_reserve_null, return samrena_vmem_reserve(NULL, 4096) ? SAMRENA_OK : error_after();)
ROW(vmem_reserve_zero, {
  SamrenaVmem vm = {0};
  return samrena_vmem_reserve(&vm, 0) ? SAMRENA_OK : error_after();
})
ROW(vmem_reserve_max, {
  SamrenaVmem vm = {0};
  return samrena_vmem_reserve(&vm, UINT64_MAX) ? SAMRENA_OK : error_after();
})
ROW(vmem_commit_empty, {
  SamrenaVmem vm = {0};
  return error_if_null(samrena_vmem_commit(&vm, 16));
})
/* The check reads the header's place in front of the pointer, so this
 * foreign pointer has readable bytes there. */
ROW(vmem_realloc_foreign, {
  uint64_t *plain = calloc(16, sizeof *plain);
  SamrenaError error = error_if_null(samrena_vmem_realloc(plain + 8, 64));
  free(plain);
  return error;
})
ROW(vmem_realloc_max, return error_if_null(samrena_vmem_realloc(NULL, UINT64_MAX));)
ROW(vmem_realloc_reserve_max, return error_if_null(samrena_vmem_realloc_reserve(NULL, 1, UINT64_MAX));)

/* Strategy-specific rows. */
ROW(reserve_max, return samrena_reserve(f->arena, UINT64_MAX);)
ROW(virtual_reserve_beyond_max_reserve, return samrena_reserve(f->arena, UINT64_C(3) << 30);)
/* An eighth of the address space, pushed until it fails: at once on
 * 64-bit (2^61 bytes), after a few on 32-bit (512 MiB). */
ROW(push_more_than_memory, {
  SamrenaMark mark = samrena_save(f->arena);
  int granted = 0;
  while (samrena_push(f->arena, EIGHTH_OF_ADDRESS_SPACE) != NULL)
    if (++granted > EIGHTHS_THAT_MAY_FIT)
      return SAMRENA_OK; /* more than the address space holds */
  SamrenaError error = samrena_last_error();
  if (granted > 0) { /* give the address space back to the rows after this one */
    samrena_restore(f->arena, mark);
    samrena_trim(f->arena, 0);
  }
  return error;
})
ROW(buffer_reserve_beyond_buffer, return samrena_reserve(f->arena, UTIL_BUFFER_BYTES);)
ROW(buffer_push_beyond_buffer, return error_if_null(samrena_push(f->arena, UTIL_BUFFER_BYTES));)
static void no_buffer(SamrenaConfig *c) { c->buffer = NULL; }
static void tiny_buffer(SamrenaConfig *c) { c->buffer_size = 64; }
static void buffer_beyond_address_space(SamrenaConfig *c) { c->buffer_size = UINT64_MAX; }
ROW(create_without_buffer, return error_if_null(create_with(no_buffer, f->strategy));)
ROW(create_tiny_buffer, return error_if_null(create_with(tiny_buffer, f->strategy));)
ROW(create_buffer_beyond_address_space,
    return error_if_null(create_with(buffer_beyond_address_space, f->strategy));)
static void stray_buffer(SamrenaConfig *c) {
  static max_align_t memory[64];
  c->buffer = memory;
  c->buffer_size = sizeof memory;
}
static void stray_block_source(SamrenaConfig *c) {
  static SamrenaAllocator source;
  source = samrena_malloc_allocator();
  c->block_source = &source;
}
ROW(create_stray_buffer, return error_if_null(create_with(stray_buffer, f->strategy));)
ROW(create_stray_block_source, return error_if_null(create_with(stray_block_source, f->strategy));)
static void source_without_alloc(SamrenaConfig *c) {
  static SamrenaAllocator none;
  c->block_source = &none;
}
static void source_of_no_arena(SamrenaConfig *c) {
  static SamrenaAllocator source;
  source = samrena_arena_allocator(NULL);
  c->block_source = &source;
}
ROW(create_source_without_alloc, return error_if_null(create_with(source_without_alloc, f->strategy));)
ROW(create_source_of_no_arena, return error_if_null(create_with(source_of_no_arena, f->strategy));)

typedef struct {
  const char *name;
  BadCall call;
  SamrenaError expected;
  int only; /* 0: every strategy; else the one strategy it applies to */
} BadRow;

#define ALL 0
#define CHAINED SAMRENA_STRATEGY_CHAINED
#define VIRTUAL SAMRENA_STRATEGY_VIRTUAL
#define BUFFER SAMRENA_STRATEGY_BUFFER
#define E(code) SAMRENA_ERROR_##code

static const BadRow rows[] = {
    {"push NULL arena", push_null_arena, E(NULL_POINTER), ALL},
    {"push_zero NULL arena", push_zero_null_arena, E(NULL_POINTER), ALL},
    {"push_aligned NULL arena", push_aligned_null_arena, E(NULL_POINTER), ALL},
    {"push_with_reserve NULL arena", push_with_reserve_null_arena, E(NULL_POINTER), ALL},
    {"push UINT64_MAX", push_max, E(OVERFLOW), ALL},
    {"push 2^63", push_half_max, E(OVERFLOW), ALL},
    {"push PTRDIFF_MAX", push_ptrdiff_max, E(OVERFLOW), ALL},
    {"push_zero UINT64_MAX", push_zero_max, E(OVERFLOW), ALL},
    {"push_with_reserve UINT64_MAX", push_with_reserve_max, E(OVERFLOW), ALL},
    {"alignment 0", align_zero, E(INVALID_PARAMETER), ALL},
    {"alignment 3", align_three, E(INVALID_PARAMETER), ALL},
    {"alignment UINT64_MAX", align_max, E(INVALID_PARAMETER), ALL},
    {"alignment 2^63", align_two_to_63, E(OVERFLOW), ALL},
    {"resize NULL arena", resize_null_arena, E(NULL_POINTER), ALL},
    {"resize to UINT64_MAX", resize_to_max, E(OVERFLOW), ALL},
    {"strdup NULL arena", strdup_null_arena, E(NULL_POINTER), ALL},
    {"strdup NULL string", strdup_null_string, E(NULL_POINTER), ALL},
    {"memdup NULL source", memdup_null_source, E(NULL_POINTER), ALL},
    {"printf NULL format", printf_null_format, E(NULL_POINTER), ALL},
    {"reserve NULL arena", reserve_null_arena, E(NULL_POINTER), ALL},
    {"reserve_with_growth NULL arena", reserve_with_growth_null_arena, E(NULL_POINTER), ALL},
    {"reserve_with_growth UINT64_MAX", reserve_with_growth_max, E(OVERFLOW), ALL},
    {"stats NULL arena", stats_null_arena, E(NULL_POINTER), ALL},
    {"stats NULL out", stats_null_out, E(NULL_POINTER), ALL},
    {"trim NULL arena", trim_null_arena, E(NULL_POINTER), ALL},
    {"allocated NULL arena", allocated_null_arena, E(NULL_POINTER), ALL},
    {"reset NULL arena", reset_null_arena, E(NULL_POINTER), ALL},
    {"restore NULL arena", restore_null_arena, E(NULL_POINTER), ALL},
    {"restore zero mark", restore_zero_mark, E(INVALID_PARAMETER), ALL},
    {"restore foreign mark", restore_foreign_mark, E(INVALID_PARAMETER), ALL},
    {"restore mark after reset", restore_mark_after_reset, E(INVALID_PARAMETER), ALL},
    {"restore popped mark", restore_popped_mark, E(INVALID_PARAMETER), ALL},
    {"on_release NULL fn", on_release_null_fn, E(NULL_POINTER), ALL},
    {"on_release NULL arena", on_release_null_arena, E(NULL_POINTER), ALL},
    {"create strategy 9", create_bad_strategy, E(INVALID_PARAMETER), ALL},
    {"create 0 pages", create_zero_pages, E(INVALID_SIZE), ALL},
    {"create page_size 1000", create_odd_page_size, E(INVALID_SIZE), ALL},
    {"create alignment 12", create_odd_alignment, E(INVALID_PARAMETER), ALL},
    {"create unknown flags", create_unknown_flags, E(INVALID_PARAMETER), ALL},
    {"create max_reserve < initial", create_conflicting_reserve, E(INVALID_PARAMETER), ALL},
    {"create pages overflow", create_overflowing_pages, E(OVERFLOW), ALL},
    {"allocate 0 pages", allocate_zero_pages, E(INVALID_SIZE), ALL},
    {"pool slot 0", pool_zero_slot, E(INVALID_SIZE), ALL},
    {"pool alignment 6", pool_odd_alignment, E(INVALID_PARAMETER), ALL},
    {"pool slot UINT64_MAX", pool_huge_slot, E(OVERFLOW), ALL},
    {"pool_alloc NULL", pool_alloc_null, E(NULL_POINTER), ALL},
    {"pool_free NULL pool", pool_free_null_pool, E(NULL_POINTER), ALL},
#if SAMRENA_DEBUG
    {"pool_free foreign slot (debug)", pool_free_foreign_slot, E(INVALID_PARAMETER), ALL},
    {"pool double free (debug)", pool_double_free, E(INVALID_PARAMETER), ALL},
#endif
    {"alloc_array overflow", alloc_array_overflow, E(OVERFLOW), ALL},
    {"alloc_array without alloc", alloc_array_no_function, E(NULL_POINTER), ALL},
    {"pool allocator beyond slot", pool_allocator_too_big, E(INVALID_SIZE), ALL},
    {"vmem_reserve NULL", vmem_reserve_null, E(NULL_POINTER), ALL},
    {"vmem_reserve 0", vmem_reserve_zero, E(INVALID_SIZE), ALL},
    {"vmem_reserve UINT64_MAX", vmem_reserve_max, E(OVERFLOW), ALL},
    {"vmem_commit on empty", vmem_commit_empty, E(INVALID_PARAMETER), ALL},
    {"vmem_realloc foreign pointer", vmem_realloc_foreign, E(INVALID_PARAMETER), ALL},
    {"vmem_realloc UINT64_MAX", vmem_realloc_max, E(OVERFLOW), ALL},
    {"vmem_realloc_reserve UINT64_MAX", vmem_realloc_reserve_max, E(OVERFLOW), ALL},
    {"chained reserve UINT64_MAX", reserve_max, E(OVERFLOW), CHAINED},
    {"virtual reserve UINT64_MAX", reserve_max, E(INVALID_PARAMETER), VIRTUAL},
    {"virtual reserve beyond max_reserve", virtual_reserve_beyond_max_reserve, E(INVALID_PARAMETER), VIRTUAL},
    {"push an eighth of the address space", push_more_than_memory, E(OUT_OF_MEMORY), ALL},
    {"buffer reserve UINT64_MAX", reserve_max, E(INVALID_PARAMETER), BUFFER},
    {"buffer reserve its whole buffer", buffer_reserve_beyond_buffer, E(INVALID_PARAMETER), BUFFER},
    {"buffer push its whole buffer", buffer_push_beyond_buffer, E(OUT_OF_MEMORY), BUFFER},
    {"buffer create without a buffer", create_without_buffer, E(NULL_POINTER), BUFFER},
    {"buffer create in 64 bytes", create_tiny_buffer, E(INVALID_SIZE), BUFFER},
    {"buffer create of UINT64_MAX bytes", create_buffer_beyond_address_space, E(INVALID_SIZE), BUFFER},
    {"chained create with a buffer", create_stray_buffer, E(INVALID_PARAMETER), CHAINED},
    {"virtual create with a buffer", create_stray_buffer, E(INVALID_PARAMETER), VIRTUAL},
    {"virtual create with a block source", create_stray_block_source, E(INVALID_PARAMETER), VIRTUAL},
    {"buffer create with a block source", create_stray_block_source, E(INVALID_PARAMETER), BUFFER},
    {"chained create, source without alloc", create_source_without_alloc, E(NULL_POINTER), CHAINED},
    {"chained create, source of no arena", create_source_of_no_arena, E(NULL_POINTER), CHAINED},
};

/* Good calls that must still work after a bad one. */
static void check_still_usable(Fixture *f, const char *after) {
  unsigned char *p = samrena_push(f->arena, 64);
  ck_assert_msg(p != NULL, "after '%s' the arena no longer pushes", after);
  memset(p, 0xee, 64);
  void *slot = samrena_pool_alloc(f->pool);
  ck_assert_msg(slot != NULL, "after '%s' the pool no longer allocates", after);
  samrena_pool_free(f->pool, slot);
  SamrenaMark mark = samrena_save(f->arena);
  ck_assert_msg(samrena_restore(f->arena, mark) == SAMRENA_OK, "after '%s' scopes fail", after);
}

START_TEST(test_bad_input_table) {
  Fixture f;
  f.strategy = util_strategies[_i];
  SamrenaConfig config = samrena_default_config();
  config.strategy = f.strategy;
  f.arena = util_arena_config(config);
  f.other = util_arena_config(config);
  f.pool = samrena_pool_create(NULL, 32, 8);
  f.other_pool = samrena_pool_create(NULL, 32, 8);
  ck_assert(f.pool != NULL && f.other_pool != NULL);
  int tried = 0;
  for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
    if (rows[r].only != ALL && rows[r].only != (int)f.strategy)
      continue;
    SamrenaError got = rows[r].call(&f);
    ck_assert_msg(got == rows[r].expected, "%s on %s: got '%s', want '%s'", rows[r].name,
                  samrena_strategy_name(f.strategy), samrena_error_string(got),
                  samrena_error_string(rows[r].expected));
    check_still_usable(&f, rows[r].name);
    tried++;
  }
  ck_assert_int_ge(tried, 40);
  printf("bad input: %d rows refused cleanly on %s\n", tried, samrena_strategy_name(f.strategy));
  samrena_pool_destroy(f.other_pool);
  samrena_pool_destroy(f.pool);
  samrena_destroy(f.other);
  samrena_destroy(f.arena);
}
END_TEST

Suite *make_bad_input_suite(void) {
  Suite *suite = suite_create("bad input");
  TCase *tc = util_tcase("table");
  /* About 1.7 s a strategy for gcc -m32 under SAMRENA_DEBUG=1 (most of it
   * the kernel's, mapping and unmapping), and past Check's default 4 s
   * once when CI's machine was loaded. */
  tcase_set_timeout(tc, 30);
  tcase_add_loop_test(tc, test_bad_input_table, 0, util_strategy_count);
  suite_add_tcase(suite, tc);
  return suite;
}
