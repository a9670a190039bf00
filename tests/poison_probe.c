/* poison_probe.c -- touches arena memory after it was given back, for
 * tests/poison.sh: under AddressSanitizer, or Valgrind with a library built
 * --with-valgrind, each such touch must be reported; valid use must not.
 * Usage: poison_probe tool | poison_probe SCENARIO chained|virtual
 * SCENARIO: valid, reset, restore, pool, unpushed, guard (the debug mode's). */
#include <config.h>

#include <samrena.h>

#include <stdio.h>
#include <string.h>

#include "../lib/poison.h"

/* Reads through a volatile pointer, so the read is not optimised away. */
static int read_byte(const unsigned char *p) {
  return *(const volatile unsigned char *)p;
}

static Samrena *arena_of(const char *strategy, uint32_t flags) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = strcmp(strategy, "virtual") == 0 ? SAMRENA_STRATEGY_VIRTUAL
                                                     : SAMRENA_STRATEGY_CHAINED;
  config.flags = SAMRENA_FLAG_QUIET | flags;
  return samrena_create(&config);
}

static int valid_use(Samrena *arena) {
  int sum = 0;
  for (int round = 0; round < 3; round++) {
    unsigned char *p = samrena_push(arena, 100);
    memset(p, 1, 100);
    SamrenaMark mark = samrena_save(arena);
    unsigned char *q = samrena_push_zero(arena, 70000);
    sum += read_byte(q + 69999) + read_byte(p + 99);
    samrena_restore(arena, mark);
    char *text = samrena_printf(arena, "%d-%s", round, "probe");
    sum += text[0];
    SamrenaPool *pool = samrena_pool_create(NULL, 32, 8);
    unsigned char *slot = samrena_pool_alloc(pool);
    memset(slot, 2, 32);
    samrena_pool_free(pool, slot);
    slot = samrena_pool_alloc(pool);
    memset(slot, 3, 32);
    sum += read_byte(slot + 31);
    samrena_pool_destroy(pool);
    unsigned char *grown = samrena_resize(arena, p, 100, 300);
    memset(grown, 4, 300);
    samrena_reset(arena);
  }
  samrena_trim(arena, 0);
  return sum > 0 ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "tool") == 0) {
#if SAMRENA__ASAN
    puts("asan");
#elif defined(SAMRENA_WITH_VALGRIND) && SAMRENA_WITH_VALGRIND
    puts("valgrind");
#else
    puts("none");
#endif
    return 0;
  }
  if (argc != 3)
    return 2;
  const char *strategy = argv[2];
  /* guard: a read of the guard the debug mode puts after a push. */
  Samrena *arena = arena_of(strategy, strcmp(argv[1], "guard") == 0 ? SAMRENA_FLAG_DEBUG : 0);
  if (arena == NULL)
    return 2;
  const char *scenario = argv[1];
  int status = 0;
  if (strcmp(scenario, "valid") == 0) {
    status = valid_use(arena);
    Samrena *debug = arena_of(strategy, SAMRENA_FLAG_DEBUG); /* its guards, untouched */
    if (debug == NULL || valid_use(debug) != 0)
      status = 1;
    samrena_destroy(debug);
  } else if (strcmp(scenario, "reset") == 0) {
    unsigned char *p = samrena_push(arena, 64);
    memset(p, 1, 64);
    samrena_reset(arena);
    status = read_byte(p + 10); /* use after reset */
  } else if (strcmp(scenario, "restore") == 0) {
    SamrenaMark mark = samrena_save(arena);
    unsigned char *p = samrena_push(arena, 64);
    memset(p, 1, 64);
    samrena_restore(arena, mark);
    status = read_byte(p + 10); /* use after restore */
  } else if (strcmp(scenario, "pool") == 0) {
    SamrenaPool *pool = samrena_pool_create(arena, 64, 8);
    unsigned char *slot = samrena_pool_alloc(pool);
    memset(slot, 1, 64);
    samrena_pool_free(pool, slot);
    status = read_byte(slot + 20); /* use after free */
  } else if (strcmp(scenario, "unpushed") == 0) {
    unsigned char *p = samrena_push(arena, 64);
    status = read_byte(p + 64 + 32); /* past the end of the push */
  } else if (strcmp(scenario, "guard") == 0) {
    unsigned char *p = samrena_push(arena, 64);
    status = read_byte(p + 64); /* the first guard byte */
  } else {
    return 2;
  }
  samrena_destroy(arena);
  volatile int sink = status; /* keeps the reads */
  (void)sink;
  return 0;
}
