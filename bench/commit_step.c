/* commit_step.c -- how the virtual adapter's commit step affects the cost
 * of growing an arena: fills 256 MiB in 64-byte pushes, touching every
 * byte, for commit steps from one page to 2 MiB, and prints the median of
 * five runs.  The default step (samrena(3)) was chosen from this table.
 * Usage: commit_step [MiB] */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <samrena.h>

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double fill_seconds(uint64_t commit_size, uint64_t total) {
  SamrenaConfig config = samrena_default_config();
  config.strategy = SAMRENA_STRATEGY_VIRTUAL;
  config.flags = SAMRENA_FLAG_STRICT;
  config.commit_size = commit_size;
  Samrena *arena = samrena_create(&config);
  if (arena == NULL) {
    fprintf(stderr, "commit_step: %s\n", samrena_error_string(samrena_last_error()));
    exit(1);
  }
  double start = now_seconds();
  for (uint64_t done = 0; done < total; done += 64) {
    unsigned char *p = samrena_push(arena, 64);
    if (p == NULL)
      exit(1);
    memset(p, 1, 64);
  }
  double elapsed = now_seconds() - start;
  samrena_destroy(arena);
  return elapsed;
}

int main(int argc, char **argv) {
  uint64_t total = (argc > 1 ? strtoull(argv[1], NULL, 10) : 256) << 20;
  const uint64_t steps[] = {4096, 16384, 65536, 262144, 1048576, 2097152};
  printf("%10s %12s %10s\n", "step", "median ms", "GiB/s");
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
    double runs[5];
    for (int r = 0; r < 5; r++)
      runs[r] = fill_seconds(steps[i], total);
    qsort(runs, 5, sizeof runs[0], compare_doubles);
    printf("%10" PRIu64 " %12.1f %10.2f\n", steps[i], runs[2] * 1e3,
           (double)total / runs[2] / (1 << 30));
  }
  return 0;
}
