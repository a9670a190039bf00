/* platform/vm.h -- the contract between the portable code
 * (toolkit/vmem.c, adapters/virtual.c) and one operating system's virtual memory
 * calls.  Exactly one platform file implements it: platform/posix.c
 * (mmap), platform/win32.c (VirtualAlloc) or platform/none.c
 * (every call refuses).  Addresses and sizes passed in are multiples of
 * samrena__vm_page_size() unless a comment says otherwise.  A call that
 * fails changes nothing and returns an error; none records it.
 */
#ifndef SAMRENA_ADAPTER_VIRTUAL_PLATFORM_H
#define SAMRENA_ADAPTER_VIRTUAL_PLATFORM_H

#include "samrena.h"
#include "arith.h"

/* Whether this platform layer can reserve at all. */
bool samrena__vm_supported(void);

/* The granularity of commit and decommit, a power of two; 0 if unknown.
 * Safe to call from any thread. */
uint64_t samrena__vm_page_size(void);

/* The granularity of reservations (Windows: 64 KiB; elsewhere the page). */
uint64_t samrena__vm_reserve_granularity(void);

/* Reserves size bytes of address space, inaccessible and using no memory.
 * Where the platform has transparent huge pages, a reservation of 2 MiB or
 * more starts on a 2 MiB boundary.
 * Post: *base set and SAMRENA_OK; or OUT_OF_MEMORY (no address space or
 * refused by a limit) or UNSUPPORTED_OPERATION. */
SamrenaError samrena__vm_reserve(uint64_t size, void **base);

/* Makes [addr, addr + size) of a reservation readable and writable.  Pages
 * never touched since their last decommit read as zero.
 * Post: SAMRENA_OK, or OUT_OF_MEMORY and the range as it was. */
SamrenaError samrena__vm_commit(void *addr, uint64_t size);

/* Returns the memory of [addr, addr + size) to the OS and makes it
 * inaccessible again; resident memory drops.  Post: SAMRENA_OK or PLATFORM. */
SamrenaError samrena__vm_decommit(void *addr, uint64_t size);

/* Unmaps a whole reservation made by samrena__vm_reserve or
 * samrena__vm_reserve_large_pages.  Post: SAMRENA_OK or PLATFORM. */
SamrenaError samrena__vm_release(void *base, uint64_t size);

/* Reserves and commits, in one go, size bytes rounded up to the large-page
 * size, backed by large pages that are locked in RAM and read as zero.  The
 * range cannot be decommitted in part; only samrena__vm_release frees it.
 * Post: *base, *reserved (the rounded size) set and SAMRENA_OK; or
 * UNSUPPORTED_OPERATION and nothing changed: no large pages on this
 * platform (POSIX uses transparent huge pages instead), the privilege they
 * need is not held, or the OS refused them. */
SamrenaError samrena__vm_reserve_large_pages(uint64_t size, void **base, uint64_t *reserved);

/* Reserves size bytes that are readable and writable at once, each page
 * getting memory at its first touch, with no commit charge (one kernel
 * mapping, never split).  UNSUPPORTED_OPERATION where the OS cannot promise
 * that (no MAP_NORESERVE, or Windows); OUT_OF_MEMORY when refused, as under
 * vm.overcommit_memory=2. */
SamrenaError samrena__vm_reserve_touchable(uint64_t size, void **base);

/* Returns the memory of [addr, addr + size) of a touchable reservation to
 * the OS, leaving it accessible: it reads as zero afterwards. */
SamrenaError samrena__vm_discard(void *addr, uint64_t size);

/* Asks the OS to make committed [addr, addr + size) resident now.  A hint:
 * returns whether the OS did it, and failure changes nothing. */
bool samrena__vm_prefetch(void *addr, uint64_t size);
/* As samrena__vm_prefetch, but only where the OS faults the pages in for
 * writing in one call (Linux 5.14's MADV_POPULATE_WRITE): no fallback to a
 * read-ahead hint, so that false tells the caller to stop asking. */
bool samrena__vm_populate(void *addr, uint64_t size);

/* Asks for transparent huge pages on [addr, addr + size).  A hint: returns
 * whether the OS accepted it. */
bool samrena__vm_advise_huge_pages(void *addr, uint64_t size);

/* Whether a reservation may be held idle without starving others: a
 * thread's kept arena (port/park.c) holds its reservation while nothing
 * uses it, where no other thread can give it back.  True for a 64-bit
 * address space that no limit (RLIMIT_AS) caps, as first asked in the
 * process; a limit set later is met by samrena__reserve_retrying. */
bool samrena__vm_address_space_ample(void);


#endif /* SAMRENA_ADAPTER_VIRTUAL_PLATFORM_H */
