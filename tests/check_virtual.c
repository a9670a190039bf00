/* check_virtual.c -- what only the virtual adapter promises: lazy commit
 * (measured with mincore), prefetch on reserve, trim giving memory back,
 * contiguity, clean exhaustion, huge and large pages, and failure under
 * RLIMIT_AS. */
#include "check_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAN_FORK_WITH_RLIMIT 0
#if defined(HAVE_FORK) && defined(HAVE_SETRLIMIT)
#undef CAN_FORK_WITH_RLIMIT
#include <sys/resource.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#define CAN_FORK_WITH_RLIMIT 1
#endif
#ifdef HAVE_SYS_MMAN_H
#include <sys/mman.h>
#endif

/* AddressSanitizer reserves terabytes of shadow memory, so RLIMIT_AS
 * cannot be used under it. */
#define UNDER_ASAN 0
#if defined(__SANITIZE_ADDRESS__)
#undef UNDER_ASAN
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#undef UNDER_ASAN
#define UNDER_ASAN 1
#endif
#endif

static Samrena *virtual_arena(uint64_t max_reserve) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_VIRTUAL;
  config.max_reserve = max_reserve;
  return util_arena_config(config);
}

/* The start of the reservation: an empty arena's cursor. */
static unsigned char *base_of(Samrena *arena) {
  ck_assert_uint_eq(samrena_allocated(arena), 0);
  return samrena_push(arena, 0);
}

/* The arena's handle lives at the start of its first reservation, within
 * its first page; pushes begin after it.  So the reservation starts at the
 * page of an empty arena's cursor. */
static unsigned char *page_of(const unsigned char *address) {
  return (unsigned char *)((uintptr_t)address & ~(uintptr_t)(util_page_size() - 1));
}

static int64_t resident_in(Samrena *arena, unsigned char *base) {
  return util_resident_bytes(page_of(base), util_stats(arena).reserved);
}

/* A reservation asked for `size` bytes of pushes: the handle's page more,
 * rounded up to the reservation granularity (the page, or 64 KiB). */
static void assert_reserved(uint64_t reserved, uint64_t size) {
  ck_assert_uint_ge(reserved, size + util_page_size() / 2);
  ck_assert_uint_le(reserved, size + 64 * KiB);
}

#define COMMIT_STEP_LIMIT (2 * MiB)

START_TEST(test_lazy_commit_measured) {
  Samrena *arena = virtual_arena(0);
  unsigned char *base = base_of(arena);
  SamrenaStats stats = util_stats(arena);
  assert_reserved(stats.reserved, UINTPTR_MAX > UINT32_MAX ? 2048 * MiB : 256 * MiB);
  if (resident_in(arena, base) < 0) {
    fprintf(stderr, "virtual: resident memory cannot be measured here; not checked\n");
    samrena_destroy(arena);
    return;
  }
  /* A reservation reused from the cache may keep a little memory resident. */
  int64_t before = resident_in(arena, base);
  ck_assert_int_le(before, (int64_t)(256 * KiB));
  unsigned char *data = samrena_push(arena, 1 * MiB);
  ck_assert_ptr_eq(data, base);
  memset(data, 0xab, 1 * MiB);
  int64_t resident = resident_in(arena, base);
  ck_assert_int_ge(resident, (int64_t)(1 * MiB));
  ck_assert_int_le(resident - before, (int64_t)(1 * MiB + COMMIT_STEP_LIMIT));
  stats = util_stats(arena);
  ck_assert_uint_le(stats.committed, 1 * MiB + COMMIT_STEP_LIMIT);
  samrena_destroy(arena);
}
END_TEST

/* Whether this kernel populates pages on MADV_POPULATE_WRITE (5.14+): it
 * accepts the advice and a fresh page is resident after it.  An emulator
 * may accept it and do nothing.  The number is the kernel's, for C
 * libraries whose headers lack it (musl 1.2.3). */
#if defined(HAVE_SYS_MMAN_H) && defined(__linux__) && !defined(MADV_POPULATE_WRITE)
#define MADV_POPULATE_WRITE 23
#endif
static bool kernel_populates(void) {
#if defined(MADV_POPULATE_WRITE)
  uint64_t page = util_page_size();
  void *probe = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (probe == MAP_FAILED)
    return false;
  bool works = madvise(probe, (size_t)page, MADV_POPULATE_WRITE) == 0 &&
               util_resident_bytes(probe, page) == (int64_t)page;
  munmap(probe, (size_t)page);
  return works;
#else
  return false;
#endif
}

START_TEST(test_reserve_prefetches_and_trim_gives_back) {
  Samrena *arena = virtual_arena(0);
  unsigned char *base = base_of(arena);
  if (resident_in(arena, base) < 0) {
    samrena_destroy(arena);
    return;
  }
  ck_assert_int_eq(samrena_reserve(arena, 64 * MiB), SAMRENA_OK);
  ck_assert_uint_ge(util_stats(arena).committed, 64 * MiB);
  if (kernel_populates())
    ck_assert_int_ge(resident_in(arena, base), (int64_t)(63 * MiB));
  else
    fprintf(stderr, "virtual: MADV_POPULATE_WRITE populates nothing here; prefetch is only a hint\n");

  unsigned char *data = samrena_push(arena, 32 * MiB);
  ck_assert_ptr_eq(data, base);
  memset(data, 1, 32 * MiB);
  ck_assert_int_ge(resident_in(arena, base), (int64_t)(32 * MiB));

  /* Trim keeps what is allocated (and the handle's page)... */
  ck_assert_int_eq(samrena_trim(arena, 0), SAMRENA_OK);
  ck_assert_uint_eq(util_stats(arena).committed, 32 * MiB + util_page_size());
  ck_assert_int_le(resident_in(arena, base), (int64_t)(32 * MiB + util_page_size()));
  ck_assert(data[32 * MiB - 1] == 1);
  /* ...and after a reset gives everything back. */
  samrena_reset(arena);
  ck_assert_int_eq(samrena_trim(arena, 0), SAMRENA_OK);
  ck_assert_uint_eq(util_stats(arena).committed, util_page_size());
  ck_assert_int_le(resident_in(arena, base), (int64_t)util_page_size());
  /* Memory comes back on demand, zeroed. */
  unsigned char *again = samrena_push_zero(arena, 4 * MiB);
  ck_assert_ptr_eq(again, base);
  ck_assert(util_all_zero(again, 4 * MiB));
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_trim_keep_rounds_to_page) {
  Samrena *arena = virtual_arena(0);
  ck_assert_int_eq(samrena_reserve(arena, 8 * MiB), SAMRENA_OK);
  ck_assert_ptr_nonnull(samrena_push(arena, 100));
  ck_assert_int_eq(samrena_trim(arena, 1 * MiB + 1), SAMRENA_OK);
  uint64_t page = util_page_size();
  ck_assert_uint_eq(util_stats(arena).committed, (1 * MiB + 1 + page - 1) / page * page);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_push_zero_skips_fresh_pages) {
  Samrena *arena = virtual_arena(0);
  unsigned char *base = base_of(arena);
  unsigned char *data = samrena_push_zero(arena, 64 * MiB);
  ck_assert_ptr_eq(data, base);
  int64_t resident = resident_in(arena, base);
  if (resident >= 0)
    ck_assert_int_le(resident, (int64_t)(1 * MiB));
  for (uint64_t offset = 0; offset < 64 * MiB; offset += 1 * MiB + 4097)
    ck_assert_uint_eq(data[offset], 0);

  /* Reused memory is zeroed; the fresh part past it reads zero too. */
  memset(data, 0xcd, 2 * MiB);
  samrena_reset(arena);
  unsigned char *reused = samrena_push_zero(arena, 3 * MiB);
  ck_assert_ptr_eq(reused, base);
  ck_assert(util_all_zero(reused, 3 * MiB));
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_contiguous_pushes) {
  Samrena *arena = virtual_arena(0);
  enum { COUNT = 10000 };
  unsigned char **ptrs = malloc(COUNT * sizeof *ptrs);
  uint64_t *sizes = malloc(COUNT * sizeof *sizes);
  ck_assert(ptrs != NULL && sizes != NULL);
  uint64_t seed = 777;
  uint64_t alignment = MAX_ALIGN;
  unsigned char *expected = base_of(arena);
  for (int i = 0; i < COUNT; i++) {
    sizes[i] = 1 + util_random(&seed) % 3000;
    ptrs[i] = samrena_push(arena, sizes[i]);
    ck_assert_ptr_eq(ptrs[i], expected);
    util_fill(ptrs[i], sizes[i], (uint64_t)i);
    expected = ptrs[i] + ROUND_UP(UTIL_FOOTPRINT(arena, sizes[i]), alignment);
  }
  ck_assert_uint_gt(util_stats(arena).committed, 10 * 256 * KiB); /* crossed many steps */
  for (int i = 0; i < COUNT; i++)
    ck_assert(util_check(ptrs[i], sizes[i], (uint64_t)i));
  free(ptrs);
  free(sizes);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_exhaustion_is_clean) {
  Samrena *arena = virtual_arena(1 * MiB);
  SamrenaStats stats = util_stats(arena);
  assert_reserved(stats.reserved, 1 * MiB);
  /* Room for at least the 1 MiB asked for, pushes of 3000 taking 3008. */
  uint64_t room = samrena_get_capabilities(arena).max_allocation_size;
  ck_assert_uint_ge(room, 1 * MiB);
  uint64_t pushed = 0;
  while (samrena_push(arena, 3000) != NULL)
    pushed++;
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
  uint64_t footprint = ROUND_UP(UTIL_FOOTPRINT(arena, 3000), MAX_ALIGN);
  ck_assert_uint_eq(pushed, (room - 3000) / footprint + 1);
  ck_assert_int_eq(samrena_reserve(arena, 2 * MiB), SAMRENA_ERROR_INVALID_PARAMETER);
  /* The room is the largest push; a debug mode push takes its guard too. */
  ck_assert_int_eq(samrena_reserve(arena, room + util_guard(arena) + 1),
                   SAMRENA_ERROR_INVALID_PARAMETER);
  ck_assert_ptr_null(samrena_push_with_reserve(arena, 3000));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
  /* What is left (less than a 3000-byte push) still takes a push. */
  uint64_t left = samrena_get_capabilities(arena).max_allocation_size;
  ck_assert_uint_lt(left, 3000);
  if (left > 0) {
    unsigned char *small = samrena_push(arena, left);
    ck_assert_ptr_nonnull(small);
    memset(small, 9, (size_t)left);
  }
  ck_assert_ptr_null(samrena_push(arena, left + 1));
  ck_assert_uint_le(samrena_allocated(arena), room + util_guard(arena));
  samrena_reset(arena);
  ck_assert_ptr_nonnull(samrena_push(arena, 1 * MiB));
  samrena_reset(arena);
  ck_assert_ptr_nonnull(samrena_push_aligned(arena, room, 1));
  ck_assert_ptr_null(samrena_push_aligned(arena, 1, 1));
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_commit_steps) {
  /* A reservation size of its own: a reused one may come with a commit. */
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_VIRTUAL;
  config.max_reserve = 96 * MiB;
  config.commit_size = 1 * MiB;
  Samrena *arena = util_arena_config(config);
  ck_assert_ptr_nonnull(samrena_push(arena, samrena_capacity(arena) + 1)); /* past the first commit */
  ck_assert_uint_eq(util_stats(arena).committed, 1 * MiB);
  ck_assert_ptr_nonnull(samrena_push(arena, 1 * MiB));
  ck_assert_uint_eq(util_stats(arena).committed, 2 * MiB);
  samrena_destroy(arena);

  /* The default step stays lazy: at most 2 MiB beyond the need. */
  arena = virtual_arena(0);
  ck_assert_ptr_nonnull(samrena_push(arena, SAMRENA_DEFAULT_PAGE_SIZE + 1));
  ck_assert_uint_le(util_stats(arena).committed, SAMRENA_DEFAULT_PAGE_SIZE + 1 + COMMIT_STEP_LIMIT);
  samrena_destroy(arena);

  /* A step that is not a power of two: commits end on its multiples. */
  uint64_t page = util_page_size();
  config.max_reserve = 98 * MiB + 7 * page; /* another size, at 64 KiB granules too */
  config.commit_size = 3 * page;
  config.initial_pages = 1;
  config.page_size = 64; /* the first commit: one OS page's worth */
  arena = util_arena_config(config);
  while (util_stats(arena).committed < 3 * page)
    ck_assert_ptr_nonnull(samrena_push(arena, 64));
  ck_assert_uint_eq(util_stats(arena).committed, 3 * page);
  ck_assert_ptr_nonnull(samrena_push(arena, 3 * page - samrena_allocated(arena) + 1));
  ck_assert_uint_eq(util_stats(arena).committed, 6 * page);
  ck_assert_ptr_nonnull(samrena_push(arena, 3 * page));
  ck_assert_uint_eq(util_stats(arena).committed, 9 * page);
  samrena_destroy(arena);

  config.commit_size = UINT64_MAX;
  ck_assert_ptr_null(samrena_create(&config));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
}
END_TEST

START_TEST(test_huge_pages_flag) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_VIRTUAL;
  config.flags = SAMRENA_FLAG_HUGE_PAGES;
  Samrena *arena = util_arena_config(config);
  /* Without a max_reserve the flag never commits the whole reservation
   * (Windows large pages would lock it all in RAM). */
  SamrenaStats stats = util_stats(arena);
  ck_assert_uint_lt(stats.committed, stats.reserved);
  unsigned char *data = samrena_push(arena, 8 * MiB);
  ck_assert_ptr_nonnull(data);
  util_fill(data, 8 * MiB, 3);
  ck_assert(util_check(data, 8 * MiB, 3));
  samrena_destroy(arena);
}
END_TEST

/* SAMRENA_FLAG_HUGE_PAGES with an explicit max_reserve: where Windows
 * grants large pages the whole range is reserved and committed on them at
 * creation; elsewhere, or when they are refused, it is the normal lazy
 * reservation.  Either way it is a working arena whose stats say which. */
START_TEST(test_huge_pages_with_max_reserve) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_VIRTUAL;
  config.max_reserve = 8 * MiB;
  config.flags = SAMRENA_FLAG_HUGE_PAGES;
  Samrena *arena = util_arena_config(config);
  unsigned char *base = base_of(arena);
  SamrenaStats stats = util_stats(arena);
  bool large_pages = stats.committed == stats.reserved;
  fprintf(stderr, "virtual: SAMRENA_FLAG_HUGE_PAGES with an 8 MiB max_reserve: %s\n",
          large_pages ? "large pages, all committed at creation" : "normal lazy reservation");
#ifndef _WIN32
  ck_assert_msg(!large_pages, "only Windows reserves large pages up front");
#endif
  uint64_t page = util_page_size();
  if (large_pages) {
    ck_assert_uint_ge(stats.reserved, 8 * MiB);
    ck_assert_uint_lt(stats.reserved - samrena_capacity(arena), page); /* the handle */
  } else {
    assert_reserved(stats.reserved, 8 * MiB);
    ck_assert_uint_le(stats.committed, SAMRENA_DEFAULT_PAGE_SIZE + page);
  }
  uint64_t reserved = stats.reserved;

  unsigned char *data = samrena_push(arena, 3 * MiB);
  ck_assert_ptr_eq(data, base);
  util_fill(data, 3 * MiB, 11);
  unsigned char *fresh = samrena_push_zero(arena, 1 * MiB);
  ck_assert_ptr_eq(fresh, base + ROUND_UP(UTIL_FOOTPRINT(arena, 3 * MiB), MAX_ALIGN));
  ck_assert(util_all_zero(fresh, 1 * MiB));

  /* Trim never takes what is allocated; large pages it keeps entirely. */
  ck_assert_int_eq(samrena_trim(arena, 0), SAMRENA_OK);
  stats = util_stats(arena);
  ck_assert_uint_eq(stats.reserved, reserved);
  ck_assert_uint_eq(stats.committed, large_pages ? reserved : 4 * MiB + page);
  ck_assert(util_check(data, 3 * MiB, 11));

  /* Reset keeps the memory; reused memory is zeroed on request. */
  samrena_reset(arena);
  ck_assert_uint_eq(samrena_allocated(arena), 0);
  unsigned char *reused = samrena_push_zero(arena, 3 * MiB);
  ck_assert_ptr_eq(reused, base);
  ck_assert(util_all_zero(reused, 3 * MiB));
  samrena_reset(arena);
  ck_assert_int_eq(samrena_trim(arena, 0), SAMRENA_OK);
  ck_assert_uint_eq(util_stats(arena).committed, large_pages ? reserved : page);

  /* The whole range past the handle can be pushed and written, and no more. */
  uint64_t room = samrena_get_capabilities(arena).max_allocation_size;
  ck_assert_uint_lt(reserved - room, page);
  unsigned char *all = samrena_push_aligned(arena, room, 1);
  ck_assert_ptr_eq(all, base);
  all[0] = 1;
  all[room - 1] = 2;
  ck_assert_uint_eq(util_stats(arena).committed, reserved);
  ck_assert_ptr_null(samrena_push(arena, 1));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
  samrena_reset(arena);
  ck_assert_ptr_nonnull(samrena_push(arena, 100));
  samrena_destroy(arena);

  /* A large-page range is released, never cached: the next arena of that
   * size is lazy. */
  config.flags = 0;
  arena = util_arena_config(config);
  stats = util_stats(arena);
  ck_assert_uint_lt(stats.committed, stats.reserved);
  samrena_destroy(arena);
}
END_TEST

/* Released reservations are kept for the next arena of the same size:
 * a create-destroy cycle then makes no system call. */
START_TEST(test_released_reservations_are_reused) {
  enum { N = 5 };
  Samrena *arenas[N];
  unsigned char *bases[N];
  for (int i = 0; i < N; i++) {
    arenas[i] = virtual_arena(0);
    bases[i] = base_of(arenas[i]);
    memset(samrena_push(arenas[i], 100 * KiB), 0xdd, 100 * KiB);
  }
  for (int i = 0; i < N; i++)
    samrena_destroy(arenas[i]);
  Samrena *again = virtual_arena(0);
  unsigned char *base = base_of(again);
  bool reused = false;
  for (int i = 0; i < N; i++)
    reused = reused || base == bases[i];
  ck_assert_msg(reused, "a new arena did not reuse a released reservation");
  /* What the last owner left there is not taken for fresh memory. */
  unsigned char *zeroed = samrena_push_zero(again, 200 * KiB);
  ck_assert(util_all_zero(zeroed, 200 * KiB));
  samrena_destroy(again);
}
END_TEST

/* Whether the kernel would back the mapping holding addr with transparent
 * huge pages (the THPeligible line of /proc/self/smaps); -1 if unknown. */
static int thp_eligible(const void *addr) {
#ifdef _WIN32
  (void)addr;
  return -1; /* no transparent huge pages on Windows */
#endif
  FILE *smaps = fopen("/proc/self/smaps", "r");
  if (smaps == NULL)
    return -1;
  char line[256];
  int eligible = -1;
  bool inside = false;
  while (fgets(line, sizeof line, smaps) != NULL) {
    unsigned long start, end;
    if (sscanf(line, "%lx-%lx ", &start, &end) == 2) { /* a mapping's first line */
      inside = (uintptr_t)addr >= start && (uintptr_t)addr < end;
    } else if (inside && sscanf(line, "THPeligible: %d", &eligible) == 1) {
      break;
    }
  }
  fclose(smaps);
  return eligible;
}

/* Whether huge pages can be observed here: a 2 MiB-aligned range advised
 * MADV_HUGEPAGE shows as THPeligible in /proc/self/smaps.  Not so where
 * the kernel has transparent huge pages off ("never"), or under an
 * emulator, whose /proc describes itself or makes up the figure. */
static bool thp_observable(void) {
#if defined(HAVE_SYS_MMAN_H) && defined(HAVE_DECL_MADV_HUGEPAGE) && HAVE_DECL_MADV_HUGEPAGE
  size_t huge = (size_t)(2 * MiB);
  unsigned char *map = mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED)
    return false;
  unsigned char *aligned = map + ((huge - (uintptr_t)map % huge) % huge);
  bool seen = madvise(aligned, huge, MADV_HUGEPAGE) == 0;
  if (seen) {
    aligned[0] = 1;
    seen = thp_eligible(aligned) == 1;
  }
  munmap(map, 2 * huge);
  if (!seen)
    fprintf(stderr, "virtual: huge pages cannot be observed here (off, or /proc is not this "
                    "process's); not checked\n");
  return seen;
#else
  return false;
#endif
}

/* The kernel's transparent huge page mode: 'a'lways, 'm'advise, 'n'ever,
 * or 0 when it cannot be read. */
static char thp_mode(void) {
  FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
  if (f == NULL)
    return 0;
  char line[128];
  char mode = 0;
  if (fgets(line, sizeof line, f) != NULL) {
    const char *chosen = strchr(line, '[');
    if (chosen != NULL)
      mode = chosen[1];
  }
  fclose(f);
  return mode;
}

/* Huge pages only when asked (samrena(3), HUGE PAGES): an arena growing to
 * 16 MiB keeps small pages; one made with SAMRENA_FLAG_HUGE_PAGES is
 * eligible from its first byte, aligned for them and committed in 2 MiB
 * steps.  Where the kernel is in "always" mode it gives huge pages to
 * every mapping, which is its policy, not ours, and only the flag's half
 * is checked. */
START_TEST(test_huge_pages_only_when_asked) {
  Samrena *plain = virtual_arena(0);
  unsigned char *data = samrena_push(plain, 16 * MiB);
  ck_assert_ptr_nonnull(data);
  memset(data, 2, 16 * MiB);
  int eligible = thp_eligible(data + 8 * MiB);
  char mode = thp_mode();
  if (eligible < 0 || mode == 0 || mode == 'n' || !thp_observable()) {
    fprintf(stderr, "virtual: transparent huge pages unknown or off here; not checked\n");
    samrena_destroy(plain);
    return;
  }
  if (mode == 'm')
    ck_assert_int_eq(eligible, 0);

  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_VIRTUAL;
  config.flags = SAMRENA_FLAG_HUGE_PAGES;
  Samrena *forced = util_arena_config(config);
  unsigned char *forced_data = samrena_push(forced, 3 * MiB);
  ck_assert_uint_eq((uintptr_t)page_of(forced_data) % (2 * MiB), 0); /* the reservation */
  memset(forced_data, 4, 3 * MiB);
  ck_assert_int_eq(thp_eligible(forced_data), 1);
  ck_assert_uint_eq(util_stats(forced).committed % (2 * MiB), 0);

  config.flags = SAMRENA_FLAG_NO_HUGE_PAGES;
  Samrena *never = util_arena_config(config);
  unsigned char *never_data = samrena_push(never, 16 * MiB);
  memset(never_data, 3, 16 * MiB);
  ck_assert_int_eq(thp_eligible(never_data + 8 * MiB), mode == 'a' ? 1 : 0);
  samrena_destroy(never);
  samrena_destroy(forced);
  samrena_destroy(plain);
}
END_TEST

/* A reservation that had huge pages goes back to the cache like any other,
 * for the next arena that asks for huge pages too. */
START_TEST(test_huge_reservations_are_reused) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_VIRTUAL;
  config.flags = SAMRENA_FLAG_HUGE_PAGES;
  config.max_reserve = 64 * MiB + 4 * util_page_size(); /* a size of its own */
  Samrena *arena = util_arena_config(config);
  unsigned char *base = base_of(arena);
  memset(samrena_push(arena, 4 * MiB), 0xee, 4 * MiB);
  samrena_destroy(arena);
  arena = util_arena_config(config);
  ck_assert_ptr_eq(base_of(arena), base);
  unsigned char *zeroed = samrena_push_zero(arena, 4 * MiB); /* old data is not fresh */
  ck_assert(util_all_zero(zeroed, 4 * MiB));
  samrena_destroy(arena);
}
END_TEST

/* What one reservation of a DEFAULT arena holds (VIRTUAL_DEFAULT_RESERVE). */
#define DEFAULT_RESERVE (UINTPTR_MAX > UINT32_MAX ? 2048 * MiB : 256 * MiB)

static Samrena *default_arena(void) {
  Samrena *arena = samrena_create(NULL);
  ck_assert_ptr_nonnull(arena);
  ck_assert_int_eq(samrena_strategy(arena), SAMRENA_STRATEGY_VIRTUAL);
  return arena;
}

/* No cap on DEFAULT: past its reservation it goes on in another one, so
 * 3 GiB of pushes (on 32-bit targets, a reservation and a half) work with
 * samrena_create(NULL), every byte where it was put.  It says that it is
 * not contiguous; reset keeps the further regions, trim gives them back. */
START_TEST(test_default_has_no_cap) {
  Samrena *arena = default_arena();
  ck_assert(!samrena_has_capability(arena, SAMRENA_CAP_CONTIGUOUS_MEMORY));
  SamrenaInfo info;
  samrena_get_info(arena, &info);
  ck_assert(info.can_grow && !info.is_contiguous);
  uint64_t piece = DEFAULT_RESERVE / 8;
  uint64_t total = UINTPTR_MAX > UINT32_MAX ? 3072 * MiB : DEFAULT_RESERVE + DEFAULT_RESERVE / 2;
  enum { MAX_PIECES = 16 };
  unsigned char *pieces[MAX_PIECES];
  int count = (int)(total / piece);
  ck_assert_int_le(count, MAX_PIECES);
  for (int i = 0; i < count; i++) {
    pieces[i] = samrena_push(arena, piece);
    ck_assert_msg(pieces[i] != NULL, "piece %d of %llu MiB: %s", i,
                  (unsigned long long)(piece / MiB), samrena_error_string(samrena_last_error()));
    pieces[i][0] = (unsigned char)i;
    pieces[i][piece - 1] = (unsigned char)(i + 1);
  }
  for (int i = 0; i < count; i++)
    ck_assert(pieces[i][0] == (unsigned char)i && pieces[i][piece - 1] == (unsigned char)(i + 1));
  SamrenaStats stats = util_stats(arena);
  ck_assert_uint_eq(stats.allocated, total + (uint64_t)count * util_guard(arena));
  ck_assert_uint_ge(stats.reserved, total);
  ck_assert_uint_ge(stats.blocks, 2);
  ck_assert_uint_ge(stats.capacity, total);
  ck_assert(samrena_can_allocate(arena, 4 * DEFAULT_RESERVE));

  /* Reset keeps the regions for reuse; trim gives back the further ones. */
  uint64_t blocks = stats.blocks;
  samrena_reset(arena);
  ck_assert_uint_eq(util_stats(arena).blocks, blocks);
  ck_assert_ptr_eq(samrena_push(arena, piece), pieces[0]);
  samrena_reset(arena);
  ck_assert_int_eq(samrena_trim(arena, 0), SAMRENA_OK);
  stats = util_stats(arena);
  ck_assert_uint_eq(stats.blocks, 1);
  assert_reserved(stats.reserved, DEFAULT_RESERVE);
  samrena_destroy(arena);
}
END_TEST

/* Only DEFAULT without a max_reserve goes on: VIRTUAL, and an explicit
 * max_reserve, keep the contiguity and the hard cap. */
START_TEST(test_virtual_and_max_reserve_keep_the_cap) {
  Samrena *arena = virtual_arena(0);
  ck_assert(samrena_has_capability(arena, SAMRENA_CAP_CONTIGUOUS_MEMORY));
  ck_assert_ptr_nonnull(samrena_push(arena, DEFAULT_RESERVE - 1 * MiB));
  ck_assert_ptr_null(samrena_push(arena, 2 * MiB));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
  ck_assert(!samrena_can_allocate(arena, 2 * MiB));
  ck_assert_uint_eq(util_stats(arena).blocks, 1);
  samrena_destroy(arena);

  SamrenaConfig config = samrena_default_config();
  config.max_reserve = 8 * MiB;
  arena = samrena_create(&config);
  ck_assert_ptr_nonnull(arena);
  ck_assert(samrena_has_capability(arena, SAMRENA_CAP_CONTIGUOUS_MEMORY));
  ck_assert_ptr_nonnull(samrena_push(arena, 7 * MiB));
  ck_assert_ptr_null(samrena_push(arena, 2 * MiB));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
  samrena_destroy(arena);
}
END_TEST

/* Marks, restore, resize and push_zero across regions of a DEFAULT arena. */
START_TEST(test_default_regions_marks_and_reuse) {
  Samrena *arena = default_arena();
  uint64_t piece = DEFAULT_RESERVE / 2;
  unsigned char *a = samrena_push(arena, piece);
  unsigned char *b = samrena_push(arena, piece - 4 * MiB); /* near the end of the first */
  ck_assert(a != NULL && b != NULL);
  memset(b + piece - 5 * MiB, 0x11, 1 * MiB);
  uint64_t allocated = samrena_allocated(arena);
  SamrenaMark mark = samrena_save(arena);

  /* The last allocation cannot grow past its region: it moves, copied. */
  unsigned char *grown = samrena_resize(arena, b, piece - 4 * MiB, piece);
  ck_assert_ptr_nonnull(grown);
  ck_assert_ptr_ne(grown, b);
  ck_assert_uint_eq(grown[piece - 5 * MiB], 0x11);
  ck_assert_uint_eq(util_stats(arena).blocks, 2);
  memset(grown, 0x22, 16 * MiB); /* the second region is dirty now */
  ck_assert_int_eq(samrena_restore(arena, mark), SAMRENA_OK);
  ck_assert_uint_eq(samrena_allocated(arena), allocated);
  ck_assert_uint_eq(b[piece - 5 * MiB], 0x11);

  /* The second region is a spare: the next push past the first takes it,
   * and what it hands out zeroed is zero. */
  unsigned char *zeroed = samrena_push_zero(arena, 16 * MiB);
  ck_assert_ptr_eq(zeroed, grown);
  ck_assert(util_all_zero(zeroed, 16 * MiB));
  ck_assert_uint_eq(util_stats(arena).blocks, 2);
  /* What the first region had committed past its end, at most a commit
   * step, is the waste; the rest of that reservation was never memory. */
  ck_assert_uint_lt(util_stats(arena).wasted, 256 * KiB + util_page_size());
  samrena_destroy(arena);
}
END_TEST

#if CAN_FORK_WITH_RLIMIT && !UNDER_ASAN
static uint64_t address_space_in_use(void) {
  FILE *statm = fopen("/proc/self/statm", "r");
  unsigned long pages = 0;
  if (statm != NULL) {
    if (fscanf(statm, "%lu", &pages) != 1)
      pages = 0;
    fclose(statm);
  }
  return (uint64_t)pages * util_page_size();
}

static int warnings;
static void count_warning(const char *message, void *unused) {
  (void)message;
  (void)unused;
  warnings++;
}

/* What the child reports when this platform cannot run the test. */
#define RLIMIT_NOT_ENFORCED 77 /* a mapping beyond the limit succeeds (qemu-user) */
#define RLIMIT_NO_ROOM 78      /* statm does not describe this process */

/* Runs in the child; returns the number of the first broken promise. */
static int under_rlimit_as(void) {
  uint64_t in_use = address_space_in_use();
  if (in_use == 0)
    return 100;
  struct rlimit limit = {(rlim_t)(in_use + 64 * MiB), (rlim_t)(in_use + 64 * MiB)};
  if (setrlimit(RLIMIT_AS, &limit) != 0)
    return 101;
  /* The capability first: 16 MiB more can be mapped, 256 MiB cannot. */
  void *room = mmap(NULL, (size_t)(16 * MiB), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (room == MAP_FAILED)
    return RLIMIT_NO_ROOM;
  munmap(room, (size_t)(16 * MiB));
  void *beyond = mmap(NULL, (size_t)(256 * MiB), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (beyond != MAP_FAILED)
    return RLIMIT_NOT_ENFORCED;

  /* A size no released reservation has, so the cache cannot serve it,
   * and larger than all the address space in use, so that emptying the
   * cache (which a refused reservation does) cannot make room for it. */
  uint64_t too_much = in_use + 1024 * MiB + 3 * util_page_size();
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_VIRTUAL;
  config.max_reserve = too_much;
  config.flags = SAMRENA_FLAG_STRICT;
  if (samrena_create(&config) != NULL)
    return 1;
  if (samrena_last_error() != SAMRENA_ERROR_OUT_OF_MEMORY)
    return 2;

  config.flags = 0;
  config.log_callback = count_warning;
  Samrena *arena = samrena_create(&config);
  if (arena == NULL || samrena_strategy(arena) != SAMRENA_STRATEGY_CHAINED || warnings != 1)
    return 3;
  if (samrena_push(arena, too_much) != NULL)
    return 4;
  if (samrena_last_error() != SAMRENA_ERROR_OUT_OF_MEMORY)
    return 5;
  if (samrena_reserve(arena, too_much) != SAMRENA_ERROR_OUT_OF_MEMORY)
    return 6;
  unsigned char *small = samrena_push(arena, 1000);
  if (small == NULL)
    return 7;
  memset(small, 1, 1000);
  samrena_destroy(arena);

  SamrenaVmem vm = {0};
  if (samrena_vmem_reserve(&vm, too_much) || samrena_last_error() != SAMRENA_ERROR_OUT_OF_MEMORY)
    return 8;
  return 0;
}

/* Runs in the child: arenas of four sizes, each created and destroyed in
 * turn under a limit that holds three of them, not four.  The cache of
 * released reservations keeps each one; a reservation that fails for
 * want of address space must empty it and try again.  Returns the number
 * of the first broken promise, or 77 when the limit is not enforced here. */
static int reservations_under_rlimit_as(void) {
  const uint64_t size = 256 * MiB;
  uint64_t in_use = address_space_in_use();
  if (in_use == 0)
    return 100;
  rlim_t cap = (rlim_t)(in_use + 3 * size + size / 2);
  struct rlimit limit = {cap, cap};
  if (setrlimit(RLIMIT_AS, &limit) != 0)
    return 101;
  void *probe = mmap(NULL, (size_t)(4 * size), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (probe != MAP_FAILED) {
    munmap(probe, (size_t)(4 * size));
    return 77; /* the limit is not enforced (an emulator, say) */
  }
  for (uint64_t i = 0; i < 4; i++) {
    SamrenaConfig config = samrena_default_config();
    config.strategy = SAMRENA_STRATEGY_VIRTUAL;
    config.flags = SAMRENA_FLAG_STRICT;
    config.max_reserve = size + i * util_page_size() * 16; /* sizes no cache entry shares */
    Samrena *arena = samrena_create(&config);
    if (arena == NULL)
      return (int)(1 + i);
    if (samrena_push(arena, 1000) == NULL)
      return (int)(10 + i);
    samrena_destroy(arena);
  }
  /* A stable block too: its reservation is another way in. */
  void *block = samrena_vmem_realloc_reserve(NULL, 100, 2 * size);
  if (block == NULL)
    return 20;
  samrena_vmem_realloc(block, 0);
  return 0;
}

START_TEST(test_reservation_cache_gives_way) {
  fflush(NULL);
  pid_t child = fork();
  ck_assert_int_ge(child, 0);
  if (child == 0)
    _exit(reservations_under_rlimit_as());
  int status;
  ck_assert_int_eq(waitpid(child, &status, 0), child);
  ck_assert_msg(WIFEXITED(status), "the child crashed (signal %d)",
                WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  if (WEXITSTATUS(status) == 77) {
    printf("virtual: cache under RLIMIT_AS: skipped, the limit is not enforced here\n");
    return;
  }
  ck_assert_msg(WEXITSTATUS(status) == 0, "promise %d broken under RLIMIT_AS",
                WEXITSTATUS(status));
}
END_TEST

/* The start of the reservation of an arena that may have pushed (it is
 * reset to find it). */
static unsigned char *base_of_reserved(Samrena *arena) {
  samrena_reset(arena);
  return samrena_push(arena, 0);
}

/* Where memcheck's leak check, run when the crashing child dies, finds
 * the arena the child inherited. */
static Samrena *volatile crashing_arena;

/* The uncommitted rest of a reservation is inaccessible: a write one byte
 * past the committed region faults, so an overrun is caught there. */

START_TEST(test_write_past_commit_faults) {
  Samrena *arena = virtual_arena(0);
  crashing_arena = arena;
  unsigned char *data = samrena_push(arena, 100 * KiB);
  memset(data, 1, 100 * KiB);
  SamrenaStats stats;
  samrena_stats(arena, &stats);
  volatile unsigned char *past = page_of(base_of_reserved(arena)) + stats.committed;
  fflush(NULL);
  pid_t child = fork();
  ck_assert_int_ge(child, 0);
  if (child == 0) {
    util_expect_crash();
    past[-1] = 7; /* the last committed byte: fine */
    past[0] = 7;  /* one past: must fault */
    _exit(0);
  }
  int status;
  ck_assert_int_eq(waitpid(child, &status, 0), child);
  ck_assert_msg(WIFSIGNALED(status) && (WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGBUS),
                "a write past the commit did not fault (status %d)", status);
  samrena_destroy(arena);
}
END_TEST

START_TEST(test_rlimit_as_failures_are_clean) {
  fflush(NULL);
  pid_t child = fork();
  ck_assert_int_ge(child, 0);
  if (child == 0)
    _exit(under_rlimit_as());
  int status;
  ck_assert_int_eq(waitpid(child, &status, 0), child);
  ck_assert_msg(WIFEXITED(status), "the child crashed (signal %d)",
                WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  if (WEXITSTATUS(status) == RLIMIT_NOT_ENFORCED || WEXITSTATUS(status) == RLIMIT_NO_ROOM) {
    fprintf(stderr, "virtual: RLIMIT_AS %s here; not checked\n",
            WEXITSTATUS(status) == RLIMIT_NOT_ENFORCED ? "is not enforced"
                                                       : "cannot be set from /proc/self/statm");
    return;
  }
  ck_assert_msg(WEXITSTATUS(status) == 0, "promise %d broken under RLIMIT_AS",
                WEXITSTATUS(status));
}
END_TEST
#endif

Suite *make_virtual_suite(void) {
  Suite *suite = suite_create("virtual");
  if (!samrena_strategy_available(SAMRENA_STRATEGY_VIRTUAL)) {
    printf("virtual: not in this build; its suite is skipped\n");
    return suite;
  }
  TCase *tc = util_tcase("commit");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_lazy_commit_measured);
  tcase_add_test(tc, test_reserve_prefetches_and_trim_gives_back);
  tcase_add_test(tc, test_trim_keep_rounds_to_page);
  tcase_add_test(tc, test_push_zero_skips_fresh_pages);
  tcase_add_test(tc, test_contiguous_pushes);
  tcase_add_test(tc, test_exhaustion_is_clean);
  tcase_add_test(tc, test_commit_steps);
  tcase_add_test(tc, test_huge_pages_flag);
  tcase_add_test(tc, test_huge_pages_with_max_reserve);
  tcase_add_test(tc, test_released_reservations_are_reused);
  tcase_add_test(tc, test_huge_pages_only_when_asked);
  tcase_add_test(tc, test_huge_reservations_are_reused);
  tcase_add_test(tc, test_default_has_no_cap);
  tcase_add_test(tc, test_virtual_and_max_reserve_keep_the_cap);
  tcase_add_test(tc, test_default_regions_marks_and_reuse);
#if CAN_FORK_WITH_RLIMIT && !UNDER_ASAN
  /* POSIX only: needs fork and setrlimit. */
  tcase_add_test(tc, test_rlimit_as_failures_are_clean);
  tcase_add_test(tc, test_reservation_cache_gives_way);
  tcase_add_test(tc, test_write_past_commit_faults);
#endif
  suite_add_tcase(suite, tc);
  return suite;
}
