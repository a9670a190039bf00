/* platform/thread_none.c -- platform/thread.h for builds without threads:
 * there is only one thread, so the mutex has nothing to exclude, and the
 * one thread's exit is the process's. */
#include <config.h>

#include "platform/thread.h"

bool samrena__mutex_init(SamrenaMutex *m) {
  (void)m;
  return true;
}

void samrena__mutex_lock(SamrenaMutex *m) {
  (void)m;
}

void samrena__mutex_unlock(SamrenaMutex *m) {
  (void)m;
}

void samrena__mutex_destroy(SamrenaMutex *m) {
  (void)m;
}

/* With one thread, a spin lock is never held by another. */
void samrena__thread_yield(void) {
}

/* The one thread's exit is the process's: the library's unload callbacks
 * take back what its users keep. */
bool samrena__on_thread_exit(SamrenaExitUser user, void (*fn)(void *data), void *data) {
  (void)user;
  (void)fn;
  (void)data;
  return true;
}

/* One thread: no other one can hold a lock when it forks. */
void samrena__on_fork(void (*prepare)(void), void (*parent)(void), void (*child)(void)) {
  (void)prepare;
  (void)parent;
  (void)child;
}
