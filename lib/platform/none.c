/* platform/none.c -- the platform layer for hosts without virtual
 * memory calls: every request is refused, so SamrenaVmem fails cleanly with
 * SAMRENA_ERROR_UNSUPPORTED_OPERATION and arenas use the chained adapter.
 */
#include <config.h>

#include "platform/vm.h"

bool samrena__vm_supported(void) {
  return false;
}

uint64_t samrena__vm_page_size(void) {
  return 0;
}

uint64_t samrena__vm_reserve_granularity(void) {
  return 0;
}

SamrenaError samrena__vm_reserve(uint64_t size, void **base) {
  (void)size;
  (void)base;
  return SAMRENA_ERROR_UNSUPPORTED_OPERATION;
}

SamrenaError samrena__vm_commit(void *addr, uint64_t size) {
  (void)addr;
  (void)size;
  return SAMRENA_ERROR_UNSUPPORTED_OPERATION;
}

SamrenaError samrena__vm_decommit(void *addr, uint64_t size) {
  (void)addr;
  (void)size;
  return SAMRENA_ERROR_UNSUPPORTED_OPERATION;
}

SamrenaError samrena__vm_release(void *base, uint64_t size) {
  (void)base;
  (void)size;
  return SAMRENA_ERROR_UNSUPPORTED_OPERATION;
}

SamrenaError samrena__vm_reserve_large_pages(uint64_t size, void **base, uint64_t *reserved) {
  (void)size;
  (void)base;
  (void)reserved;
  return SAMRENA_ERROR_UNSUPPORTED_OPERATION;
}

SamrenaError samrena__vm_reserve_touchable(uint64_t size, void **base) {
  (void)size;
  (void)base;
  return SAMRENA_ERROR_UNSUPPORTED_OPERATION;
}

SamrenaError samrena__vm_discard(void *addr, uint64_t size) {
  (void)addr;
  (void)size;
  return SAMRENA_ERROR_UNSUPPORTED_OPERATION;
}

bool samrena__vm_prefetch(void *addr, uint64_t size) {
  (void)addr;
  (void)size;
  return false;
}

bool samrena__vm_populate(void *addr, uint64_t size) {
  (void)addr;
  (void)size;
  return false;
}

bool samrena__vm_advise_huge_pages(void *addr, uint64_t size) {
  (void)addr;
  (void)size;
  return false;
}

bool samrena__vm_address_space_ample(void) {
  return false;
}
