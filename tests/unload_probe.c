/* unload_probe -- loads the shared library given as its argument (it is
 * not linked to it: dlopen, or LoadLibrary on Windows), lets a thread use
 * it so that the thread holds a scratch arena and a kept arena, unloads
 * the library (dlclose, FreeLibrary) while that thread lives, and then
 * lets the thread exit: its exit callbacks are the library's functions, so
 * they must still be there.  Afterwards the library, if still loaded, must
 * list no arena: the callbacks ran and destroyed the thread's arenas.
 *
 * Exit status 0 when all that holds, 1 when a check fails (a crash is a
 * failure too), 77 when the system cannot run it. */
#include <config.h>

#include "samrena.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------- the platform's calls */

#if defined(_WIN32)
#include <windows.h>

typedef HMODULE Library;

static Library library_open(const char *path) {
  return LoadLibraryA(path);
}

/* Only if it is loaded already; no reference taken. */
static Library library_if_loaded(const char *path) {
  const char *name = strrchr(path, '/');
  return GetModuleHandleA(name != NULL ? name + 1 : path);
}

static bool library_close(Library library) {
  return FreeLibrary(library) != 0;
}

static bool library_symbol(Library library, const char *name, void *fn, size_t fn_size) {
  FARPROC symbol = GetProcAddress(library, name);
  if (symbol == NULL || fn_size != sizeof symbol)
    return false;
  memcpy(fn, &symbol, fn_size);
  return true;
}

typedef HANDLE Thread;

static DWORD WINAPI thread_main(void *arg);

static bool thread_start(Thread *thread, void *arg) {
  *thread = CreateThread(NULL, 0, thread_main, arg, 0, NULL);
  return *thread != NULL;
}

static void thread_join(Thread thread) {
  WaitForSingleObject(thread, INFINITE);
  CloseHandle(thread);
}

static SRWLOCK stage_lock = SRWLOCK_INIT;
static CONDITION_VARIABLE stage_changed = CONDITION_VARIABLE_INIT;
#define STAGE_LOCK() AcquireSRWLockExclusive(&stage_lock)
#define STAGE_UNLOCK() ReleaseSRWLockExclusive(&stage_lock)
#define STAGE_WAIT() SleepConditionVariableSRW(&stage_changed, &stage_lock, INFINITE, 0)
#define STAGE_SIGNAL() WakeAllConditionVariable(&stage_changed)

#else
#include <dlfcn.h>
#include <pthread.h>

typedef void *Library;

static Library library_open(const char *path) {
  return dlopen(path, RTLD_NOW | RTLD_LOCAL);
}

static Library library_if_loaded(const char *path) {
  return dlopen(path, RTLD_NOW | RTLD_NOLOAD);
}

static bool library_close(Library library) {
  return dlclose(library) == 0;
}

/* dlsym's object pointer as a function pointer: POSIX guarantees the
 * representation; the copy keeps ISO C's pedantic warning away. */
static bool library_symbol(Library library, const char *name, void *fn, size_t fn_size) {
  void *symbol = dlsym(library, name);
  if (symbol == NULL || fn_size != sizeof symbol)
    return false;
  memcpy(fn, &symbol, fn_size);
  return true;
}

typedef pthread_t Thread;

static void *thread_main(void *arg);

static bool thread_start(Thread *thread, void *arg) {
  return pthread_create(thread, NULL, thread_main, arg) == 0;
}

static void thread_join(Thread thread) {
  pthread_join(thread, NULL);
}

static pthread_mutex_t stage_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stage_changed = PTHREAD_COND_INITIALIZER;
#define STAGE_LOCK() pthread_mutex_lock(&stage_lock)
#define STAGE_UNLOCK() pthread_mutex_unlock(&stage_lock)
#define STAGE_WAIT() pthread_cond_wait(&stage_changed, &stage_lock)
#define STAGE_SIGNAL() pthread_cond_broadcast(&stage_changed)
#endif

/* ------------------------------------------------------- the library */

typedef struct {
  Samrena *(*create)(const SamrenaConfig *config);
  void (*destroy)(Samrena *arena);
  void *(*push)(Samrena *arena, uint64_t size);
  SamrenaScratch (*scratch_begin)(Samrena *const *conflicts, size_t conflict_count);
  void (*scratch_end)(SamrenaScratch scratch);
  SamrenaError (*report)(FILE *out);
} Calls;

static bool find(Library library, const char *name, void *fn, size_t fn_size) {
  if (library_symbol(library, name, fn, fn_size))
    return true;
  fprintf(stderr, "unload_probe: the library has no %s\n", name);
  return false;
}

static bool find_all(Library library, Calls *calls) {
  return find(library, "samrena_create", &calls->create, sizeof calls->create) &&
         find(library, "samrena_destroy", &calls->destroy, sizeof calls->destroy) &&
         find(library, "samrena_push", &calls->push, sizeof calls->push) &&
         find(library, "samrena_scratch_begin", &calls->scratch_begin,
              sizeof calls->scratch_begin) &&
         find(library, "samrena_scratch_end", &calls->scratch_end, sizeof calls->scratch_end) &&
         find(library, "samrena_report", &calls->report, sizeof calls->report);
}

/* The number of arenas samrena_report counts ("#total N ..."), or -1.
 * The report goes to a file in the current directory (Windows' tmpfile
 * writes to the root of the drive). */
static long arenas_listed(const Calls *calls) {
  const char *path = "unload_probe.report";
  FILE *out = fopen(path, "w+");
  long count = -1;
  if (out != NULL && calls->report(out) == SAMRENA_OK) {
    rewind(out);
    char line[512];
    while (fgets(line, sizeof line, out) != NULL)
      if (strncmp(line, "#total", 6) == 0)
        count = strtol(line + 6, NULL, 10);
  }
  if (out != NULL)
    fclose(out);
  remove(path);
  return count;
}

/* ------------------------------------------------------- the two threads */

enum { STARTED, USED, UNLOADED };
static int stage = STARTED;

static void reach(int next) {
  STAGE_LOCK();
  stage = next;
  STAGE_SIGNAL();
  STAGE_UNLOCK();
}

static void await(int wanted) {
  STAGE_LOCK();
  while (stage < wanted)
    STAGE_WAIT();
  STAGE_UNLOCK();
}

static Calls loaded;
static bool thread_ok;

/* Leaves this thread a scratch arena and a kept arena (the default arena,
 * destroyed with nothing in it that a new one would not have), then waits
 * for the library to be unloaded before it exits. */
static void use_then_wait(void) {
  SamrenaScratch scratch = loaded.scratch_begin(NULL, 0);
  thread_ok = scratch.arena != NULL && loaded.push(scratch.arena, 100) != NULL;
  loaded.scratch_end(scratch);
  Samrena *arena = loaded.create(NULL);
  thread_ok = thread_ok && arena != NULL;
  loaded.destroy(arena);
  reach(USED);
  await(UNLOADED);
} /* the exit callbacks run once the thread returns */

#if defined(_WIN32)
static DWORD WINAPI thread_main(void *arg) {
  (void)arg;
  use_then_wait();
  return 0;
}
#else
static void *thread_main(void *arg) {
  (void)arg;
  use_then_wait();
  return NULL;
}
#endif

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: unload_probe LIBRARY\n");
    return 2;
  }
  Library library = library_open(argv[1]);
  if (library == NULL) {
    printf("SKIP: cannot load %s\n", argv[1]);
    return 77;
  }
  if (!find_all(library, &loaded))
    return 1;
  Thread thread;
  if (!thread_start(&thread, NULL)) {
    printf("SKIP: no thread\n");
    return 77;
  }
  await(USED);
  if (!library_close(library)) {
    fprintf(stderr, "unload_probe: the library could not be unloaded\n");
    return 1;
  }
  reach(UNLOADED);
  thread_join(thread);
  if (!thread_ok) {
    fprintf(stderr, "unload_probe: the thread could not use the library\n");
    return 1;
  }
  /* The thread exited without a crash.  If the library is still loaded
   * (it should be: its exit callbacks needed it), they destroyed the
   * thread's arenas. */
  library = library_if_loaded(argv[1]);
  if (library == NULL) {
    printf("unload_probe: the library was unloaded and the thread exited cleanly\n");
    return 0;
  }
  Calls again;
  if (!find_all(library, &again))
    return 1;
  long listed = arenas_listed(&again);
#if !defined(_WIN32)
  dlclose(library); /* the reference dlopen(RTLD_NOLOAD) took */
#endif
  if (listed != 0) {
    fprintf(stderr, "unload_probe: %ld arenas are left after the thread's exit\n", listed);
    return 1;
  }
  printf("unload_probe: unloading left the library loaded; the thread's exit destroyed its "
         "arenas\n");
  return 0;
}
