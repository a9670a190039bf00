/* check_stable.c -- samrena_vmem_realloc (pointers that never move) and
 * v_alloc compatibility (samrena/v_alloc.h), with a growable array and a
 * string-keyed hash map written the way realloc-driven containers are. */
#include "check_util.h"

#include <samrena/v_alloc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef HAVE_SYS_MMAN_H
#include <sys/mman.h>
#endif

static bool stable_supported(void) {
  void *probe = samrena_vmem_realloc(NULL, 1);
  if (probe == NULL) {
    ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_UNSUPPORTED_OPERATION);
    return false;
  }
  samrena_vmem_realloc(probe, 0);
  return true;
}

START_TEST(test_stable_grows_in_place) {
  if (!stable_supported())
    return;
  unsigned char *data = samrena_vmem_realloc(NULL, 100);
  ck_assert_ptr_nonnull(data);
  ck_assert_uint_eq((uintptr_t)data % alignof(max_align_t), 0);
  ck_assert_uint_eq(samrena_vmem_size(data), 100);
  util_fill(data, 100, 1);
  for (uint64_t size = 1000; size <= 64 * MiB; size *= 4) {
    ck_assert_ptr_eq(samrena_vmem_realloc(data, size), data);
    ck_assert_uint_eq(samrena_vmem_size(data), size);
    ck_assert(util_check(data, 100, 1));
    data[size - 1] = 0x42;
  }
  ck_assert_ptr_null(samrena_vmem_realloc(data, 0));
}
END_TEST

#if defined(HAVE_SYS_MMAN_H) && defined(MAP_ANONYMOUS)
/* Lines of /proc/self/maps: the kernel's mappings of this process; -1
 * where there is no such file. */
static long mapping_count(void) {
  FILE *maps = fopen("/proc/self/maps", "r");
  if (maps == NULL)
    return -1;
  long lines = 0;
  int c;
  while ((c = fgetc(maps)) != EOF)
    lines += c == '\n';
  fclose(maps);
  return lines;
}
#endif

/* Lines of /proc/self/maps that overlap [start, start + length): how many
 * mappings that range is split in. */
static long mappings_over(const void *start, size_t length) {
  FILE *maps = fopen("/proc/self/maps", "r");
  if (maps == NULL)
    return -1;
  uintptr_t low = (uintptr_t)start, high = low + length;
  long count = 0;
  char line[512];
  while (fgets(line, sizeof line, maps) != NULL) {
    unsigned long long from, to;
    if (sscanf(line, "%llx-%llx", &from, &to) == 2 && from < high && to > low)
      count++;
  }
  fclose(maps);
  return count;
}

/* Whether mapping_count follows this process's own mappings: a new
 * mapping split in three by a change of protection adds three lines
 * (an emulator's /proc may describe the emulator instead). */
static bool mappings_are_countable(void) {
#if defined(HAVE_SYS_MMAN_H) && defined(MAP_ANONYMOUS)
  size_t page = (size_t)util_page_size();
  long before = mapping_count();
  if (before < 0)
    return false;
  unsigned char *probe = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (probe == MAP_FAILED)
    return false;
  bool counted = mprotect(probe + page, page, PROT_READ) == 0 && mapping_count() == before + 3;
  munmap(probe, 3 * page);
  return counted;
#else
  return false;
#endif
}

/* A stable block is one kernel mapping whatever its size: asking for huge
 * pages on part of it would split it in two and halve how many blocks fit
 * under vm.max_map_count (samrena_vmem_realloc(3)). */
START_TEST(test_stable_block_is_one_mapping) {
  if (!stable_supported())
    return;
  if (!mappings_are_countable()) {
    printf("stable: mapping count: skipped, /proc/self/maps does not follow this process\n");
    return;
  }
  enum { BLOCKS = 16 };
  unsigned char *blocks[BLOCKS];
  for (int i = 0; i < BLOCKS; i++) {
    /* Half grow in steps, half at once: the two ways to huge pages. */
    blocks[i] = samrena_vmem_realloc(NULL, 100);
    ck_assert_ptr_nonnull(blocks[i]);
    for (uint64_t size = 64 * KiB; i % 2 == 0 && size <= 3 * MiB; size *= 2)
      ck_assert_ptr_eq(samrena_vmem_realloc(blocks[i], size), blocks[i]);
    ck_assert_ptr_eq(samrena_vmem_realloc(blocks[i], 3 * MiB), blocks[i]);
    memset(blocks[i], i, 3 * MiB);
  }
  /* Counted over each block's bytes, so that what else the process maps
   * meanwhile (a sanitizer's allocator) does not count; the kernel may
   * merge a block with its neighbour, never split it without cause. */
  for (int i = 0; i < BLOCKS; i++) {
    long over = mappings_over(blocks[i], 3 * MiB);
    ck_assert_msg(over == 1, "block %d of 3 MiB lies in %ld mappings", i, over);
  }
  for (int i = 0; i < BLOCKS; i++)
    ck_assert_ptr_null(samrena_vmem_realloc(blocks[i], 0));
}
END_TEST

START_TEST(test_stable_shrink_gives_pages_back) {
  if (!stable_supported())
    return;
  unsigned char *data = samrena_vmem_realloc(NULL, 32 * MiB);
  ck_assert_ptr_nonnull(data);
  memset(data, 0x11, 32 * MiB);
  int64_t full = util_resident_bytes(data, 32 * MiB);
  ck_assert_ptr_eq(samrena_vmem_realloc(data, 1 * MiB), data);
  ck_assert_uint_eq(samrena_vmem_size(data), 1 * MiB);
  ck_assert_uint_eq(data[1 * MiB - 1], 0x11);
  if (full >= 0) {
    ck_assert_int_ge(full, (int64_t)(31 * MiB));
    ck_assert_int_le(util_resident_bytes(data, 32 * MiB), (int64_t)(1 * MiB + util_page_size()));
  }
  /* Grown again, the part given back reads as zero. */
  ck_assert_ptr_eq(samrena_vmem_realloc(data, 2 * MiB), data);
  ck_assert(util_all_zero(data + 1 * MiB + util_page_size(), 1 * MiB - util_page_size()));
  samrena_vmem_realloc(data, 0);
}
END_TEST

START_TEST(test_stable_growth_past_reservation) {
  if (!stable_supported())
    return;
  unsigned char *data = samrena_vmem_realloc_reserve(NULL, 1000, 1 * MiB);
  ck_assert_ptr_nonnull(data);
  util_fill(data, 1000, 9);
  ck_assert_ptr_eq(samrena_vmem_realloc_reserve(data, 512 * KiB, 0), data);
  ck_assert_ptr_null(samrena_vmem_realloc(data, 2 * MiB));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
  ck_assert_uint_eq(samrena_vmem_size(data), 512 * KiB);
  ck_assert(util_check(data, 1000, 9));
  data[512 * KiB - 1] = 1;
  ck_assert_ptr_null(samrena_vmem_realloc(data, UINT64_MAX));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  ck_assert_uint_eq(samrena_vmem_size(data), 512 * KiB);
  samrena_vmem_realloc(data, 0);
}
END_TEST

START_TEST(test_stable_bad_input) {
  ck_assert_ptr_null(samrena_vmem_realloc(NULL, 0));
  ck_assert_uint_eq(samrena_vmem_size(NULL), 0);
  ck_assert_ptr_null(samrena_vmem_realloc(NULL, UINT64_MAX));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  ck_assert_ptr_null(samrena_vmem_realloc_reserve(NULL, 10, UINT64_MAX));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  /* A pointer that is not a stable block is refused, not followed. */
  uint64_t *plain = calloc(16, sizeof *plain);
  ck_assert_ptr_nonnull(plain);
  ck_assert_ptr_null(samrena_vmem_realloc(plain + 8, 100));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
  ck_assert_uint_eq(samrena_vmem_size(plain + 8), 0);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
  free(plain);
}
END_TEST

/* More live blocks than v_alloc's two mappings each allow under Linux's
 * default vm.max_map_count (65530): each grown twice, never moving.  Under
 * Wine every block is two Linux mappings, so a Windows build checks fewer.
 * Valgrind manages 128 GiB of address space and every block reserves
 * 1 GiB, so under it the count proves contents, not the mapping limit. */
#ifdef _WIN32
#define LIVE_BLOCKS 20000
#else
#define LIVE_BLOCKS 50000
#endif
#define LIVE_BLOCKS_UNDER_VALGRIND 100
#define COST_PROBES 16

/* Resident memory of this process, from /proc/self/statm; 0 if unknown. */
static uint64_t resident_now(void) {
  FILE *statm = fopen("/proc/self/statm", "r");
  unsigned long size = 0, resident = 0;
  if (statm != NULL) {
    if (fscanf(statm, "%lu %lu", &size, &resident) != 2)
      resident = 0;
    fclose(statm);
  }
  return (uint64_t)resident * util_page_size();
}

/* A new block of 16 bytes, reserving reserve bytes (0: the default). */
static unsigned char *new_block(uint64_t reserve) {
  return reserve != 0 ? samrena_vmem_realloc_reserve(NULL, 16, reserve)
                      : samrena_vmem_realloc(NULL, 16);
}

/* How many blocks this platform affords.  A block costs the kernel a few
 * pages however much it reserves; an emulator (qemu-user) keeps its own
 * books of the address space, MiB of memory per GiB reserved: there the
 * count is what 256 MiB of that pays for. */
static uint64_t affordable_blocks(uint64_t count, uint64_t reserve) {
  unsigned char *probes[COST_PROBES];
  uint64_t before = resident_now();
  for (int i = 0; i < COST_PROBES; i++) {
    probes[i] = new_block(reserve);
    ck_assert_ptr_nonnull(probes[i]);
  }
  uint64_t after = resident_now();
  for (int i = 0; i < COST_PROBES; i++)
    samrena_vmem_realloc(probes[i], 0);
  uint64_t cost = after > before ? (after - before) / COST_PROBES : 0;
  if (cost <= 1 * MiB || count * cost <= 256 * MiB)
    return count;
  uint64_t affordable = 256 * MiB / cost;
  fprintf(stderr, "stable: a reservation costs %llu KiB of memory here; %llu live blocks, not %llu\n",
          (unsigned long long)(cost / KiB), (unsigned long long)affordable,
          (unsigned long long)count);
  return affordable > COST_PROBES ? affordable : COST_PROBES;
}

START_TEST(test_stable_many_live_blocks) {
  if (!stable_supported())
    return;
  uint64_t count = util_under_valgrind() ? LIVE_BLOCKS_UNDER_VALGRIND : LIVE_BLOCKS;
  /* Each block reserves the default, or less where that many defaults
   * would not fit in a quarter of the address space (32-bit: 50,000
   * blocks of 64 MiB would need 3 TiB). */
  uint64_t quarter = (uint64_t)(UINTPTR_MAX / 4);
  uint64_t reserve = quarter / count < SAMRENA_VMEM_DEFAULT_RESERVE ? quarter / count : 0;
  ck_assert(reserve == 0 || reserve >= 1000);
  count = affordable_blocks(count, reserve);
  unsigned char **blocks = malloc((size_t)count * sizeof *blocks);
  ck_assert_ptr_nonnull(blocks);
  for (uint64_t i = 0; i < count; i++) {
    blocks[i] = new_block(reserve);
    util_require_msg(blocks[i] != NULL, "block %u: %s", (unsigned)i,
                     samrena_error_string(samrena_last_error()));
    util_fill(blocks[i], 16, i);
  }
  for (uint64_t i = 0; i < count; i++) {
    util_require(samrena_vmem_realloc(blocks[i], 200) == blocks[i]);
    util_fill(blocks[i] + 16, 184, i + 1);
  }
  for (uint64_t i = 0; i < count; i++) {
    util_require(samrena_vmem_realloc(blocks[i], 1000) == blocks[i]);
    util_require(util_check(blocks[i], 16, i));
    util_require(util_check(blocks[i] + 16, 184, i + 1));
  }
  for (uint64_t i = 0; i < count; i++)
    util_require(samrena_vmem_realloc(blocks[i], 0) == NULL);
  free(blocks);
}
END_TEST

/* ------------------------------------------ containers over a realloc fn */

typedef void *(*ReallocFn)(void *, size_t);

/* A growable array of ints: a header, then the items. */
typedef struct {
  size_t count, capacity;
  int items[];
} IntArray;

static IntArray *int_array_push(IntArray *array, int value, ReallocFn grow) {
  size_t count = array ? array->count : 0, capacity = array ? array->capacity : 0;
  if (count == capacity) {
    capacity = capacity ? 2 * capacity : 16;
    IntArray *bigger = grow(array, sizeof *array + capacity * sizeof(int));
    if (bigger == NULL)
      return NULL;
    array = bigger;
    array->capacity = capacity;
  }
  array->items[count] = value;
  array->count = count + 1;
  return array;
}

/* A string-keyed hash map in the style of such libraries: entries live in
 * a dense array grown with the realloc function, and an index of slots
 * (entry number + 1, 0 for empty) is rebuilt when it fills.  With a realloc
 * that never moves, a pointer to a value stays valid across every growth. */
typedef struct {
  char key[32];
  long value;
} MapEntry;
typedef struct {
  size_t count, capacity;
  MapEntry entries[];
} EntryArray;
typedef struct {
  EntryArray *data;
  size_t *index;
  size_t index_capacity; /* a power of two */
} StrMap;

static uint64_t hash_key(const char *key) {
  uint64_t hash = 1469598103934665603u;
  for (; *key; key++)
    hash = (hash ^ (unsigned char)*key) * 1099511628211u;
  return hash;
}

/* The index slot for key: its entry's, or the empty one where it would go. */
static size_t *map_slot(const StrMap *map, const char *key) {
  size_t mask = map->index_capacity - 1;
  for (size_t i = (size_t)hash_key(key) & mask;; i = (i + 1) & mask) {
    size_t *slot = &map->index[i];
    if (*slot == 0 || strcmp(map->data->entries[*slot - 1].key, key) == 0)
      return slot;
  }
}

static bool map_rebuild_index(StrMap *map, size_t capacity, ReallocFn grow) {
  size_t *index = grow(NULL, capacity * sizeof *index);
  if (index == NULL)
    return false;
  memset(index, 0, capacity * sizeof *index);
  if (map->index != NULL)
    grow(map->index, 0);
  map->index = index;
  map->index_capacity = capacity;
  for (size_t e = 0; map->data != NULL && e < map->data->count; e++)
    *map_slot(map, map->data->entries[e].key) = e + 1;
  return true;
}

/* Inserts or updates key; returns the value's address, or NULL. */
static long *map_put(StrMap *map, const char *key, long value, ReallocFn grow) {
  size_t count = map->data ? map->data->count : 0;
  if (4 * (count + 1) > 3 * map->index_capacity &&
      !map_rebuild_index(map, map->index_capacity ? 2 * map->index_capacity : 64, grow))
    return NULL;
  size_t *slot = map_slot(map, key);
  if (*slot == 0) {
    if (map->data == NULL || map->data->count == map->data->capacity) {
      size_t capacity = map->data ? 2 * map->data->capacity : 32;
      EntryArray *data = grow(map->data, sizeof *data + capacity * sizeof(MapEntry));
      if (data == NULL)
        return NULL;
      if (map->data == NULL)
        data->count = 0;
      data->capacity = capacity;
      map->data = data;
    }
    MapEntry *entry = &map->data->entries[map->data->count++];
    snprintf(entry->key, sizeof entry->key, "%s", key);
    *slot = map->data->count;
  }
  ck_assert_ptr_nonnull(map->data); /* a filled slot names an entry */
  MapEntry *entry = &map->data->entries[*slot - 1];
  entry->value = value;
  return &entry->value;
}

static long *map_get(const StrMap *map, const char *key) {
  size_t slot = *map_slot(map, key);
  return slot ? &map->data->entries[slot - 1].value : NULL;
}

START_TEST(test_v_alloc_bump_region) {
  if (!stable_supported())
    return;
  /* As v_alloc's README: reserve, commit, use, reset, commit, free. */
  AllocInfo alloc_info = {0};
  size_t reserve_size = 1024 * 1024;
  ck_assert(v_alloc_reserve(&alloc_info, reserve_size));
  size_t str_len = 32;
  char *str = v_alloc_committ(&alloc_info, str_len + 1);
  ck_assert_ptr_nonnull(str);
  snprintf(str, str_len + 1, "Hello, V_Alloc!");
  ck_assert_str_eq(str, "Hello, V_Alloc!");
  v_alloc_reset(&alloc_info);
  int *arr = v_alloc_committ(&alloc_info, 10 * sizeof(int));
  ck_assert_ptr_nonnull(arr);
  ck_assert_ptr_eq(arr, (void *)str); /* reset: the region is reused */
  arr[0] = 33;
  ck_assert_int_eq(arr[0], 33);
  ck_assert_ptr_null(v_alloc_committ(&alloc_info, 0));
  ck_assert_ptr_null(v_alloc_committ(&alloc_info, 2 * reserve_size));
  ck_assert(v_alloc_free(&alloc_info));
  ck_assert(!v_alloc_free(&alloc_info));

  /* An empty AllocInfo reserves on first use, as v_alloc does. */
  AllocInfo lazy = {0};
  ck_assert_ptr_nonnull(v_alloc_committ(&lazy, 100));
  ck_assert_uint_eq(lazy.reserved_size, SAMRENA_VMEM_DEFAULT_RESERVE);
  ck_assert_uint_eq(lazy.reserved_size, MAX_ARENA_CAPACITY);
  ck_assert(v_alloc_free(&lazy));

  AllocInfo sized = {0};
  char *base = v_alloc_resize(&sized, 1024);
  ck_assert_ptr_nonnull(base);
  memset(base, 1, 1024);
  ck_assert_ptr_eq(v_alloc_resize(&sized, 1 << 20), base);
  ck_assert_int_eq(base[1023], 1);
  ck_assert_ptr_null(v_alloc_resize(&sized, 0));
  ck_assert_ptr_null(sized.base);
}
END_TEST

/* A program that reads v_alloc's fields and macros: base, ptr, end,
 * reserved_size, page_size, V_ALLOC_ALIGNMENT, MAX_ARENA_CAPACITY, and
 * v_alloc_decommit. */
START_TEST(test_v_alloc_fields) {
  if (!stable_supported())
    return;
  ck_assert_int_eq(V_ALLOC_ALIGNMENT, 16);
  ck_assert_uint_eq((uint64_t)MAX_ARENA_CAPACITY, SAMRENA_VMEM_DEFAULT_RESERVE);
  int capacity_is_an_int = MAX_ARENA_CAPACITY;
  ck_assert_int_gt(capacity_is_an_int, 0);

  AllocInfo info = {0};
  ck_assert_ptr_null(info.base);
  size_t page = (size_t)samrena_vmem_page_size();
  ck_assert_uint_gt(page, 0);
  ck_assert_uint_eq(page & (page - 1), 0);
  size_t reserve_size = 64 * page;
  ck_assert(v_alloc_reserve(&info, reserve_size));
  ck_assert_ptr_nonnull(info.base);
  ck_assert_ptr_eq(info.ptr, info.base);
  ck_assert_ptr_eq(info.end, info.base); /* reserved, nothing committed */
  ck_assert_uint_ge(info.reserved_size, reserve_size);
  ck_assert_uint_eq(info.page_size, page);
  ck_assert(!v_alloc_reserve(&info, reserve_size)); /* already reserved */
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);

  /* Each size is rounded up to V_ALLOC_ALIGNMENT: the pieces follow on. */
  char *a = v_alloc_committ(&info, 1);
  char *b = v_alloc_committ(&info, 17);
  char *c = v_alloc_committ(&info, 32);
  ck_assert_ptr_eq(a, info.base);
  ck_assert_ptr_eq(b, a + V_ALLOC_ALIGNMENT);
  ck_assert_ptr_eq(c, b + 2 * V_ALLOC_ALIGNMENT);
  ck_assert_ptr_eq(info.ptr, c + 32);
  ck_assert_uint_eq((uintptr_t)b % V_ALLOC_ALIGNMENT, 0);
  ck_assert_uint_eq((size_t)(info.end - info.base) % info.page_size, 0);
  ck_assert(info.end >= info.ptr);
  memset(a, 'a', (size_t)(info.end - info.base)); /* everything up to end is usable */

  /* Commit ten pages, give the last three back: end moves down, the
   * reservation stays, and what is left is intact. */
  char *big = v_alloc_committ(&info, 9 * page);
  ck_assert_ptr_nonnull(big);
  memset(big, 'z', 9 * page);
  size_t committed = (size_t)(info.end - info.base);
  ck_assert_uint_ge(committed, 10 * page);
  ck_assert(v_alloc_decommit(&info, 3 * page - 5)); /* rounded up to pages */
  ck_assert_uint_eq((size_t)(info.end - info.base), committed - 3 * page);
  ck_assert(info.ptr <= info.end);
  ck_assert_int_eq(a[0], 'a');
  ck_assert_ptr_nonnull(info.end);
  ck_assert_int_eq(info.end[-1], 'z');
  ck_assert(!v_alloc_decommit(&info, 0));
  ck_assert(!v_alloc_decommit(&info, committed));  /* more than is committed */
  ck_assert(!v_alloc_decommit(NULL, page));
  ck_assert(v_alloc_decommit(&info, (size_t)(info.end - info.base))); /* all of it */
  ck_assert_ptr_eq(info.end, info.base);
  ck_assert_ptr_eq(info.ptr, info.base);
  ck_assert_uint_ge(info.reserved_size, reserve_size);
  /* ... and the region commits again from its start */
  char *again = v_alloc_committ(&info, 100);
  ck_assert_ptr_eq(again, info.base);
  memset(again, 1, 100);
  v_alloc_reset(&info);
  ck_assert_ptr_eq(info.ptr, info.base);
  ck_assert(info.end > info.base); /* the reset keeps the commit */

  /* Past the reservation: NULL, and nothing changes. */
  AllocInfo saved = info;
  ck_assert_ptr_null(v_alloc_committ(&info, info.reserved_size + 1));
  ck_assert_ptr_eq(info.ptr, saved.ptr);
  ck_assert_ptr_eq(info.end, saved.end);

  /* Fields that describe no region are refused, untouched. */
  AllocInfo broken = info;
  broken.ptr = broken.end + 1;
  ck_assert_ptr_null(v_alloc_committ(&broken, 16));
  ck_assert(!v_alloc_decommit(&broken, page));
  ck_assert(!v_alloc_free(&broken));
  ck_assert_ptr_eq(broken.ptr, info.end + 1);
  broken = info;
  broken.end = broken.base + broken.reserved_size + page;
  ck_assert_ptr_null(v_alloc_resize(&broken, 10));

  ck_assert(v_alloc_free(&info));
  ck_assert_ptr_null(info.base);
  ck_assert_ptr_null(info.ptr);
  ck_assert_ptr_null(info.end);
  ck_assert_uint_eq(info.reserved_size, 0);
  ck_assert_uint_eq(info.page_size, 0);

  /* v_alloc_resize reports its size through ptr and end too. */
  AllocInfo sized = {0};
  char *base = v_alloc_resize(&sized, 3 * page + 1);
  ck_assert_ptr_eq(base, sized.base);
  ck_assert_ptr_eq(sized.ptr, base + 3 * page + 1);
  ck_assert_ptr_eq(sized.end, base + 4 * page);
  ck_assert_uint_eq(sized.reserved_size, MAX_ARENA_CAPACITY);
  ck_assert(v_alloc_free(&sized));
}
END_TEST

START_TEST(test_v_alloc_realloc_containers) {
  if (!stable_supported())
    return;
  char *str = v_alloc_realloc(NULL, 64);
  ck_assert_ptr_nonnull(str);
  snprintf(str, 64, "Hello, v_alloc!");
  ck_assert_ptr_eq(v_alloc_realloc(str, 128), str);
  ck_assert_str_eq(str, "Hello, v_alloc!");
  ck_assert_ptr_null(v_alloc_realloc(str, 0));

  /* The array grows 100,000 items through v_alloc_realloc: a pointer into
   * it, taken first, stays valid throughout. */
  IntArray *array = int_array_push(NULL, 0, v_alloc_realloc);
  ck_assert_ptr_nonnull(array);
  int *first = &array->items[0];
  for (int i = 1; i < 100000; i++) {
    IntArray *same = int_array_push(array, i, v_alloc_realloc);
    util_require(same == array);
  }
  ck_assert_ptr_eq(first, &array->items[0]);
  for (int i = 0; i < 100000; i++)
    util_require_int_eq(array->items[i], i);
  v_alloc_realloc(array, 0);

  /* The map grows to 5,000 keys: the address of the first value, taken
   * before any growth, stays valid, and every key is found after. */
  StrMap map = {NULL, NULL, 0};
  char key[32];
  long *first_value = map_put(&map, "key-0", 0, v_alloc_realloc);
  ck_assert_ptr_nonnull(first_value);
  EntryArray *entries = map.data;
  for (long i = 1; i < 5000; i++) {
    snprintf(key, sizeof key, "key-%ld", i);
    long *value = map_put(&map, key, i * 3, v_alloc_realloc);
    ck_assert_ptr_nonnull(value);
    ck_assert_ptr_eq(map_get(&map, key), value);
  }
  ck_assert_ptr_eq(map.data, entries);
  ck_assert_ptr_eq(map_get(&map, "key-0"), first_value);
  *first_value = -1;
  for (long i = 1; i < 5000; i++) {
    snprintf(key, sizeof key, "key-%ld", i);
    long *value = map_get(&map, key);
    ck_assert_ptr_nonnull(value);
    ck_assert_int_eq(*value, i * 3);
  }
  ck_assert_int_eq(*map_get(&map, "key-0"), -1);
  ck_assert_ptr_null(map_get(&map, "absent"));
  v_alloc_realloc(map.data, 0);
  v_alloc_realloc(map.index, 0);
}
END_TEST

Suite *make_stable_suite(void) {
  Suite *suite = suite_create("stable realloc and v_alloc");
  TCase *tc = util_tcase("stable");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_stable_grows_in_place);
  tcase_add_test(tc, test_stable_block_is_one_mapping);
  tcase_add_test(tc, test_stable_shrink_gives_pages_back);
  tcase_add_test(tc, test_stable_growth_past_reservation);
  tcase_add_test(tc, test_stable_bad_input);
  tcase_add_test(tc, test_stable_many_live_blocks);
  suite_add_tcase(suite, tc);
  tc = util_tcase("v_alloc");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_v_alloc_bump_region);
  tcase_add_test(tc, test_v_alloc_fields);
  tcase_add_test(tc, test_v_alloc_realloc_containers);
  suite_add_tcase(suite, tc);
  return suite;
}
