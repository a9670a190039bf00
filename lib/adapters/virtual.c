/* adapters/virtual.c -- the virtual memory adapter: a reservation of
 * max_reserve bytes, committed in commit_size steps as the cursor crosses
 * them (or, for Windows large pages, committed whole at creation).  Pushes
 * are contiguous and never move; growth is an mprotect, never a copy.
 *
 * An arena created as SAMRENA_STRATEGY_DEFAULT with no max_reserve has no
 * cap: when its reservation is full it goes on in a further one (a
 * "region"), as a chained arena goes on in a further block, and is then
 * no longer contiguous.  Regions after the current one are spares, left by
 * a reset or a restore, or made by samrena_reserve.
 *
 * Built on SamrenaVmem; no OS call is made here.  Without
 * SAMRENA_ENABLE_VIRTUAL (configure --disable-virtual, or a platform
 * without virtual memory) only the adapter's name plate is built: the
 * registry then knows the strategy, and that it falls back to chained.
 */
#include <config.h>

#include "port/internal.h"
#include "platform/vm.h"
#include "fault.h"

#include <stdlib.h>
#include <string.h>

#if SAMRENA_ENABLE_VIRTUAL

/* Address space reserved when max_reserve is 0, and by each further
 * region of an arena without a cap (more when a push needs it). */
#if UINTPTR_MAX > UINT32_MAX
#define VIRTUAL_DEFAULT_RESERVE (UINT64_C(2) << 30)
#else
#define VIRTUAL_DEFAULT_RESERVE (UINT64_C(256) << 20)
#endif

/* Commit step when commit_size is 0.  Each step is one mprotect call;
 * committed memory is charged against the commit limit, so the step also
 * bounds how far a push commits ahead of its need.  bench/commit_step
 * (`make bench-commit-step`) filling 256 MiB: 4 and 16 KiB steps cost 20-25% more than
 * 64 KiB; 64 KiB to 2 MiB are alike, page faults dominate.  256 KiB makes
 * a quarter of the mprotect calls of 64 KiB at an eighth of the 2 MiB cap. */
#define VIRTUAL_DEFAULT_COMMIT_STEP (UINT64_C(256) << 10)

/* Transparent huge pages are asked for only with SAMRENA_FLAG_HUGE_PAGES:
 * over the whole reservation from its creation, committed in 2 MiB steps.
 * Without the flag the arena never asks, because a huge-page fault can
 * cost far more than the 512 small ones it replaces.  Touching every 4 KiB
 * of 512 MiB of fresh memory, measured on the project's CI machine (a VM
 * whose host takes back memory the guest frees): 1.43-1.58 GiB/s with
 * small pages, 0.17-0.19 GiB/s with huge pages right after another
 * process had freed its memory, 3.57 GiB/s with huge pages whose memory
 * the host still backed.  The library cannot tell which case it is in, so
 * first use is never made slower than small pages; a program that knows
 * its machine asks with the flag (samrena(3), HUGE PAGES). */
#define HUGE_PAGE_SIZE (UINT64_C(2) << 20)

/* One reservation.  The first holds the arena's handle at its base, and
 * so this adapter's state, where its own description lives; further ones
 * (arenas without a cap) are described in malloc'd memory. */
typedef struct VirtualRegion {
  SamrenaVmem vm;
  uint64_t start;             /* offset where pushes begin: past the handle in the first */
  uint64_t poisoned_end;      /* high-water of the commit: what poison.h may have marked */
  uint64_t dirty_end;         /* offset below which memory may hold old data */
  struct VirtualRegion *next; /* the region after this one */
  bool huge;                  /* huge pages were asked for (and granted) */
  bool large_pages;           /* committed whole on large pages: never decommitted or cached */
} VirtualRegion;

typedef struct {
  VirtualRegion first;
  VirtualRegion *current; /* the region [cursor, limit) lies in */
  uint64_t commit_step;   /* a multiple of the page size, not always a power of two */
  uint64_t retired_used;  /* bytes consumed in the regions before current */
  uint64_t retired_tails; /* committed, unused ends of those regions */
  uint64_t region_reserve; /* what a further region reserves at least */
  uint64_t created_committed; /* the first region's commit when the arena was made */
  bool uncapped;          /* may go on in further regions */
  bool huge;              /* SAMRENA_FLAG_HUGE_PAGES */
} Virtual;

_Static_assert(sizeof(Virtual) <= SAMRENA__ADAPTER_STATE_BYTES, "Virtual must fit in the arena");

static Virtual *state_of(const Samrena *arena) {
  return (Virtual *)arena->adapter;
}

static unsigned char *base_of(const VirtualRegion *region) {
  return (unsigned char *)region->vm.base;
}

/* Where pushes begin in a region. */
static unsigned char *start_of(const VirtualRegion *region) {
  return base_of(region) + region->start;
}

/* The cursor's offset in the current region, from its base. */
static uint64_t offset_of(const Samrena *arena) {
  return (uint64_t)(arena->fast.cursor - base_of(state_of(arena)->current));
}

/* What a region can hold for pushes: its commit past its start. */
static uint64_t usable(const VirtualRegion *region) {
  return region->vm.committed - region->start;
}

static void set_limit_to_commit(Samrena *arena) {
  VirtualRegion *region = state_of(arena)->current;
  arena->limit = base_of(region) + region->vm.committed;
}

/* GCC 12's -fanalyzer loses a further region add_region links into the
 * current one's next once a later store goes through a region pointer,
 * and reports its malloc as leaked at that store (here and in
 * commit_poisoned, which allocate nothing).  The region stays in the
 * list, which virtual_trim and virtual_destroy free; the fuzzer, ASan's
 * leak checker and Valgrind see no leak.  Silenced at those stores only. */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 10
#define SAMRENA__ANALYZER_REGION_STORES_BEGIN \
  _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wanalyzer-malloc-leak\"")
#define SAMRENA__ANALYZER_REGION_STORES_END _Pragma("GCC diagnostic pop")
#else
#define SAMRENA__ANALYZER_REGION_STORES_BEGIN
#define SAMRENA__ANALYZER_REGION_STORES_END
#endif

SAMRENA__ANALYZER_REGION_STORES_BEGIN
/* Memory the cursor leaves behind was handed out: it is no longer fresh. */
static void note_dirty(VirtualRegion *region, uint64_t offset) {
  if (offset > region->dirty_end)
    region->dirty_end = offset;
}
SAMRENA__ANALYZER_REGION_STORES_END

static bool virtual_available(void) {
  return samrena__vm_supported();
}

static SamrenaError choose_commit_step(uint64_t commit_size, uint64_t *step) {
  uint64_t page = samrena__vm_page_size();
  if (commit_size == 0) {
    *step = samrena__align_up(VIRTUAL_DEFAULT_COMMIT_STEP, page);
    return SAMRENA_OK;
  }
  if (!samrena__round_up_checked(commit_size, page, step) || *step > SAMRENA__MAX_FOOTPRINT)
    return SAMRENA_ERROR_OVERFLOW;
  return SAMRENA_OK;
}

SAMRENA__ANALYZER_REGION_STORES_BEGIN
/* Commits up to target; what is new is poisoned until pushed. */
static SamrenaError commit_poisoned(VirtualRegion *region, uint64_t target) {
  uint64_t before = region->vm.committed;
  SamrenaError error = samrena__vmem_commit_to(&region->vm, target);
  if (region->vm.committed > before) {
    SAMRENA__POISON(base_of(region) + before, region->vm.committed - before);
    if (region->vm.committed > region->poisoned_end)
      region->poisoned_end = region->vm.committed;
  }
  return error;
}
SAMRENA__ANALYZER_REGION_STORES_END

/* What a new region has committed (a reused reservation keeps a little,
 * large pages have it all) is off limits until pushed. */
static void poison_committed(VirtualRegion *region) {
  SAMRENA__POISON(region->vm.base, region->vm.committed);
  region->poisoned_end = region->vm.committed;
}


/* A reservation of at least `reserve` bytes: one of the same size and
 * advice from the cache when there is one (its committed pages may hold
 * old data), else a new one, advised huge pages if asked. */
static SamrenaError reserve_region(VirtualRegion *region, uint64_t reserve, bool huge) {
  uint64_t rounded;
  memset(region, 0, sizeof *region); /* described, even when it fails */
  if (!samrena__round_up_checked(reserve, samrena__vm_reserve_granularity(), &rounded))
    return samrena__fail(SAMRENA_ERROR_OVERFLOW);
  if (samrena__vmem_cache_take(rounded, huge, &region->vm)) {
    region->huge = huge;
    region->dirty_end = region->vm.committed;
  } else {
    SamrenaError error = samrena__vmem_reserve(&region->vm, reserve);
    if (error != SAMRENA_OK)
      return error;
    region->huge = huge && samrena__vm_advise_huge_pages(region->vm.base, region->vm.reserved);
  }
  poison_committed(region);
  return SAMRENA_OK;
}

/* Large pages (Windows: samrena__vm_reserve_large_pages) cannot be
 * committed lazily: the whole range is committed, and locked in RAM, when
 * it is reserved.  So they are tried only when the caller asked for huge
 * pages and also set max_reserve, choosing how much RAM the arena may pin;
 * the default reservation (2 GiB) would pin far too much.  When they cannot
 * be had the arena silently gets the normal lazy reservation. */
static bool reserve_large_pages(VirtualRegion *region, const SamrenaSettings *settings) {
  if ((settings->flags & SAMRENA_FLAG_HUGE_PAGES) == 0 || settings->max_reserve == 0)
    return false;
  void *base;
  uint64_t reserved;
  if (samrena__vm_reserve_large_pages(settings->max_reserve, &base, &reserved) != SAMRENA_OK)
    return false;
  memset(region, 0, sizeof *region);
  region->vm.base = base;
  region->vm.reserved = reserved;
  region->vm.committed = reserved; /* fresh, so dirty_end stays 0 */
  region->large_pages = true;
  poison_committed(region);
  return true;
}

/* What the arena's regions have committed: what a budget counts. */
static uint64_t committed_total(const Virtual *virt) {
  uint64_t total = 0;
  const VirtualRegion *region = &virt->first;
  do
    total += region->vm.committed;
  while ((region = region->next) != NULL);
  return total;
}

/* The most this region may have committed under the arena's budget, a
 * whole number of pages; UINT64_MAX without a budget. */
static uint64_t budget_for(const Samrena *arena, const VirtualRegion *region) {
  uint64_t limit = arena->limit_bytes;
  if (limit == 0)
    return UINT64_MAX;
  uint64_t others = committed_total(state_of(arena)) - region->vm.committed;
  uint64_t allowed = others < limit ? limit - others : 0;
  allowed &= ~(samrena__vm_page_size() - 1);
  return allowed > region->vm.committed ? allowed : region->vm.committed;
}

/* Commits for bytes up to offset `end`, up to target where the budget
 * allows: OUT_OF_MEMORY, nothing committed, when it cannot hold `end`. */
static SamrenaError commit_within_budget(Samrena *arena, VirtualRegion *region, uint64_t end,
                                         uint64_t target) {
  uint64_t allowed = budget_for(arena, region);
  if (end > allowed)
    return samrena__fail(SAMRENA_ERROR_OUT_OF_MEMORY);
  return commit_poisoned(region, target < allowed ? target : allowed);
}

static void release_region(VirtualRegion *region) {
  /* Shadow memory outlives a mapping: the next owner of these addresses
   * must not find them poisoned. */
  SAMRENA__UNPOISON(region->vm.base, region->poisoned_end);
  if (region->large_pages || !samrena__vmem_cache_put(&region->vm, region->huge))
    samrena__vm_release(region->vm.base, region->vm.reserved);
}

/* Releases the regions from `region` on; they are all further ones. */
static void release_further(VirtualRegion *region) {
  while (region != NULL) {
    VirtualRegion *next = region->next;
    release_region(region);
    free(region);
    region = next;
  }
}

/* The first region holds the handle at its base: an arena per request
 * then costs no allocation but the cached reservation.  It is made in a
 * region described on the stack, then moved into the adapter's state. */
static Samrena *virtual_create(const Samrena *proto, const SamrenaSettings *settings,
                               SamrenaError *error) {
  uint64_t reserve = settings->max_reserve, step;
  if (reserve == 0)
    reserve = settings->initial_bytes > VIRTUAL_DEFAULT_RESERVE ? settings->initial_bytes
                                                                : VIRTUAL_DEFAULT_RESERVE;
  if (reserve > UINT64_MAX - SAMRENA__HANDLE_BYTES) {
    *error = samrena__fail(SAMRENA_ERROR_OVERFLOW);
    return NULL;
  }
  bool huge = (settings->flags & SAMRENA_FLAG_HUGE_PAGES) != 0;
  VirtualRegion first;
  *error = choose_commit_step(settings->commit_size, &step);
  if (*error == SAMRENA_OK && !reserve_large_pages(&first, settings))
    *error = reserve_region(&first, reserve + SAMRENA__HANDLE_BYTES, huge);
  if (*error != SAMRENA_OK)
    return NULL;
  if (first.huge && step < HUGE_PAGE_SIZE)
    step = HUGE_PAGE_SIZE;
  first.start = SAMRENA__HANDLE_BYTES;
  *error = commit_poisoned(&first, first.start + settings->initial_bytes);
  if (*error != SAMRENA_OK) {
    SAMRENA__UNPOISON(first.vm.base, first.poisoned_end);
    samrena__vm_release(first.vm.base, first.vm.reserved);
    return NULL;
  }
  SAMRENA__UNPOISON(first.vm.base, first.start); /* the handle */
  Samrena *arena = samrena__place_handle(first.vm.base, proto, sizeof(Virtual));
  Virtual *virt = state_of(arena);
  virt->first = first;
  virt->current = &virt->first;
  virt->commit_step = step;
  virt->huge = huge;
  virt->uncapped = settings->uncapped;
  virt->region_reserve = reserve;
  virt->created_committed = first.vm.committed;
  if (virt->uncapped)
    arena->capabilities &= ~(uint32_t)SAMRENA_CAP_CONTIGUOUS_MEMORY;
  arena->fast.cursor = start_of(&virt->first);
  set_limit_to_commit(arena);
  return arena;
}

/* The first region, which holds the handle and so this state, goes last. */
static void virtual_destroy(Samrena *arena) {
  Virtual *virt = state_of(arena);
  release_further(virt->first.next);
  VirtualRegion first = virt->first;
  release_region(&first);
}

/* Where to commit up to for a push ending at offset `end`: the next
 * multiple of the step (which need not be a power of two), or the end of
 * the reservation.  No overflow: end and step are below
 * SAMRENA__MAX_FOOTPRINT. */
static uint64_t commit_target(const Virtual *virt, const VirtualRegion *region, uint64_t end) {
  uint64_t step = virt->commit_step;
  uint64_t target = (end + step - 1) / step * step;
  return target < region->vm.reserved ? target : region->vm.reserved;
}

/* Whether size bytes at alignment fit in the region's reservation from
 * offset on; *end is then where they end. */
static bool fits_reservation(const VirtualRegion *region, uint64_t offset, uint64_t size,
                             uint64_t alignment, uint64_t *end) {
  uint64_t padding = samrena__padding_for(base_of(region) + offset, alignment);
  uint64_t room = region->vm.reserved - offset;
  if (padding > room || size > room - padding)
    return false;
  *end = offset + padding + size;
  return true;
}

/* Makes region, which follows current, the current region, the cursor at
 * its start.  What the old one has committed past the cursor is its tail. */
static void advance_to(Samrena *arena, VirtualRegion *region) {
  Virtual *virt = state_of(arena);
  uint64_t offset = offset_of(arena);
  note_dirty(virt->current, offset);
  virt->retired_used += offset - virt->current->start;
  virt->retired_tails += virt->current->vm.committed - offset;
  virt->current = region;
  arena->fast.cursor = start_of(region);
  set_limit_to_commit(arena);
}

/* A further region, after the current one and before its spares, that
 * holds at least `need` bytes; NULL with the error recorded.  A reused
 * reservation keeps a few committed pages, which a budget may not allow. */
static VirtualRegion *add_region(Samrena *arena, uint64_t need) {
  Virtual *virt = state_of(arena);
  uint64_t reserve = need > virt->region_reserve ? need : virt->region_reserve;
  VirtualRegion *region = samrena__malloc(sizeof *region);
  if (region == NULL)
    return samrena__fail_null(SAMRENA_ERROR_OUT_OF_MEMORY);
  if (reserve_region(region, reserve, virt->huge) != SAMRENA_OK) {
    free(region);
    return NULL;
  }
  if (!samrena__within_limit(arena, committed_total(virt), region->vm.committed) &&
      samrena__vmem_decommit_to(&region->vm, 0) != SAMRENA_OK) {
    release_region(region);
    free(region);
    return NULL;
  }
  if (region->dirty_end > region->vm.committed)
    region->dirty_end = region->vm.committed;
  region->next = virt->current->next;
  virt->current->next = region;
  return region;
}

/* The spare after the current region if the push fits in it, else a new
 * region, and *end where the push ends there; NULL when the arena has no
 * cap to lift or no region can be had. */
static VirtualRegion *region_for(Samrena *arena, uint64_t size, uint64_t alignment,
                                 uint64_t *end) {
  Virtual *virt = state_of(arena);
  if (!virt->uncapped)
    return samrena__fail_null(SAMRENA_ERROR_OUT_OF_MEMORY);
  VirtualRegion *spare = virt->current->next;
  if (spare != NULL && fits_reservation(spare, 0, size, alignment, end))
    return spare;
  if (size > SAMRENA__MAX_FOOTPRINT - (alignment - 1))
    return samrena__fail_null(SAMRENA_ERROR_OVERFLOW);
  VirtualRegion *region = add_region(arena, size + (alignment - 1));
  if (region != NULL && !fits_reservation(region, 0, size, alignment, end))
    return samrena__fail_null(SAMRENA_ERROR_OUT_OF_MEMORY); /* reserved for it: never */
  return region;
}

/* Commits up to the next step boundary past the push: at most one step
 * beyond what it needs.  A push past the reservation moves on to a
 * further region, when the arena has no cap. */
static void *virtual_push_slow(Samrena *arena, uint64_t size, uint64_t alignment) {
  Virtual *virt = state_of(arena);
  VirtualRegion *region = virt->current;
  uint64_t end = 0;
  if (!fits_reservation(region, offset_of(arena), size, alignment, &end)) {
    region = region_for(arena, size, alignment, &end);
    if (region == NULL)
      return NULL;
  }
  if (commit_within_budget(arena, region, end, commit_target(virt, region, end)) != SAMRENA_OK)
    return NULL;
  if (region != virt->current)
    advance_to(arena, region);
  set_limit_to_commit(arena);
  arena->fast.cursor = base_of(region) + end;
  return base_of(region) + end - size;
}

/* Pages committed and never handed out since are the kernel's fresh zero
 * pages: only what lies below the high-water mark of earlier use needs a
 * memset.  ptr was just pushed, so it lies in the current region. */
static void virtual_zero(Samrena *arena, void *ptr, uint64_t size) {
  VirtualRegion *region = state_of(arena)->current;
  uint64_t offset = (uint64_t)((unsigned char *)ptr - base_of(region));
  uint64_t dirty = offset < region->dirty_end ? region->dirty_end - offset : 0;
  if ((arena->flags & SAMRENA__FLAG_ALWAYS_DIRTY) != 0)
    dirty = size;
  if (dirty > size)
    dirty = size;
  memset(ptr, 0, (size_t)dirty);
  SAMRENA__DEFINED((unsigned char *)ptr + dirty, size - dirty);
}

static uint64_t virtual_allocated(const Samrena *arena) {
  Virtual *virt = state_of(arena);
  return virt->retired_used + offset_of(arena) - virt->current->start;
}

/* What the regions from `region` on have committed for pushes. */
static uint64_t usable_from(const VirtualRegion *region) {
  uint64_t total = 0;
  for (; region != NULL; region = region->next)
    total += usable(region);
  return total;
}

static uint64_t virtual_capacity(const Samrena *arena) {
  Virtual *virt = state_of(arena);
  return virt->retired_used + usable_from(virt->current);
}

static void virtual_rewind(Samrena *arena, unsigned char *cursor) {
  note_dirty(state_of(arena)->current, offset_of(arena));
  SAMRENA__POISON(cursor, arena->fast.cursor - cursor);
  arena->fast.cursor = cursor;
}

/* Poisons what the regions after `region` have committed. */
static void poison_after(VirtualRegion *region) {
  for (region = region->next; region != NULL; region = region->next)
    SAMRENA__POISON(region->vm.base, region->vm.committed);
}

static void virtual_reset(Samrena *arena) {
  Virtual *virt = state_of(arena);
  virtual_rewind(arena, start_of(virt->current));
  virt->current = &virt->first;
  virt->retired_used = 0;
  virt->retired_tails = 0;
  arena->fast.cursor = start_of(&virt->first);
  set_limit_to_commit(arena);
  if (SAMRENA__POISONING()) {
    SAMRENA__POISON(start_of(&virt->first), usable(&virt->first));
    poison_after(&virt->first);
  }
}

/* As new when it holds no further region and has committed what it was
 * made with: more goes back through the reservation cache, which trims
 * it, and less (a trim) would give the next create less than its
 * initial_pages.  Kept only where address space is ample: a kept arena's
 * reservation is out of reach of the other threads' retries. */
static bool virtual_renew(Samrena *arena) {
  Virtual *virt = state_of(arena);
  if (virt->first.next != NULL || virt->first.large_pages ||
      virt->first.vm.committed != virt->created_committed || !samrena__vm_address_space_ample())
    return false;
  virtual_reset(arena);
  return true;
}

static void virtual_save(const Samrena *arena, SamrenaPosition *out) {
  Virtual *virt = state_of(arena);
  memset(out, 0, sizeof *out);
  out->cursor = arena->fast.cursor;
  out->block = virt->current;
  out->retired_used = virt->retired_used;
  out->retired_tails = virt->retired_tails;
}

/* The regions after the saved one become spares again. */
static void virtual_restore(Samrena *arena, const SamrenaPosition *position) {
  Virtual *virt = state_of(arena);
  note_dirty(virt->current, offset_of(arena));
  virt->current = position->block;
  virt->retired_used = position->retired_used;
  virt->retired_tails = position->retired_tails;
  set_limit_to_commit(arena);
  arena->fast.cursor = position->cursor;
  if (SAMRENA__POISONING()) {
    SAMRENA__POISON(arena->fast.cursor, arena->limit - arena->fast.cursor);
    poison_after(virt->current);
  }
}

/* Commits in place: the region is contiguous. */
static bool virtual_extend(Samrena *arena, uint64_t bytes) {
  Virtual *virt = state_of(arena);
  VirtualRegion *region = virt->current;
  uint64_t offset = offset_of(arena);
  if (bytes > region->vm.reserved - offset)
    return false;
  SamrenaError before = samrena_last_error();
  if (commit_within_budget(arena, region, offset + bytes,
                           commit_target(virt, region, offset + bytes)) != SAMRENA_OK) {
    samrena__fail(before); /* the caller falls back; this is not its error */
    return false;
  }
  set_limit_to_commit(arena);
  return true;
}

/* Commits up to min_capacity, then asks the OS to fault in everything from
 * the cursor's page on, so later pushes take no page faults.  An arena
 * without a cap that needs more than its current region holds gets a
 * spare region for the rest first, so that a failure changes nothing. */
static SamrenaError virtual_reserve(Samrena *arena, uint64_t min_capacity) {
  Virtual *virt = state_of(arena);
  VirtualRegion *region = virt->current;
  uint64_t page = samrena__vm_page_size();
  /* The capacity min_capacity asks for, from the current region's start. */
  uint64_t wanted = min_capacity - virt->retired_used;
  uint64_t room_here = region->vm.reserved - region->start;
  VirtualRegion *spare = NULL;
  uint64_t shortfall = 0;
  if (wanted > room_here) {
    if (!virt->uncapped)
      return samrena__fail(SAMRENA_ERROR_INVALID_PARAMETER);
    if (min_capacity > SAMRENA__MAX_FOOTPRINT)
      return samrena__fail(SAMRENA_ERROR_OVERFLOW);
    uint64_t spares = usable_from(region->next);
    shortfall = wanted - room_here > spares ? wanted - room_here - spares : 0;
  }
  uint64_t here = wanted < room_here ? region->start + wanted : region->vm.reserved;
  /* Within the budget, or nothing changes. */
  uint64_t here_pages = samrena__align_up(here, page);
  uint64_t more = (here_pages > region->vm.committed ? here_pages - region->vm.committed : 0) +
                  samrena__align_up(shortfall, page);
  if (!samrena__within_limit(arena, committed_total(virt), more))
    return samrena__fail(SAMRENA_ERROR_OUT_OF_MEMORY);
  if (shortfall != 0 && (spare = add_region(arena, shortfall)) == NULL)
    return samrena_last_error();
  SamrenaError error = commit_within_budget(arena, region, here, commit_target(virt, region, here));
  if (error == SAMRENA_OK && spare != NULL)
    error = commit_within_budget(arena, spare, shortfall, commit_target(virt, spare, shortfall));
  set_limit_to_commit(arena);
  if (error != SAMRENA_OK)
    return error;
  uint64_t from = offset_of(arena) & ~(page - 1);
  if (from < region->vm.committed)
    samrena__vm_prefetch(base_of(region) + from, region->vm.committed - from);
  if (spare != NULL)
    samrena__vm_prefetch(spare->vm.base, spare->vm.committed);
  return SAMRENA_OK;
}

/* The pages of [ptr, ptr + size) that lie in the current region's commit
 * and are fresh (past dirty_end: never handed out since they were
 * committed) are faulted in, from the start of the first one's page: one
 * system call where the writes would take a fault per page.  Memory
 * handed out before is taken to be resident already, and needs nothing. */
static bool virtual_prepare(Samrena *arena, void *ptr, uint64_t size) {
  VirtualRegion *region = state_of(arena)->current;
  uintptr_t base = (uintptr_t)base_of(region), at = (uintptr_t)ptr;
  if (at < base || at - base >= region->vm.committed)
    return false;
  uint64_t offset = (uint64_t)(at - base);
  uint64_t end = size < region->vm.committed - offset ? offset + size : region->vm.committed;
  if (offset < region->dirty_end)
    offset = region->dirty_end;
  if (offset >= end)
    return true;
  uint64_t from = offset & ~(samrena__vm_page_size() - 1);
  return samrena__vm_populate(base_of(region) + from, end - from);
}

/* Frees the spare regions after the current one that the capacity can
 * spare while staying >= floor, then decommits the current region down to
 * what is still needed.  Large pages cannot be decommitted in part. */
static SamrenaError virtual_trim(Samrena *arena, uint64_t keep_bytes) {
  Virtual *virt = state_of(arena);
  VirtualRegion *region = virt->current;
  uint64_t allocated = virtual_allocated(arena);
  uint64_t floor = keep_bytes > allocated ? keep_bytes : allocated;
  uint64_t capacity = virtual_capacity(arena);
  for (VirtualRegion **link = &region->next; *link != NULL;) {
    VirtualRegion *spare = *link;
    if (capacity - usable(spare) >= floor) {
      capacity -= usable(spare);
      *link = spare->next;
      spare->next = NULL;
      release_further(spare);
    } else {
      link = &spare->next;
    }
  }
  if (region->large_pages)
    return SAMRENA_OK;
  /* What the current region must still hold for pushes, from its start. */
  uint64_t before = virt->retired_used + usable_from(region->next);
  uint64_t keep_here = floor > before ? floor - before : 0;
  uint64_t room = region->vm.reserved - region->start;
  uint64_t target = region->start + (keep_here < room ? keep_here : room);
  uint64_t offset = offset_of(arena);
  SamrenaError error = samrena__vmem_decommit_to(&region->vm, target > offset ? target : offset);
  if (error != SAMRENA_OK)
    return error;
  if (region->dirty_end > region->vm.committed)
    region->dirty_end = region->vm.committed;
  set_limit_to_commit(arena);
  return SAMRENA_OK;
}

static void virtual_stats(const Samrena *arena, SamrenaStats *out) {
  Virtual *virt = state_of(arena);
  const VirtualRegion *region = &virt->first;
  do {
    out->committed += region->vm.committed;
    out->reserved += region->vm.reserved;
    out->blocks++;
  } while ((region = region->next) != NULL);
  out->wasted = virt->retired_tails;
}

/* What is left of the reservation past the padding; without a cap, any
 * push a further region could hold.  Under a budget, what it leaves room
 * to commit, here or in a further region.  A new arena has its default
 * reservation. */
static uint64_t virtual_room(const Samrena *arena, uint64_t alignment) {
  if (arena == NULL)
    return VIRTUAL_DEFAULT_RESERVE;
  Virtual *virt = state_of(arena);
  VirtualRegion *region = virt->current;
  uint64_t offset = offset_of(arena);
  uint64_t end = virt->uncapped ? UINT64_MAX : region->vm.reserved;
  uint64_t budget = budget_for(arena, region);
  if (budget < end)
    end = budget;
  uint64_t padding = samrena__padding_for(arena->fast.cursor, alignment);
  uint64_t here = end > offset && end - offset > padding ? end - offset - padding : 0;
  if (virt->uncapped) {
    uint64_t further = SAMRENA__MAX_FOOTPRINT - (alignment - 1);
    if (arena->limit_bytes != 0) {
      uint64_t total = committed_total(virt), limit = arena->limit_bytes;
      uint64_t pages = total < limit ? (limit - total) & ~(samrena__vm_page_size() - 1) : 0;
      further = pages > alignment - 1 ? pages - (alignment - 1) : 0;
    }
    if (further > here)
      here = further;
  }
  if (here > SAMRENA__MAX_FOOTPRINT - (alignment - 1))
    here = SAMRENA__MAX_FOOTPRINT - (alignment - 1);
  return here;
}

#define VIRTUAL_OP(function) function

#else /* !SAMRENA_ENABLE_VIRTUAL */

static bool virtual_available(void) {
  return false;
}

#define VIRTUAL_OP(function) NULL

#endif /* SAMRENA_ENABLE_VIRTUAL */

const SamrenaOps samrena__virtual_ops = {
    .name = "virtual",
    .strategy = SAMRENA_STRATEGY_VIRTUAL,
    .capabilities = SAMRENA_CAP_CONTIGUOUS_MEMORY | SAMRENA_CAP_ZERO_COPY_GROWTH |
                    SAMRENA_CAP_RESET | SAMRENA_CAP_RESERVE | SAMRENA_CAP_GROWS,
    .fallback = SAMRENA_STRATEGY_CHAINED,
    .takes = 0,
    .available = virtual_available,
    .create = VIRTUAL_OP(virtual_create),
    .destroy = VIRTUAL_OP(virtual_destroy),
    .push_slow = VIRTUAL_OP(virtual_push_slow),
    .zero = VIRTUAL_OP(virtual_zero),
    .allocated = VIRTUAL_OP(virtual_allocated),
    .capacity = VIRTUAL_OP(virtual_capacity),
    .reset = VIRTUAL_OP(virtual_reset),
    .reserve = VIRTUAL_OP(virtual_reserve),
    .trim = VIRTUAL_OP(virtual_trim),
    .stats = VIRTUAL_OP(virtual_stats),
    .save = VIRTUAL_OP(virtual_save),
    .restore = VIRTUAL_OP(virtual_restore),
    .rewind = VIRTUAL_OP(virtual_rewind),
    .extend = VIRTUAL_OP(virtual_extend),
    .room = VIRTUAL_OP(virtual_room),
    .resize_bookkeeping = NULL, /* malloc */
    .renew = VIRTUAL_OP(virtual_renew),
    .prepare = VIRTUAL_OP(virtual_prepare),
};
