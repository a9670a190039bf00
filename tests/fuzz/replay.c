/* replay.c -- runs a fuzz target (fuzz_arena.c or fuzz_containers.c, linked
 * with it) over saved inputs, without libFuzzer: each argument is an input
 * file or a directory of them (files whose names start with '.' or
 * "README" are skipped).  A failed check aborts, as under the fuzzer;
 * otherwise it prints how many inputs passed.  `make check` runs
 * tests/fuzz/replay over tests/fuzz/corpus and tests/fuzz/regressions, and
 * tests/fuzz/replay_containers over tests/fuzz/containers
 * (tests/fuzz/replay.sh). */
#include <config.h>

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long replayed;

/* Reads the whole file; NULL (and a message) if it cannot. */
static uint8_t *read_file(const char *path, size_t *size) {
  FILE *file = fopen(path, "rb");
  if (file == NULL) {
    perror(path);
    return NULL;
  }
  size_t capacity = 4096, length = 0;
  uint8_t *data = malloc(capacity);
  while (data != NULL) {
    length += fread(data + length, 1, capacity - length, file);
    if (length < capacity)
      break;
    uint8_t *bigger = realloc(data, capacity * 2);
    if (bigger == NULL) {
      free(data);
      data = NULL;
      break;
    }
    data = bigger;
    capacity *= 2;
  }
  int failed = ferror(file) || data == NULL;
  fclose(file);
  if (failed) {
    fprintf(stderr, "%s: cannot read\n", path);
    free(data);
    return NULL;
  }
  *size = length;
  return data;
}

static int replay_file(const char *path) {
  size_t size = 0;
  uint8_t *data = read_file(path, &size);
  if (data == NULL)
    return 1;
  printf("replay: %s (%lu bytes)\n", path, (unsigned long)size);
  fflush(stdout);
  LLVMFuzzerTestOneInput(data, size);
  free(data);
  replayed++;
  return 0;
}

static int replay_directory(DIR *dir, const char *path) {
  int status = 0;
  struct dirent *entry;
  while ((entry = readdir(dir)) != NULL) {
    const char *name = entry->d_name;
    if (name[0] == '.' || strncmp(name, "README", 6) == 0)
      continue;
    size_t length = strlen(path) + 1 + strlen(name) + 1;
    char *file = malloc(length);
    if (file == NULL)
      return 1;
    snprintf(file, length, "%s/%s", path, name);
    status |= replay_file(file);
    free(file);
  }
  return status;
}

int main(int argc, char **argv) {
  int status = 0;
  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE-OR-DIRECTORY...\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; i++) {
    DIR *dir = opendir(argv[i]);
    if (dir != NULL) {
      status |= replay_directory(dir, argv[i]);
      closedir(dir);
    } else {
      status |= replay_file(argv[i]);
    }
  }
  printf("replay: %lu inputs, every check passed\n", replayed);
  return status;
}
