/* platform/thread_posix.c -- platform/thread.h over POSIX threads: a
 * pthread mutex, and a thread-specific key whose destructor runs at
 * thread exit. */
#include <config.h>

#include "platform/thread.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

_Static_assert(sizeof(pthread_mutex_t) <= sizeof(SamrenaMutex), "SamrenaMutex must hold a pthread mutex");
_Static_assert(alignof(pthread_mutex_t) <= alignof(SamrenaMutex), "SamrenaMutex must align a pthread mutex");

static pthread_mutex_t *mutex_of(SamrenaMutex *m) {
  return (pthread_mutex_t *)(void *)m->opaque;
}

bool samrena__mutex_init(SamrenaMutex *m) {
  return pthread_mutex_init(mutex_of(m), NULL) == 0;
}

void samrena__mutex_lock(SamrenaMutex *m) {
  pthread_mutex_lock(mutex_of(m));
}

void samrena__mutex_unlock(SamrenaMutex *m) {
  pthread_mutex_unlock(mutex_of(m));
}

void samrena__mutex_destroy(SamrenaMutex *m) {
  pthread_mutex_destroy(mutex_of(m));
}

void samrena__thread_yield(void) {
  sched_yield();
}

/* One key for the process, made on first use; its destructor calls the
 * callback, which POSIX runs for each exiting thread whose value is not
 * NULL.  Every caller stores the same callback, atomically. */
static pthread_once_t samrena_exit_once = PTHREAD_ONCE_INIT;
static pthread_key_t samrena_exit_key;
static bool samrena_exit_key_made;
static void (*_Atomic samrena_exit_fn)(void *data);

static void run_exit_fn(void *data) {
  atomic_load_explicit(&samrena_exit_fn, memory_order_relaxed)(data);
}

static void make_exit_key(void) {
  samrena_exit_key_made = pthread_key_create(&samrena_exit_key, run_exit_fn) == 0;
}

bool samrena__on_thread_exit(void (*fn)(void *data), void *data) {
  atomic_store_explicit(&samrena_exit_fn, fn, memory_order_relaxed);
  pthread_once(&samrena_exit_once, make_exit_key);
  return samrena_exit_key_made && pthread_setspecific(samrena_exit_key, data) == 0;
}
