/* toolkit/stable.c -- samrena_vmem_realloc: a realloc whose pointer never moves.
 *
 * Each block owns a reservation; a header at its start describes it and the
 * data follows, aligned to alignof(max_align_t).  Growth commits in place,
 * shrinking gives whole pages back, and size 0 releases the reservation.
 *
 * v_alloc reserves PROT_NONE and mprotects what it commits, splitting every
 * block into two kernel mappings, so Linux's default vm.max_map_count
 * (65530) caps it near 32,000 live blocks.  Where the platform layer can
 * reserve "touchable" memory (POSIX with MAP_NORESERVE) a block here is one
 * mapping that pages fill on first touch; elsewhere, or when that is refused
 * (vm.overcommit_memory=2), it reserves and commits as SamrenaVmem does.
 */
#include <config.h>

#include "port/internal.h"
#include "platform/vm.h"

#include <string.h>

#define STABLE_MAGIC_TOUCHABLE UINT64_C(0x53616d5374546f75) /* one mapping */
#define STABLE_MAGIC_COMMITTED UINT64_C(0x53616d5374436f6d) /* reserve + commit */

typedef struct {
  uint64_t magic;
  uint64_t size;      /* bytes of data the user asked for */
  uint64_t reserved;  /* bytes of the whole reservation, header included */
  uint64_t committed; /* bytes committed from the start (COMMITTED mode) */
} StableHeader;

/* No huge pages: as in the virtual adapter (adapters/virtual.c says why),
 * first use is never made slower than small pages make it. */

/* The data starts here: the header rounded up to malloc's alignment. */
#define STABLE_DATA_OFFSET \
  ((sizeof(StableHeader) + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1))

static StableHeader *header_of(const void *data) {
  return (StableHeader *)(void *)((unsigned char *)(uintptr_t)data - STABLE_DATA_OFFSET);
}

static unsigned char *data_of(StableHeader *header) {
  return (unsigned char *)header + STABLE_DATA_OFFSET;
}

static bool is_stable_block(const StableHeader *header) {
  return header->magic == STABLE_MAGIC_TOUCHABLE || header->magic == STABLE_MAGIC_COMMITTED;
}

/* Header plus size bytes, or false when that overflows. */
static bool footprint(uint64_t size, uint64_t *out) {
  if (size > SAMRENA__MAX_FOOTPRINT - STABLE_DATA_OFFSET)
    return false;
  *out = STABLE_DATA_OFFSET + size;
  return true;
}

static uint64_t page_round(uint64_t bytes) {
  return samrena__align_up(bytes, samrena__vm_page_size());
}

/* Makes header + size bytes usable in a COMMITTED block. */
static SamrenaError commit_up_to(StableHeader *header, uint64_t need) {
  uint64_t top = page_round(need);
  if (top <= header->committed)
    return SAMRENA_OK;
  SamrenaError error = samrena__vm_commit((unsigned char *)header + header->committed,
                                          top - header->committed);
  if (error == SAMRENA_OK)
    header->committed = top;
  return error;
}

static void *stable_create(uint64_t size, uint64_t reserve) {
  uint64_t need, reservation;
  uint64_t granularity = samrena__vm_reserve_granularity();
  if (granularity == 0)
    return samrena__fail_null(SAMRENA_ERROR_UNSUPPORTED_OPERATION);
  if (!footprint(size, &need) || !footprint(reserve > size ? reserve : size, &reservation) ||
      !samrena__round_up_checked(reservation, granularity, &reservation) ||
      reservation > SAMRENA__MAX_FOOTPRINT)
    return samrena__fail_null(SAMRENA_ERROR_OVERFLOW);

  void *base;
  uint64_t magic = STABLE_MAGIC_TOUCHABLE;
  SamrenaError error = samrena__reserve_retrying(samrena__vm_reserve_touchable, reservation, &base);
  if (error != SAMRENA_OK) {
    magic = STABLE_MAGIC_COMMITTED;
    error = samrena__reserve_retrying(samrena__vm_reserve, reservation, &base);
    if (error == SAMRENA_OK) {
      error = samrena__vm_commit(base, page_round(need));
      if (error != SAMRENA_OK)
        samrena__vm_release(base, reservation);
    }
  }
  if (error != SAMRENA_OK)
    return samrena__fail_null(error);
  StableHeader *header = base;
  header->magic = magic;
  header->size = size;
  header->reserved = reservation;
  header->committed = magic == STABLE_MAGIC_COMMITTED ? page_round(need) : reservation;
  return data_of(header);
}

/* Gives back the whole pages past header + size bytes. */
static void give_back_tail(StableHeader *header, uint64_t old_need, uint64_t need) {
  uint64_t keep = page_round(need);
  uint64_t used = header->magic == STABLE_MAGIC_COMMITTED ? header->committed : page_round(old_need);
  if (keep >= used)
    return;
  unsigned char *tail = (unsigned char *)header + keep;
  if (header->magic == STABLE_MAGIC_COMMITTED) {
    if (samrena__vm_decommit(tail, used - keep) == SAMRENA_OK)
      header->committed = keep;
  } else {
    samrena__vm_discard(tail, used - keep); /* a hint: the data stays valid either way */
  }
}

static void *stable_resize(StableHeader *header, uint64_t size) {
  uint64_t need;
  if (!footprint(size, &need))
    return samrena__fail_null(SAMRENA_ERROR_OVERFLOW);
  if (need > header->reserved)
    return samrena__fail_null(SAMRENA_ERROR_OUT_OF_MEMORY);
  uint64_t old_need = STABLE_DATA_OFFSET + header->size; /* fitted once, so it fits */
  if (need > old_need && header->magic == STABLE_MAGIC_COMMITTED) {
    SamrenaError error = commit_up_to(header, need);
    if (error != SAMRENA_OK)
      return samrena__fail_null(error);
  } else if (need < old_need) {
    give_back_tail(header, old_need, need);
  }
  header->size = size;
  return data_of(header);
}

void *samrena_vmem_realloc_reserve(void *data, uint64_t size, uint64_t reserve) {
  if (data == NULL)
    return size == 0 ? NULL : stable_create(size, reserve);
  StableHeader *header = header_of(data);
  if (!is_stable_block(header))
    return samrena__fail_null(SAMRENA_ERROR_INVALID_PARAMETER);
  if (size == 0) {
    samrena__vm_release(header, header->reserved);
    return NULL;
  }
  return stable_resize(header, size);
}

void *samrena_vmem_realloc(void *data, uint64_t size) {
  return samrena_vmem_realloc_reserve(data, size, SAMRENA_VMEM_DEFAULT_RESERVE);
}

uint64_t samrena_vmem_size(const void *data) {
  if (data == NULL)
    return 0;
  const StableHeader *header = header_of(data);
  if (!is_stable_block(header)) {
    samrena__fail(SAMRENA_ERROR_INVALID_PARAMETER);
    return 0;
  }
  return header->size;
}
