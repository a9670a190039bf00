/* debug_probe.c -- a program whose arenas take the debug mode from the
 * environment alone (SAMRENA_DEBUG), for tests/debug-env.sh.  It is built
 * with the inline fast path, as a user's program is.
 * Usage: debug_probe SCENARIO chained|virtual
 * SCENARIO: mode (prints on or off), overrun, clean, pattern, scratch. */
#include <config.h>

#include <samrena.h>

#include <stdio.h>
#include <string.h>

static Samrena *arena_of(const char *strategy) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = strcmp(strategy, "virtual") == 0 ? SAMRENA_STRATEGY_VIRTUAL
                                                     : SAMRENA_STRATEGY_CHAINED;
  config.flags = SAMRENA_FLAG_QUIET;
  Samrena *arena = samrena_create(&config);
  if (arena != NULL)
    samrena_set_name(arena, "probe");
  return arena;
}

/* One byte past the second push, through the inline samrena_push. */
static int overrun(Samrena *arena) {
  unsigned char *a = samrena_push(arena, 24);
  unsigned char *b = samrena_push(arena, 10);
  if (a == NULL || b == NULL)
    return 2;
  memset(a, 1, 24);
  memset(b, 2, 11);
  samrena_reset(arena);
  return 0;
}

static int clean(Samrena *arena) {
  for (int round = 0; round < 3; round++) {
    SamrenaMark mark = samrena_save(arena);
    for (int i = 0; i < 1000; i++) {
      unsigned char *p = samrena_push(arena, 1 + (uint64_t)i % 200);
      if (p == NULL)
        return 2;
      memset(p, 3, 1 + (size_t)i % 200);
    }
    samrena_printf(arena, "%d", round);
    samrena_restore(arena, mark);
  }
  samrena_reset(arena);
  return 0;
}

/* A use after reset reads 0xDD, not what was written.  Under a sanitizer
 * the read itself is the error: 77, nothing to check. */
static int pattern(Samrena *arena) {
#if defined(SAMRENA_NO_INLINE)
  (void)arena;
  return 77;
#else
  unsigned char *p = samrena_push(arena, 100);
  if (p == NULL)
    return 2;
  memset(p, 0x11, 100);
  samrena_reset(arena);
  for (int i = 0; i < 100; i++)
    if (((volatile unsigned char *)p)[i] != 0xDD)
      return 1;
  return 0;
#endif
}

/* A scope of a scratch arena: its end checks what it gives back. */
static int scratch(void) {
  SamrenaScratch scope = samrena_scratch_begin(NULL, 0);
  if (scope.arena == NULL)
    return 2;
  unsigned char *p = samrena_push(scope.arena, 8);
  memset(p, 4, 9);
  samrena_scratch_end(scope);
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 3)
    return 99;
  Samrena *arena = arena_of(argv[2]);
  if (arena == NULL)
    return 99;
  int status = 99;
  if (strcmp(argv[1], "mode") == 0) {
    printf("%s\n", samrena_has_capability(arena, SAMRENA_CAP_DEBUG) ? "on" : "off");
    status = 0;
  } else if (strcmp(argv[1], "overrun") == 0) {
    status = overrun(arena);
  } else if (strcmp(argv[1], "clean") == 0) {
    status = clean(arena);
  } else if (strcmp(argv[1], "pattern") == 0) {
    status = pattern(arena);
  } else if (strcmp(argv[1], "scratch") == 0) {
    status = scratch();
  }
  samrena_destroy(arena);
  return status;
}
