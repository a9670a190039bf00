/* platform/win32.c -- the virtual memory platform layer on Windows:
 * VirtualAlloc(MEM_RESERVE) reserves, VirtualAlloc(MEM_COMMIT) commits,
 * VirtualFree(MEM_DECOMMIT) gives back, PrefetchVirtualMemory prefetches
 * where the system has it (Windows 8 and later: looked up at run time), and
 * VirtualAlloc(MEM_LARGE_PAGES) reserves and commits a large-page range when
 * the process may lock memory.
 */
#include <config.h>

#include "platform/vm.h"
#include "fault.h"

#include <stdatomic.h>
#include <string.h>
#include <windows.h>

/* GetSystemInfo's answers never change; any thread may store them and a
 * racing thread at worst asks again. */
static _Atomic uint64_t samrena_cached_page_size;
static _Atomic uint64_t samrena_cached_granularity;

static void load_system_info(void) {
  SYSTEM_INFO info;
  GetSystemInfo(&info);
  atomic_store_explicit(&samrena_cached_granularity, (uint64_t)info.dwAllocationGranularity,
                        memory_order_relaxed);
  atomic_store_explicit(&samrena_cached_page_size, (uint64_t)info.dwPageSize,
                        memory_order_relaxed);
}

uint64_t samrena__vm_page_size(void) {
  uint64_t size = atomic_load_explicit(&samrena_cached_page_size, memory_order_relaxed);
  if (size == 0) {
    load_system_info();
    size = atomic_load_explicit(&samrena_cached_page_size, memory_order_relaxed);
  }
  return samrena__is_power_of_two(size) ? size : 0;
}

/* Reservations start on, and are sized in, the allocation granularity
 * (64 KiB): VirtualAlloc rounds the address down to it anyway. */
uint64_t samrena__vm_reserve_granularity(void) {
  uint64_t granularity = atomic_load_explicit(&samrena_cached_granularity, memory_order_relaxed);
  if (granularity == 0) {
    load_system_info();
    granularity = atomic_load_explicit(&samrena_cached_granularity, memory_order_relaxed);
  }
  return samrena__is_power_of_two(granularity) ? granularity : 0;
}

bool samrena__vm_supported(void) {
  return samrena__vm_page_size() != 0 && samrena__vm_reserve_granularity() != 0;
}

static bool fits_size_t(uint64_t size) {
  return size <= SIZE_MAX;
}

/* A reservation holds only address space, so any refusal means there is
 * no room for it: report it as out of memory, which lets DEFAULT and
 * VIRTUAL arenas fall back to chained. */
SamrenaError samrena__vm_reserve(uint64_t size, void **base) {
  if (samrena__fault_now())
    return SAMRENA_ERROR_OUT_OF_MEMORY;
  if (!fits_size_t(size))
    return SAMRENA_ERROR_OUT_OF_MEMORY;
  void *address = VirtualAlloc(NULL, (SIZE_T)size, MEM_RESERVE, PAGE_NOACCESS);
  if (address == NULL)
    return SAMRENA_ERROR_OUT_OF_MEMORY;
  *base = address;
  return SAMRENA_OK;
}

/* Committing charges the system commit limit; past it VirtualAlloc fails. */
SamrenaError samrena__vm_commit(void *addr, uint64_t size) {
  if (samrena__fault_now())
    return SAMRENA_ERROR_OUT_OF_MEMORY;
  if (VirtualAlloc(addr, (SIZE_T)size, MEM_COMMIT, PAGE_READWRITE) == NULL)
    return GetLastError() == ERROR_INVALID_ADDRESS ? SAMRENA_ERROR_PLATFORM
                                                   : SAMRENA_ERROR_OUT_OF_MEMORY;
  return SAMRENA_OK;
}

SamrenaError samrena__vm_decommit(void *addr, uint64_t size) {
  if (samrena__fault_now())
    return SAMRENA_ERROR_PLATFORM;
  return VirtualFree(addr, (SIZE_T)size, MEM_DECOMMIT) ? SAMRENA_OK : SAMRENA_ERROR_PLATFORM;
}

SamrenaError samrena__vm_release(void *base, uint64_t size) {
  (void)size; /* MEM_RELEASE frees the whole reservation and wants 0 */
  return VirtualFree(base, 0, MEM_RELEASE) ? SAMRENA_OK : SAMRENA_ERROR_PLATFORM;
}

/* Large pages are locked in RAM, so they need SeLockMemoryPrivilege: an
 * administrator grants it to an account ("Lock pages in memory"), and the
 * process must then enable it in its token.  AdjustTokenPrivileges succeeds
 * even when the token lacks it and says so only through GetLastError.  A
 * token never gains a privilege it was created without, so the answer is
 * kept; any thread may store it and a racing thread at worst asks again. */
enum { LOCK_PRIVILEGE_UNKNOWN, LOCK_PRIVILEGE_ENABLED, LOCK_PRIVILEGE_MISSING };
static _Atomic int samrena_lock_privilege;

static bool enable_lock_memory_privilege(void) {
  int known = atomic_load_explicit(&samrena_lock_privilege, memory_order_relaxed);
  if (known != LOCK_PRIVILEGE_UNKNOWN)
    return known == LOCK_PRIVILEGE_ENABLED;
  HANDLE token;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, &token))
    return false;
  TOKEN_PRIVILEGES wanted;
  wanted.PrivilegeCount = 1;
  wanted.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED;
  bool enabled =
      LookupPrivilegeValueW(NULL, L"SeLockMemoryPrivilege", &wanted.Privileges[0].Luid) &&
      AdjustTokenPrivileges(token, FALSE, &wanted, 0, NULL, NULL) &&
      GetLastError() != ERROR_NOT_ALL_ASSIGNED;
  CloseHandle(token);
  atomic_store_explicit(&samrena_lock_privilege,
                        enabled ? LOCK_PRIVILEGE_ENABLED : LOCK_PRIVILEGE_MISSING,
                        memory_order_relaxed);
  return enabled;
}

/* Windows backs a range with large pages only when it is reserved and
 * committed in the same call, in whole large pages.  Every refusal, lack
 * of contiguous physical memory included, reads as unsupported: the caller
 * then uses normal pages. */
SamrenaError samrena__vm_reserve_large_pages(uint64_t size, void **base, uint64_t *reserved) {
  if (samrena__fault_now())
    return SAMRENA_ERROR_UNSUPPORTED_OPERATION;
  uint64_t large_page = (uint64_t)GetLargePageMinimum();
  uint64_t rounded;
  if (!samrena__is_power_of_two(large_page) ||
      !samrena__round_up_checked(size, large_page, &rounded) || !fits_size_t(rounded) ||
      rounded > SAMRENA__MAX_FOOTPRINT)
    return SAMRENA_ERROR_UNSUPPORTED_OPERATION;
  if (!enable_lock_memory_privilege())
    return SAMRENA_ERROR_UNSUPPORTED_OPERATION;
  void *address = VirtualAlloc(NULL, (SIZE_T)rounded, MEM_RESERVE | MEM_COMMIT | MEM_LARGE_PAGES,
                               PAGE_READWRITE);
  if (address == NULL)
    return SAMRENA_ERROR_UNSUPPORTED_OPERATION;
  *base = address;
  *reserved = rounded;
  return SAMRENA_OK;
}

/* Declared here because older SDK headers hide them below _WIN32_WINNT 0x0602. */
typedef struct {
  PVOID VirtualAddress;
  SIZE_T NumberOfBytes;
} SamrenaMemoryRange;
typedef BOOL(WINAPI *PrefetchVirtualMemoryFn)(HANDLE, ULONG_PTR, SamrenaMemoryRange *, ULONG);

static PrefetchVirtualMemoryFn find_prefetch(void) {
  HMODULE kernel32 = GetModuleHandleW(L"kernel32.dll");
  if (kernel32 == NULL)
    return NULL;
  FARPROC found = GetProcAddress(kernel32, "PrefetchVirtualMemory");
  PrefetchVirtualMemoryFn prefetch;
  /* FARPROC to a specific function type: copy the bits, as POSIX dlsym users do. */
  _Static_assert(sizeof found == sizeof prefetch, "function pointer sizes differ");
  memcpy(&prefetch, &found, sizeof prefetch);
  return prefetch;
}

/* Windows commits explicitly and has no mapping-count limit to save:
 * stable blocks use reserve and commit there. */
SamrenaError samrena__vm_reserve_touchable(uint64_t size, void **base) {
  if (samrena__fault_now())
    return SAMRENA_ERROR_OUT_OF_MEMORY;
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
  if (samrena__fault_now())
    return false;
  PrefetchVirtualMemoryFn prefetch = find_prefetch();
  if (prefetch == NULL)
    return false;
  SamrenaMemoryRange range = {addr, (SIZE_T)size};
  return prefetch(GetCurrentProcess(), 1, &range, 0) != 0;
}

/* PrefetchVirtualMemory is documented for reading pages in, not for
 * committed memory never touched: no populating is claimed. */
bool samrena__vm_populate(void *addr, uint64_t size) {
  (void)addr;
  (void)size;
  return false;
}

/* Windows has no transparent huge pages: MEM_LARGE_PAGES must be committed
 * whole at reservation time (samrena__vm_reserve_large_pages above), which
 * breaks lazy commit, so a lazily committed range stays on normal pages. */
bool samrena__vm_advise_huge_pages(void *addr, uint64_t size) {
  (void)addr;
  (void)size;
  return false;
}

/* Reservations count against no limit but the address space itself. */
bool samrena__vm_address_space_ample(void) {
  return UINTPTR_MAX > UINT32_MAX;
}
