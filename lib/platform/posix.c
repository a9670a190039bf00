/* platform/posix.c -- the virtual memory platform layer on POSIX:
 * mmap(PROT_NONE) reserves, mprotect commits, madvise gives back and
 * prefetches.  Works with either spelling of MAP_ANONYMOUS (configure).
 */
#include <config.h>

#include "platform/vm.h"
#include "fault.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#if !HAVE_DECL_MAP_ANONYMOUS && HAVE_DECL_MAP_ANON
#define MAP_ANONYMOUS MAP_ANON
#endif

#if HAVE_DECL_MAP_NORESERVE
#define SAMRENA_MAP_NORESERVE MAP_NORESERVE
#else
#define SAMRENA_MAP_NORESERVE 0
#endif

bool samrena__vm_supported(void) {
  return samrena__vm_page_size() != 0;
}

/* sysconf is cheap but not free; its answer never changes, so any thread
 * may store it and a racing thread at worst asks again.  The cache is a
 * size_t, which every target loads and stores without a lock (a uint64_t
 * needs libatomic on 32-bit mips and powerpc). */
#if defined(__STDC_NO_ATOMICS__)
uint64_t samrena__vm_page_size(void) {
  long size = sysconf(_SC_PAGESIZE);
  return size > 0 && samrena__is_power_of_two((uint64_t)size) ? (uint64_t)size : 0;
}
#else
#include <stdatomic.h>
static _Atomic size_t samrena_cached_page_size;

uint64_t samrena__vm_page_size(void) {
  size_t size = atomic_load_explicit(&samrena_cached_page_size, memory_order_relaxed);
  if (size == 0) {
    long answer = sysconf(_SC_PAGESIZE);
    if (answer <= 0 || !samrena__is_power_of_two((uint64_t)answer))
      return 0;
    size = (size_t)answer;
    atomic_store_explicit(&samrena_cached_page_size, size, memory_order_relaxed);
  }
  return size;
}
#endif

uint64_t samrena__vm_reserve_granularity(void) {
  return samrena__vm_page_size();
}

static bool fits_size_t(uint64_t size) {
  return size <= SIZE_MAX;
}

/* Transparent huge pages back only 2 MiB ranges that are 2 MiB-aligned, so
 * a reservation that could hold one starts on such a boundary: map 2 MiB
 * more than asked, then unmap the unaligned head and the tail. */
#define HUGE_PAGE_SIZE (UINT64_C(2) << 20)

static SamrenaError map_aligned(uint64_t size, int protection, void **base) {
  uint64_t alignment = size >= HUGE_PAGE_SIZE ? HUGE_PAGE_SIZE : 0;
  if (size > SIZE_MAX - alignment)
    return SAMRENA_ERROR_OUT_OF_MEMORY;
  size_t span = (size_t)(size + alignment);
  unsigned char *address = mmap(NULL, span, protection,
                                MAP_PRIVATE | MAP_ANONYMOUS | SAMRENA_MAP_NORESERVE, -1, 0);
  /* A reservation asks only for address space, so a refusal means there is
   * none to be had for it (ENOMEM; EINVAL from some emulators and tools,
   * Valgrind among them, for a size beyond what they manage). */
  if (address == MAP_FAILED)
    return errno == ENOMEM || errno == EINVAL ? SAMRENA_ERROR_OUT_OF_MEMORY
                                              : SAMRENA_ERROR_PLATFORM;
  size_t head = alignment ? (size_t)samrena__padding_for(address, alignment) : 0;
  size_t tail = span - head - (size_t)size;
  if (head != 0)
    munmap(address, head);
  if (tail != 0)
    munmap(address + head + size, tail);
  *base = address + head;
  return SAMRENA_OK;
}

SamrenaError samrena__vm_reserve(uint64_t size, void **base) {
  if (samrena__fault_now())
    return SAMRENA_ERROR_OUT_OF_MEMORY;
  if (!fits_size_t(size))
    return SAMRENA_ERROR_OUT_OF_MEMORY;
  return map_aligned(size, PROT_NONE, base);
}

SamrenaError samrena__vm_commit(void *addr, uint64_t size) {
  if (samrena__fault_now())
    return SAMRENA_ERROR_OUT_OF_MEMORY;
  if (mprotect(addr, (size_t)size, PROT_READ | PROT_WRITE) != 0)
    return errno == ENOMEM || errno == EAGAIN ? SAMRENA_ERROR_OUT_OF_MEMORY
                                              : SAMRENA_ERROR_PLATFORM;
  return SAMRENA_OK;
}

/* MADV_DONTNEED frees the pages of a private anonymous mapping at once and
 * makes them read back as zero; PROT_NONE then turns a stray access into a
 * fault instead of silently faulting in a fresh page. */
SamrenaError samrena__vm_decommit(void *addr, uint64_t size) {
  if (samrena__fault_now())
    return SAMRENA_ERROR_PLATFORM;
#if HAVE_DECL_MADV_DONTNEED
  if (madvise(addr, (size_t)size, MADV_DONTNEED) != 0)
    return SAMRENA_ERROR_PLATFORM;
#endif
  if (mprotect(addr, (size_t)size, PROT_NONE) != 0)
    return SAMRENA_ERROR_PLATFORM;
#if !HAVE_DECL_MADV_DONTNEED
  /* Without MADV_DONTNEED, replacing the range with a fresh reservation is
   * the portable way to drop its pages. */
  if (mmap(addr, (size_t)size, PROT_NONE,
           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | SAMRENA_MAP_NORESERVE, -1, 0) == MAP_FAILED)
    return SAMRENA_ERROR_PLATFORM;
#endif
  return SAMRENA_OK;
}

/* With MAP_NORESERVE a private writable mapping takes no commit charge
 * (except under vm.overcommit_memory=2, where mmap refuses a large one), and
 * since it is never mprotect'ed it stays one mapping: a process can hold as
 * many as vm.max_map_count, not half of it. */
SamrenaError samrena__vm_reserve_touchable(uint64_t size, void **base) {
  if (samrena__fault_now())
    return SAMRENA_ERROR_OUT_OF_MEMORY;
#if HAVE_DECL_MAP_NORESERVE && HAVE_DECL_MADV_DONTNEED
  if (!fits_size_t(size))
    return SAMRENA_ERROR_OUT_OF_MEMORY;
  return map_aligned(size, PROT_READ | PROT_WRITE, base);
#else
  (void)size;
  (void)base;
  return SAMRENA_ERROR_UNSUPPORTED_OPERATION;
#endif
}

SamrenaError samrena__vm_discard(void *addr, uint64_t size) {
#if HAVE_DECL_MADV_DONTNEED
  return madvise(addr, (size_t)size, MADV_DONTNEED) == 0 ? SAMRENA_OK : SAMRENA_ERROR_PLATFORM;
#else
  (void)addr;
  (void)size;
  return SAMRENA_ERROR_UNSUPPORTED_OPERATION;
#endif
}

SamrenaError samrena__vm_release(void *base, uint64_t size) {
  return munmap(base, (size_t)size) == 0 ? SAMRENA_OK : SAMRENA_ERROR_PLATFORM;
}

/* Large pages reserved and committed up front are Windows' kind; here
 * huge pages are transparent and follow lazy commit (madvise below). */
SamrenaError samrena__vm_reserve_large_pages(uint64_t size, void **base, uint64_t *reserved) {
  (void)size;
  (void)base;
  (void)reserved;
  return SAMRENA_ERROR_UNSUPPORTED_OPERATION;
}

/* MADV_POPULATE_WRITE (Linux 5.14) faults the pages in writable, which is
 * what a push will do.  Its number is the kernel's, the same on every
 * architecture, and C libraries older than it (musl 1.2.3) lack the
 * name: without it, prefetch would fall back to MADV_WILLNEED, a
 * read-ahead hint that does nothing for anonymous memory. */
#if defined(__linux__) && !defined(MADV_POPULATE_WRITE)
#define MADV_POPULATE_WRITE 23
#endif

/* 0 when the pages were populated, else the errno: EINVAL from kernels
 * older than the advice (and wherever the name is unknown). */
static int populate_write(void *addr, uint64_t size) {
#if defined(MADV_POPULATE_WRITE)
  return madvise(addr, (size_t)size, MADV_POPULATE_WRITE) == 0 ? 0 : errno;
#else
  (void)addr;
  (void)size;
  return EINVAL;
#endif
}

bool samrena__vm_populate(void *addr, uint64_t size) {
  return !samrena__fault_now() && populate_write(addr, size) == 0;
}

/* Kernels older than the advice refuse it with EINVAL: then, and only
 * then, the hint is all there is.  Any other failure (ENOMEM: no memory
 * to populate with) is the answer. */
bool samrena__vm_prefetch(void *addr, uint64_t size) {
  if (samrena__fault_now())
    return false;
  int error = populate_write(addr, size);
  if (error != EINVAL)
    return error == 0;
#if HAVE_DECL_MADV_WILLNEED
  return madvise(addr, (size_t)size, MADV_WILLNEED) == 0;
#else
  return false;
#endif
}

bool samrena__vm_advise_huge_pages(void *addr, uint64_t size) {
#if HAVE_DECL_MADV_HUGEPAGE
  return madvise(addr, (size_t)size, MADV_HUGEPAGE) == 0;
#else
  (void)addr;
  (void)size;
  return false;
#endif
}

/* Asked once: getrlimit is a system call, and a kept arena is no reason
 * to make one per destroy. */
#if UINTPTR_MAX <= UINT32_MAX
bool samrena__vm_address_space_ample(void) {
  return false; /* a few reservations of 256 MiB fill it */
}
#else
#if HAVE_SETRLIMIT
#include <sys/resource.h>
#endif

static bool address_space_uncapped(void) {
#if HAVE_SETRLIMIT
  struct rlimit limit;
  return getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY;
#else
  return true;
#endif
}

#if defined(__STDC_NO_ATOMICS__)
bool samrena__vm_address_space_ample(void) {
  return address_space_uncapped();
}
#else
enum { ANSWER_UNKNOWN, ANSWER_YES, ANSWER_NO };
static _Atomic int samrena_address_space_answer;

bool samrena__vm_address_space_ample(void) {
  int answer = atomic_load_explicit(&samrena_address_space_answer, memory_order_relaxed);
  if (answer == ANSWER_UNKNOWN) {
    answer = address_space_uncapped() ? ANSWER_YES : ANSWER_NO;
    atomic_store_explicit(&samrena_address_space_answer, answer, memory_order_relaxed);
  }
  return answer == ANSWER_YES;
}
#endif
#endif
