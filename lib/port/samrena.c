/* port/samrena.c -- the port: creation and strategy choice, the error state, the
 * bump over the current span, and dispatch to the adapter when it is used up.
 */
#include <config.h>

#include "port/internal.h"
#include "fault.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ errors */

static SAMRENA__THREAD_LOCAL SamrenaError samrena_error_of_this_thread = SAMRENA_OK;

SamrenaError samrena__fail(SamrenaError error) {
  samrena_error_of_this_thread = error;
  return error;
}

void *samrena__fail_null(SamrenaError error) {
  samrena_error_of_this_thread = error;
  return NULL;
}

SamrenaError samrena_last_error(void) {
  return samrena_error_of_this_thread;
}

const char *samrena_error_string(SamrenaError error) {
  switch (error) {
  case SAMRENA_OK:
    return "success";
  case SAMRENA_ERROR_NULL_POINTER:
    return "a required pointer argument is NULL";
  case SAMRENA_ERROR_INVALID_SIZE:
    return "invalid size";
  case SAMRENA_ERROR_INVALID_PARAMETER:
    return "invalid parameter";
  case SAMRENA_ERROR_OUT_OF_MEMORY:
    return "out of memory";
  case SAMRENA_ERROR_OVERFLOW:
    return "size computation overflows";
  case SAMRENA_ERROR_UNSUPPORTED_STRATEGY:
    return "strategy not supported by this build or platform";
  case SAMRENA_ERROR_UNSUPPORTED_OPERATION:
    return "operation not supported by this arena";
  case SAMRENA_ERROR_PLATFORM:
    return "the operating system refused a memory operation";
  }
  return "unknown error";
}

const char *samrena_version(void) {
  return PACKAGE_VERSION;
}

/* -------------------------------------------------------- strategy registry */

/* Every adapter the library knows, built in or not (one that is not says
 * so by its available()), in the order samrena_available_strategies lists
 * them; and the one SAMRENA_STRATEGY_DEFAULT asks for, whose fallbacks
 * (SamrenaOps.fallback) it takes silently.  This is all the port knows of
 * particular strategies: adding an adapter adds its line here. */
static const SamrenaOps *const samrena_adapters[] = {
    &samrena__chained_ops,
    &samrena__virtual_ops,
    &samrena__buffer_ops,
};
#define SAMRENA_DEFAULT_ADAPTER (&samrena__virtual_ops)

#define ADAPTER_COUNT (sizeof samrena_adapters / sizeof samrena_adapters[0])

/* The registry's adapter of that strategy, available or not; NULL for
 * DEFAULT and for values no adapter has. */
static const SamrenaOps *adapter_of(SamrenaStrategy strategy) {
  for (size_t i = 0; i < ADAPTER_COUNT; i++)
    if (samrena_adapters[i]->strategy == strategy)
      return samrena_adapters[i];
  return NULL;
}

const SamrenaOps *samrena__find_adapter(SamrenaStrategy strategy) {
  const SamrenaOps *ops = adapter_of(strategy);
  return ops != NULL && ops->available() ? ops : NULL;
}

/* Follows the fallbacks from ops to the first available adapter; NULL if
 * none is.  The registry's fallbacks never loop: ADAPTER_COUNT steps are
 * enough. */
static const SamrenaOps *first_available(const SamrenaOps *ops) {
  for (size_t step = 0; ops != NULL && step <= ADAPTER_COUNT; step++) {
    if (ops->available())
      return ops;
    ops = adapter_of(ops->fallback);
  }
  return NULL;
}

const SamrenaOps *samrena__default_adapter(void) {
  return first_available(SAMRENA_DEFAULT_ADAPTER);
}

int samrena_available_strategies(SamrenaStrategy *out, int max_count) {
  if (max_count < 0) {
    samrena__fail(SAMRENA_ERROR_INVALID_PARAMETER);
    return 0;
  }
  int count = 0;
  for (size_t i = 0; i < ADAPTER_COUNT && count < max_count; i++) {
    if (!samrena_adapters[i]->available())
      continue;
    if (out != NULL)
      out[count] = samrena_adapters[i]->strategy;
    count++;
  }
  return count;
}

static bool is_known_strategy(SamrenaStrategy strategy) {
  return strategy == SAMRENA_STRATEGY_DEFAULT || adapter_of(strategy) != NULL;
}

const char *samrena_strategy_name(SamrenaStrategy strategy) {
  if (strategy == SAMRENA_STRATEGY_DEFAULT)
    return "default";
  const SamrenaOps *ops = adapter_of(strategy);
  return ops != NULL ? ops->name : "unknown";
}

bool samrena_strategy_available(SamrenaStrategy strategy) {
  if (strategy == SAMRENA_STRATEGY_DEFAULT)
    return true;
  return samrena__find_adapter(strategy) != NULL;
}

SamrenaStrategy samrena_strategy(const Samrena *arena) {
  if (arena == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return SAMRENA_STRATEGY_DEFAULT;
  }
  return arena->strategy;
}

/* ----------------------------------------------------------------- creation */

static const SamrenaConfig samrena_defaults = {.strategy = SAMRENA_STRATEGY_DEFAULT,
                                               .initial_pages = 1,
                                               .growth_pages = 1,
                                               .fallback_mode = SAMRENA_FALLBACK_WARN,
                                               .growth = {.policy = SAMRENA_GROWTH_LINEAR}};

/* Copied from a constant: building it in place (memset, then fields) made
 * every caller stall on store forwarding when the result was copied out.
 * The constant is hidden from GCC, which otherwise rebuilds it from its
 * contents (mostly zero) as a `rep stos`, a third of the time of an arena
 * per request made from a default configuration; copied, it is a few
 * vector moves. */
SamrenaConfig samrena_default_config(void) {
  const SamrenaConfig *defaults = &samrena_defaults;
#if defined(__GNUC__)
  __asm__("" : "+r"(defaults));
#endif
  return *defaults;
}

#define SAMRENA_KNOWN_FLAGS                                                                  \
  (SAMRENA_FLAG_STRICT | SAMRENA_FLAG_HUGE_PAGES | SAMRENA_FLAG_QUIET | SAMRENA_FLAG_NO_HUGE_PAGES | \
   SAMRENA_FLAG_CONCURRENT | SAMRENA_FLAG_DEBUG)
#define SAMRENA_MIN_PAGE_SIZE UINT64_C(64)

/* The flags, with fallback_mode folded in: asking for strict either way
 * is strict, AUTO is as quiet as SAMRENA_FLAG_QUIET.  The debug mode is
 * asked for by the flag, by enable_debug or by the environment. */
static SamrenaError settings_flags(const SamrenaConfig *config, uint32_t *out) {
  if ((config->flags & ~SAMRENA_KNOWN_FLAGS) != 0)
    return SAMRENA_ERROR_INVALID_PARAMETER;
  *out = config->flags;
  if (config->enable_debug || samrena__debug_from_environment())
    *out |= SAMRENA_FLAG_DEBUG;
  switch (config->fallback_mode) {
  case SAMRENA_FALLBACK_AUTO:
    *out |= SAMRENA_FLAG_QUIET;
    return SAMRENA_OK;
  case SAMRENA_FALLBACK_WARN:
    return SAMRENA_OK;
  case SAMRENA_FALLBACK_STRICT:
    *out |= SAMRENA_FLAG_STRICT;
    return SAMRENA_OK;
  }
  return SAMRENA_ERROR_INVALID_PARAMETER;
}

/* The first new block and the factor of each next one.  A linear
 * increment of 0 means growth_pages pages. */
static SamrenaError settings_growth(const SamrenaConfig *config, uint64_t page_size,
                                    SamrenaSettings *out) {
  out->growth_bytes = config->growth_pages * page_size;
  out->growth_factor = 1.0;
  switch (config->growth.policy) {
  case SAMRENA_GROWTH_LINEAR: {
    uint64_t increment = config->growth.params.linear.increment;
    if (increment == 0)
      return SAMRENA_OK;
    if (!samrena__round_up_checked(increment, page_size, &out->growth_bytes) ||
        out->growth_bytes > SAMRENA__MAX_FOOTPRINT)
      return SAMRENA_ERROR_OVERFLOW;
    return SAMRENA_OK;
  }
  case SAMRENA_GROWTH_EXPONENTIAL: {
    double factor = config->growth.params.exponential.factor;
    if (!(factor >= 1.0) || factor > 1e9) /* NaN fails the first test */
      return SAMRENA_ERROR_INVALID_PARAMETER;
    out->growth_factor = factor;
    return SAMRENA_OK;
  }
  }
  return SAMRENA_ERROR_INVALID_PARAMETER;
}

/* The fields that belong to one adapter: set, they must be the asked-for
 * adapter's own.  DEFAULT promises no adapter, so it takes none of them. */
static SamrenaError settings_own_fields(const SamrenaConfig *config, SamrenaSettings *out) {
  uint32_t given = 0;
  if (config->buffer != NULL || config->buffer_size != 0)
    given |= SAMRENA__TAKES_BUFFER;
  if (config->block_source != NULL)
    given |= SAMRENA__TAKES_BLOCK_SOURCE;
  const SamrenaOps *ops = adapter_of(config->strategy);
  uint32_t takes = ops != NULL ? ops->takes : 0;
  if ((given & ~takes) != 0)
    return SAMRENA_ERROR_INVALID_PARAMETER;
  out->buffer = config->buffer;
  out->buffer_size = config->buffer_size;
  out->block_source = config->block_source;
  return SAMRENA_OK;
}

static SamrenaError validate_config(const SamrenaConfig *config, SamrenaSettings *out) {
  if (!is_known_strategy(config->strategy))
    return SAMRENA_ERROR_INVALID_PARAMETER;
  SamrenaError error = settings_flags(config, &out->flags);
  if (error != SAMRENA_OK)
    return error;
  if (config->initial_pages == 0 || config->growth_pages == 0)
    return SAMRENA_ERROR_INVALID_SIZE;

  uint64_t page_size = config->page_size ? config->page_size : SAMRENA_DEFAULT_PAGE_SIZE;
  if (!samrena__is_power_of_two(page_size) || page_size < SAMRENA_MIN_PAGE_SIZE)
    return SAMRENA_ERROR_INVALID_SIZE;
  if (config->initial_pages > SAMRENA__MAX_FOOTPRINT / page_size ||
      config->growth_pages > SAMRENA__MAX_FOOTPRINT / page_size)
    return SAMRENA_ERROR_OVERFLOW;

  uint64_t alignment = config->alignment ? config->alignment : SAMRENA__MAX_ALIGN;
  if (!samrena__is_power_of_two(alignment))
    return SAMRENA_ERROR_INVALID_PARAMETER;
  if (alignment > page_size)
    return SAMRENA_ERROR_INVALID_PARAMETER;

  out->page_size = page_size;
  out->initial_bytes = config->initial_pages * page_size;
  out->max_reserve = config->max_reserve;
  out->commit_size = config->commit_size;
  out->alignment = alignment;
  /* DEFAULT promises no contiguity: without an explicit reservation it
   * goes on in further ones rather than fail while memory is left. */
  out->uncapped = config->strategy == SAMRENA_STRATEGY_DEFAULT && config->max_reserve == 0;
  if (out->max_reserve != 0 && out->max_reserve < out->initial_bytes)
    return SAMRENA_ERROR_INVALID_PARAMETER;
  error = settings_growth(config, page_size, out);
  if (error != SAMRENA_OK)
    return error;
  return settings_own_fields(config, out);
}

static void log_message(const SamrenaConfig *config, const SamrenaSettings *settings,
                        const char *message) {
  if (config->log_callback != NULL)
    config->log_callback(message, config->log_user_data);
  else if ((settings->flags & SAMRENA_FLAG_QUIET) == 0)
    fprintf(stderr, "%s\n", message);
}

static Samrena *create_with(Samrena *proto, const SamrenaOps *ops,
                            const SamrenaSettings *settings, SamrenaError *error) {
  proto->ops = ops;
  proto->strategy = ops->strategy;
  proto->capabilities = ops->capabilities;
  return ops->create(proto, settings, error);
}

/* The strategy asked for, or DEFAULT's adapter, and then its fallbacks
 * while one is not available or its create runs out of memory.  Falling
 * back from a strategy asked for by name says so (log_message), and with
 * SAMRENA_FLAG_STRICT does not happen; DEFAULT promises no particular
 * adapter, so it falls back silently, STRICT or not. */
static Samrena *create_adapter(Samrena *proto, const SamrenaConfig *config,
                               const SamrenaSettings *settings, SamrenaError *error) {
  bool asked_by_name = config->strategy != SAMRENA_STRATEGY_DEFAULT;
  const SamrenaOps *ops = asked_by_name ? adapter_of(config->strategy) : SAMRENA_DEFAULT_ADAPTER;
  bool strict = asked_by_name && (settings->flags & SAMRENA_FLAG_STRICT) != 0;
  for (size_t step = 0; step <= ADAPTER_COUNT && ops != NULL; step++) {
    /* ops is never NULL here (validate_config knows the strategy, and the
     * registry's fallbacks exist); the loop's test says so to analyzers. */
    const SamrenaOps *next = adapter_of(ops->fallback);
    const char *why;
    if (ops->available()) {
      Samrena *arena = create_with(proto, ops, settings, error);
      if (arena != NULL || *error != SAMRENA_ERROR_OUT_OF_MEMORY || strict || next == NULL)
        return arena;
      why = "its memory could not be reserved or committed";
    } else {
      if (strict || next == NULL) {
        *error = SAMRENA_ERROR_UNSUPPORTED_STRATEGY;
        return NULL;
      }
      why = "it is not available in this build or on this platform";
    }
    if (asked_by_name) {
      char message[160];
      snprintf(message, sizeof message, "samrena: %s strategy requested but %s; using %s",
               ops->name, why, next->name);
      log_message(config, settings, message);
    }
    ops = next;
  }
  *error = SAMRENA_ERROR_UNSUPPORTED_STRATEGY; /* a registry whose fallbacks loop */
  return NULL;
}

/* The port's part of a new handle; the adapter copies it into the memory
 * it puts the arena in.  Built from a blank one: a memset here became a
 * `rep stos`, slow to start, measurable in an arena per request. */
static void init_proto(Samrena *proto, const SamrenaConfig *config,
                       const SamrenaSettings *settings, const SamrenaReuseKey *reuse) {
  static const Samrena blank;
  memcpy(proto, &blank, offsetof(Samrena, adapter_state));
  proto->reuse = *reuse;
  proto->fast.alignment_mask = (uintptr_t)(settings->alignment - 1);
  proto->fast.alignment_floor = ~proto->fast.alignment_mask;
  proto->flags = settings->flags;
  proto->page_size = settings->page_size;
  proto->log_callback = config->log_callback;
  proto->log_user_data = config->log_user_data;
}

/* The debug mode's log, for an arena that pushes itself (a concurrent
 * arena's pushes go to its backing's). */
static Samrena *start_debug(Samrena *arena, SamrenaError *error) {
  *error = samrena__debug_start(arena);
  if (*error == SAMRENA_OK)
    return arena;
  arena->ops->destroy(arena);
  return NULL;
}

/* Whether an arena of these settings may be kept for reuse (port/park.c):
 * not in memory the caller gave or lends (a buffer, a block source: the
 * caller may free it after the destroy), not concurrent, not in the debug
 * mode, not one of the library's own.  The arena's create may still say it
 * may not (a fallback). */
static bool reusable(const SamrenaSettings *settings, uint32_t internal_flags) {
  const uint32_t never = SAMRENA_FLAG_CONCURRENT | SAMRENA_FLAG_DEBUG;
  return internal_flags == 0 && settings->buffer == NULL && settings->buffer_size == 0 &&
         settings->block_source == NULL && (settings->flags & never) == 0;
}

/* A new arena, made by its adapter.  Kept out of line: its frame (the
 * prototype handle, the settings) would otherwise be built around the
 * common case of an arena per request, a kept arena taken back. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static Samrena *create_new(const SamrenaConfig *config, uint32_t internal_flags) {
  SamrenaSettings settings;
  SamrenaError error = validate_config(config, &settings);
  if (error != SAMRENA_OK)
    return samrena__fail_null(error);
  SamrenaReuseKey reuse;
  samrena__reuse_key_of(config, config == &samrena_defaults, internal_flags,
                        reusable(&settings, internal_flags), &reuse);
  settings.flags |= internal_flags;

  bool concurrent = (settings.flags & SAMRENA_FLAG_CONCURRENT) != 0;
  settings.flags &= ~(uint32_t)SAMRENA_FLAG_CONCURRENT; /* the backing arena is a plain one */
  Samrena proto;
  init_proto(&proto, config, &settings, &reuse);
  Samrena *arena = create_adapter(&proto, config, &settings, &error);
  if (arena != NULL && (settings.flags & SAMRENA_FLAG_DEBUG) != 0)
    arena = start_debug(arena, &error);
  if (arena != NULL) {
    samrena__publish_limit(arena);
    if (concurrent)
      arena = samrena__concurrent_wrap(arena, &proto, &error);
  }
  if (arena == NULL)
    return samrena__fail_null(error);
  if (config->strategy != SAMRENA_STRATEGY_DEFAULT && arena->strategy != config->strategy)
    arena->reuse.reusable = false; /* a fallback: the next create tries the strategy again */
  samrena__publish_limit(arena);
  samrena__register(arena);
  return arena;
}

Samrena *samrena__create_with(const SamrenaConfig *config, uint32_t internal_flags) {
  Samrena *kept = samrena__unpark(config, config == &samrena_defaults, internal_flags);
  return kept != NULL ? kept : create_new(config, internal_flags);
}

Samrena *samrena_create(const SamrenaConfig *config) {
  return samrena__create_with(config != NULL ? config : &samrena_defaults, 0);
}

Samrena *samrena_allocate(uint64_t initial_pages) {
  if (initial_pages == 0)
    return samrena__fail_null(SAMRENA_ERROR_INVALID_SIZE);
  SamrenaConfig config = samrena_default_config();
  config.initial_pages = initial_pages;
  return samrena_create(&config);
}

/* The cleanups run first, as they may still use the arena; then it is
 * kept for reuse (port/park.c) or taken apart. */
void samrena_destroy(Samrena *arena) {
  if (arena == NULL)
    return;
  samrena__free_scopes(arena);
  if (!samrena__park(arena))
    samrena__take_apart(arena);
}

/* Out of the list first, so that a report in another thread never reads
 * an arena being taken apart. */
void samrena__take_apart(Samrena *arena) {
  samrena__unregister(arena);
  if (arena->debug != NULL)
    samrena__debug_stop(arena);
  samrena__drop_name(arena);
  arena->ops->destroy(arena); /* the handle too */
}

/* --------------------------------------------------------------- allocation */

/* A zero-byte push consumes nothing and returns an aligned non-NULL
 * address that is never dereferenced: the aligned cursor when the padding
 * fits in the span, else the address the cursor would align to, which may
 * lie outside the arena (or, where rounding up wraps past the top of the
 * address space, the one below).  Pre: alignment - 1 <= PTRDIFF_MAX. */
static void *push_nothing(Samrena *arena, uint64_t alignment) {
  uint64_t padding = samrena__padding_for(arena->fast.cursor, alignment);
  if (padding <= (uint64_t)(arena->limit - arena->fast.cursor))
    return arena->fast.cursor + padding;
  uintptr_t mask = (uintptr_t)(alignment - 1);
  uintptr_t up = ((uintptr_t)arena->fast.cursor + mask) & ~mask;
  return (void *)(up != 0 ? up : (uintptr_t)arena->fast.cursor & ~mask);
}

/* The bump where the span has room, the adapter's slow path otherwise. */
static inline void *push_plain(Samrena *arena, uint64_t size, uint64_t alignment) {
  uint64_t padding = samrena__padding_for(arena->fast.cursor, alignment);
  uint64_t room = (uint64_t)(arena->limit - arena->fast.cursor);
  void *result;
  if (padding <= room && size <= room - padding) {
    result = arena->fast.cursor + padding;
    arena->fast.cursor += padding + size;
  } else {
    result = arena->ops->push_slow(arena, size, alignment);
    if (result == NULL)
      return NULL;
  }
  SAMRENA__UNPOISON(result, size);
  /* Not samrena__publish_limit: no debug mode arena comes here but
   * through samrena__debug_push, which shuts the span itself. */
  arena->fast.limit = SAMRENA__POISONING() ? arena->fast.cursor : arena->limit;
  return result;
}

/* A debug mode push, out of the way of the common case's registers. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void *push_debug(Samrena *arena, uint64_t size, uint64_t alignment) {
  if (size == 0)
    return push_nothing(arena, alignment);
  return samrena__debug_push(arena, size, alignment);
}

/* Every push the inline bump could not serve: a bad size or alignment,
 * size 0, a span that is used up or held shut (poisoning, the debug
 * mode), and the
 * adapter's slow path.  Kept out of line, so the exported push is the
 * bump and a tail call.  Pre: arena non-NULL, alignment a power of two. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void *push_checked(Samrena *arena, uint64_t size, uint64_t alignment) {
  if (alignment - 1 > SAMRENA__MAX_FOOTPRINT || size > SAMRENA__MAX_FOOTPRINT - (alignment - 1))
    return samrena__fail_null(SAMRENA_ERROR_OVERFLOW);
  uint32_t flags = arena->flags;
  if ((flags & SAMRENA_FLAG_CONCURRENT) != 0)
    return samrena__concurrent_push(arena, size, alignment); /* touches nothing shared here */
  if ((flags & SAMRENA_FLAG_DEBUG) != 0)
    return push_debug(arena, size, alignment);
  if (size == 0)
    return push_nothing(arena, alignment);
  return push_plain(arena, size, alignment);
}

void *samrena__push_plain(Samrena *arena, uint64_t size, uint64_t alignment) {
  return push_plain(arena, size, alignment);
}


/* The common case is the inline bump itself, as in a caller's code: a
 * push through a function pointer or an allocator hook costs a call, not
 * the checks, which push_checked makes when the bump declines. */
void *(samrena_push)(Samrena *arena, uint64_t size) {
  void *result;
  if (arena == NULL)
    return samrena__fail_null(SAMRENA_ERROR_NULL_POINTER);
  if (samrena_inline_bump(arena, size, arena->fast.alignment_mask, arena->fast.alignment_floor,
                          &result))
    return result;
  return push_checked(arena, size, (uint64_t)arena->fast.alignment_mask + 1);
}

void *(samrena_push_aligned)(Samrena *arena, uint64_t size, uint64_t alignment) {
  void *result;
  if (arena == NULL)
    return samrena__fail_null(SAMRENA_ERROR_NULL_POINTER);
  if (!samrena__is_power_of_two(alignment))
    return samrena__fail_null(SAMRENA_ERROR_INVALID_PARAMETER);
  uintptr_t mask = (uintptr_t)(alignment - 1);
  if (alignment - 1 < SAMRENA_INLINE_MAX_ALIGNMENT && samrena_inline_bump(arena, size, mask, ~mask, &result))
    return result;
  return push_checked(arena, size, alignment);
}

void *samrena_push_zero(Samrena *arena, uint64_t size) {
  void *result = samrena_push(arena, size);
  if (result != NULL && size != 0)
    arena->ops->zero(arena, result, size);
  return result;
}

void *samrena_push_with_reserve(Samrena *arena, uint64_t size) {
  if (arena == NULL)
    return samrena__fail_null(SAMRENA_ERROR_NULL_POINTER);
  void *result = samrena_push(arena, size);
  if (result != NULL)
    return result;
  SamrenaError failure = samrena_last_error();
  if (failure != SAMRENA_ERROR_OUT_OF_MEMORY)
    return NULL;

  uint64_t wanted = arena->ops->allocated(arena);
  if (wanted > UINT64_MAX - size || wanted + size > UINT64_MAX / 2)
    return samrena__fail_null(SAMRENA_ERROR_OVERFLOW);
  wanted = 2 * (wanted + size);
  if (arena->growth_hint > wanted)
    wanted = arena->growth_hint;
  if (samrena_reserve(arena, wanted) != SAMRENA_OK)
    return samrena__fail_null(failure);
  return samrena_push(arena, size);
}

/* The last allocation can change size where it stands. */
static void *resize_last_in_place(Samrena *arena, unsigned char *ptr, uint64_t old_size,
                                  uint64_t new_size) {
  if (new_size <= old_size) {
    samrena__note_peak(arena); /* the shrink lowers allocated, not the peak */
    arena->ops->rewind(arena, ptr + new_size);
    samrena__publish_limit(arena);
    return ptr;
  }
  uint64_t more = new_size - old_size;
  if (more > (uint64_t)(arena->limit - arena->fast.cursor) && !arena->ops->extend(arena, more))
    return NULL;
  SAMRENA__UNPOISON(arena->fast.cursor, more);
  arena->fast.cursor += more;
  samrena__publish_limit(arena);
  return ptr;
}

/* Resizing in place moves the cursor; it must not cross a live mark, or a
 * restore would move the cursor forward (into memory a trim may have
 * given back) or cut the allocation short.  Live marks lie at or before
 * the cursor: one in an earlier block is before ptr too. */
static bool is_after_newest_mark(const Samrena *arena, const void *ptr) {
  if (arena->newest_mark == 0)
    return true;
  const SamrenaPosition *newest = &arena->scopes[arena->newest_mark - 1].u.position;
  SamrenaPosition now;
  arena->ops->save(arena, &now);
  return newest->block != now.block || (uintptr_t)newest->cursor <= (uintptr_t)ptr;
}

void *samrena_resize(Samrena *arena, void *ptr, uint64_t old_size, uint64_t new_size) {
  if (arena == NULL)
    return samrena__fail_null(SAMRENA_ERROR_NULL_POINTER);
  if (ptr == NULL)
    return samrena_push(arena, new_size);
  if (new_size > SAMRENA__MAX_FOOTPRINT)
    return samrena__fail_null(SAMRENA_ERROR_OVERFLOW);
  /* Compared as integers: ptr may lie in another block than the cursor. */
  uintptr_t start = (uintptr_t)ptr, cursor = (uintptr_t)arena->fast.cursor;
  if (arena->debug != NULL) {
    void *result = is_after_newest_mark(arena, ptr)
                       ? samrena__debug_resize_last(arena, ptr, old_size, new_size)
                       : NULL;
    if (result != NULL)
      return result;
    if (new_size <= old_size)
      return ptr;
  } else if (start <= cursor && cursor - start == old_size && is_after_newest_mark(arena, ptr)) {
    void *result = resize_last_in_place(arena, ptr, old_size, new_size);
    if (result != NULL)
      return result;
  } else if (new_size <= old_size) {
    return ptr; /* a shrink never needs to move */
  }
  void *moved = samrena_push(arena, new_size);
  if (moved != NULL)
    memcpy(moved, ptr, (size_t)(old_size < new_size ? old_size : new_size));
  return moved;
}

/* ------------------------------------------------------ capacity and stats */

uint64_t samrena_allocated(const Samrena *arena) {
  if (arena == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return 0;
  }
  return arena->ops->allocated(arena);
}

uint64_t samrena_capacity(const Samrena *arena) {
  if (arena == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return 0;
  }
  return arena->ops->capacity(arena);
}

bool samrena__prepare(Samrena *arena, void *ptr, uint64_t size) {
  return arena->ops->prepare != NULL && size != 0 && arena->ops->prepare(arena, ptr, size);
}

SamrenaError samrena_reserve(Samrena *arena, uint64_t min_capacity) {
  if (arena == NULL)
    return samrena__fail(SAMRENA_ERROR_NULL_POINTER);
  if (arena->ops->capacity(arena) >= min_capacity)
    return SAMRENA_OK;
  SamrenaError error = arena->ops->reserve(arena, min_capacity);
  samrena__publish_limit(arena);
  return error;
}

SamrenaError samrena_reserve_with_growth(Samrena *arena, uint64_t immediate_size,
                                         uint64_t expected_total) {
  if (arena == NULL)
    return samrena__fail(SAMRENA_ERROR_NULL_POINTER);
  if (immediate_size > UINT64_MAX / 2)
    return samrena__fail(SAMRENA_ERROR_OVERFLOW);
  uint64_t wanted = 2 * immediate_size;
  if (expected_total / 4 > wanted)
    wanted = expected_total / 4;
  arena->growth_hint = expected_total;
  return samrena_reserve(arena, wanted);
}

static uint64_t peak_of(const Samrena *arena, uint64_t allocated) {
  return allocated > arena->peak_allocated ? allocated : arena->peak_allocated;
}

SamrenaError samrena_stats(const Samrena *arena, SamrenaStats *out) {
  if (arena == NULL || out == NULL)
    return samrena__fail(SAMRENA_ERROR_NULL_POINTER);
  memset(out, 0, sizeof *out);
  arena->ops->stats(arena, out);
  out->allocated = arena->ops->allocated(arena);
  out->capacity = arena->ops->capacity(arena);
  out->peak_allocated = peak_of(arena, out->allocated);
  out->wasted += samrena__debug_guard_bytes(arena);
  out->limit = arena->limit_bytes;
  return SAMRENA_OK;
}

/* A concurrent arena's backing obtains its memory: the budget is its. */
SamrenaError samrena_set_limit(Samrena *arena, uint64_t max_bytes) {
  if (arena == NULL)
    return samrena__fail(SAMRENA_ERROR_NULL_POINTER);
  Samrena *backing = samrena__concurrent_backing(arena);
  if (backing != NULL)
    backing->limit_bytes = max_bytes;
  arena->limit_bytes = max_bytes;
  return SAMRENA_OK;
}

/* ------------------------------------------------------- reset and trimming */

void samrena_reset(Samrena *arena) {
  if (arena == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return;
  }
  samrena__note_peak(arena);
  samrena__release_all(arena);
  if (arena->debug != NULL)
    samrena__debug_give_back(arena, 0);
  arena->ops->reset(arena);
  samrena__publish_limit(arena);
}

SamrenaError samrena_trim(Samrena *arena, uint64_t keep_bytes) {
  if (arena == NULL)
    return samrena__fail(SAMRENA_ERROR_NULL_POINTER);
  SamrenaError error = arena->ops->trim(arena, keep_bytes);
  samrena__publish_limit(arena);
  return error;
}
