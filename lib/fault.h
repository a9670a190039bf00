/* fault.h -- injected failures, for tests only.
 *
 * Built with configure --enable-fault-injection, every memory request the
 * library makes (malloc, calloc, realloc, and the platform layer's reserve,
 * commit, decommit and prefetch) first asks samrena__fault_now(), which
 * counts it (samrena_fault_requests); after samrena_fault_inject_after(n),
 * the (n+1)th request fails as if the system had refused it.  Release
 * builds have none of this: the macros below are the plain calls and the
 * samrena_fault_* functions do not exist.
 */
#ifndef SAMRENA_FAULT_H
#define SAMRENA_FAULT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "samrena.h"

#if SAMRENA_FAULT_INJECTION
/* Lets n more requests through, then fails the next one, once; n < 0 stops. */
SAMRENA_API void samrena_fault_inject_after(int64_t n);
/* How many requests failed by injection so far. */
SAMRENA_API uint64_t samrena_fault_injected(void);
/* How many requests the library made so far, injection armed or not: a
 * test that reads it before and after a sequence of calls sees whether
 * they asked malloc or the operating system for anything. */
SAMRENA_API uint64_t samrena_fault_requests(void);
/* Empties the process-wide caches of released memory, so that the next
 * arenas request everything afresh. */
SAMRENA_API void samrena_fault_drain_caches(void);
/* Takes (true) or gives back (false) every lock of the list of live
 * arenas, as a thread in the middle of a create or destroy holds one. */
SAMRENA_API void samrena_fault_hold_registry(bool hold);
/* Moves the serial counter that tells arenas apart count values on, as
 * count arenas taking their first mark would. */
SAMRENA_API void samrena_fault_skip_serials(uint64_t count);

bool samrena__fault_now(void);
void *samrena__malloc(size_t size);
void *samrena__calloc(size_t count, size_t size);
void *samrena__realloc(void *ptr, size_t size);
#else
#define samrena__fault_now() false
#define samrena__malloc(size) malloc(size)
#define samrena__calloc(count, size) calloc((count), (size))
#define samrena__realloc(ptr, size) realloc((ptr), (size))
#endif

#endif /* SAMRENA_FAULT_H */
