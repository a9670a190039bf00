/* samrena/v_alloc.h -- v_alloc's API over libsamrena.
 *
 * Programs written for v_alloc build unchanged against this header and
 * link with -lsamrena (pkg-config --libs samrena).  Every call is a static
 * inline wrapper over samrena_vmem_*: no v_alloc_ symbol is exported.
 * Differences, all documented in v_alloc(3): AllocInfo is SamrenaVmem (its
 * fields are base, reserved, committed, used); an empty AllocInfo reserves
 * SAMRENA_VMEM_DEFAULT_RESERVE on first use; v_alloc_realloc blocks are
 * one kernel mapping each where the platform allows.
 */
#ifndef SAMRENA_V_ALLOC_H
#define SAMRENA_V_ALLOC_H

#include <samrena.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef SamrenaVmem AllocInfo;

/* Reserves reserve_size bytes of address space; false on failure. */
static inline bool v_alloc_reserve(AllocInfo *alloc_info, size_t reserve_size) {
  return samrena_vmem_reserve(alloc_info, (uint64_t)reserve_size);
}

/* The next additional_bytes of the region (0 is an error, as in v_alloc);
 * an empty region reserves the default first. */
static inline void *v_alloc_committ(AllocInfo *alloc_info, size_t additional_bytes) {
  if (alloc_info == NULL || additional_bytes == 0)
    return NULL;
  if (alloc_info->base == NULL &&
      !samrena_vmem_reserve(alloc_info, SAMRENA_VMEM_DEFAULT_RESERVE))
    return NULL;
  return samrena_vmem_commit(alloc_info, (uint64_t)additional_bytes);
}

static inline void v_alloc_reset(AllocInfo *alloc_info) {
  if (alloc_info != NULL)
    samrena_vmem_reset(alloc_info);
}

/* Releases the region; false when there was nothing to free. */
static inline bool v_alloc_free(AllocInfo *alloc_info) {
  if (alloc_info == NULL || alloc_info->base == NULL)
    return false;
  return samrena_vmem_release(alloc_info);
}

/* Makes the region size_in_bytes long; returns its base, or NULL on
 * failure or when size_in_bytes is 0 (which frees it). */
static inline void *v_alloc_resize(AllocInfo *alloc_info, size_t size_in_bytes) {
  if (alloc_info == NULL)
    return NULL;
  if (size_in_bytes == 0) {
    v_alloc_free(alloc_info);
    return NULL;
  }
  return samrena_vmem_resize(alloc_info, (uint64_t)size_in_bytes) ? alloc_info->base : NULL;
}

/* realloc whose pointer never moves; (p, 0) frees. */
static inline void *v_alloc_realloc(void *data, size_t total_size) {
  return samrena_vmem_realloc(data, (uint64_t)total_size);
}

#ifdef __cplusplus
}
#endif

#endif /* SAMRENA_V_ALLOC_H */
