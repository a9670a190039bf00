/* platform/thread_win32.c -- platform/thread.h on Windows: a slim
 * reader/writer lock used exclusively, and fiber-local storage, whose
 * callback Windows runs when a thread (or a fiber) exits. */
#include <config.h>

#include "platform/thread.h"

#include <stdatomic.h>
#include <stdint.h>
#include <windows.h>

_Static_assert(sizeof(SRWLOCK) <= sizeof(SamrenaMutex), "SamrenaMutex must hold an SRWLOCK");

static SRWLOCK *lock_of(SamrenaMutex *m) {
  return (SRWLOCK *)(void *)m->opaque;
}

bool samrena__mutex_init(SamrenaMutex *m) {
  InitializeSRWLock(lock_of(m));
  return true;
}

void samrena__mutex_lock(SamrenaMutex *m) {
  AcquireSRWLockExclusive(lock_of(m));
}

void samrena__mutex_unlock(SamrenaMutex *m) {
  ReleaseSRWLockExclusive(lock_of(m));
}

/* An SRW lock holds no resources. */
void samrena__mutex_destroy(SamrenaMutex *m) {
  (void)m;
}

void samrena__thread_yield(void) {
  SwitchToThread();
}

/* A fiber-local slot per user, allocated on its first use with a callback
 * that calls the user's; Windows runs it at thread exit for each thread
 * whose value is not NULL.  The callbacks are WINAPI, so each user has a
 * trampoline of its own. */
static INIT_ONCE samrena_exit_once[SAMRENA__EXIT_USERS] = {INIT_ONCE_STATIC_INIT,
                                                           INIT_ONCE_STATIC_INIT};
static DWORD samrena_exit_slots[SAMRENA__EXIT_USERS] = {FLS_OUT_OF_INDEXES, FLS_OUT_OF_INDEXES};
static void (*_Atomic samrena_exit_fns[SAMRENA__EXIT_USERS])(void *data);

static void run_exit_fn(SamrenaExitUser user, void *data) {
  if (data != NULL)
    atomic_load_explicit(&samrena_exit_fns[user], memory_order_relaxed)(data);
}

static void WINAPI run_exit_scratch(void *data) {
  run_exit_fn(SAMRENA__EXIT_SCRATCH, data);
}

static void WINAPI run_exit_parked(void *data) {
  run_exit_fn(SAMRENA__EXIT_PARKED, data);
}

_Static_assert(SAMRENA__EXIT_USERS == 2, "a trampoline and a slot per user");
static PFLS_CALLBACK_FUNCTION const samrena_exit_trampolines[SAMRENA__EXIT_USERS] = {
    run_exit_scratch, run_exit_parked};

/* Once a slot has a callback, every thread that sets it runs this DLL's
 * code when it exits: FreeLibrary while such a thread lives would leave
 * the callback pointing into unmapped memory.  So the module holding this
 * code (the DLL, or the program it is linked into) is pinned, never to be
 * unloaded, as ELF builds are with -z nodelete (configure.ac). */
static void pin_this_module(void) {
  HMODULE module;
  (void)GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
                           (LPCWSTR)(const void *)&samrena_exit_slots[0], &module);
}

static BOOL CALLBACK make_exit_slot(INIT_ONCE *once, void *parameter, void **context) {
  (void)once;
  (void)context;
  SamrenaExitUser user = (SamrenaExitUser)(uintptr_t)parameter;
  pin_this_module();
  samrena_exit_slots[user] = FlsAlloc(samrena_exit_trampolines[user]);
  return TRUE;
}

bool samrena__on_thread_exit(SamrenaExitUser user, void (*fn)(void *data), void *data) {
  atomic_store_explicit(&samrena_exit_fns[user], fn, memory_order_relaxed);
  InitOnceExecuteOnce(&samrena_exit_once[user], make_exit_slot, (void *)(uintptr_t)user, NULL);
  return samrena_exit_slots[user] != FLS_OUT_OF_INDEXES &&
         FlsSetValue(samrena_exit_slots[user], data);
}

/* Windows has no fork. */
void samrena__on_fork(void (*prepare)(void), void (*parent)(void), void (*child)(void)) {
  (void)prepare;
  (void)parent;
  (void)child;
}
