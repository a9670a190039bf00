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

/* A key per user, made on its first use with fn as its destructor, which
 * POSIX runs for each exiting thread whose value is not NULL.  Made under a
 * lock, as pthread_once takes no argument; read without one once made. */
static pthread_mutex_t samrena_exit_keys_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t samrena_exit_keys[SAMRENA__EXIT_USERS];
enum { KEY_UNMADE, KEY_MADE, KEY_FAILED };
static _Atomic int samrena_exit_key_state[SAMRENA__EXIT_USERS];

static bool exit_key(SamrenaExitUser user, void (*fn)(void *data), pthread_key_t *key) {
  int state = atomic_load_explicit(&samrena_exit_key_state[user], memory_order_acquire);
  if (state == KEY_UNMADE) {
    pthread_mutex_lock(&samrena_exit_keys_lock);
    state = atomic_load_explicit(&samrena_exit_key_state[user], memory_order_relaxed);
    if (state == KEY_UNMADE) {
      state = pthread_key_create(&samrena_exit_keys[user], fn) == 0 ? KEY_MADE : KEY_FAILED;
      atomic_store_explicit(&samrena_exit_key_state[user], state, memory_order_release);
    }
    pthread_mutex_unlock(&samrena_exit_keys_lock);
  }
  *key = samrena_exit_keys[user];
  return state == KEY_MADE;
}

/* The keys' lock is this file's own: a fork while another thread makes a
 * key must not leave it locked in the child. */
static void exit_keys_lock(void) {
  pthread_mutex_lock(&samrena_exit_keys_lock);
}

static void exit_keys_unlock(void) {
  pthread_mutex_unlock(&samrena_exit_keys_lock);
}

#if defined(__GNUC__)
__attribute__((constructor)) static void exit_keys_guard_fork(void) {
  samrena__on_fork(exit_keys_lock, exit_keys_unlock, exit_keys_unlock);
}
#endif

bool samrena__on_thread_exit(SamrenaExitUser user, void (*fn)(void *data), void *data) {
  pthread_key_t key;
  return exit_key(user, fn, &key) && pthread_setspecific(key, data) == 0;
}

/* pthread_atfork fails only for want of memory, at load time: the fork
 * is then as unguarded as it was before. */
void samrena__on_fork(void (*prepare)(void), void (*parent)(void), void (*child)(void)) {
  (void)pthread_atfork(prepare, parent, child);
}
