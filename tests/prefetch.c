/* prefetch.c -- samrena_reserve on a virtual arena makes the memory it
 * commits resident (MADV_POPULATE_WRITE), where the kernel can do that.
 *
 * A test program of its own, without Check, so that builds with no Check
 * (a static musl build, say) run it too.  It first asks the kernel
 * directly whether MADV_POPULATE_WRITE populates a fresh mapping, measured
 * with mincore; where it does not (Linux before 5.14 refuses the advice,
 * an emulator may accept and ignore it, other systems lack it) the test is
 * skipped (exit 77).  Where it does, the library must do as well: a C
 * library whose headers lack the name (musl 1.2.3) is no excuse.
 */
#include <config.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "samrena.h"

#if defined(HAVE_MINCORE) && defined(HAVE_SYS_MMAN_H) && defined(HAVE_UNISTD_H)
#include <sys/mman.h>
#include <unistd.h>
/* The kernel's number, the same on every Linux architecture. */
#if defined(__linux__) && !defined(MADV_POPULATE_WRITE)
#define MADV_POPULATE_WRITE 23
#endif
#endif

#define SKIP 77
#define RESERVED ((uint64_t)8 << 20)

#if defined(MADV_POPULATE_WRITE)
static size_t page_size(void) {
  long page = sysconf(_SC_PAGESIZE);
  return page > 0 ? (size_t)page : 4096;
}

/* Bytes of [addr, addr + size) resident, addr page-aligned; -1 on error. */
static int64_t resident_bytes(void *addr, size_t size) {
  size_t page = page_size();
  size_t pages = (size + page - 1) / page;
  unsigned char *vector = malloc(pages);
  if (vector == NULL || mincore(addr, size, (void *)vector) != 0) {
    free(vector);
    return -1;
  }
  int64_t resident = 0;
  for (size_t i = 0; i < pages; i++)
    if (vector[i] & 1)
      resident += (int64_t)page;
  free(vector);
  return resident;
}

/* Whether the kernel really populates memory on MADV_POPULATE_WRITE. */
static bool kernel_populates(const char **why) {
  size_t size = 16 * page_size();
  void *probe = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (probe == MAP_FAILED) {
    *why = "mmap failed";
    return false;
  }
  bool works = false;
  if (madvise(probe, size, MADV_POPULATE_WRITE) != 0)
    *why = "the kernel refuses MADV_POPULATE_WRITE (Linux before 5.14?)";
  else if (resident_bytes(probe, size) != (int64_t)size)
    *why = "MADV_POPULATE_WRITE succeeds but makes nothing resident here (an emulator?)";
  else
    works = true;
  munmap(probe, size);
  return works;
}

int main(void) {
  const char *why = "";
  if (!samrena_strategy_available(SAMRENA_STRATEGY_VIRTUAL)) {
    printf("SKIP: no virtual arenas in this build\n");
    return SKIP;
  }
  if (!kernel_populates(&why)) {
    printf("SKIP: %s\n", why);
    return SKIP;
  }
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_VIRTUAL;
  config.flags = SAMRENA_FLAG_STRICT;
  config.max_reserve = 4 * RESERVED;
  Samrena *arena = samrena_create(&config);
  if (arena == NULL) {
    printf("FAIL: no virtual arena: %s\n", samrena_error_string(samrena_last_error()));
    return 1;
  }
  /* Pushes begin after the arena's handle, within the reservation's first
   * page: that page is where the reservation starts. */
  long page = sysconf(_SC_PAGESIZE);
  unsigned char *first = samrena_push(arena, 0);
  unsigned char *base = first - ((uintptr_t)first % (uintptr_t)page);
  int64_t before = resident_bytes(base, (size_t)RESERVED);
  SamrenaError error = samrena_reserve(arena, RESERVED);
  int64_t after = resident_bytes(base, (size_t)RESERVED);
  SamrenaStats stats;
  samrena_stats(arena, &stats);
  samrena_destroy(arena);
  if (error != SAMRENA_OK) {
    printf("FAIL: samrena_reserve: %s\n", samrena_error_string(error));
    return 1;
  }
  printf("prefetch: samrena_reserve(%llu): %llu committed, resident %lld before, %lld after\n",
         (unsigned long long)RESERVED, (unsigned long long)stats.committed, (long long)before,
         (long long)after);
  if (stats.committed < RESERVED || after < (int64_t)RESERVED) {
    printf("FAIL: the kernel populates on MADV_POPULATE_WRITE, the library did not\n");
    return 1;
  }
  return 0;
}
#else
int main(void) {
  printf("SKIP: no mincore or no MADV_POPULATE_WRITE on this system\n");
  return SKIP;
}
#endif
