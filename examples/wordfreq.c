/* wordfreq.c -- count the words of a text with an arena.
 *
 * Every word is interned once in an arena-backed hash table: the table's
 * entries, the word bytes and the sorted result all come from one arena,
 * and one samrena_destroy frees them.  Usage: wordfreq [FILE [TOP]]
 * (without FILE it reads the bundled sample text).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <samrena.h>

#ifndef WORDFREQ_DEFAULT_TEXT
#define WORDFREQ_DEFAULT_TEXT "sample.txt"
#endif

typedef struct Entry {
  struct Entry *next;
  uint64_t count;
  size_t length;
  char word[]; /* not terminated */
} Entry;

typedef struct {
  Samrena *arena;
  Entry **buckets;
  size_t bucket_count; /* a power of two */
  size_t distinct;
  uint64_t total;
} WordTable;

static uint64_t hash_word(const char *word, size_t length) {
  uint64_t hash = 1469598103934665603u; /* FNV-1a */
  for (size_t i = 0; i < length; i++) {
    hash ^= (unsigned char)word[i];
    hash *= 1099511628211u;
  }
  return hash;
}

static int table_init(WordTable *table, Samrena *arena, size_t bucket_count) {
  table->arena = arena;
  table->bucket_count = bucket_count;
  table->buckets = samrena_push_zero(arena, bucket_count * sizeof *table->buckets);
  table->distinct = 0;
  table->total = 0;
  return table->buckets != NULL ? 0 : -1;
}

static int table_add(WordTable *table, const char *word, size_t length) {
  Entry **bucket = &table->buckets[hash_word(word, length) & (table->bucket_count - 1)];
  table->total++;
  for (Entry *entry = *bucket; entry != NULL; entry = entry->next)
    if (entry->length == length && memcmp(entry->word, word, length) == 0) {
      entry->count++;
      return 0;
    }
  Entry *entry = samrena_push(table->arena, sizeof *entry + length);
  if (entry == NULL)
    return -1;
  entry->next = *bucket;
  entry->count = 1;
  entry->length = length;
  memcpy(entry->word, word, length);
  *bucket = entry;
  table->distinct++;
  return 0;
}

static int by_count_then_word(const void *a, const void *b) {
  const Entry *x = *(const Entry *const *)a, *y = *(const Entry *const *)b;
  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  size_t shorter = x->length < y->length ? x->length : y->length;
  int order = memcmp(x->word, y->word, shorter);
  if (order != 0)
    return order;
  return x->length < y->length ? -1 : x->length > y->length;
}

static int count_words(FILE *input, WordTable *table) {
  char word[256];
  size_t length = 0;
  int c;
  do {
    c = getc(input);
    if (c != EOF && (isalnum(c) || c == '\'') && length < sizeof word) {
      word[length++] = (char)tolower(c);
    } else if (length > 0) {
      if (table_add(table, word, length) != 0)
        return -1;
      length = 0;
    }
  } while (c != EOF);
  return ferror(input) ? -1 : 0;
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : WORDFREQ_DEFAULT_TEXT;
  long top = argc > 2 ? strtol(argv[2], NULL, 10) : 10;
  FILE *input = fopen(path, "r");
  if (input == NULL) {
    perror(path);
    return 1;
  }
  Samrena *arena = samrena_create(NULL);
  WordTable table;
  if (arena == NULL || table_init(&table, arena, 4096) != 0 || count_words(input, &table) != 0) {
    fprintf(stderr, "wordfreq: %s\n", samrena_error_string(samrena_last_error()));
    fclose(input);
    samrena_destroy(arena);
    return 1;
  }
  fclose(input);

  Entry **sorted = samrena_push(arena, (table.distinct + 1) * sizeof *sorted);
  if (sorted == NULL) {
    fprintf(stderr, "wordfreq: %s\n", samrena_error_string(samrena_last_error()));
    samrena_destroy(arena);
    return 1;
  }
  size_t n = 0;
  for (size_t b = 0; b < table.bucket_count; b++)
    for (Entry *entry = table.buckets[b]; entry != NULL; entry = entry->next)
      sorted[n++] = entry;
  qsort(sorted, n, sizeof *sorted, by_count_then_word);

  printf("%" PRIu64 " words, %" PRIu64 " distinct, in a %s arena of %" PRIu64 " bytes\n",
         table.total, (uint64_t)table.distinct, samrena_strategy_name(samrena_strategy(arena)),
         samrena_allocated(arena));
  for (size_t i = 0; i < n && (long)i < top; i++)
    printf("%8" PRIu64 "  %.*s\n", sorted[i]->count, (int)sorted[i]->length, sorted[i]->word);
  samrena_destroy(arena);
  return 0;
}
