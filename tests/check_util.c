/* check_util.c -- helpers shared by the Check suites. */
#include "check_util.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_MINCORE
#include <sys/mman.h>
#include <unistd.h>
#endif
#ifdef HAVE_UNISTD_H
#include <unistd.h>
#endif
#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#endif
#ifdef _WIN32
#define PSAPI_VERSION 2 /* QueryWorkingSetEx from kernel32, no psapi.dll */
#include <windows.h>
#include <psapi.h>
#endif

SamrenaStrategy util_strategies[3];
int util_strategy_count;

#if defined(HAVE_MINCORE) && !defined(_WIN32)
static bool mincore_describes_reservations(void);
#endif

void util_init_strategies(void) {
#if defined(HAVE_MINCORE) && !defined(_WIN32)
  (void)mincore_describes_reservations(); /* once, before the tests fork */
#endif
  util_strategy_count = 0;
  util_strategies[util_strategy_count++] = SAMRENA_STRATEGY_CHAINED;
  if (samrena_strategy_available(SAMRENA_STRATEGY_VIRTUAL))
    util_strategies[util_strategy_count++] = SAMRENA_STRATEGY_VIRTUAL;
  util_strategies[util_strategy_count++] = SAMRENA_STRATEGY_BUFFER;
}

SamrenaStrategy util_default_strategy(void) {
  return samrena_strategy_available(SAMRENA_STRATEGY_VIRTUAL) ? SAMRENA_STRATEGY_VIRTUAL
                                                              : SAMRENA_STRATEGY_CHAINED;
}

bool util_grows(SamrenaStrategy strategy) {
  return (samrena_strategy_capabilities(strategy).flags & SAMRENA_CAP_GROWS) != 0;
}

/* What util_buffer handed out, newest first, pushed from any thread. */
typedef struct UtilBuffer {
  struct UtilBuffer *next;
  max_align_t bytes[]; /* the buffer */
} UtilBuffer;
static _Atomic(UtilBuffer *) util_buffers;
static atomic_flag util_buffers_at_exit = ATOMIC_FLAG_INIT;

static void util_free_buffers(void) {
  UtilBuffer *buffer = atomic_exchange(&util_buffers, NULL);
  while (buffer != NULL) {
    UtilBuffer *next = buffer->next;
    free(buffer);
    buffer = next;
  }
}

void *util_buffer(uint64_t bytes) {
  ck_assert_uint_le(bytes, SIZE_MAX - sizeof(UtilBuffer));
  UtilBuffer *buffer = malloc(sizeof *buffer + (size_t)bytes);
  ck_assert_msg(buffer != NULL, "no memory for a buffer of %llu bytes", (unsigned long long)bytes);
  if (!atomic_flag_test_and_set(&util_buffers_at_exit))
    atexit(util_free_buffers); /* for tests outside util_tcase's test cases */
  buffer->next = atomic_load(&util_buffers);
  while (!atomic_compare_exchange_weak(&util_buffers, &buffer->next, buffer))
    ;
  return buffer->bytes;
}

TCase *util_tcase(const char *name) {
  TCase *tc = tcase_create(name);
  tcase_add_checked_fixture(tc, NULL, util_free_buffers);
  return tc;
}

SamrenaConfig util_config(SamrenaStrategy strategy) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = strategy;
  if (strategy == SAMRENA_STRATEGY_BUFFER) {
    config.buffer = util_buffer(UTIL_BUFFER_BYTES);
    config.buffer_size = UTIL_BUFFER_BYTES;
  }
  return config;
}

Samrena *util_arena_config(SamrenaConfig config) {
  if (config.strategy == SAMRENA_STRATEGY_BUFFER && config.buffer == NULL) {
    config.buffer = util_buffer(UTIL_BUFFER_BYTES);
    config.buffer_size = UTIL_BUFFER_BYTES;
  }
  config.flags |= SAMRENA_FLAG_STRICT;
  Samrena *arena = samrena_create(&config);
  ck_assert_msg(arena != NULL, "cannot create a %s arena: %s",
                samrena_strategy_name(config.strategy), samrena_error_string(samrena_last_error()));
  ck_assert_int_eq(samrena_strategy(arena), config.strategy);
  return arena;
}

Samrena *util_arena(SamrenaStrategy strategy, uint64_t initial_pages) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = strategy;
  config.initial_pages = initial_pages;
  return util_arena_config(config);
}

SamrenaStats util_stats(Samrena *arena) {
  SamrenaStats stats;
  ck_assert_int_eq(samrena_stats(arena, &stats), SAMRENA_OK);
  return stats;
}

static unsigned char pattern_byte(uint64_t tag, uint64_t i) {
  return (unsigned char)((tag * 131u + i * 7u + (i >> 8)) & 0xffu);
}

void util_fill(void *ptr, uint64_t size, uint64_t tag) {
  unsigned char *bytes = ptr;
  for (uint64_t i = 0; i < size; i++)
    bytes[i] = pattern_byte(tag, i);
}

bool util_check(const void *ptr, uint64_t size, uint64_t tag) {
  const unsigned char *bytes = ptr;
  for (uint64_t i = 0; i < size; i++)
    if (bytes[i] != pattern_byte(tag, i))
      return false;
  return true;
}

bool util_all_zero(const void *ptr, uint64_t size) {
  const unsigned char *bytes = ptr;
  for (uint64_t i = 0; i < size; i++)
    if (bytes[i] != 0)
      return false;
  return true;
}

uint64_t util_random(uint64_t *state) {
  uint64_t x = *state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return x * UINT64_C(2685821657736338717);
}

int util_push_until_out_of_memory(Samrena *arena, bool with_reserve) {
  SamrenaMark mark = samrena_save(arena);
  int granted = 0;
  for (;;) {
    uint64_t before = samrena_allocated(arena);
    void *ptr = with_reserve ? samrena_push_with_reserve(arena, EIGHTH_OF_ADDRESS_SPACE)
                             : samrena_push(arena, EIGHTH_OF_ADDRESS_SPACE);
    if (ptr == NULL) {
      ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
      ck_assert_uint_eq(samrena_allocated(arena), before);
      break;
    }
    granted++;
    ck_assert_int_le(granted, EIGHTHS_THAT_MAY_FIT);
  }
  if (granted > 0) { /* give the address space back for what follows */
    ck_assert_int_eq(samrena_restore(arena, mark), SAMRENA_OK);
    ck_assert_int_eq(samrena_trim(arena, 0), SAMRENA_OK);
  }
  return granted;
}

uint64_t util_page_size(void) {
#if defined(_WIN32)
  SYSTEM_INFO info;
  GetSystemInfo(&info);
  return info.dwPageSize;
#elif defined(HAVE_UNISTD_H) && defined(_SC_PAGESIZE)
  return (uint64_t)sysconf(_SC_PAGESIZE);
#else
  return 4096;
#endif
}

/* Whether the library poisons unpushed memory, holding the fast path's
 * limit at the cursor so that every push reaches it: under ASan (which
 * also defines SAMRENA_NO_INLINE for the tests), or memcheck in a
 * --with-valgrind build. */
bool util_library_poisons(void) {
#if defined(SAMRENA_NO_INLINE)
  return true;
#else
  return SAMRENA_WITH_VALGRIND && util_under_valgrind();
#endif
}

/* Takes address space until a reservation of UTIL_LARGEST_RESERVE fails
 * (at once on 64-bit), so that the next one fails at run time whatever
 * the build; returns how many arenas it holds. */
int util_exhaust_address_space(Samrena *holders[UTIL_MAX_HOLDERS]) {
  for (int held = 0;; held++) {
    SamrenaConfig config = samrena_default_config();
    config.strategy = SAMRENA_STRATEGY_VIRTUAL;
    config.max_reserve = UTIL_LARGEST_RESERVE;
    config.flags = SAMRENA_FLAG_STRICT;
    Samrena *arena = samrena_create(&config);
    if (arena == NULL) {
      ck_assert(samrena_last_error() == SAMRENA_ERROR_OUT_OF_MEMORY ||
                samrena_last_error() == SAMRENA_ERROR_UNSUPPORTED_STRATEGY);
      return held;
    }
    ck_assert_msg(held < UTIL_MAX_HOLDERS, "%d reservations of PTRDIFF_MAX bytes granted", held + 1);
    holders[held] = arena;
  }
}

void util_release_holders(Samrena *holders[UTIL_MAX_HOLDERS], int held) {
  for (int i = 0; i < held; i++)
    samrena_destroy(holders[i]);
}

/* samrena(3) documents 16 guard bytes. */
uint64_t util_guard(const Samrena *arena) {
  return samrena_has_capability(arena, SAMRENA_CAP_DEBUG) ? 16 : 0;
}

bool util_under_valgrind(void) {
#ifdef HAVE_VALGRIND_VALGRIND_H
  return RUNNING_ON_VALGRIND != 0;
#else
  return false;
#endif
}

/* Check reads CK_TIMEOUT_MULTIPLIER when each test case is created; the
 * user's own setting wins. */
void util_adjust_for_valgrind(void) {
#ifdef HAVE_VALGRIND_VALGRIND_H
  if (util_under_valgrind())
    setenv("CK_TIMEOUT_MULTIPLIER", "10", 0);
#endif
}

void util_expect_crash(void) {
#ifdef HAVE_VALGRIND_VALGRIND_H
  VALGRIND_DISABLE_ERROR_REPORTING;
#endif
}

static uint64_t pages_spanned(const void *addr, uint64_t size, uintptr_t *start) {
  uint64_t page = util_page_size();
  *start = (uintptr_t)addr & ~(uintptr_t)(page - 1);
  uint64_t length = (uint64_t)((uintptr_t)addr - *start) + size;
  return (length + page - 1) / page;
}

#if defined(HAVE_MINCORE) && !defined(_WIN32)
/* Whether mincore answers for a reservation's inaccessible pages, as
 * Linux does; an emulator may refuse (qemu-user checks that the range is
 * readable).  Asked once per process. */
static bool mincore_describes_reservations(void) {
  static int known = -1;
  if (known < 0) {
    size_t page = (size_t)util_page_size();
    void *probe = mmap(NULL, 2 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char vector[2];
    known = probe != MAP_FAILED && mincore(probe, 2 * page, (void *)vector) == 0;
    if (probe != MAP_FAILED)
      munmap(probe, 2 * page);
    if (!known)
      fprintf(stderr, "util: mincore refuses reserved pages here; resident memory not measured\n");
  }
  return known != 0;
}
#endif

int64_t util_resident_bytes(const void *addr, uint64_t size) {
#if defined(_WIN32)
  /* The working set is Windows' resident memory. */
  uint64_t page = util_page_size();
  uintptr_t start;
  uint64_t pages = pages_spanned(addr, size, &start);
  PSAPI_WORKING_SET_EX_INFORMATION *info = calloc((size_t)pages, sizeof *info);
  ck_assert_ptr_nonnull(info);
  for (uint64_t i = 0; i < pages; i++)
    info[i].VirtualAddress = (void *)(start + (uintptr_t)(i * page));
  ck_assert(QueryWorkingSetEx(GetCurrentProcess(), info, (DWORD)(pages * sizeof *info)));
  int64_t resident = 0;
  for (uint64_t i = 0; i < pages; i++)
    if (info[i].VirtualAttributes.Valid)
      resident += (int64_t)page;
  free(info);
  return resident;
#elif defined(HAVE_MINCORE)
  if (!mincore_describes_reservations())
    return -1;
  uint64_t page = util_page_size();
  uintptr_t start;
  uint64_t pages = pages_spanned(addr, size, &start);
  unsigned char *vector = malloc((size_t)pages);
  ck_assert_ptr_nonnull(vector);
  ck_assert_int_eq(mincore((void *)start, (size_t)(pages * page), (void *)vector), 0);
  int64_t resident = 0;
  for (uint64_t i = 0; i < pages; i++)
    if (vector[i] & 1)
      resident += (int64_t)page;
  free(vector);
  return resident;
#else
  (void)addr;
  (void)size;
  return -1;
#endif
}
