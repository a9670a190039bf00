/* fuzz_common.h -- what the fuzz targets (fuzz_arena.c, fuzz_containers.c)
 * share: the sanitizer's options, a fresh start for each input, the
 * reporting of a failed check, and the decoding of the input.  Included
 * once, by one target's file; FUZZ_TARGET names that file in reports. */
#ifndef SAMRENA_FUZZ_COMMON_H
#define SAMRENA_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Under AddressSanitizer, a malloc too big to serve returns NULL, as the C
 * library's does, instead of aborting: samrena_reserve(chained, 2^63) asks
 * for such a block, legitimately, and must report OUT_OF_MEMORY. */
#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ASAN 1
#endif
#endif
#ifdef FUZZ_ASAN
const char *__asan_default_options(void);
const char *__asan_default_options(void) {
  return "allocator_may_return_null=1";
}
#endif

/* `make fuzz` compiles the library's own sources into the fuzzer, so it
 * can reach their internal calls: each input then starts with the
 * process-wide caches of released memory and the thread's kept arena
 * emptied, what it does depends on it alone, and a finding replays by
 * itself (one that needed an earlier input's cached block did not).
 * tests/fuzz/replay links the library, without them, and runs its inputs
 * in one process, each after the last. */
#ifdef SAMRENA_FUZZ_LIBRARY_INSIDE
#include "cache.h"
#include "port/internal.h"

static void start_afresh(void) {
  (void)samrena__park_drain(); /* first: taking it apart may fill a cache */
  (void)samrena__cache_drain_all();
}
#else
static void start_afresh(void) {
}
#endif

/* ------------------------------------------------------------- reporting */

static const char *op_name = "start";
static size_t op_number;
static bool tracing;

static _Noreturn void fail(int line, const char *what) {
  fprintf(stderr, "%s:%d: check failed: %s (operation %lu, %s)\n", FUZZ_TARGET, line, what,
          (unsigned long)op_number, op_name);
  fflush(stderr);
  abort();
}

#define CHECK(condition)          \
  do {                            \
    if (!(condition))             \
      fail(__LINE__, #condition); \
  } while (0)

static void trace(const char *what, uint64_t a, uint64_t b) {
  if (tracing)
    fprintf(stderr, "  %3lu %-18s %llu %llu\n", (unsigned long)op_number, what,
            (unsigned long long)a, (unsigned long long)b);
}

/* ----------------------------------------------------------------- input */

/* Reading past the end gives zeros. */
typedef struct {
  const uint8_t *next;
  size_t left;
} Input;

static uint8_t u8(Input *in) {
  if (in->left == 0)
    return 0;
  in->left--;
  return *in->next++;
}

static uint16_t u16(Input *in) { /* little-endian */
  uint16_t low = u8(in);
  return (uint16_t)(low | (uint16_t)(u8(in) << 8));
}

/* ------------------------------------------------------------------ run */

/* An input's start: tracing read once (SAMRENA_FUZZ_TRACE set to anything
 * but "" or "0"), a fresh start, the count of operations at 0. */
static Input fuzz_begin(const uint8_t *data, size_t size) {
  static bool initialized;
  if (!initialized) {
    const char *env = getenv("SAMRENA_FUZZ_TRACE");
    tracing = env != NULL && *env != '\0' && *env != '0';
    initialized = true;
  }
  start_afresh();
  op_number = 0;
  op_name = "create";
  Input in = {data, size};
  return in;
}

/* The next operation's opcode, which names it in reports. */
static unsigned fuzz_next_op(Input *in, unsigned count, const char *const *names) {
  op_number++;
  unsigned op = u8(in) % count;
  op_name = names[op];
  return op;
}

#endif /* SAMRENA_FUZZ_COMMON_H */
