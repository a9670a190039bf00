/* toolkit/vmem.c -- SamrenaVmem, a reserve-then-commit bump region over the
 * platform layer.  The virtual adapter is built on the same operations.
 */
#include <config.h>

#include "port/internal.h"
#include "platform/vm.h"
#include "cache.h"

#include <string.h>

/* For the calls that report failure as false. */
static bool fail_false(SamrenaError error) {
  samrena__fail(error);
  return false;
}

static bool is_empty(const SamrenaVmem *vm) {
  return vm->base == NULL;
}

/* The caches of released memory (cache.h) hold address space: on a 32-bit
 * target, or under RLIMIT_AS, a few cached reservations are enough to
 * make a new one fail although nothing is alive.  So a reservation
 * refused for want of address space empties them and is tried again. */
SamrenaError samrena__reserve_retrying(SamrenaError (*reserve)(uint64_t size, void **base),
                                       uint64_t size, void **base) {
  SamrenaError error = reserve(size, base);
  if (error == SAMRENA_ERROR_OUT_OF_MEMORY) {
    bool released = samrena__park_drain(); /* both: either may hold the space */
    if (samrena__cache_drain_all() || released)
      error = reserve(size, base);
  }
  return error;
}

SamrenaError samrena__vmem_reserve(SamrenaVmem *vm, uint64_t size) {
  uint64_t granularity = samrena__vm_reserve_granularity();
  if (granularity == 0)
    return samrena__fail(SAMRENA_ERROR_UNSUPPORTED_OPERATION);
  uint64_t rounded;
  if (!samrena__round_up_checked(size, granularity, &rounded) || rounded > SAMRENA__MAX_FOOTPRINT)
    return samrena__fail(SAMRENA_ERROR_OVERFLOW);
  void *base;
  SamrenaError error = samrena__reserve_retrying(samrena__vm_reserve, rounded, &base);
  if (error != SAMRENA_OK)
    return samrena__fail(error);
  vm->base = base;
  vm->reserved = rounded;
  vm->committed = 0;
  vm->used = 0;
  return SAMRENA_OK;
}

SamrenaError samrena__vmem_commit_to(SamrenaVmem *vm, uint64_t target) {
  if (target <= vm->committed)
    return SAMRENA_OK;
  uint64_t top = samrena__align_up(target, samrena__vm_page_size());
  if (top > vm->reserved)
    top = vm->reserved; /* the reservation itself is page-rounded */
  SamrenaError error =
      samrena__vm_commit((unsigned char *)vm->base + vm->committed, top - vm->committed);
  if (error != SAMRENA_OK)
    return samrena__fail(error);
  vm->committed = top;
  return SAMRENA_OK;
}

SamrenaError samrena__vmem_decommit_to(SamrenaVmem *vm, uint64_t target) {
  if (target >= vm->committed)
    return SAMRENA_OK;
  uint64_t keep = samrena__align_up(target, samrena__vm_page_size());
  if (keep >= vm->committed)
    return SAMRENA_OK;
  SamrenaError error = samrena__vm_decommit((unsigned char *)vm->base + keep, vm->committed - keep);
  if (error != SAMRENA_OK)
    return samrena__fail(error);
  vm->committed = keep;
  return SAMRENA_OK;
}

bool samrena_vmem_reserve(SamrenaVmem *vm, uint64_t reserve_size) {
  if (vm == NULL)
    return fail_false(SAMRENA_ERROR_NULL_POINTER);
  if (!is_empty(vm))
    return fail_false(SAMRENA_ERROR_INVALID_PARAMETER);
  if (reserve_size == 0)
    return fail_false(SAMRENA_ERROR_INVALID_SIZE);
  return samrena__vmem_reserve(vm, reserve_size) == SAMRENA_OK;
}

/* Each piece starts at malloc's alignment, so any object may live there. */
void *samrena_vmem_commit(SamrenaVmem *vm, uint64_t bytes) {
  if (vm == NULL)
    return samrena__fail_null(SAMRENA_ERROR_NULL_POINTER);
  if (is_empty(vm))
    return samrena__fail_null(SAMRENA_ERROR_INVALID_PARAMETER);
  uint64_t start = samrena__align_up(vm->used, SAMRENA__MAX_ALIGN);
  if (bytes == 0)
    return (unsigned char *)vm->base + (start <= vm->reserved ? start : vm->used);
  if (start > vm->reserved || bytes > vm->reserved - start)
    return samrena__fail_null(bytes > SAMRENA__MAX_FOOTPRINT ? SAMRENA_ERROR_OVERFLOW
                                                              : SAMRENA_ERROR_OUT_OF_MEMORY);
  if (samrena__vmem_commit_to(vm, start + bytes) != SAMRENA_OK)
    return NULL;
  vm->used = start + bytes;
  return (unsigned char *)vm->base + start;
}

void samrena_vmem_reset(SamrenaVmem *vm) {
  if (vm == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return;
  }
  vm->used = 0;
}

bool samrena_vmem_release(SamrenaVmem *vm) {
  if (vm == NULL)
    return fail_false(SAMRENA_ERROR_NULL_POINTER);
  if (is_empty(vm))
    return true;
  SamrenaError error = samrena__vm_release(vm->base, vm->reserved);
  if (error != SAMRENA_OK)
    return fail_false(error);
  memset(vm, 0, sizeof *vm);
  return true;
}

bool samrena_vmem_resize(SamrenaVmem *vm, uint64_t size) {
  if (vm == NULL)
    return fail_false(SAMRENA_ERROR_NULL_POINTER);
  if (size == 0)
    return samrena_vmem_release(vm);
  bool was_empty = is_empty(vm);
  if (was_empty) {
    uint64_t reserve = size > SAMRENA_VMEM_DEFAULT_RESERVE ? size : SAMRENA_VMEM_DEFAULT_RESERVE;
    if (samrena__vmem_reserve(vm, reserve) != SAMRENA_OK)
      return false;
  }
  if (size > vm->reserved)
    return fail_false(size > SAMRENA__MAX_FOOTPRINT ? SAMRENA_ERROR_OVERFLOW
                                                    : SAMRENA_ERROR_OUT_OF_MEMORY);
  SamrenaError error = size > vm->committed ? samrena__vmem_commit_to(vm, size)
                                            : samrena__vmem_decommit_to(vm, size);
  if (error != SAMRENA_OK) {
    if (was_empty)
      samrena_vmem_release(vm);
    return false;
  }
  vm->used = size;
  return true;
}

uint64_t samrena_vmem_page_size(void) {
  return samrena__vm_supported() ? samrena__vm_page_size() : 0;
}

bool samrena_vmem_decommit(SamrenaVmem *vm, uint64_t keep_bytes) {
  if (vm == NULL)
    return fail_false(SAMRENA_ERROR_NULL_POINTER);
  if (is_empty(vm))
    return fail_false(SAMRENA_ERROR_INVALID_PARAMETER);
  if (samrena__vmem_decommit_to(vm, keep_bytes) != SAMRENA_OK)
    return false;
  if (vm->used > vm->committed)
    vm->used = vm->committed;
  return true;
}

/* ------------------------------------------------------ reservation cache */

/* A program that creates an arena per request must not pay an mmap and a
 * munmap each time.  Released reservations wait in a cache.h cache, each
 * trimmed to VMEM_CACHE_KEEP committed bytes so the cache holds little
 * memory; the next reservation of the same size and the same huge-page
 * advice takes one back.  The key is the size with the advice in its
 * lowest bit, always clear in a size (a multiple of the page). */
#define VMEM_CACHE_KEEP (UINT64_C(256) << 10)

static uint64_t cache_key(uint64_t reserved, bool huge) {
  return reserved | (huge ? 1u : 0u);
}

static void release_cached(const SamrenaCacheEntry *entry) {
  samrena__vm_release(entry->memory, entry->size & ~UINT64_C(1));
}

static SamrenaCache samrena_vmem_cache = SAMRENA__CACHE_INIT(release_cached);

bool samrena__vmem_cache_put(SamrenaVmem *vm, bool huge) {
  if (vm->committed > VMEM_CACHE_KEEP) {
    SamrenaError before = samrena_last_error();
    if (samrena__vmem_decommit_to(vm, VMEM_CACHE_KEEP) != SAMRENA_OK) {
      samrena__fail(before); /* not the caller's failure: it releases instead */
      return false;
    }
  }
  SamrenaCacheEntry entry = {vm->base, cache_key(vm->reserved, huge), vm->committed};
  return samrena__cache_put(&samrena_vmem_cache, &entry);
}

bool samrena__vmem_cache_take(uint64_t reserved, bool huge, SamrenaVmem *vm) {
  SamrenaCacheEntry entry;
  if (!samrena__cache_take(&samrena_vmem_cache, cache_key(reserved, huge), &entry))
    return false;
  memset(vm, 0, sizeof *vm);
  vm->base = entry.memory;
  vm->reserved = reserved;
  vm->committed = entry.extra;
  return true;
}
