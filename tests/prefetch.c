/* prefetch.c -- samrena_reserve on a virtual arena makes the memory it
 * commits resident (MADV_POPULATE_WRITE), where the kernel can do that,
 * and a vector or a string builder on a virtual arena has its next 64 KiB
 * made resident ahead of its pushes and appends, and no more.
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
#include <string.h>

#include "samrena.h"
#include "samvector.h"

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

/* Whether the kernel backs a fresh 2 MiB-aligned range with a huge page
 * on the first write (transparent huge pages "always"): then populating
 * one page makes the whole huge page resident, and "no more than asked"
 * cannot be measured in pages. */
static bool kernel_gives_huge_pages(void) {
  size_t huge = (size_t)2 << 20, size = 2 * huge;
  unsigned char *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED)
    return false;
  unsigned char *aligned = map + (huge - (uintptr_t)map % huge) % huge;
  aligned[0] = 1;
  bool huge_pages = resident_bytes(aligned, huge) > (int64_t)page_size();
  munmap(map, size);
  return huge_pages;
}

/* The step the library makes resident ahead of a container's writes. */
#define STEP ((uint64_t)64 << 10)

/* Judges a container whose buffer starts at data and holds `room` bytes,
 * and whose writes have just made [data, ready_end) ready: every page from
 * data's first whole page to ready_end's page must be resident, and none
 * from two pages past it to the buffer's end (not judged where the kernel
 * gives huge pages on first touch).  Returns 0 or 1. */
static int judge_ready(const char *what, const unsigned char *data, uint64_t written,
                       uint64_t ready_end, uint64_t room) {
  uintptr_t page = (uintptr_t)page_size();
  const unsigned char *first = data + (page - (uintptr_t)data % page) % page;
  const unsigned char *ahead_end = data + ready_end;
  ahead_end -= (uintptr_t)ahead_end % page;
  const unsigned char *beyond = ahead_end + 2 * page;
  int64_t ahead = resident_bytes((void *)(uintptr_t)first, (size_t)(ahead_end - first));
  int64_t past = resident_bytes((void *)(uintptr_t)beyond, (size_t)(data + room - beyond));
  bool huge = kernel_gives_huge_pages();
  printf("prefetch: %s, %llu bytes written: %lld of %lld bytes resident up to one step ahead, "
         "%lld past it%s\n",
         what, (unsigned long long)written, (long long)ahead, (long long)(ahead_end - first),
         (long long)past, huge ? " (huge pages: not judged)" : "");
  if (ahead != (int64_t)(ahead_end - first)) {
    printf("FAIL: the %s's next pages were not made resident\n", what);
    return 1;
  }
  if (!huge && past != 0) {
    printf("FAIL: the %s made pages resident past its next step\n", what);
    return 1;
  }
  return 0;
}

/* A vector of bytes with room for 4 MiB, owned or on a fresh virtual
 * arena: three steps and a byte pushed, that byte's push made the fourth
 * step resident, and nothing further.  Returns 0 or 1. */
static int check_vector(const char *what, SamrenaVector *vec) {
  const uint64_t room = (uint64_t)4 << 20;
  if (vec == NULL) {
    printf("FAIL: no %s: %s\n", what, samrena_error_string(samrena_last_error()));
    return 1;
  }
  unsigned char byte = 1;
  for (uint64_t i = 0; i <= 3 * STEP; i++)
    if (samrena_vector_push(vec, &byte) == NULL) {
      printf("FAIL: %s, push %llu: %s\n", what, (unsigned long long)i,
             samrena_error_string(samrena_last_error()));
      return 1;
    }
  return judge_ready(what, vec->data, 3 * STEP + 1, 4 * STEP, room);
}

/* A string builder on a fresh virtual arena: 1 MiB appended at once (the
 * buffer just holds it), then a byte (the buffer doubles in place, to
 * 2 MiB and 2 bytes): the pages up to a step past the text and its NUL
 * are resident, and none further.  Returns 0 or 1. */
static int check_builder(Samrena *arena) {
  const uint64_t text = ((uint64_t)1 << 20) + 1;
  SamrenaStr *s = samrena_str_init(arena);
  char *chunk = malloc((size_t)text);
  if (chunk != NULL)
    memset(chunk, 's', (size_t)text);
  bool appended = s != NULL && chunk != NULL &&
                  samrena_str_append(s, chunk, (size_t)text - 1) == SAMRENA_OK &&
                  samrena_str_append(s, chunk, 1) == SAMRENA_OK;
  free(chunk);
  if (!appended) {
    printf("FAIL: string builder: %s\n", samrena_error_string(samrena_last_error()));
    return 1;
  }
  return judge_ready("string builder", (const unsigned char *)samrena_str_cstr(s),
                     samrena_str_len(s), text + 1 + STEP, (uint64_t)2 << 20);
}

static int check_vectors(void) {
  const uint64_t room = (uint64_t)4 << 20;
  SamrenaVector *owned = samrena_vector_init_owned(1, room);
  int failed = check_vector("owned vector", owned);
  samrena_vector_destroy(owned);

  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_VIRTUAL;
  config.flags = SAMRENA_FLAG_STRICT;
  config.max_reserve = 2 * room;
  /* Both made before either is destroyed: a destroyed arena may be kept
   * and given to the next samrena_create, its memory no longer fresh. */
  Samrena *arena = samrena_create(&config), *builder_arena = samrena_create(&config);
  if (arena == NULL || builder_arena == NULL) {
    printf("FAIL: no virtual arena: %s\n", samrena_error_string(samrena_last_error()));
    return 1;
  }
  failed |= check_vector("shared vector", samrena_vector_init(arena, 1, room));
  failed |= check_builder(builder_arena);
  samrena_destroy(builder_arena);
  samrena_destroy(arena);
  return failed;
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
  return check_vectors();
}
#else
int main(void) {
  printf("SKIP: no mincore or no MADV_POPULATE_WRITE on this system\n");
  return SKIP;
}
#endif
