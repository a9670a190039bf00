/* port/park.c -- the arena a thread destroyed last, kept for that
 * thread's next create of the same configuration.
 *
 * An arena per request (create, a few pushes, destroy) costs far more
 * in the making and the taking apart than in its pushes: a reservation
 * or a block from a cache shared by all threads and the list of live
 * arenas, at both ends, each a locked instruction; the handle built and
 * the adapter's state set up.  So samrena_destroy keeps an arena its
 * adapter can make as new again (SamrenaOps.renew: nothing added since
 * its creation) in a slot of its thread instead, and the thread's next
 * samrena_create from the same configuration (SamrenaReuseKey) is given
 * it back before any validation, touching nothing another thread touches.
 *
 * A kept arena stays in the list of live arenas, marked parked, which
 * samrena_report skips: leaving and entering the list would take its
 * lock each time.  One arena per thread is kept; it is destroyed when
 * the thread exits (platform/thread.h), when the library is unloaded,
 * when the thread keeps another instead, and when a reservation fails for
 * want of address space (samrena__reserve_retrying), as the caches'
 * entries are.
 */
#include <config.h>

#include "port/internal.h"
#include "platform/thread.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>

enum { PARKING_UNASKED, PARKING_OPEN, PARKING_CLOSED };

static SAMRENA__THREAD_LOCAL Samrena *samrena_parked_arena;
/* Whether this thread may keep an arena: only once its exit callback is
 * arranged, and never again after it ran. */
static SAMRENA__THREAD_LOCAL unsigned char samrena_parking_state;
/* Set when the library is being unloaded: a destroy after that (another
 * library's unload callback, an atexit handler) destroys. */
static atomic_bool samrena_parking_over;

static void destroy_parked(void) {
  Samrena *arena = samrena_parked_arena;
  samrena_parked_arena = NULL;
  if (arena != NULL)
    samrena__take_apart(arena);
}

static void parking_thread_exit(void *data) {
  (void)data;
  samrena_parking_state = PARKING_CLOSED;
  destroy_parked();
}

/* The process's first thread may end without its exit callback (exit()
 * does); its kept arena goes when the library is unloaded, as exit() does
 * too, so leak checkers see none. */
#if defined(__GNUC__)
__attribute__((destructor)) static void parking_unload(void) {
  atomic_store_explicit(&samrena_parking_over, true, memory_order_relaxed);
  destroy_parked();
}
#endif

static bool parking_open(void) {
  if (samrena_parking_state == PARKING_OPEN)
    return !atomic_load_explicit(&samrena_parking_over, memory_order_relaxed);
  if (samrena_parking_state == PARKING_CLOSED)
    return false;
  /* The callback's data only has to be non-NULL. */
  bool arranged = samrena__on_thread_exit(SAMRENA__EXIT_PARKED, parking_thread_exit,
                                          (void *)&samrena_parking_over);
  samrena_parking_state = arranged ? PARKING_OPEN : PARKING_CLOSED;
  return arranged && !atomic_load_explicit(&samrena_parking_over, memory_order_relaxed);
}

_Static_assert(sizeof(uint64_t) >= sizeof(double), "the growth union's bits");

void samrena__reuse_key_of(const SamrenaConfig *config, bool from_defaults,
                           uint32_t internal_flags, bool reusable, SamrenaReuseKey *key) {
  *key = (SamrenaReuseKey){.initial_pages = config->initial_pages,
                           .growth_pages = config->growth_pages,
                           .max_reserve = config->max_reserve,
                           .page_size = config->page_size,
                           .commit_size = config->commit_size,
                           .alignment = config->alignment,
                           .growth_params = config->growth.params.linear.increment,
                           .log_callback = config->log_callback,
                           .log_user_data = config->log_user_data,
                           .strategy = config->strategy,
                           .flags = config->flags,
                           .fallback_mode = config->fallback_mode,
                           .growth_policy = config->growth.policy,
                           .internal_flags = internal_flags,
                           .from_defaults = from_defaults,
                           .reusable = reusable};
}

/* Field by field: a caller has just written some fields of its
 * configuration with stores narrower than memcmp's loads, and a load that
 * spans several recent stores waits for all of them (no store
 * forwarding), a sixth of the time of an arena per request. */
static bool asks_for(const SamrenaReuseKey *key, const SamrenaConfig *config) {
  return config->strategy == key->strategy && config->initial_pages == key->initial_pages &&
         config->growth_pages == key->growth_pages && config->max_reserve == key->max_reserve &&
         config->page_size == key->page_size && config->commit_size == key->commit_size &&
         config->alignment == key->alignment && config->flags == key->flags &&
         config->log_callback == key->log_callback &&
         config->log_user_data == key->log_user_data && !config->enable_debug &&
         config->fallback_mode == key->fallback_mode &&
         config->growth.policy == key->growth_policy &&
         config->growth.params.linear.increment == key->growth_params && config->buffer == NULL &&
         config->buffer_size == 0 && config->block_source == NULL;
}
/* A field added to SamrenaConfig after block_source must go in the key.
 * Exact where the struct has no tail padding (64-bit targets). */
#define CONFIG_END (offsetof(SamrenaConfig, block_source) + sizeof(const struct SamrenaAllocator *))
_Static_assert(sizeof(SamrenaConfig) - CONFIG_END < alignof(SamrenaConfig),
               "the reuse key covers every field of SamrenaConfig");
#undef CONFIG_END

/* Two creates from the library's constant ask for the same without a look
 * at the fields. */
static bool made_from(const Samrena *arena, const SamrenaConfig *config, bool from_defaults,
                      uint32_t internal_flags) {
  if (arena->reuse.internal_flags != internal_flags)
    return false;
  return (from_defaults && arena->reuse.from_defaults) || asks_for(&arena->reuse, config);
}

/* What the port keeps of an arena's use, as a new arena has it; the
 * adapter's renew did the rest.  The stamp goes on growing (a scratch
 * scope of the old arena never looks cheap to end in the new one), and
 * the serial is made anew at the first save, so no mark of the old arena
 * is taken for one of the new. */
static void forget_use(Samrena *arena) {
  arena->peak_allocated = 0;
  arena->growth_hint = 0;
  arena->serial = 0;
  arena->limit_bytes = 0;
  arena->reset_stamp = arena->fast.stamp;
}

bool samrena__park(Samrena *arena) {
  /* Destroyed again (a caller's bug): taking it apart now would leave its
   * thread's slot pointing at freed memory. */
  if (atomic_load_explicit(&arena->parked, memory_order_relaxed))
    return true;
  if (!arena->reuse.reusable || !arena->registered || arena->name != NULL ||
      arena->debug != NULL || arena->ops->renew == NULL || !parking_open())
    return false;
  if (!arena->ops->renew(arena))
    return false;
  forget_use(arena);
  atomic_store_explicit(&arena->parked, true, memory_order_release);
  Samrena *older = samrena_parked_arena;
  samrena_parked_arena = arena; /* the newer: its memory is the warmer */
  if (older != NULL)
    samrena__take_apart(older);
  return true;
}

Samrena *samrena__unpark(const SamrenaConfig *config, bool from_defaults, uint32_t internal_flags) {
  Samrena *arena = samrena_parked_arena;
  if (arena == NULL || !made_from(arena, config, from_defaults, internal_flags))
    return NULL;
  samrena_parked_arena = NULL;
  atomic_store_explicit(&arena->parked, false, memory_order_relaxed);
  samrena__publish_limit(arena);
  return arena;
}

bool samrena__park_drain(void) {
  if (samrena_parked_arena == NULL)
    return false;
  destroy_parked();
  return true;
}
