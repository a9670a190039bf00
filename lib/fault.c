/* fault.c -- injected failures for the test suite (fault.h).  Compiled only
 * with configure --enable-fault-injection. */
#include <config.h>

#include "fault.h"
#include "cache.h"
#include "port/internal.h"

#include <stdatomic.h>

static _Atomic int64_t samrena_fault_countdown = -1;
static _Atomic uint64_t samrena_fault_count;
static _Atomic uint64_t samrena_fault_request_count;

void samrena_fault_inject_after(int64_t n) {
  atomic_store(&samrena_fault_countdown, n);
}

uint64_t samrena_fault_injected(void) {
  return atomic_load(&samrena_fault_count);
}

uint64_t samrena_fault_requests(void) {
  return atomic_load(&samrena_fault_request_count);
}

void samrena_fault_drain_caches(void) {
  samrena__cache_drain_all();
}

void samrena_fault_hold_registry(bool hold) {
  if (hold)
    samrena__registry_hold();
  else
    samrena__registry_release();
}

bool samrena__fault_now(void) {
  atomic_fetch_add_explicit(&samrena_fault_request_count, 1, memory_order_relaxed);
  int64_t left = atomic_load(&samrena_fault_countdown);
  while (left >= 0) {
    if (atomic_compare_exchange_weak(&samrena_fault_countdown, &left, left - 1)) {
      if (left != 0)
        return false;
      atomic_fetch_add(&samrena_fault_count, 1);
      return true;
    }
  }
  return false;
}

void *samrena__malloc(size_t size) {
  return samrena__fault_now() ? NULL : malloc(size);
}

void *samrena__calloc(size_t count, size_t size) {
  return samrena__fault_now() ? NULL : calloc(count, size);
}

void *samrena__realloc(void *ptr, size_t size) {
  return samrena__fault_now() ? NULL : realloc(ptr, size);
}
