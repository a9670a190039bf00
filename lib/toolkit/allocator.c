/* toolkit/allocator.c -- SamrenaAllocator, one interface over an arena, a pool and
 * malloc, so that code written against it runs over any of them. */
#include <config.h>

#include "port/internal.h"
#include "fault.h"

#include <stdlib.h>

/* The bump inline, as in the exported push: an allocator hook costs its
 * indirect call and nothing more when the push fits. */
static void *arena_alloc(size_t size, void *ctx) {
  void *result;
  Samrena *arena = ctx;
  if (arena != NULL && samrena_inline_bump(arena, (uint64_t)size, arena->fast.alignment_mask,
                                           arena->fast.alignment_floor, &result))
    return result;
  return samrena_push(arena, (uint64_t)size);
}

/* An arena frees everything at once, at reset or destroy. */
static void arena_free(size_t size, void *ptr, void *ctx) {
  (void)size;
  (void)ptr;
  (void)ctx;
}

SamrenaAllocator samrena_arena_allocator(Samrena *arena) {
  SamrenaAllocator allocator = {arena_alloc, arena_free, arena};
  return allocator;
}

/* A chained arena whose blocks come from an arena is that arena's child. */
bool samrena__is_arena_allocator(const SamrenaAllocator *allocator, Samrena **arena) {
  if (allocator->alloc != arena_alloc)
    return false;
  *arena = allocator->ctx;
  return true;
}

static void *pool_alloc(size_t size, void *ctx) {
  if (ctx != NULL && (uint64_t)size > samrena_pool_slot_size(ctx))
    return samrena__fail_null(SAMRENA_ERROR_INVALID_SIZE);
  return samrena_pool_alloc(ctx);
}

static void pool_free(size_t size, void *ptr, void *ctx) {
  (void)size;
  samrena_pool_free(ctx, ptr);
}

SamrenaAllocator samrena_pool_allocator(SamrenaPool *pool) {
  SamrenaAllocator allocator = {pool_alloc, pool_free, pool};
  return allocator;
}

/* malloc(0) may return NULL; a zero-byte request still gets a pointer. */
static void *malloc_alloc(size_t size, void *ctx) {
  (void)ctx;
  void *ptr = samrena__malloc(size ? size : 1);
  return ptr != NULL ? ptr : samrena__fail_null(SAMRENA_ERROR_OUT_OF_MEMORY);
}

static void malloc_free(size_t size, void *ptr, void *ctx) {
  (void)size;
  (void)ctx;
  free(ptr);
}

SamrenaAllocator samrena_malloc_allocator(void) {
  SamrenaAllocator allocator = {malloc_alloc, malloc_free, NULL};
  return allocator;
}

void *samrena_alloc_array(SamrenaAllocator allocator, size_t count, size_t elem_size) {
  if (allocator.alloc == NULL)
    return samrena__fail_null(SAMRENA_ERROR_NULL_POINTER);
  if (elem_size != 0 && count > SIZE_MAX / elem_size)
    return samrena__fail_null(SAMRENA_ERROR_OVERFLOW);
  return allocator.alloc(count * elem_size, allocator.ctx);
}
