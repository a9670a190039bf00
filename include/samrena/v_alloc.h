/* samrena/v_alloc.h -- v_alloc's API over libsamrena.
 *
 * Programs written for v_alloc build unchanged against this header and
 * link with -lsamrena (pkg-config --libs samrena): AllocInfo with v_alloc's
 * fields, V_ALLOC_ALIGNMENT, MAX_ARENA_CAPACITY and every v_alloc_ call,
 * with v_alloc's signatures.  Each call is a static inline wrapper over
 * samrena_vmem_*: no v_alloc_ symbol is exported.  The differences in
 * behaviour are documented in v_alloc(3).
 *
 * An AllocInfo and a SamrenaVmem describe a region alike: base, the bump
 * pointer ptr = base + used, the end of the committed pages end = base +
 * committed, and reserved_size = reserved.  Each wrapper translates the
 * AllocInfo into a SamrenaVmem, calls the library and translates back; an
 * AllocInfo whose fields do not describe a region (ptr or end outside it)
 * is refused without being touched.
 */
#ifndef SAMRENA_V_ALLOC_H
#define SAMRENA_V_ALLOC_H

#include <samrena.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What v_alloc_committ rounds each size up to, and so the alignment of its
 * pieces; a power of two, which a program may define before including. */
#ifndef V_ALLOC_ALIGNMENT
#define V_ALLOC_ALIGNMENT 16
#endif
typedef char v_alloc_alignment_must_be_a_power_of_two
    [(V_ALLOC_ALIGNMENT) > 0 && ((V_ALLOC_ALIGNMENT) & ((V_ALLOC_ALIGNMENT)-1)) == 0 ? 1 : -1];

/* What an empty AllocInfo reserves on first use: 1 GiB, as in v_alloc (64
 * MiB where pointers are 32 bits); the value of SAMRENA_VMEM_DEFAULT_RESERVE,
 * as an int. */
#if UINTPTR_MAX > 0xffffffffu
#define MAX_ARENA_CAPACITY (1024 * 1024 * 1024)
#else
#define MAX_ARENA_CAPACITY (64 * 1024 * 1024)
#endif

typedef struct AllocInfo {
  char *base;           /* start of the reservation; NULL when empty */
  char *ptr;            /* the next byte v_alloc_committ hands out */
  char *end;            /* the end of the committed pages */
  size_t reserved_size; /* bytes of address space reserved */
  size_t page_size;     /* commit granularity, samrena_vmem_page_size() */
} AllocInfo;

/* The region an AllocInfo describes, or false for fields that describe
 * none.  An AllocInfo whose base is NULL is empty. */
static inline bool v_alloc_info_to_vmem_(const AllocInfo *info, SamrenaVmem *vm) {
  SamrenaVmem empty = {NULL, 0, 0, 0};
  *vm = empty;
  if (info->base == NULL)
    return true;
  uintptr_t base = (uintptr_t)info->base, ptr = (uintptr_t)info->ptr,
            end = (uintptr_t)info->end;
  if (ptr < base || end < ptr || info->reserved_size == 0 ||
      end - base > (uintptr_t)info->reserved_size)
    return false;
  vm->base = info->base;
  vm->reserved = (uint64_t)info->reserved_size;
  vm->committed = (uint64_t)(end - base);
  vm->used = (uint64_t)(ptr - base);
  return true;
}

static inline void v_alloc_info_from_vmem_(const SamrenaVmem *vm, AllocInfo *info) {
  char *base = (char *)vm->base;
  info->base = base;
  info->ptr = base != NULL ? base + (size_t)vm->used : NULL;
  info->end = base != NULL ? base + (size_t)vm->committed : NULL;
  info->reserved_size = (size_t)vm->reserved;
  info->page_size = base != NULL ? (size_t)samrena_vmem_page_size() : 0;
}

/* Reserves reserve_size bytes of address space for an empty alloc_info,
 * committing none; false on failure. */
static inline bool v_alloc_reserve(AllocInfo *alloc_info, size_t reserve_size) {
  SamrenaVmem vm;
  if (alloc_info == NULL)
    return samrena_vmem_reserve(NULL, (uint64_t)reserve_size); /* records the error */
  if (!v_alloc_info_to_vmem_(alloc_info, &vm))
    return false;
  if (!samrena_vmem_reserve(&vm, (uint64_t)reserve_size))
    return false;
  v_alloc_info_from_vmem_(&vm, alloc_info);
  return true;
}

/* The next additional_bytes of the region, rounded up to V_ALLOC_ALIGNMENT,
 * committed on demand (0 is an error, as in v_alloc); an empty region
 * reserves MAX_ARENA_CAPACITY first. */
static inline void *v_alloc_committ(AllocInfo *alloc_info, size_t additional_bytes) {
  SamrenaVmem vm;
  if (alloc_info == NULL || additional_bytes == 0 ||
      additional_bytes > SIZE_MAX - (V_ALLOC_ALIGNMENT - 1) ||
      !v_alloc_info_to_vmem_(alloc_info, &vm))
    return NULL;
  size_t size = (additional_bytes + (V_ALLOC_ALIGNMENT - 1)) & ~(size_t)(V_ALLOC_ALIGNMENT - 1);
  if (vm.base == NULL) {
    if (!samrena_vmem_reserve(&vm, (uint64_t)MAX_ARENA_CAPACITY))
      return NULL;
    v_alloc_info_from_vmem_(&vm, alloc_info);
  }
  /* Pieces start at a multiple of V_ALLOC_ALIGNMENT (and of
   * alignof(max_align_t), where samrena_vmem_commit starts them). */
  uint64_t start = (vm.used + (V_ALLOC_ALIGNMENT - 1)) & ~(uint64_t)(V_ALLOC_ALIGNMENT - 1);
  if (start > vm.reserved)
    start = vm.reserved;
  vm.used = start;
  void *piece = samrena_vmem_commit(&vm, (uint64_t)size);
  if (piece == NULL)
    return NULL;
  v_alloc_info_from_vmem_(&vm, alloc_info);
  return piece;
}

/* Gives the last extra_size bytes of the committed pages (rounded up to
 * whole pages) back to the system, keeping the reservation; false when
 * there are not that many, or for 0. */
static inline bool v_alloc_decommit(AllocInfo *alloc_info, size_t extra_size) {
  SamrenaVmem vm;
  if (alloc_info == NULL || extra_size == 0 || !v_alloc_info_to_vmem_(alloc_info, &vm) ||
      vm.base == NULL)
    return false;
  uint64_t page = samrena_vmem_page_size();
  if (page == 0 || (uint64_t)extra_size > UINT64_MAX - (page - 1))
    return false;
  uint64_t bytes = ((uint64_t)extra_size + (page - 1)) & ~(page - 1);
  if (bytes > vm.committed)
    return false;
  if (!samrena_vmem_decommit(&vm, vm.committed - bytes))
    return false;
  v_alloc_info_from_vmem_(&vm, alloc_info);
  return true;
}

/* The region is handed out again from its start; the commit is kept. */
static inline void v_alloc_reset(AllocInfo *alloc_info) {
  SamrenaVmem vm;
  if (alloc_info == NULL || !v_alloc_info_to_vmem_(alloc_info, &vm) || vm.base == NULL)
    return;
  samrena_vmem_reset(&vm);
  v_alloc_info_from_vmem_(&vm, alloc_info);
}

/* Releases the region and empties alloc_info; false when there was nothing
 * to free. */
static inline bool v_alloc_free(AllocInfo *alloc_info) {
  SamrenaVmem vm;
  if (alloc_info == NULL || !v_alloc_info_to_vmem_(alloc_info, &vm) || vm.base == NULL)
    return false;
  if (!samrena_vmem_release(&vm))
    return false;
  v_alloc_info_from_vmem_(&vm, alloc_info);
  return true;
}

/* Makes the region size_in_bytes long; returns its base, or NULL on
 * failure or when size_in_bytes is 0 (which frees it). */
static inline void *v_alloc_resize(AllocInfo *alloc_info, size_t size_in_bytes) {
  SamrenaVmem vm;
  if (alloc_info == NULL)
    return NULL;
  if (size_in_bytes == 0) {
    v_alloc_free(alloc_info);
    return NULL;
  }
  if (!v_alloc_info_to_vmem_(alloc_info, &vm) ||
      !samrena_vmem_resize(&vm, (uint64_t)size_in_bytes))
    return NULL;
  v_alloc_info_from_vmem_(&vm, alloc_info);
  return alloc_info->base;
}

/* realloc whose pointer never moves; (p, 0) frees. */
static inline void *v_alloc_realloc(void *data, size_t total_size) {
  return samrena_vmem_realloc(data, (uint64_t)total_size);
}

#ifdef __cplusplus
}
#endif

#endif /* SAMRENA_V_ALLOC_H */
