/* check_util.c -- helpers shared by the Check suites. */
#include "check_util.h"

#include <stdatomic.h>
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

void util_init_strategies(void) {
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
