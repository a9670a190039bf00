/* adapters/virtual.c -- the virtual memory adapter: one contiguous
 * reservation of max_reserve bytes, committed in commit_size steps as the
 * cursor crosses them (or, for Windows large pages, committed whole at
 * creation).  Pushes are contiguous and never move; growth is an mprotect,
 * never a copy.  Built on SamrenaVmem; no OS call is made here.
 */
#include <config.h>

#include "platform/vm.h"
#include "fault.h"

#include <string.h>

/* Address space reserved when max_reserve is 0. */
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

/* Transparent huge pages: a fault then maps 2 MiB at once instead of 4 KiB.
 * Filling fresh memory in 64 KiB pushes measured here (THP in madvise mode):
 * 0.25 GiB/s with small pages whatever the size; with huge pages past
 * 2 MiB, 0.65 GiB/s at 4 MiB, 2 GiB/s at 16 MiB, 5.7 at 64 MiB, 9.5 at
 * 256 MiB (the first 2 MiB stay small pages).  The cost is at most one huge
 * page of resident slack.  So an arena asks for them once it has committed
 * more than HUGE_PAGE_THRESHOLD, and from then on commits in 2 MiB steps: an
 * arena that never passes 2 MiB keeps small pages and small steps.
 *
 * Those first 2 MiB of small pages then cost as much as the next 30 MiB
 * of huge ones: filling 64 MiB measured 4.5 GiB/s, against 12 with huge
 * pages from the first byte.  An arena that has handed out
 * HUGE_PAGE_EARLY_USED and grows past HUGE_PAGE_EARLY_END is evidently
 * not tiny: it asks for huge pages from its start and has the kernel
 * collapse its first 2 MiB into one (MADV_COLLAPSE, Linux 6.1) at once, so
 * the rest of them faults nothing: 7.7-8.2 GiB/s for the same 64 MiB.  A
 * push_zero of fresh memory hands out nothing before it and keeps its
 * pages untouched. */
#define HUGE_PAGE_SIZE (UINT64_C(2) << 20)
#define HUGE_PAGE_THRESHOLD (UINT64_C(2) << 20)
#define HUGE_PAGE_EARLY_END (UINT64_C(512) << 10)
#define HUGE_PAGE_EARLY_USED (UINT64_C(256) << 10)

typedef struct {
  SamrenaVmem vm;
  uint64_t poisoned_end; /* high-water of the commit: what poison.h may have marked */
  uint64_t commit_step; /* a multiple of the page size, not always a power of two */
  uint64_t dirty_end;   /* offset below which memory may hold old data */
  bool huge_allowed;    /* may ask for huge pages past the threshold */
  bool huge_advised;    /* asked: past the threshold, or all of it with the flag */
  bool collapse_first;  /* asked early: collapse the first 2 MiB once committed */
  bool large_pages;     /* committed whole on large pages: never decommitted or cached */
} Virtual;

_Static_assert(sizeof(Virtual) <= SAMRENA__ADAPTER_STATE_BYTES, "Virtual must fit in the arena");

static Virtual *state_of(const Samrena *arena) {
  return (Virtual *)arena->adapter;
}

static unsigned char *base_of(const Virtual *virt) {
  return (unsigned char *)virt->vm.base;
}

static uint64_t offset_of(const Samrena *arena) {
  return (uint64_t)(arena->fast.cursor - base_of(state_of(arena)));
}

static void set_limit_to_commit(Samrena *arena) {
  Virtual *virt = state_of(arena);
  arena->limit = base_of(virt) + virt->vm.committed;
}

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

/* A reservation of the same size from the cache when there is one: its
 * committed pages may hold old data.  Otherwise a new one. */
static SamrenaError reserve_range(Virtual *virt, uint64_t reserve, bool may_use_cache) {
  uint64_t rounded;
  if (!samrena__round_up_checked(reserve, samrena__vm_reserve_granularity(), &rounded))
    return samrena__fail(SAMRENA_ERROR_OVERFLOW);
  if (may_use_cache && samrena__vmem_cache_take(rounded, &virt->vm)) {
    virt->vm.used = 0;
    virt->dirty_end = virt->vm.committed;
    return SAMRENA_OK;
  }
  return samrena__vmem_reserve(&virt->vm, reserve);
}

/* Commits up to target; what is new is poisoned until pushed. */
static SamrenaError commit_poisoned(Virtual *virt, uint64_t target) {
  uint64_t before = virt->vm.committed;
  SamrenaError error = samrena__vmem_commit_to(&virt->vm, target);
  if (virt->vm.committed > before) {
    SAMRENA__POISON(base_of(virt) + before, virt->vm.committed - before);
    if (virt->vm.committed > virt->poisoned_end)
      virt->poisoned_end = virt->vm.committed;
  }
  return error;
}

/* Large pages (Windows: samrena__vm_reserve_large_pages) cannot be
 * committed lazily: the whole range is committed, and locked in RAM, when
 * it is reserved.  So they are tried only when the caller asked for huge
 * pages and also set max_reserve, choosing how much RAM the arena may pin;
 * the default reservation (2 GiB) would pin far too much.  When they cannot
 * be had the arena silently gets the normal lazy reservation. */
static bool reserve_large_pages(Virtual *virt, const SamrenaSettings *settings) {
  if ((settings->flags & SAMRENA_FLAG_HUGE_PAGES) == 0 || settings->max_reserve == 0)
    return false;
  void *base;
  uint64_t reserved;
  if (samrena__vm_reserve_large_pages(settings->max_reserve, &base, &reserved) != SAMRENA_OK)
    return false;
  virt->vm.base = base;
  virt->vm.reserved = reserved;
  virt->vm.committed = reserved; /* fresh, so dirty_end stays 0 */
  virt->large_pages = true;
  return true;
}

static void release_range(Virtual *virt) {
  /* Shadow memory outlives a mapping: the next owner of these addresses
   * must not find them poisoned. */
  SAMRENA__UNPOISON(virt->vm.base, virt->poisoned_end);
  if (virt->large_pages || virt->huge_advised || !samrena__vmem_cache_put(&virt->vm))
    samrena__vm_release(virt->vm.base, virt->vm.reserved);
}

static SamrenaError virtual_create(Samrena *arena, const SamrenaSettings *settings) {
  uint64_t reserve = settings->max_reserve;
  if (reserve == 0)
    reserve = settings->initial_bytes > VIRTUAL_DEFAULT_RESERVE ? settings->initial_bytes
                                                                : VIRTUAL_DEFAULT_RESERVE;
  bool huge_now = (settings->flags & SAMRENA_FLAG_HUGE_PAGES) != 0;
  Virtual *virt = samrena__adapter_state(arena, sizeof(Virtual));
  SamrenaError error = choose_commit_step(settings->commit_size, &virt->commit_step);
  if (error == SAMRENA_OK && !reserve_large_pages(virt, settings))
    error = reserve_range(virt, reserve, !huge_now);
  if (error != SAMRENA_OK)
    return error;
  virt->huge_allowed = (settings->flags & SAMRENA_FLAG_NO_HUGE_PAGES) == 0 &&
                       !virt->large_pages && virt->vm.reserved > HUGE_PAGE_THRESHOLD;
  if (huge_now && !virt->large_pages &&
      samrena__vm_advise_huge_pages(virt->vm.base, virt->vm.reserved)) {
    virt->huge_advised = true;
    if (virt->commit_step < HUGE_PAGE_SIZE)
      virt->commit_step = HUGE_PAGE_SIZE;
  }
  SAMRENA__POISON(virt->vm.base, virt->vm.committed); /* a reused or large-page range's */
  virt->poisoned_end = virt->vm.committed;
  error = commit_poisoned(virt, settings->initial_bytes);
  if (error != SAMRENA_OK) {
    SAMRENA__UNPOISON(virt->vm.base, virt->poisoned_end);
    samrena__vm_release(virt->vm.base, virt->vm.reserved);
    return error;
  }
  arena->fast.cursor = base_of(virt);
  set_limit_to_commit(arena);
  return SAMRENA_OK;
}

static void virtual_destroy(Samrena *arena) {
  Virtual *virt = state_of(arena);
  release_range(virt);
}

/* Asks for huge pages the first time the arena grows past the threshold,
 * from the threshold on; or, growing past HUGE_PAGE_EARLY_END with
 * HUGE_PAGE_EARLY_USED handed out, from its start, the first 2 MiB to be
 * collapsed once committed. */
static void advise_huge_pages(Virtual *virt, uint64_t end, uint64_t used) {
  if (!virt->huge_allowed || virt->huge_advised)
    return;
  if (end > HUGE_PAGE_EARLY_END && used >= HUGE_PAGE_EARLY_USED) {
    virt->huge_advised = samrena__vm_advise_huge_pages(virt->vm.base, virt->vm.reserved);
    virt->collapse_first = virt->huge_advised;
  } else if (end > HUGE_PAGE_THRESHOLD) {
    virt->huge_advised = samrena__vm_advise_huge_pages(
        base_of(virt) + HUGE_PAGE_THRESHOLD, virt->vm.reserved - HUGE_PAGE_THRESHOLD);
  } else {
    return;
  }
  virt->huge_allowed = virt->huge_advised;
}

/* Where to commit up to for a push ending at offset `end`: the next step
 * boundary, in 2 MiB steps where huge pages were asked for. */
static uint64_t commit_target(const Virtual *virt, uint64_t end) {
  uint64_t step = virt->commit_step;
  bool huge_here = virt->huge_advised && (virt->collapse_first || end > HUGE_PAGE_THRESHOLD);
  if (huge_here && step < HUGE_PAGE_SIZE)
    step = HUGE_PAGE_SIZE;
  /* A multiple of the step, which need not be a power of two; no
   * overflow, as end and step are both below SAMRENA__MAX_FOOTPRINT. */
  uint64_t target = (end + step - 1) / step * step;
  return target < virt->vm.reserved ? target : virt->vm.reserved;
}

/* Commits for a push ending at offset `end`, `used` bytes handed out
 * before it.  The collapse is a hint: its failure changes nothing. */
static SamrenaError commit_for(Virtual *virt, uint64_t end, uint64_t used) {
  advise_huge_pages(virt, end, used);
  SamrenaError error = commit_poisoned(virt, commit_target(virt, end));
  if (error == SAMRENA_OK && virt->collapse_first && virt->vm.committed >= HUGE_PAGE_SIZE) {
    samrena__vm_collapse_huge_pages(virt->vm.base, HUGE_PAGE_SIZE);
    virt->collapse_first = false;
  }
  return error;
}

/* Commits up to the next step boundary past the push: at most one step
 * beyond what it needs. */
static void *virtual_push_slow(Samrena *arena, uint64_t size, uint64_t alignment) {
  Virtual *virt = state_of(arena);
  uint64_t offset = offset_of(arena);
  uint64_t padding = samrena__padding_for(arena->fast.cursor, alignment);
  uint64_t room = virt->vm.reserved - offset;
  if (padding > room || size > room - padding)
    return samrena__fail_null(SAMRENA_ERROR_OUT_OF_MEMORY);

  uint64_t end = offset + padding + size;
  if (commit_for(virt, end, offset) != SAMRENA_OK)
    return NULL;
  set_limit_to_commit(arena);
  arena->fast.cursor = base_of(virt) + end;
  return base_of(virt) + offset + padding;
}

/* Pages committed and never handed out since are the kernel's fresh zero
 * pages: only what lies below the high-water mark of earlier use needs a memset. */
static void virtual_zero(Samrena *arena, void *ptr, uint64_t size) {
  Virtual *virt = state_of(arena);
  uint64_t offset = (uint64_t)((unsigned char *)ptr - base_of(virt));
  uint64_t dirty = offset < virt->dirty_end ? virt->dirty_end - offset : 0;
  if (dirty > size)
    dirty = size;
  memset(ptr, 0, (size_t)dirty);
  SAMRENA__DEFINED((unsigned char *)ptr + dirty, size - dirty);
}

static uint64_t virtual_allocated(const Samrena *arena) {
  return offset_of(arena);
}

static uint64_t virtual_capacity(const Samrena *arena) {
  return state_of(arena)->vm.committed;
}

/* Memory the cursor leaves behind was handed out: it is no longer fresh. */
static void virtual_rewind(Samrena *arena, unsigned char *cursor) {
  Virtual *virt = state_of(arena);
  uint64_t offset = offset_of(arena);
  if (offset > virt->dirty_end)
    virt->dirty_end = offset;
  SAMRENA__POISON(cursor, arena->fast.cursor - cursor);
  arena->fast.cursor = cursor;
}

static void virtual_reset(Samrena *arena) {
  virtual_rewind(arena, base_of(state_of(arena)));
}

static void virtual_save(const Samrena *arena, SamrenaPosition *out) {
  memset(out, 0, sizeof *out);
  out->cursor = arena->fast.cursor;
}

static void virtual_restore(Samrena *arena, const SamrenaPosition *position) {
  virtual_rewind(arena, position->cursor);
}

/* Commits in place: the reservation is contiguous. */
static bool virtual_extend(Samrena *arena, uint64_t bytes) {
  Virtual *virt = state_of(arena);
  uint64_t offset = offset_of(arena);
  if (bytes > virt->vm.reserved - offset)
    return false;
  SamrenaError before = samrena_last_error();
  if (commit_for(virt, offset + bytes, offset) != SAMRENA_OK) {
    samrena__fail(before); /* the caller falls back; this is not its error */
    return false;
  }
  set_limit_to_commit(arena);
  return true;
}

/* Commits up to min_capacity, then asks the OS to fault in everything from
 * the cursor's page on, so later pushes take no page faults. */
static SamrenaError virtual_reserve(Samrena *arena, uint64_t min_capacity) {
  Virtual *virt = state_of(arena);
  if (min_capacity > virt->vm.reserved)
    return samrena__fail(SAMRENA_ERROR_INVALID_PARAMETER);
  SamrenaError error = commit_for(virt, min_capacity, offset_of(arena));
  if (error != SAMRENA_OK)
    return error;
  set_limit_to_commit(arena);
  uint64_t page = samrena__vm_page_size();
  uint64_t from = offset_of(arena) & ~(page - 1);
  if (from < virt->vm.committed)
    samrena__vm_prefetch(base_of(virt) + from, virt->vm.committed - from);
  return SAMRENA_OK;
}

static SamrenaError virtual_trim(Samrena *arena, uint64_t keep_bytes) {
  Virtual *virt = state_of(arena);
  if (virt->large_pages)
    return SAMRENA_OK; /* large pages cannot be decommitted in part: all is kept */
  uint64_t allocated = offset_of(arena);
  SamrenaError error =
      samrena__vmem_decommit_to(&virt->vm, keep_bytes > allocated ? keep_bytes : allocated);
  if (error != SAMRENA_OK)
    return error;
  if (virt->dirty_end > virt->vm.committed)
    virt->dirty_end = virt->vm.committed;
  set_limit_to_commit(arena);
  return SAMRENA_OK;
}

static void virtual_stats(const Samrena *arena, SamrenaStats *out) {
  Virtual *virt = state_of(arena);
  out->committed = virt->vm.committed;
  out->reserved = virt->vm.reserved;
  out->blocks = 1;
}

/* What is left of the reservation past the padding.  A new arena has its
 * default reservation. */
static uint64_t virtual_room(const Samrena *arena, uint64_t alignment) {
  if (arena == NULL)
    return VIRTUAL_DEFAULT_RESERVE;
  Virtual *virt = state_of(arena);
  uint64_t rest = virt->vm.reserved - offset_of(arena);
  uint64_t padding = samrena__padding_for(arena->fast.cursor, alignment);
  return padding <= rest ? rest - padding : 0;
}

const SamrenaOps samrena__virtual_ops = {
    .name = "virtual",
    .strategy = SAMRENA_STRATEGY_VIRTUAL,
    .capabilities = SAMRENA_CAP_CONTIGUOUS_MEMORY | SAMRENA_CAP_ZERO_COPY_GROWTH |
                    SAMRENA_CAP_RESET | SAMRENA_CAP_RESERVE,
    .available = virtual_available,
    .create = virtual_create,
    .destroy = virtual_destroy,
    .push_slow = virtual_push_slow,
    .zero = virtual_zero,
    .allocated = virtual_allocated,
    .capacity = virtual_capacity,
    .reset = virtual_reset,
    .reserve = virtual_reserve,
    .trim = virtual_trim,
    .stats = virtual_stats,
    .save = virtual_save,
    .restore = virtual_restore,
    .rewind = virtual_rewind,
    .extend = virtual_extend,
    .room = virtual_room,
};
