/* port/upstream.c -- the calls that upstream samrena's programs use beyond
 * the core API: creation shortcuts, capabilities, arena information and
 * typed array pushes, each over the port and its adapters. */
#include <config.h>

#include "port/internal.h"

const SamrenaGrowthConfig SAMRENA_GROWTH_CONSERVATIVE = {
    .policy = SAMRENA_GROWTH_LINEAR, .params.linear = {.increment = UINT64_C(64) << 10}};
const SamrenaGrowthConfig SAMRENA_GROWTH_BALANCED = {.policy = SAMRENA_GROWTH_EXPONENTIAL,
                                                     .params.exponential = {.factor = 1.5}};

SamrenaError samrena_get_last_error(void) {
  return samrena_last_error();
}

Samrena *samrena_create_default(void) {
  return samrena_create(NULL);
}

SamrenaConfig samrena_config_chained(uint64_t pages) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_CHAINED;
  config.initial_pages = pages;
  config.growth_pages = pages;
  return config;
}

/* A size in MiB that does not fit in 64 bits saturates, so that creating
 * the arena fails (OVERFLOW) instead of reserving a wrapped size. */
SamrenaConfig samrena_config_virtual(uint64_t reserve_mb) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_VIRTUAL;
  config.max_reserve = reserve_mb > (UINT64_MAX >> 20) ? UINT64_MAX : reserve_mb << 20;
  return config;
}

/* In the debug mode a push takes its guard too. */
static SamrenaCapabilities capabilities_of(const SamrenaOps *ops, uint32_t flags,
                                           const Samrena *arena, uint64_t alignment) {
  uint64_t room = ops->room(arena, alignment);
  if (arena != NULL && arena->debug != NULL)
    room = room > SAMRENA__GUARD_BYTES ? room - SAMRENA__GUARD_BYTES : 0;
  SamrenaCapabilities capabilities = {flags, room, alignment};
  return capabilities;
}

static uint64_t push_alignment(const Samrena *arena) {
  return (uint64_t)arena->fast.alignment_mask + 1;
}

SamrenaCapabilities samrena_get_capabilities(const Samrena *arena) {
  SamrenaCapabilities none = {0, 0, 0};
  if (arena == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return none;
  }
  return capabilities_of(arena->ops, arena->capabilities, arena, push_alignment(arena));
}

bool samrena_has_capability(const Samrena *arena, SamrenaCapabilityFlags cap) {
  return (samrena_get_capabilities(arena).flags & (uint32_t)cap) != 0;
}

SamrenaCapabilities samrena_strategy_capabilities(SamrenaStrategy strategy) {
  SamrenaCapabilities none = {0, 0, 0};
  uint32_t narrowed = 0;
  const SamrenaOps *ops;
  if (strategy == SAMRENA_STRATEGY_DEFAULT) {
    ops = samrena__default_adapter();
    narrowed = SAMRENA_CAP_CONTIGUOUS_MEMORY; /* it has no cap: see samrena_create(3) */
  } else {
    ops = samrena__find_adapter(strategy);
  }
  if (ops == NULL) {
    samrena__fail(SAMRENA_ERROR_UNSUPPORTED_STRATEGY);
    return none;
  }
  uint32_t flags = ops->capabilities & ~narrowed;
  if (samrena__debug_from_environment()) /* SAMRENA_DEBUG: every new arena has it */
    flags |= SAMRENA_CAP_DEBUG;
  return capabilities_of(ops, flags, NULL, SAMRENA__MAX_ALIGN);
}

void samrena_get_info(const Samrena *arena, SamrenaInfo *info) {
  if (arena == NULL || info == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return;
  }
  bool contiguous = (arena->capabilities & SAMRENA_CAP_CONTIGUOUS_MEMORY) != 0;
  info->adapter_name = samrena_strategy_name(arena->strategy);
  info->strategy = arena->strategy;
  info->allocated = arena->ops->allocated(arena);
  info->capacity = arena->ops->capacity(arena);
  info->page_size = arena->page_size;
  info->can_grow = !contiguous;
  info->is_contiguous = contiguous;
}

/* A push that fits where the arena stands succeeds without a call to the
 * OS; otherwise the adapter knows what it could still take. */
bool samrena_can_allocate(const Samrena *arena, uint64_t size) {
  if (arena == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return false;
  }
  uint64_t alignment = push_alignment(arena);
  if (size == 0)
    return true;
  if (size > SAMRENA__MAX_FOOTPRINT - (alignment - 1) - SAMRENA__GUARD_BYTES)
    return false;
  if (arena->debug != NULL)
    size += SAMRENA__GUARD_BYTES;
  uint64_t padding = samrena__padding_for(arena->fast.cursor, alignment);
  uint64_t span = (uint64_t)(arena->limit - arena->fast.cursor);
  if (padding <= span && size <= span - padding)
    return true;
  return size <= arena->ops->room(arena, alignment);
}

bool samrena_reset_if_supported(Samrena *arena) {
  if (arena == NULL) {
    samrena__fail(SAMRENA_ERROR_NULL_POINTER);
    return false;
  }
  if ((arena->capabilities & SAMRENA_CAP_RESET) == 0) {
    samrena__fail(SAMRENA_ERROR_UNSUPPORTED_OPERATION);
    return false;
  }
  samrena_reset(arena);
  return true;
}

/* Pre-checks the product; the push checks the rest. */
static bool array_size(uint64_t count, uint64_t element_size, uint64_t *out) {
  if (element_size != 0 && count > UINT64_MAX / element_size)
    return false;
  *out = count * element_size;
  return true;
}

void *(samrena_push_array)(Samrena *arena, uint64_t count, uint64_t element_size) {
  uint64_t size;
  if (arena == NULL)
    return samrena__fail_null(SAMRENA_ERROR_NULL_POINTER);
  if (!array_size(count, element_size, &size))
    return samrena__fail_null(SAMRENA_ERROR_OVERFLOW);
  return samrena_push(arena, size);
}

void *samrena_push_array_zero(Samrena *arena, uint64_t count, uint64_t element_size) {
  uint64_t size;
  if (arena == NULL)
    return samrena__fail_null(SAMRENA_ERROR_NULL_POINTER);
  if (!array_size(count, element_size, &size))
    return samrena__fail_null(SAMRENA_ERROR_OVERFLOW);
  return samrena_push_zero(arena, size);
}
