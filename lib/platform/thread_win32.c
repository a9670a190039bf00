/* platform/thread_win32.c -- platform/thread.h on Windows: a slim
 * reader/writer lock used exclusively, and fiber-local storage, whose
 * callback Windows runs when a thread (or a fiber) exits. */
#include <config.h>

#include "platform/thread.h"

#include <stdatomic.h>
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

/* One fiber-local slot for the process, allocated on first use with a
 * callback that calls the library's; Windows runs it at thread exit for
 * each thread whose value is not NULL. */
static INIT_ONCE samrena_exit_once = INIT_ONCE_STATIC_INIT;
static DWORD samrena_exit_slot = FLS_OUT_OF_INDEXES;
static void (*_Atomic samrena_exit_fn)(void *data);

static void WINAPI run_exit_fn(void *data) {
  if (data != NULL)
    atomic_load_explicit(&samrena_exit_fn, memory_order_relaxed)(data);
}

static BOOL CALLBACK make_exit_slot(INIT_ONCE *once, void *parameter, void **context) {
  (void)once;
  (void)parameter;
  (void)context;
  samrena_exit_slot = FlsAlloc(run_exit_fn);
  return TRUE;
}

bool samrena__on_thread_exit(void (*fn)(void *data), void *data) {
  atomic_store_explicit(&samrena_exit_fn, fn, memory_order_relaxed);
  InitOnceExecuteOnce(&samrena_exit_once, make_exit_slot, NULL, NULL);
  return samrena_exit_slot != FLS_OUT_OF_INDEXES && FlsSetValue(samrena_exit_slot, data);
}
