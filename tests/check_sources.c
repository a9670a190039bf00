/* check_sources.c -- where an arena's memory comes from: a buffer the
 * caller gives (SAMRENA_STRATEGY_BUFFER) and a block source
 * (SamrenaConfig.block_source), another arena above all.  The behaviour
 * every strategy shares runs over the buffer strategy in the other
 * suites; here is what only these do: a buffer on the stack, the edges of
 * a buffer, what destroying one leaves, child arenas destroyed before and
 * after their parent gives their memory back, and -- with fault injection
 * -- proof that a buffer arena never asks malloc or the operating system
 * for anything, nor a child once it has its handle. */
#include "check_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if SAMRENA_FAULT_INJECTION
#include "../lib/fault.h"
#endif

#define STRATEGY (util_strategies[_i])

static Samrena *buffer_arena(void *buffer, uint64_t size) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_BUFFER;
  config.buffer = buffer;
  config.buffer_size = size;
  return samrena_create(&config);
}

/* Whether [ptr, ptr + size) lies in [buffer, buffer + buffer_size). */
static bool inside(const void *ptr, uint64_t size, const void *buffer, uint64_t buffer_size) {
  uintptr_t p = (uintptr_t)ptr, b = (uintptr_t)buffer;
  return p >= b && p - b <= buffer_size && size <= buffer_size - (p - b);
}

static int released;
static void count_release(void *data) {
  (void)data;
  released++;
}

/* ------------------------------------------------------------ buffer arenas */

/* An arena in a buffer on this function's stack, at `offset` bytes into
 * it (so not always aligned), filled up and destroyed before the function
 * returns and the buffer with it. */
static void arena_on_the_stack(unsigned offset) {
  unsigned char stack[16 * 1024 + 64];
  unsigned char *buffer = stack + offset;
  const uint64_t size = 16 * 1024;
  Samrena *arena = buffer_arena(buffer, size);
  ck_assert_ptr_nonnull(arena);
  ck_assert_int_eq(samrena_strategy(arena), SAMRENA_STRATEGY_BUFFER);
  /* The handle is at the start of the buffer, aligned up for any object. */
  ck_assert(inside(arena, 1, buffer, size));
  ck_assert_uint_eq((uintptr_t)arena % alignof(max_align_t), 0);
  ck_assert_uint_lt((uint64_t)((unsigned char *)arena - buffer), alignof(max_align_t));
  uint64_t capacity = samrena_capacity(arena);
  ck_assert_uint_gt(capacity, size - 1024);
  ck_assert_uint_lt(capacity, size);

  enum { MAX_PUSHES = 200 };
  unsigned char *pushed[MAX_PUSHES];
  int count = 0;
  unsigned char *p;
  while (count < MAX_PUSHES && (p = samrena_push(arena, 100)) != NULL) {
    ck_assert(inside(p, 100, buffer, size));
    util_fill(p, 100, (uint64_t)count);
    pushed[count++] = p;
  }
  ck_assert_int_lt(count, MAX_PUSHES);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
  /* 100 bytes (and a debug guard) padded to the alignment (x86-64: 112)
   * each, the last without its padding. */
  uint64_t footprint = UTIL_FOOTPRINT(arena, 100);
  ck_assert_int_eq(count, (int)((capacity - footprint) / ROUND_UP(footprint, MAX_ALIGN) + 1));
  for (int i = 0; i < count; i++)
    ck_assert(util_check(pushed[i], 100, (uint64_t)i));
  /* Full, and still usable: what is left serves what fits. */
  uint64_t room = samrena_get_capabilities(arena).max_allocation_size;
  ck_assert_uint_lt(room, 100);
  if (room > 0)
    ck_assert_ptr_nonnull(samrena_push(arena, room));
  ck_assert_ptr_null(samrena_push(arena, 1));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
  /* At most less than an alignment's padding is left, for byte pushes. */
  ck_assert_uint_lt(capacity - samrena_allocated(arena), MAX_ALIGN + util_guard(arena));
  ck_assert_ptr_nonnull(samrena_push(arena, 0));

  samrena_reset(arena);
  ck_assert_uint_eq(samrena_allocated(arena), 0);
  ck_assert_uint_eq(samrena_capacity(arena), capacity);
  ck_assert_ptr_eq(samrena_push(arena, 100), pushed[0]);
  samrena_destroy(arena);
}

START_TEST(test_buffer_on_the_stack) {
  arena_on_the_stack(0);
  arena_on_the_stack(1);
  arena_on_the_stack(7);
  arena_on_the_stack(40);
}
END_TEST

/* The smallest buffer that holds the handle and a push of one byte at the
 * arena's alignment, found by trying: anything smaller is INVALID_SIZE. */
static uint64_t smallest_buffer(unsigned char *buffer, uint64_t alignment, uint64_t page_size) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_BUFFER;
  config.buffer = buffer;
  config.alignment = alignment;
  config.page_size = page_size;
  for (uint64_t size = 0; size <= 16384; size++) {
    config.buffer_size = size;
    Samrena *arena = samrena_create(&config);
    if (arena != NULL) {
      ck_assert_uint_eq(samrena_capacity(arena) - samrena_allocated(arena),
                        samrena_capacity(arena));
      if (util_guard(arena) == 0) /* in the debug mode a byte takes its guard too */
        ck_assert_ptr_nonnull(samrena_push(arena, 1));
      ck_assert_ptr_null(samrena_push(arena, 1));
      ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
      samrena_destroy(arena);
      return size;
    }
    ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_SIZE);
  }
  ck_abort_msg("no buffer of up to 16 KiB holds an arena");
  return 0;
}

START_TEST(test_buffer_edges) {
  static max_align_t memory[8192 / sizeof(max_align_t)];
  unsigned char *aligned = (unsigned char *)memory;
  uint64_t smallest = smallest_buffer(aligned, 0, 0);
  ck_assert_uint_gt(smallest, 64); /* the handle */
  ck_assert_uint_lt(smallest, 4096);
  /* A misaligned buffer pays the padding in front of the handle. */
  ck_assert_uint_eq(smallest_buffer(aligned + 1, 0, 0), smallest + alignof(max_align_t) - 1);
  /* A push alignment beyond the handle's pays for the first push's. */
  ck_assert_uint_ge(smallest_buffer(aligned, 4096, 4096), smallest);

  /* No buffer, or one beyond any object or the address space. */
  ck_assert_ptr_null(buffer_arena(NULL, 4096));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_ptr_null(buffer_arena(NULL, 0));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  const uint64_t huge[] = {UINT64_MAX, (uint64_t)PTRDIFF_MAX + 1, (uint64_t)UINTPTR_MAX};
  for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
    ck_assert_ptr_null(buffer_arena(aligned, huge[i]));
    ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_SIZE);
  }

  /* A buffer is for the buffer strategy only, a block source for chained. */
  const SamrenaStrategy others[] = {SAMRENA_STRATEGY_DEFAULT, SAMRENA_STRATEGY_CHAINED,
                                    SAMRENA_STRATEGY_VIRTUAL};
  for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
    SamrenaConfig config = samrena_default_config();
    config.strategy = others[i];
    config.buffer = memory;
    config.buffer_size = sizeof memory;
    ck_assert_ptr_null(samrena_create(&config));
    ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
    config.buffer = NULL; /* a size alone is given too */
    ck_assert_ptr_null(samrena_create(&config));
    ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
  }

  /* A failed creation writes nothing in the buffer. */
  memset(memory, 0xa5, sizeof memory);
  ck_assert_ptr_null(buffer_arena(memory, smallest - 1));
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_BUFFER;
  config.buffer = memory;
  config.buffer_size = sizeof memory;
  config.initial_pages = 0; /* checked for every strategy */
  ck_assert_ptr_null(samrena_create(&config));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_SIZE);
  for (size_t i = 0; i < sizeof memory; i++)
    ck_assert_uint_eq(aligned[i], 0xa5);

  /* STRICT changes nothing: the buffer strategy is always available. */
  config.initial_pages = 1;
  config.flags = SAMRENA_FLAG_STRICT;
  config.fallback_mode = SAMRENA_FALLBACK_STRICT;
  Samrena *arena = samrena_create(&config);
  ck_assert_ptr_nonnull(arena);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_buffer_queries) {
  static max_align_t memory[(256 * 1024) / sizeof(max_align_t)];
  ck_assert_str_eq(samrena_strategy_name(SAMRENA_STRATEGY_BUFFER), "buffer");
  ck_assert(samrena_strategy_available(SAMRENA_STRATEGY_BUFFER));
  SamrenaCapabilities of_strategy = samrena_strategy_capabilities(SAMRENA_STRATEGY_BUFFER);
  ck_assert_uint_eq(of_strategy.flags & ~(uint32_t)SAMRENA_CAP_DEBUG, /* SAMRENA_DEBUG */
                    SAMRENA_CAP_CONTIGUOUS_MEMORY | SAMRENA_CAP_RESET);
  ck_assert_uint_eq(of_strategy.max_allocation_size, 0); /* no buffer, no room */
  ck_assert(!util_grows(SAMRENA_STRATEGY_BUFFER));

  Samrena *arena = buffer_arena(memory, sizeof memory);
  ck_assert_ptr_nonnull(arena);
  ck_assert_uint_eq(samrena_get_capabilities(arena).flags, of_strategy.flags);
  ck_assert(!samrena_has_capability(arena, SAMRENA_CAP_GROWS));
  SamrenaInfo info;
  samrena_get_info(arena, &info);
  ck_assert_str_eq(info.adapter_name, "buffer");
  ck_assert(info.is_contiguous && !info.can_grow);

  SamrenaStats stats = util_stats(arena);
  ck_assert_uint_eq(stats.committed, sizeof memory);
  ck_assert_uint_eq(stats.reserved, sizeof memory);
  ck_assert_uint_eq(stats.blocks, 1);
  uint64_t capacity = stats.capacity;
  ck_assert_uint_lt(sizeof memory - capacity, 1024);

  /* reserve: what fits is there already; more can never be. */
  ck_assert_int_eq(samrena_reserve(arena, capacity), SAMRENA_OK);
  ck_assert_int_eq(samrena_reserve(arena, capacity + 1), SAMRENA_ERROR_INVALID_PARAMETER);
  ck_assert_int_eq(samrena_reserve_with_growth(arena, capacity, 0), SAMRENA_ERROR_INVALID_PARAMETER);
  ck_assert_uint_eq(samrena_capacity(arena), capacity);
  /* trim gives nothing back: the memory is the caller's. */
  ck_assert_ptr_nonnull(samrena_push(arena, 1000));
  ck_assert_int_eq(samrena_trim(arena, 0), SAMRENA_OK);
  ck_assert_uint_eq(util_stats(arena).committed, sizeof memory);
  ck_assert_uint_eq(samrena_capacity(arena), capacity);
  /* push_with_reserve cannot make room either. */
  ck_assert_ptr_null(samrena_push_with_reserve(arena, capacity));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
  ck_assert(!samrena_can_allocate(arena, capacity));
  ck_assert(samrena_can_allocate(arena, capacity - 1024 - 16));
  /* A shrink of the last allocation gives its bytes back. */
  unsigned char *last = samrena_push(arena, 5000);
  uint64_t allocated = samrena_allocated(arena);
  ck_assert_ptr_eq(samrena_resize(arena, last, 5000, 100), last);
  ck_assert_uint_eq(samrena_allocated(arena), allocated - 4900);
  ck_assert_ptr_eq(samrena_resize(arena, last, 100, 20000), last);
  ck_assert_ptr_null(samrena_resize(arena, last, 20000, capacity));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
  samrena_destroy(arena);
}
END_TEST

/* Marks and cleanups live at the far end of the buffer: they take
 * capacity, never allocated bytes, never pushed memory, and a buffer too
 * full for them refuses them with OUT_OF_MEMORY. */
START_TEST(test_buffer_bookkeeping) {
  static max_align_t memory[(64 * 1024) / sizeof(max_align_t)];
  Samrena *arena = buffer_arena(memory, sizeof memory);
  uint64_t capacity = samrena_capacity(arena);
  SamrenaMark first = samrena_save(arena);
  ck_assert_uint_ne(first.opaque[1], 0);
  ck_assert_uint_eq(samrena_allocated(arena), 0);
  uint64_t with_one = samrena_capacity(arena);
  ck_assert_uint_lt(with_one, capacity);
  ck_assert_uint_le(capacity - with_one, 1024);

  /* 300 nested scopes: the stack grows down many times, moving itself,
   * and never over what was pushed. */
  enum { DEPTH = 300 };
  static SamrenaMark marks[DEPTH];
  static uint64_t allocated_at[DEPTH];
  static unsigned char *data[DEPTH];
  for (int d = 0; d < DEPTH; d++) {
    allocated_at[d] = samrena_allocated(arena);
    marks[d] = samrena_save(arena);
    ck_assert_uint_ne(marks[d].opaque[1], 0);
    data[d] = samrena_push(arena, 40);
    ck_assert_ptr_nonnull(data[d]);
    util_fill(data[d], 40, (uint64_t)d);
  }
  ck_assert_uint_lt(samrena_capacity(arena), with_one);
  for (int d = 0; d < DEPTH; d++)
    ck_assert(util_check(data[d], 40, (uint64_t)d));
  for (int d = DEPTH - 1; d >= 0; d -= 3) {
    ck_assert_int_eq(samrena_restore(arena, marks[d]), SAMRENA_OK);
    ck_assert_uint_eq(samrena_allocated(arena), allocated_at[d]);
  }

  /* Full: no room for another entry; the arena still works. */
  ck_assert_int_eq(samrena_restore(arena, first), SAMRENA_OK);
  uint64_t room = samrena_get_capabilities(arena).max_allocation_size;
  ck_assert_ptr_nonnull(samrena_push(arena, room));
  released = 0;
  int registered = 0;
  while (samrena_on_release(arena, count_release, NULL) == SAMRENA_OK)
    registered++; /* the stack's spare entries, then one at a time: none */
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
  SamrenaMark refused = samrena_save(arena);
  ck_assert_uint_eq(refused.opaque[1], 0);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
  ck_assert_int_eq(samrena_restore(arena, first), SAMRENA_OK);
  ck_assert_int_eq(released, registered);
  ck_assert_ptr_nonnull(samrena_push(arena, 1000));
  samrena_reset(arena);
  ck_assert_uint_ne(samrena_save(arena).opaque[1], 0);
  ck_assert_int_eq(samrena_on_release(arena, count_release, NULL), SAMRENA_OK);
  samrena_destroy(arena);
  ck_assert_int_eq(released, registered + 1);
}
END_TEST

/* samrena_destroy runs the cleanups and writes nothing outside the
 * arena's own handle: every other byte of the buffer is as the arena's use
 * left it, free space as the caller filled it before, and the buffer is
 * the caller's again (malloc never saw it: it is static, and freeing it
 * would crash). */
START_TEST(test_buffer_destroy_touches_nothing) {
  static max_align_t memory[(32 * 1024) / sizeof(max_align_t)];
  unsigned char *bytes = (unsigned char *)memory;
  static unsigned char before[sizeof memory];
  memset(memory, 0x3c, sizeof memory);
  for (int round = 0; round < 2; round++) { /* the same buffer twice */
    Samrena *arena = buffer_arena(memory, sizeof memory);
    ck_assert_ptr_nonnull(arena);
    if (util_guard(arena) != 0 && util_library_poisons()) {
      samrena_destroy(arena); /* SAMRENA_DEBUG=1 under ASan: the guards this test */
      return;                 /* would read are poisoned */
    }
    unsigned char *start = samrena_push(arena, 300);
    memset(start, 0x11, 300);
    ck_assert_ptr_nonnull(samrena_strdup(arena, "in the buffer"));
    released = 0;
    ck_assert_int_eq(samrena_on_release(arena, count_release, NULL), SAMRENA_OK);
    ck_assert_uint_ne(samrena_save(arena).opaque[1], 0);
    /* What the arena may have written: up to its cursor, and its
     * bookkeeping past its limit. */
    size_t handle = (size_t)((unsigned char *)arena - bytes), pushes = (size_t)(start - bytes);
    size_t used = pushes + (size_t)samrena_allocated(arena);
    size_t limit = pushes + (size_t)samrena_capacity(arena);
    memcpy(before, bytes, used);
    memcpy(before + limit, bytes + limit, sizeof memory - limit);
    samrena_destroy(arena);
    ck_assert_int_eq(released, 1);
    ck_assert_mem_eq(bytes, before, handle);
    ck_assert_mem_eq(bytes + pushes, before + pushes, used - pushes);
    for (size_t i = used; i < limit; i++)
      util_require_uint_eq(bytes[i], 0x3c);
    /* The bookkeeping's unused entries are undefined to memcheck, and so
     * is their copy: compared only without it. */
    if (!util_under_valgrind())
      ck_assert_mem_eq(bytes + limit, before + limit, sizeof memory - limit);
    memset(bytes, 0x3c, sizeof memory); /* all of it the caller's to write */
  }
}
END_TEST

/* ------------------------------------------------------------ child arenas */

/* A chained arena of 4 KiB pages taking its blocks from source. */
static Samrena *sourced(const SamrenaAllocator *source) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_CHAINED;
  config.page_size = 4096;
  config.block_source = source;
  config.flags = SAMRENA_FLAG_STRICT;
  return samrena_create(&config);
}

/* Pushes that span several blocks and a large block, a mark, cleanups. */
static void use_child(Samrena *child) {
  for (int i = 0; i < 50; i++) {
    unsigned char *p = samrena_push(child, 1000);
    ck_assert_ptr_nonnull(p);
    util_fill(p, 1000, (uint64_t)i);
  }
  ck_assert_ptr_nonnull(samrena_push(child, 20 * KiB));
  ck_assert_uint_ne(samrena_save(child).opaque[1], 0);
  ck_assert_int_eq(samrena_on_release(child, count_release, NULL), SAMRENA_OK);
  ck_assert_int_eq(samrena_on_release(child, count_release, NULL), SAMRENA_OK);
}

/* Every pushed byte of the child lies in the parent: it grows as the
 * child does, and a child's destruction gives nothing back to it. */
START_TEST(test_child_lives_in_parent) {
  Samrena *parent = util_arena(STRATEGY, 16);
  SamrenaAllocator source = samrena_arena_allocator(parent);
  uint64_t empty = samrena_allocated(parent);
  Samrena *child = sourced(&source);
  ck_assert_ptr_nonnull(child);
  ck_assert_int_eq(samrena_strategy(child), SAMRENA_STRATEGY_CHAINED);
  ck_assert_uint_gt(samrena_allocated(parent), empty + 4096); /* its first block */
  uint64_t before = samrena_allocated(parent);
  released = 0;
  use_child(child);
  ck_assert_uint_ge(samrena_allocated(parent), before + 50 * 1000 + 20 * KiB);
  SamrenaStats stats = util_stats(child);
  ck_assert_uint_ge(stats.blocks, 10);
  ck_assert_uint_ge(stats.committed, stats.capacity);
  /* Reset and reuse: the same blocks, nothing more from the parent. */
  uint64_t parent_allocated = samrena_allocated(parent);
  samrena_reset(child);
  ck_assert_int_eq(released, 2);
  use_child(child);
  ck_assert_uint_eq(samrena_allocated(parent), parent_allocated);
  samrena_destroy(child);
  ck_assert_int_eq(released, 4);
  ck_assert_uint_eq(samrena_allocated(parent), parent_allocated);
  ck_assert_ptr_nonnull(samrena_push(parent, 100));
  samrena_reset(parent); /* the child's registration went with it */
  ck_assert_int_eq(released, 4);
  samrena_destroy(parent);
}
END_TEST

/* Destroyed first, the child's cleanups run then, and nothing of it runs
 * at the parent's reset (under ASan a registration left behind would be
 * a use of freed memory). */
START_TEST(test_child_destroyed_before_parent_reset) {
  Samrena *parent = util_arena(STRATEGY, 16);
  SamrenaAllocator source = samrena_arena_allocator(parent);
  for (int order = 0; order < 2; order++) {
    Samrena *older = sourced(&source);
    Samrena *newer = sourced(&source);
    ck_assert(older != NULL && newer != NULL);
    released = 0;
    use_child(older);
    use_child(newer);
    ck_assert_int_eq(samrena_on_release(parent, count_release, NULL), SAMRENA_OK);
    samrena_destroy(order == 0 ? older : newer);
    ck_assert_int_eq(released, 2);
    samrena_destroy(order == 0 ? newer : older);
    ck_assert_int_eq(released, 4);
    samrena_reset(parent);
    ck_assert_int_eq(released, 5); /* the parent's own only */
  }
  samrena_destroy(parent);
}
END_TEST

/* The parent's reset takes the child's memory: the child's cleanups run
 * at that moment, its pushes fail, and destroying it touches nothing of
 * the parent (whose memory ASan now holds poisoned). */
START_TEST(test_child_destroyed_after_parent_reset) {
  Samrena *parent = util_arena(STRATEGY, 16);
  SamrenaAllocator source = samrena_arena_allocator(parent);
  Samrena *child = sourced(&source);
  ck_assert_ptr_nonnull(child);
  released = 0;
  use_child(child);
  samrena_reset(parent);
  ck_assert_int_eq(released, 2);
  ck_assert_ptr_null(samrena_push(child, 10));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_UNSUPPORTED_OPERATION);
  /* The parent reuses the memory at once. */
  for (int i = 0; i < 100; i++)
    memset(samrena_push(parent, 1000), 0xee, 1000);
  samrena_destroy(child);
  ck_assert_int_eq(released, 2);
  ck_assert_ptr_nonnull(samrena_push(parent, 100));
  samrena_destroy(parent);
}
END_TEST

/* A restore of the parent gives the child's memory back when it goes to
 * a mark older than something the child took: that orphans it as a reset
 * does.  A restore to a mark taken after all of it leaves the child be. */
START_TEST(test_child_and_parent_restore) {
  Samrena *parent = util_arena(STRATEGY, 16);
  SamrenaAllocator source = samrena_arena_allocator(parent);

  /* Made after the mark. */
  SamrenaMark before_child = samrena_save(parent);
  Samrena *child = sourced(&source);
  released = 0;
  use_child(child);
  ck_assert_int_eq(samrena_restore(parent, before_child), SAMRENA_OK);
  ck_assert_int_eq(released, 2);
  ck_assert_ptr_null(samrena_push(child, 10));
  samrena_destroy(child);

  /* Made before the mark, nothing taken since: intact, and usable. */
  child = sourced(&source);
  unsigned char *kept = samrena_push(child, 100);
  util_fill(kept, 100, 9);
  SamrenaMark after_child = samrena_save(parent);
  ck_assert_ptr_nonnull(samrena_push(parent, 5000));
  ck_assert_ptr_nonnull(samrena_push(child, 100)); /* in its first block */
  ck_assert_int_eq(samrena_restore(parent, after_child), SAMRENA_OK);
  ck_assert(util_check(kept, 100, 9));
  unsigned char *more = samrena_push(child, 100);
  ck_assert_ptr_nonnull(more);
  util_fill(more, 100, 10);

  /* It grows past the mark: the next restore to it orphans it. */
  released = 0;
  ck_assert_int_eq(samrena_on_release(child, count_release, NULL), SAMRENA_OK);
  for (int i = 0; i < 20; i++)
    ck_assert_ptr_nonnull(samrena_push(child, 1000));
  ck_assert_int_eq(released, 0);
  ck_assert_int_eq(samrena_restore(parent, after_child), SAMRENA_OK);
  ck_assert_int_eq(released, 1);
  ck_assert_ptr_null(samrena_push(child, 10));
  samrena_destroy(child);
  ck_assert_int_eq(released, 1);
  samrena_destroy(parent);
}
END_TEST

/* The parent destroyed first: the child's cleanups run then, and its
 * handle, which is its own, is freed by its destruction later. */
START_TEST(test_child_outlives_parent) {
  Samrena *parent = util_arena(STRATEGY, 16);
  SamrenaAllocator source = samrena_arena_allocator(parent);
  Samrena *child = sourced(&source);
  SamrenaAllocator child_source = samrena_arena_allocator(child);
  Samrena *grandchild = sourced(&child_source);
  ck_assert(child != NULL && grandchild != NULL);
  released = 0;
  use_child(child);
  use_child(grandchild);
  samrena_destroy(parent);
  ck_assert_int_eq(released, 4);
  samrena_destroy(child);
  samrena_destroy(grandchild);
  ck_assert_int_eq(released, 4);
}
END_TEST

/* Grandchildren: the grandparent's reset orphans both generations, in
 * either order of destruction; the child's own reset orphans only its
 * child. */
START_TEST(test_grandchildren) {
  Samrena *parent = util_arena(STRATEGY, 16);
  SamrenaAllocator source = samrena_arena_allocator(parent);
  for (int order = 0; order < 2; order++) {
    Samrena *child = sourced(&source);
    SamrenaAllocator child_source = samrena_arena_allocator(child);
    Samrena *grandchild = sourced(&child_source);
    ck_assert(child != NULL && grandchild != NULL);
    released = 0;
    use_child(grandchild);
    samrena_reset(child);
    ck_assert_int_eq(released, 2);
    ck_assert_ptr_null(samrena_push(grandchild, 10));
    samrena_destroy(grandchild);
    grandchild = sourced(&child_source);
    use_child(grandchild);
    use_child(child);
    samrena_reset(parent);
    ck_assert_int_eq(released, 6);
    samrena_destroy(order == 0 ? child : grandchild);
    samrena_destroy(order == 0 ? grandchild : child);
    ck_assert_int_eq(released, 6);
  }
  samrena_destroy(parent);
}
END_TEST

static void destroy_arena(void *data) {
  samrena_destroy(data);
}

/* A cleanup of the parent's that destroys the child, registered before or
 * after the child last took memory: runs once, either way. */
START_TEST(test_child_destroyed_by_parent_cleanup) {
  Samrena *parent = util_arena(STRATEGY, 16);
  SamrenaAllocator source = samrena_arena_allocator(parent);
  for (int order = 0; order < 2; order++) {
    Samrena *child = sourced(&source);
    ck_assert_ptr_nonnull(child);
    if (order == 0)
      ck_assert_int_eq(samrena_on_release(parent, destroy_arena, child), SAMRENA_OK);
    released = 0;
    use_child(child);
    if (order == 1)
      ck_assert_int_eq(samrena_on_release(parent, destroy_arena, child), SAMRENA_OK);
    samrena_reset(parent);
    ck_assert_int_eq(released, 2);
  }
  samrena_destroy(parent);
}
END_TEST

/* A child on a scratch arena ends with the scope. */
START_TEST(test_child_of_a_scratch_scope) {
  SamrenaScratch scratch = samrena_scratch_begin(NULL, 0);
  ck_assert_ptr_nonnull(scratch.arena);
  SamrenaAllocator source = samrena_arena_allocator(scratch.arena);
  Samrena *child = sourced(&source);
  ck_assert_ptr_nonnull(child);
  released = 0;
  use_child(child);
  samrena_scratch_end(scratch);
  ck_assert_int_eq(released, 2);
  samrena_destroy(child);
}
END_TEST

/* ----------------------------------------------------- other block sources */

/* An allocator that counts, gives memory one byte off malloc's alignment,
 * and fails when told to. */
typedef struct {
  uint64_t allocs, frees, live_bytes;
  int fail_after; /* allocations left before they fail; < 0: never */
} Counting;

static void *counting_alloc(size_t size, void *ctx) {
  Counting *counting = ctx;
  if (counting->fail_after == 0)
    return NULL;
  if (counting->fail_after > 0)
    counting->fail_after--;
  unsigned char *memory = malloc(size + 1);
  if (memory == NULL)
    return NULL;
  counting->allocs++;
  counting->live_bytes += size;
  return memory + 1;
}

static void counting_free(size_t size, void *ptr, void *ctx) {
  Counting *counting = ctx;
  counting->frees++;
  ck_assert_uint_ge(counting->live_bytes, size);
  counting->live_bytes -= size;
  free((unsigned char *)ptr - 1);
}

START_TEST(test_block_source_of_any_allocator) {
  Counting counting = {0, 0, 0, -1};
  SamrenaAllocator source = {counting_alloc, counting_free, &counting};
  for (int round = 0; round < 3; round++) {
    uint64_t allocs = counting.allocs;
    Samrena *arena = sourced(&source);
    ck_assert_ptr_nonnull(arena);
    ck_assert_uint_eq(counting.allocs, allocs + 1); /* never from a cache */
    released = 0;
    use_child(arena);
    for (int i = 0; i < 100; i++) {
      void *p = samrena_push(arena, 1 + (uint64_t)i * 37);
      ck_assert_uint_eq((uintptr_t)p % alignof(max_align_t), 0);
    }
    ck_assert_ptr_nonnull(samrena_push_aligned(arena, 64, 4096));
    uint64_t live = counting.live_bytes;
    samrena_reset(arena);
    ck_assert_uint_eq(counting.live_bytes, live); /* kept for reuse */
    ck_assert_int_eq(samrena_trim(arena, 0), SAMRENA_OK);
    ck_assert_uint_lt(counting.live_bytes, live); /* given back to the source */
    use_child(arena);
    samrena_destroy(arena);
    ck_assert_int_eq(released, 4);
    ck_assert_uint_eq(counting.live_bytes, 0);
    ck_assert_uint_eq(counting.allocs, counting.frees);
  }

  /* A source that fails: creation fails, holding nothing; later failures
   * fail the push, the arena usable. */
  counting.fail_after = 0;
  ck_assert_ptr_null(sourced(&source));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
  counting.fail_after = 1;
  Samrena *arena = sourced(&source);
  ck_assert_ptr_nonnull(arena);
  ck_assert_ptr_null(samrena_push(arena, 10000));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
  ck_assert_uint_eq(samrena_save(arena).opaque[1], 0); /* its stack comes from the source */
  ck_assert_int_eq(samrena_on_release(arena, count_release, NULL), SAMRENA_ERROR_OUT_OF_MEMORY);
  ck_assert_ptr_nonnull(samrena_push(arena, 1000));
  counting.fail_after = -1;
  ck_assert_ptr_nonnull(samrena_push(arena, 10000));
  samrena_destroy(arena);
  ck_assert_uint_eq(counting.live_bytes, 0);
}
END_TEST

/* ------------------------------------------- requests, with fault injection */

#if SAMRENA_FAULT_INJECTION
/* Everything a buffer arena does, with every request armed to fail: none
 * is made, from creation to destruction. */
static void whole_life(Samrena *arena) {
  ck_assert_ptr_nonnull(samrena_push(arena, 100));
  unsigned char *zeroed = samrena_push_zero(arena, 3000);
  ck_assert(zeroed != NULL && util_all_zero(zeroed, 3000));
  ck_assert_ptr_nonnull(samrena_push_aligned(arena, 10, 4096));
  ck_assert_ptr_nonnull(SAMRENA_PUSH_ARRAY(arena, uint64_t, 100));
  ck_assert_str_eq(samrena_strdup(arena, "no request"), "no request");
  ck_assert_str_eq(samrena_printf(arena, "%d %s", 42, "pushes"), "42 pushes");
  unsigned char *grown = samrena_push(arena, 100);
  ck_assert_ptr_eq(samrena_resize(arena, grown, 100, 5000), grown);
  ck_assert_int_eq(samrena_reserve(arena, 1000), SAMRENA_OK);
  SamrenaStats stats = util_stats(arena);
  ck_assert_uint_le(stats.allocated, stats.capacity);
  SamrenaInfo info;
  samrena_get_info(arena, &info);
  ck_assert(samrena_can_allocate(arena, 100));
  SamrenaMark outer = samrena_save(arena);
  for (int i = 0; i < 40; i++) {
    ck_assert_uint_ne(samrena_save(arena).opaque[1], 0);
    ck_assert_ptr_nonnull(samrena_push(arena, 64));
    ck_assert_int_eq(samrena_on_release(arena, count_release, NULL), SAMRENA_OK);
  }
  ck_assert_int_eq(samrena_restore(arena, outer), SAMRENA_OK);
  SamrenaPool *pool = samrena_pool_create(arena, 48, 0);
  ck_assert_ptr_nonnull(pool);
  void *slots[100];
  for (int i = 0; i < 100; i++)
    ck_assert_ptr_nonnull(slots[i] = samrena_pool_alloc(pool));
  for (int i = 0; i < 100; i += 2)
    samrena_pool_free(pool, slots[i]);
  samrena_pool_reset(pool);
  SamrenaAllocator allocator = samrena_arena_allocator(arena);
  ck_assert_ptr_nonnull(SAMRENA_MAKE(double, 10, allocator));
  ck_assert_int_eq(samrena_trim(arena, 0), SAMRENA_OK);
  samrena_reset(arena);
  ck_assert_ptr_nonnull(samrena_push(arena, 100));
  ck_assert_int_eq(samrena_on_release(arena, count_release, NULL), SAMRENA_OK);
}

/* SAMRENA_DEBUG=1 in the environment: every arena mallocs its debug log,
 * so the "no request" promises below do not hold and are not tested. */
static bool debug_mode_on(void) {
  Samrena *probe = samrena_create(NULL);
  ck_assert_ptr_nonnull(probe);
  bool debug = util_guard(probe) != 0;
  samrena_destroy(probe);
  return debug;
}

START_TEST(test_buffer_arena_makes_no_request) {
  static max_align_t memory[(1 << 20) / sizeof(max_align_t)];
  if (debug_mode_on())
    return;
  uint64_t requests = samrena_fault_requests();
  uint64_t injected = samrena_fault_injected();
  samrena_fault_inject_after(0);
  Samrena *arena = buffer_arena(memory, sizeof memory);
  ck_assert_uint_eq(samrena_fault_requests(), requests); /* creation: none */
  ck_assert_ptr_nonnull(arena);
  released = 0;
  whole_life(arena);
  samrena_destroy(arena);
  samrena_fault_inject_after(-1);
  ck_assert_int_eq(released, 41);
  ck_assert_uint_eq(samrena_fault_requests(), requests);
  ck_assert_uint_eq(samrena_fault_injected(), injected);
}
END_TEST

/* A child makes one request, for its handle; then none, pushes, marks,
 * cleanups, resets and its destruction included, before or after its
 * parent's reset.  Its parent: a buffer arena, which makes none either,
 * or a chained arena with room to spare and its scope stack made. */
START_TEST(test_child_makes_no_request_after_its_handle) {
  static max_align_t memory[(4 << 20) / sizeof(max_align_t)];
  if (debug_mode_on())
    return;
  for (int kind = 0; kind < 2; kind++) {
    Samrena *parent;
    if (kind == 0) {
      parent = buffer_arena(memory, sizeof memory);
    } else {
      SamrenaConfig config = samrena_config_chained(64); /* 4 MiB */
      parent = samrena_create(&config);
      SamrenaMark mark = samrena_save(parent);
      ck_assert_int_eq(samrena_restore(parent, mark), SAMRENA_OK);
    }
    ck_assert_ptr_nonnull(parent);
    SamrenaAllocator source = samrena_arena_allocator(parent);
    for (int when = 0; when < 2; when++) {
      uint64_t requests = samrena_fault_requests();
      Samrena *child = sourced(&source);
      ck_assert_ptr_nonnull(child);
      ck_assert_uint_eq(samrena_fault_requests(), requests + 1);
      samrena_fault_inject_after(0);
      released = 0;
      use_child(child);
      SamrenaMark mark = samrena_save(child);
      use_child(child);
      ck_assert_int_eq(samrena_restore(child, mark), SAMRENA_OK);
      samrena_reset(child);
      use_child(child);
      if (when == 1)
        samrena_reset(parent);
      samrena_destroy(child);
      samrena_fault_inject_after(-1);
      ck_assert_int_eq(released, 6);
      ck_assert_uint_eq(samrena_fault_requests(), requests + 1);
    }
    samrena_destroy(parent);
  }
}
END_TEST
#endif

Suite *make_sources_suite(void) {
  Suite *suite = suite_create("sources");
  TCase *tc = util_tcase("buffer");
  tcase_add_test(tc, test_buffer_on_the_stack);
  tcase_add_test(tc, test_buffer_edges);
  tcase_add_test(tc, test_buffer_queries);
  tcase_add_test(tc, test_buffer_bookkeeping);
  tcase_add_test(tc, test_buffer_destroy_touches_nothing);
  suite_add_tcase(suite, tc);

  tc = util_tcase("children");
  tcase_add_loop_test(tc, test_child_lives_in_parent, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_child_destroyed_before_parent_reset, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_child_destroyed_after_parent_reset, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_child_and_parent_restore, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_child_outlives_parent, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_grandchildren, 0, util_strategy_count);
  tcase_add_loop_test(tc, test_child_destroyed_by_parent_cleanup, 0, util_strategy_count);
  tcase_add_test(tc, test_child_of_a_scratch_scope);
  tcase_add_test(tc, test_block_source_of_any_allocator);
  suite_add_tcase(suite, tc);

#if SAMRENA_FAULT_INJECTION
  tc = util_tcase("requests");
  tcase_add_test(tc, test_buffer_arena_makes_no_request);
  tcase_add_test(tc, test_child_makes_no_request_after_its_handle);
  suite_add_tcase(suite, tc);
#endif
  return suite;
}
