/* platform/thread.h -- the contract between the portable code and one
 * platform's threads: a mutex, a yield, and a callback when a thread exits.
 * Exactly one file implements it: platform/thread_posix.c (pthreads),
 * platform/thread_win32.c (SRW locks, fiber-local storage) or
 * platform/thread_none.c (a build without threads: the mutex does nothing
 * and no thread but the first exists).  Nothing here records an error.
 */
#ifndef SAMRENA_PLATFORM_THREAD_H
#define SAMRENA_PLATFORM_THREAD_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>

/* Room for the platform's mutex (pthread_mutex_t, SRWLOCK), which each
 * platform file checks it fits in. */
typedef struct {
  alignas(max_align_t) unsigned char opaque[64];
} SamrenaMutex;

/* Pre: m not initialized.  Post: true and m usable, or false (no memory or
 * resources) and nothing to destroy. */
bool samrena__mutex_init(SamrenaMutex *m);
/* Pre: m initialized, not held by the caller (not recursive). */
void samrena__mutex_lock(SamrenaMutex *m);
/* Pre: m held by the caller. */
void samrena__mutex_unlock(SamrenaMutex *m);
/* Pre: m initialized and not held.  Post: m not initialized. */
void samrena__mutex_destroy(SamrenaMutex *m);

/* Gives the rest of the calling thread's time slice to another thread. */
void samrena__thread_yield(void);

/* The library's users of a thread-exit callback, each with a slot of its
 * own (a pthread key, a fiber-local slot). */
typedef enum {
  SAMRENA__EXIT_SCRATCH, /* toolkit/scratch.c: the thread's scratch arenas */
  SAMRENA__EXIT_PARKED,  /* port/park.c: the arena the thread keeps for reuse */
  SAMRENA__EXIT_USERS
} SamrenaExitUser;

/* Arranges for fn(data) to run when the calling thread exits, before its
 * thread-local storage goes; a later call from the same thread for the
 * same user replaces data.  data must not be NULL; fn must be the same
 * function on every call for that user in the process.  Returns false
 * where the platform cannot (then nothing runs); a build without threads
 * returns true and runs nothing, its one thread ending with the process. */
bool samrena__on_thread_exit(SamrenaExitUser user, void (*fn)(void *data), void *data);

/* Arranges for prepare to run in the thread that calls fork(2), just
 * before the fork, and for parent and child to run just after it in each
 * process.  The child has only the forking thread: a lock another thread
 * held at that moment would be held for ever there, unless prepare took
 * it first.  Where there is no fork or no other thread (Windows, a build
 * without threads) it arranges nothing. */
void samrena__on_fork(void (*prepare)(void), void (*parent)(void), void (*child)(void));

#endif /* SAMRENA_PLATFORM_THREAD_H */
