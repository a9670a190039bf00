/* fuzz_containers.c -- a fuzz target for the containers (samvector.h and
 * SamrenaStr), checked against a model.
 *
 * LLVMFuzzerTestOneInput decodes its input into operations on a few
 * vectors (on a shared arena, on a second arena, owned) and string
 * builders, interleaved with plain pushes on the same arenas, and keeps a
 * model of what each holds: the elements of every vector, the text of
 * every builder and of every finished string, the bytes written into every
 * plain push.  After each operation it checks what samvector(3) and
 * samrena_str(3) promise: contents and sizes, capacity at least the size,
 * an owned vector on a virtual arena never moving, no two live buffers
 * overlapping, bad arguments refused with the documented code and nothing
 * changed, and a failed growth (a small buffer arena, a small reservation)
 * changing nothing either.  A violation prints the check and aborts.
 *
 * Like fuzz_arena.c it is built twice: into the libFuzzer target for `make
 * fuzz` (tests/fuzz/fuzz_containers, the library's sources compiled in) and
 * into tests/fuzz/replay_containers, which `make check` runs over
 * tests/fuzz/containers/, with and without SAMRENA_DEBUG=1 (which puts
 * every arena in the debug mode, owned vectors' included).
 * SAMRENA_FUZZ_TRACE=1 prints each operation.
 *
 * Input: one byte of configuration for the shared arena (decode_arena),
 * then operations, each an opcode byte (modulo OP_COUNT) and its
 * arguments (fuzz_common.h reads them).
 */
#include <config.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samrena.h"
#include "samvector.h"

#define FUZZ_TARGET "fuzz_containers.c"
#include "fuzz_common.h"

/* ------------------------------------------------------------------ limits */

#define MAX_VECTORS 6
#define MAX_BUILDERS 3
#define MAX_TEXTS 16
#define MAX_BLOBS 48
#define MAX_ELEMENT_SIZE 40u
#define MAX_ELEMENTS 3000u     /* per vector, in the model */
#define MAX_TEXT 20000u        /* per builder */
#define BUFFER_BYTES 65536u    /* the shared arena, when it is a caller's buffer */
#define SMALL_RESERVE 65536u   /* an owned vector's small reservation */

/* ----------------------------------------------------------------- model */

typedef struct {
  SamrenaVector *vec;
  bool live;            /* in the model; a destroyed shared vector stays, empty */
  bool owned;
  bool fixed;           /* owned on a virtual arena: data never moves */
  unsigned char *first; /* its data when made, for `fixed` */
  uint64_t element_size;
  uint64_t count;
  unsigned char *elements; /* count * element_size bytes (malloc'd) */
} VectorModel;

typedef struct {
  SamrenaStr *s;
  Samrena *arena;
  size_t length;
  char *text; /* MAX_TEXT + 1 bytes (malloc'd) */
} BuilderModel;

typedef struct {
  const char *at; /* a finished string, in its arena */
  size_t length;
  char *copy;
} TextModel;

typedef struct {
  unsigned char *at;
  uint64_t size;
  uint8_t seed;
} Blob;

static struct {
  Samrena *arenas[2]; /* [0] shared, from the input's configuration; [1] chained */
  unsigned char *buffer;
  VectorModel vectors[MAX_VECTORS];
  BuilderModel builders[MAX_BUILDERS];
  TextModel texts[MAX_TEXTS];
  Blob blobs[MAX_BLOBS];
  size_t text_count, blob_count;
} M;

static uint8_t pattern(uint8_t seed, uint64_t i) {
  return (uint8_t)(seed * 31u + (unsigned)(i * 7u) + (unsigned)(i >> 8));
}

/* -------------------------------------------------------------- arenas */

/* The shared arena: bits 0-1 the strategy (default, chained, virtual, a
 * caller's buffer of BUFFER_BYTES), bit 2 the debug mode, bit 3 a small
 * first block or reservation, bit 4 SAMRENA_FLAG_CONCURRENT (pushed by
 * this one thread: its buffers never grow in place). */
static Samrena *decode_arena(uint8_t config_byte) {
  SamrenaConfig config = samrena_default_config();
  config.flags = SAMRENA_FLAG_QUIET;
  if (config_byte & 4)
    config.flags |= SAMRENA_FLAG_DEBUG;
  if (config_byte & 8)
    config.initial_pages = 1;
  if (config_byte & 16)
    config.flags |= SAMRENA_FLAG_CONCURRENT;
  switch (config_byte & 3) {
  case 1: config.strategy = SAMRENA_STRATEGY_CHAINED; break;
  case 2: config.strategy = SAMRENA_STRATEGY_VIRTUAL; break;
  case 3:
    M.buffer = malloc(BUFFER_BYTES);
    if (M.buffer == NULL)
      return NULL;
    config.buffer = M.buffer;
    config.buffer_size = BUFFER_BYTES;
    break;
  default: break;
  }
  return samrena_create(&config);
}

/* ----------------------------------------------------------------- checks */

typedef struct {
  uintptr_t start, end;
} Span;

static size_t add_span(Span *spans, size_t n, const void *at, uint64_t bytes) {
  if (at != NULL && bytes != 0) {
    spans[n].start = (uintptr_t)at;
    spans[n].end = (uintptr_t)at + (uintptr_t)bytes;
    n++;
  }
  return n;
}

static int by_start(const void *a, const void *b) {
  const Span *x = a, *y = b;
  return x->start < y->start ? -1 : x->start > y->start;
}

static void check_vector(const VectorModel *m) {
  const SamrenaVector *vec = m->vec;
  CHECK(vec->element_size == m->element_size);
  CHECK(vec->size == m->count);
  CHECK(vec->capacity >= vec->size);
  CHECK(vec->ready <= vec->capacity);
  CHECK(samrena_vector_size(vec) == m->count);
  CHECK(samrena_vector_capacity(vec) == vec->capacity);
  CHECK(samrena_vector_available(vec) == vec->capacity - vec->size);
  CHECK(samrena_vector_is_empty(vec) == (m->count == 0));
  CHECK(samrena_vector_is_full(vec) == (vec->size >= vec->capacity));
  CHECK(vec->capacity == 0 || vec->data != NULL);
  if (m->fixed)
    CHECK(vec->data == NULL || vec->data == m->first);
  if (m->count != 0) {
    CHECK(vec->data != NULL);
    CHECK(memcmp(vec->data, m->elements, (size_t)(m->count * m->element_size)) == 0);
  }
  SamrenaVectorStats stats = samrena_vector_get_stats(vec);
  CHECK(stats.used_bytes == m->count * m->element_size);
  CHECK(stats.allocated_bytes == vec->capacity * m->element_size);
}

/* Everything the model holds is where it was, and nothing live overlaps. */
static void check_all(void) {
  Span spans[2 * MAX_VECTORS + MAX_BUILDERS + MAX_TEXTS + MAX_BLOBS];
  size_t n = 0;
  for (size_t i = 0; i < MAX_VECTORS; i++) {
    const VectorModel *m = &M.vectors[i];
    if (!m->live)
      continue;
    check_vector(m);
    n = add_span(spans, n, m->vec->data, m->vec->capacity * m->element_size);
    if (!m->owned)
      n = add_span(spans, n, m->vec, sizeof *m->vec);
  }
  for (size_t i = 0; i < MAX_BUILDERS; i++) {
    const BuilderModel *b = &M.builders[i];
    if (b->s == NULL)
      continue;
    const char *text = samrena_str_cstr(b->s);
    CHECK(text != NULL);
    CHECK(samrena_str_len(b->s) == b->length);
    CHECK(memcmp(text, b->text, b->length) == 0 && text[b->length] == '\0');
    if (b->length != 0)
      n = add_span(spans, n, text, b->length + 1);
  }
  for (size_t i = 0; i < M.text_count; i++) {
    const TextModel *t = &M.texts[i];
    CHECK(memcmp(t->at, t->copy, t->length) == 0 && t->at[t->length] == '\0');
    n = add_span(spans, n, t->at, t->length + 1);
  }
  for (size_t i = 0; i < M.blob_count; i++) {
    const Blob *blob = &M.blobs[i];
    for (uint64_t j = 0; j < blob->size; j++)
      CHECK(blob->at[j] == pattern(blob->seed, j));
    n = add_span(spans, n, blob->at, blob->size);
  }
  qsort(spans, n, sizeof spans[0], by_start);
  for (size_t i = 1; i < n; i++)
    CHECK(spans[i - 1].end <= spans[i].start);
}

/* --------------------------------------------------------------- vectors */

/* Whether a vector's fields are as they were (not memcmp: the struct has
 * padding, which a copy need not carry). */
static bool same_fields(const SamrenaVector *a, const SamrenaVector *b) {
  return a->size == b->size && a->element_size == b->element_size &&
         a->capacity == b->capacity && a->data == b->data && a->arena == b->arena &&
         a->owns_arena == b->owns_arena && a->min_growth == b->min_growth &&
         a->growth_factor == b->growth_factor && a->ready == b->ready;
}

static VectorModel *pick_vector(Input *in) {
  VectorModel *m = &M.vectors[u8(in) % MAX_VECTORS];
  return m->live ? m : NULL;
}

static VectorModel *free_vector_slot(void) {
  for (size_t i = 0; i < MAX_VECTORS; i++)
    if (!M.vectors[i].live)
      return &M.vectors[i];
  return NULL;
}

/* Takes a new vector into the model (m, a free slot), holding a copy of
 * count elements from `from` (NULL: none); without memory for the model
 * the vector is not kept. */
static void adopt(VectorModel *m, SamrenaVector *vec, bool owned, const unsigned char *from,
                  uint64_t count) {
  unsigned char *elements = malloc((size_t)(MAX_ELEMENTS * vec->element_size) + 1);
  if (elements == NULL) {
    samrena_vector_destroy(vec);
    return;
  }
  if (count != 0)
    memcpy(elements, from, (size_t)(count * vec->element_size));
  m->vec = vec;
  m->live = true;
  m->owned = owned;
  m->fixed = owned && samrena_strategy(vec->arena) == SAMRENA_STRATEGY_VIRTUAL;
  m->first = vec->data;
  m->element_size = vec->element_size;
  m->count = count;
  m->elements = elements;
}

static uint64_t element_size_from(uint8_t byte) {
  static const uint64_t common[4] = {4, 8, 1, 16};
  return byte & 0x80 ? common[byte & 3] : 1 + (uint64_t)(byte % MAX_ELEMENT_SIZE);
}

static void op_init(Input *in, bool owned) {
  uint64_t element_size = element_size_from(u8(in));
  uint8_t shape = u8(in);
  uint64_t capacity = shape & 0x40 ? (uint64_t)u16(in) % 600 : shape % 24;
  Samrena *arena = M.arenas[shape >> 7];
  trace(owned ? "init_owned" : "init", element_size, capacity);
  if (shape == 0xff) { /* sizes that overflow: refused, nothing made */
    SamrenaVector *vec = owned ? samrena_vector_init_owned(element_size, UINT64_MAX / 2)
                               : samrena_vector_init(arena, element_size, UINT64_MAX / 2);
    CHECK(vec == NULL && samrena_last_error() == SAMRENA_ERROR_OVERFLOW);
    CHECK(samrena_vector_init(NULL, 4, 4) == NULL &&
          samrena_last_error() == SAMRENA_ERROR_NULL_POINTER);
    CHECK(samrena_vector_init(arena, 0, 4) == NULL &&
          samrena_last_error() == SAMRENA_ERROR_INVALID_SIZE);
    return;
  }
  VectorModel *m = free_vector_slot();
  if (m == NULL)
    return;
  SamrenaVector *vec;
  if (owned)
    vec = shape & 0x20 ? samrena_vector_init_owned_reserve(element_size, capacity,
                                                           SMALL_RESERVE / element_size)
                       : samrena_vector_init_owned(element_size, capacity);
  else
    vec = samrena_vector_init(arena, element_size, capacity);
  if (vec == NULL) /* a full buffer arena */
    return;
  CHECK(vec->size == 0 && vec->capacity == (capacity != 0 ? capacity : 1));
  for (uint64_t i = 0; i < vec->capacity * element_size; i++) /* pushed zeroed */
    CHECK(((unsigned char *)vec->data)[i] == 0);
  adopt(m, vec, owned, NULL, 0);
}

/* The element an operation writes: bytes from the input. */
static void read_element(Input *in, unsigned char *out, uint64_t size) {
  uint8_t seed = u8(in);
  for (uint64_t i = 0; i < size; i++)
    out[i] = pattern(seed, i);
}

/* Pushes one element by way `how`: 0 the inline macro, 1 the exported
 * function, 2 (exported) and 3 (inline) an element of the vector itself. */
static void op_push(Input *in) {
  VectorModel *m = pick_vector(in);
  uint8_t how = u8(in) % 4;
  uint8_t times = 1 + u8(in) % 64;
  if (m == NULL)
    return;
  trace("push", how, times);
  for (uint8_t t = 0; t < times && m->count < MAX_ELEMENTS; t++) {
    unsigned char element[MAX_ELEMENT_SIZE + 16];
    const void *source = element;
    uint64_t index = 0;
    bool own = how >= 2 && m->count != 0;
    if (own) {
      index = (uint64_t)u8(in) % m->count;
      source = (unsigned char *)m->vec->data + index * m->element_size;
      memcpy(element, source, (size_t)m->element_size);
    } else {
      read_element(in, element, m->element_size);
    }
    SamrenaVector before = *m->vec;
    void *slot = how == 0 || how == 3 ? samrena_vector_push(m->vec, source)
                                      : (samrena_vector_push)(m->vec, source);
    if (slot == NULL) {
      /* Only growth fails, and it changes nothing. */
      SamrenaError error = samrena_last_error();
      CHECK(before.size == before.capacity);
      CHECK(error == SAMRENA_ERROR_OUT_OF_MEMORY);
      CHECK(same_fields(&before, m->vec));
      return;
    }
    CHECK(slot == (unsigned char *)m->vec->data + m->count * m->element_size);
    memcpy(m->elements + m->count * m->element_size, element, (size_t)m->element_size);
    m->count++;
    CHECK(memcmp(slot, element, (size_t)m->element_size) == 0);
  }
}

static void op_pop(Input *in) {
  VectorModel *m = pick_vector(in);
  if (m == NULL)
    return;
  trace("pop", m->count, 0);
  void *last = samrena_vector_pop(m->vec);
  if (m->count == 0) {
    CHECK(last == NULL && samrena_last_error() == SAMRENA_ERROR_INVALID_PARAMETER);
    return;
  }
  m->count--;
  CHECK(last != NULL &&
        memcmp(last, m->elements + m->count * m->element_size, (size_t)m->element_size) == 0);
}

/* get, set and at, in bounds or past them. */
static void op_access(Input *in) {
  VectorModel *m = pick_vector(in);
  uint8_t how = u8(in);
  size_t index = (size_t)u16(in);
  if (m == NULL)
    return;
  if (how & 1 && m->count != 0)
    index %= (size_t)m->count;
  trace("access", how % 3, index);
  unsigned char element[MAX_ELEMENT_SIZE];
  bool inside = index < m->count;
  unsigned char *expected = m->elements + (inside ? index : 0) * m->element_size;
  switch (how % 3) {
  case 0: {
    memset(element, 0xee, sizeof element);
    SamrenaVectorError error = samrena_vector_get(m->vec, index, element);
    CHECK(error == (inside ? SAMRENA_VECTOR_SUCCESS : SAMRENA_VECTOR_ERROR_OUT_OF_BOUNDS));
    if (inside)
      CHECK(memcmp(element, expected, (size_t)m->element_size) == 0);
    CHECK(samrena_vector_get(m->vec, 0, NULL) == SAMRENA_VECTOR_ERROR_NULL_POINTER);
    break;
  }
  case 1: {
    read_element(in, element, m->element_size);
    SamrenaVectorError error = samrena_vector_set(m->vec, index, element);
    CHECK(error == (inside ? SAMRENA_VECTOR_SUCCESS : SAMRENA_VECTOR_ERROR_OUT_OF_BOUNDS));
    if (inside)
      memcpy(expected, element, (size_t)m->element_size);
    break;
  }
  default: {
    const void *at = samrena_vector_at(m->vec, index);
    CHECK((at != NULL) == inside);
    CHECK(samrena_vector_at_const(m->vec, index) == at);
    if (inside)
      CHECK(at == (unsigned char *)m->vec->data + index * m->element_size);
    else
      CHECK(samrena_last_error() == SAMRENA_ERROR_INVALID_PARAMETER);
    break;
  }
  }
}

static void op_truncate(Input *in) {
  VectorModel *m = pick_vector(in);
  uint8_t how = u8(in);
  size_t size = (size_t)u16(in);
  if (m == NULL)
    return;
  trace("truncate", how % 2, size);
  if (how % 2 == 0) {
    samrena_vector_clear(m->vec);
    m->count = 0;
    return;
  }
  SamrenaVectorError error = samrena_vector_truncate(m->vec, size);
  if (size > m->count) {
    CHECK(error == SAMRENA_VECTOR_ERROR_OUT_OF_BOUNDS);
    return;
  }
  CHECK(error == SAMRENA_VECTOR_SUCCESS);
  m->count = size;
}

/* samrena_vector_resize and _reset: capacity exactly what was asked. */
static void op_capacity(Input *in) {
  VectorModel *m = pick_vector(in);
  uint8_t how = u8(in);
  uint64_t capacity = how & 0x40 ? u16(in) % 4000u : u8(in) % 40u;
  if (m == NULL)
    return;
  bool reset = how & 1;
  trace(reset ? "reset" : "resize", capacity, m->vec->capacity);
  if (how == 0xff) {
    SamrenaVector before = *m->vec;
    /* Past what any arena can hold: an overflow of the byte count, or for
     * small elements a size no arena has room for. */
    SamrenaVectorError error = samrena_vector_resize(m->vec, UINT64_MAX / 2);
    CHECK(error == SAMRENA_VECTOR_ERROR_ALLOCATION_FAILED ||
          error == SAMRENA_VECTOR_ERROR_ARENA_EXHAUSTED);
    CHECK(samrena_last_error() == SAMRENA_ERROR_OVERFLOW ||
          samrena_last_error() == SAMRENA_ERROR_OUT_OF_MEMORY);
    CHECK(same_fields(&before, m->vec));
    return;
  }
  if (capacity > MAX_ELEMENTS)
    capacity = MAX_ELEMENTS;
  SamrenaVector before = *m->vec;
  SamrenaVectorError error =
      reset ? samrena_vector_reset(m->vec, (size_t)capacity) : samrena_vector_resize(m->vec, capacity);
  if (reset)
    m->count = 0;
  if (error != SAMRENA_VECTOR_SUCCESS) {
    CHECK(error == SAMRENA_VECTOR_ERROR_ALLOCATION_FAILED ||
          error == SAMRENA_VECTOR_ERROR_ARENA_EXHAUSTED);
    CHECK(capacity > before.capacity);
    CHECK(m->vec->data == before.data && m->vec->capacity == before.capacity);
    return;
  }
  CHECK(m->vec->capacity == capacity);
  CHECK(capacity != 0 || m->vec->data == NULL);
  if (m->count > capacity)
    m->count = capacity;
}

static void drop_vector(VectorModel *m) {
  free(m->elements);
  memset(m, 0, sizeof *m);
}

static void op_destroy(Input *in) {
  VectorModel *m = pick_vector(in);
  if (m == NULL)
    return;
  trace("destroy", m->owned, m->count);
  SamrenaVector *vec = m->vec;
  samrena_vector_destroy(vec);
  if (m->owned) {
    drop_vector(m);
    return;
  }
  /* A shared vector's handle stays, empty and without an arena; a push
   * into it is refused. */
  CHECK(vec->size == 0 && vec->capacity == 0 && vec->data == NULL && vec->arena == NULL);
  int value = 1;
  CHECK((samrena_vector_push)(vec, &value) == NULL);
  CHECK(samrena_vector_push(vec, &value) == NULL);
  drop_vector(m);
}

static bool first_byte_even(const void *element, void *user_data) {
  (void)user_data;
  return (*(const unsigned char *)element & 1) == 0;
}

/* Each destination element: the source's first byte, then 0x5a. */
static void widen(const void *src, void *dst, void *user_data) {
  size_t size = *(const size_t *)user_data;
  unsigned char *out = dst;
  for (size_t i = 0; i < size; i++)
    out[i] = i == 0 ? *(const unsigned char *)src : 0x5a;
}

/* transfer, slice, filter and map: a new vector in the model. */
static void op_copy(Input *in) {
  VectorModel *m = pick_vector(in);
  uint8_t how = u8(in);
  uint16_t a = u16(in), b = u16(in);
  VectorModel *slot = free_vector_slot();
  if (m == NULL || slot == NULL)
    return;
  Samrena *target = (how & 0x10) ? M.arenas[1] : M.arenas[0];
  trace("copy", how % 4, m->count);
  unsigned char *expected = malloc((size_t)(MAX_ELEMENTS * MAX_ELEMENT_SIZE) + 1);
  if (expected == NULL)
    return;
  uint64_t count = 0;
  SamrenaVector *copy = NULL;
  switch (how % 4) {
  case 0:
    copy = samrena_vector_transfer(m->vec, target);
    memcpy(expected, m->elements, (size_t)(m->count * m->element_size));
    count = m->count;
    if (copy != NULL)
      CHECK(copy->capacity >= m->vec->capacity);
    break;
  case 1: {
    size_t start = m->count != 0 ? (size_t)(a % (m->count + 1)) : 0;
    size_t end = m->count != 0 ? (size_t)(b % (m->count + 1)) : 0;
    if (how & 0x20)
      end = start + b; /* past the end, or start > end */
    bool valid = start <= end && end <= m->count;
    Samrena *where = (how & 0x40) ? NULL : target;
    copy = samrena_vector_slice(m->vec, start, end, where);
    if (where == NULL && m->owned) {
      CHECK(copy == NULL && samrena_last_error() == SAMRENA_ERROR_INVALID_PARAMETER);
      break;
    }
    if (!valid) {
      CHECK(copy == NULL && samrena_last_error() == SAMRENA_ERROR_INVALID_PARAMETER);
      break;
    }
    count = end - start;
    memcpy(expected, m->elements + start * m->element_size, (size_t)(count * m->element_size));
    break;
  }
  case 2:
    copy = samrena_vector_filter(m->vec, first_byte_even, NULL, target);
    for (uint64_t i = 0; i < m->count; i++)
      if ((m->elements[i * m->element_size] & 1) == 0)
        memcpy(expected + count++ * m->element_size, m->elements + i * m->element_size,
               (size_t)m->element_size);
    break;
  default: {
    size_t size = 1 + (size_t)(a % MAX_ELEMENT_SIZE);
    copy = samrena_vector_map(m->vec, size, widen, &size, target);
    count = m->count;
    for (uint64_t i = 0; i < count; i++)
      widen(m->elements + i * m->element_size, expected + i * size, &size);
    if (copy != NULL)
      CHECK(copy->element_size == size);
    break;
  }
  }
  if (copy != NULL) {
    adopt(slot, copy, false, expected, count);
    if (slot->live)
      check_vector(slot);
  }
  free(expected);
}

/* The iterator and foreach visit every element in order. */
typedef struct {
  const VectorModel *model;
  uint64_t seen;
} Visit;

static void visit_one(const void *element, void *user_data) {
  Visit *visit = user_data;
  const VectorModel *m = visit->model;
  CHECK(visit->seen < m->count);
  CHECK(memcmp(element, m->elements + visit->seen * m->element_size, (size_t)m->element_size) ==
        0);
  visit->seen++;
}

static void op_iterate(Input *in) {
  VectorModel *m = pick_vector(in);
  if (m == NULL)
    return;
  trace("iterate", m->count, 0);
  SamrenaVectorIterator iter = samrena_vector_iter_begin(m->vec);
  for (int round = 0; round < 2; round++) {
    uint64_t i = 0;
    while (samrena_vector_iter_has_next(&iter)) {
      const void *element = samrena_vector_iter_next(&iter);
      CHECK(element != NULL && i < m->count);
      CHECK(memcmp(element, m->elements + i * m->element_size, (size_t)m->element_size) == 0);
      i++;
    }
    CHECK(i == m->count);
    CHECK(samrena_vector_iter_next(&iter) == NULL);
    samrena_vector_iter_reset(&iter);
  }
  Visit visit = {m, 0};
  samrena_vector_foreach(m->vec, visit_one, &visit);
  CHECK(visit.seen == m->count);
}

/* ------------------------------------------------------------ plain pushes */

static void op_blob(Input *in) {
  uint8_t how = u8(in);
  uint64_t size = 1 + (how & 0x40 ? u16(in) % 9000u : u8(in));
  Samrena *arena = M.arenas[how >> 7];
  if (M.blob_count == MAX_BLOBS)
    return;
  trace("blob", how >> 7, size);
  unsigned char *at = (how & 1) ? samrena_push_aligned(arena, size, 1) : samrena_push(arena, size);
  if (at == NULL)
    return;
  Blob *blob = &M.blobs[M.blob_count++];
  blob->at = at;
  blob->size = size;
  blob->seed = how;
  for (uint64_t j = 0; j < size; j++)
    at[j] = pattern(how, j);
}

/* ----------------------------------------------------------------- strings */

static BuilderModel *pick_builder(Input *in) {
  return &M.builders[u8(in) % MAX_BUILDERS];
}

static void op_str_init(Input *in) {
  BuilderModel *b = pick_builder(in);
  uint8_t where = u8(in);
  if (b->s != NULL)
    return;
  trace("str_init", where & 1, 0);
  b->arena = M.arenas[where & 1];
  b->s = samrena_str_init(b->arena);
  if (b->s == NULL)
    return;
  b->text = malloc(MAX_TEXT + 1);
  if (b->text == NULL) {
    b->s = NULL;
    return;
  }
  b->length = 0;
}

/* Appends bytes from the input (NULs included), a piece of the builder's
 * own text, or formatted text, possibly of its own text. */
static void op_str_append(Input *in) {
  BuilderModel *b = pick_builder(in);
  uint8_t how = u8(in);
  size_t length = how & 0x40 ? u16(in) % 3000u : u8(in) % 80u;
  uint8_t seed = u8(in);
  if (b->s == NULL)
    return;
  trace("str_append", how % 4, length);
  char piece[3000];
  const char *source = piece;
  SamrenaError error;
  switch (how % 4) {
  case 0:
  case 1:
    if (how % 4 == 1 && b->length != 0) { /* a piece of its own text */
      size_t start = seed % b->length;
      if (length > b->length - start)
        length = b->length - start;
      source = samrena_str_cstr(b->s) + start;
      memcpy(piece, source, length);
    } else {
      for (size_t i = 0; i < length; i++)
        piece[i] = (char)pattern(seed, i);
    }
    if (b->length + length > MAX_TEXT)
      return;
    error = samrena_str_append(b->s, source, length);
    break;
  case 2: {
    int number = (int)seed - 128;
    length %= 40;
    for (size_t i = 0; i < length; i++)
      piece[i] = (char)('a' + (seed + i) % 26);
    piece[length] = '\0';
    char formatted[200];
    int n = snprintf(formatted, sizeof formatted, "[%s|%d]", piece, number);
    CHECK(n > 0 && (size_t)n < sizeof formatted);
    if (b->length + (size_t)n > MAX_TEXT)
      return;
    error = samrena_str_appendf(b->s, "[%s|%d]", piece, number);
    memcpy(piece, formatted, (size_t)n);
    length = (size_t)n;
    break;
  }
  default: { /* the builder's own text, formatted in */
    if (b->length == 0 || b->length + 2 > sizeof piece || 2 * b->length + 2 > MAX_TEXT ||
        memchr(b->text, '\0', b->length) != NULL) /* %s would stop at a NUL */
      return;
    length = b->length + 2;
    memcpy(piece, "<", 1);
    memcpy(piece + 1, b->text, b->length);
    memcpy(piece + 1 + b->length, ">", 1);
    error = samrena_str_appendf(b->s, "<%s>", samrena_str_cstr(b->s));
    break;
  }
  }
  if (error != SAMRENA_OK) {
    CHECK(error == SAMRENA_ERROR_OUT_OF_MEMORY);
    b->text[b->length] = '\0';
    return;
  }
  memcpy(b->text + b->length, piece, length);
  b->length += length;
}

static void op_str_end(Input *in) {
  BuilderModel *b = pick_builder(in);
  uint8_t how = u8(in);
  if (b->s == NULL)
    return;
  trace(how & 1 ? "str_finish" : "str_clear", b->length, 0);
  if ((how & 1) == 0) {
    CHECK(samrena_str_clear(b->s) == SAMRENA_OK);
    b->length = 0;
    return;
  }
  char *text = samrena_str_finish(b->s);
  if (text == NULL) {
    CHECK(b->length == 0); /* only the empty string's byte is pushed, and may not fit */
    return;
  }
  CHECK(memcmp(text, b->text, b->length) == 0 && text[b->length] == '\0');
  if (M.text_count < MAX_TEXTS) {
    TextModel *t = &M.texts[M.text_count];
    t->copy = malloc(b->length + 1);
    if (t->copy != NULL) {
      memcpy(t->copy, b->text, b->length);
      t->at = text;
      t->length = b->length;
      M.text_count++;
    }
  }
  b->length = 0;
}

/* ------------------------------------------------------------- bad input */

static void op_nulls(void) {
  trace("nulls", 0, 0);
  int value = 0;
  CHECK((samrena_vector_push)(NULL, &value) == NULL &&
        samrena_last_error() == SAMRENA_ERROR_NULL_POINTER);
  CHECK(samrena_vector_pop(NULL) == NULL);
  CHECK(samrena_vector_truncate(NULL, 0) == SAMRENA_VECTOR_ERROR_NULL_POINTER);
  CHECK(samrena_vector_resize(NULL, 4) == SAMRENA_VECTOR_ERROR_NULL_POINTER);
  CHECK(samrena_vector_reset(NULL, 4) == SAMRENA_VECTOR_ERROR_NULL_POINTER);
  CHECK(samrena_vector_transfer(NULL, M.arenas[0]) == NULL);
  CHECK(samrena_vector_slice(NULL, 0, 0, NULL) == NULL);
  CHECK(samrena_str_append(NULL, "x", 1) == SAMRENA_ERROR_NULL_POINTER);
  CHECK(samrena_str_appendf(NULL, "x") == SAMRENA_ERROR_NULL_POINTER);
  CHECK(samrena_str_finish(NULL) == NULL);
  for (size_t i = 0; i < MAX_VECTORS; i++) {
    VectorModel *m = &M.vectors[i];
    if (!m->live)
      continue;
    CHECK(samrena_vector_push(m->vec, NULL) == NULL &&
          samrena_last_error() == SAMRENA_ERROR_NULL_POINTER);
    CHECK(samrena_vector_set(m->vec, 0, NULL) == SAMRENA_VECTOR_ERROR_NULL_POINTER);
    CHECK(samrena_vector_filter(m->vec, NULL, NULL, M.arenas[0]) == NULL);
    CHECK(samrena_vector_map(m->vec, 0, widen, NULL, M.arenas[0]) == NULL &&
          samrena_last_error() == SAMRENA_ERROR_INVALID_SIZE);
    if (m->owned)
      CHECK(samrena_vector_transfer(m->vec, m->vec->arena) == NULL &&
            samrena_last_error() == SAMRENA_ERROR_INVALID_PARAMETER);
  }
}

/* ------------------------------------------------------------------- run */

enum {
  OP_INIT,
  OP_INIT_OWNED,
  OP_PUSH,
  OP_PUSH_MORE,
  OP_POP,
  OP_ACCESS,
  OP_TRUNCATE,
  OP_CAPACITY,
  OP_DESTROY,
  OP_COPY,
  OP_ITERATE,
  OP_BLOB,
  OP_STR_INIT,
  OP_STR_APPEND,
  OP_STR_APPEND_MORE,
  OP_STR_END,
  OP_NULLS,
  OP_COUNT
};

static const char *const op_names[OP_COUNT] = {
    "init",     "init_owned", "push",    "push",     "pop",        "access",
    "truncate", "capacity",   "destroy", "copy",     "iterate",    "blob",
    "str_init", "str_append", "str_append", "str_end", "nulls"};

static void run_op(Input *in, unsigned op) {
  switch (op) {
  case OP_INIT: op_init(in, false); break;
  case OP_INIT_OWNED: op_init(in, true); break;
  case OP_PUSH:
  case OP_PUSH_MORE: op_push(in); break;
  case OP_POP: op_pop(in); break;
  case OP_ACCESS: op_access(in); break;
  case OP_TRUNCATE: op_truncate(in); break;
  case OP_CAPACITY: op_capacity(in); break;
  case OP_DESTROY: op_destroy(in); break;
  case OP_COPY: op_copy(in); break;
  case OP_ITERATE: op_iterate(in); break;
  case OP_BLOB: op_blob(in); break;
  case OP_STR_INIT: op_str_init(in); break;
  case OP_STR_APPEND:
  case OP_STR_APPEND_MORE: op_str_append(in); break;
  case OP_STR_END: op_str_end(in); break;
  default: op_nulls(); break;
  }
}

/* Owned vectors are destroyed (which also checks that nothing else lived
 * on their arenas), then the arenas, then the model. */
static void finish(void) {
  for (size_t i = 0; i < MAX_VECTORS; i++) {
    VectorModel *m = &M.vectors[i];
    if (m->live && m->owned)
      samrena_vector_destroy(m->vec);
    if (m->live)
      drop_vector(m);
  }
  for (size_t i = 0; i < MAX_BUILDERS; i++)
    free(M.builders[i].text);
  for (size_t i = 0; i < M.text_count; i++)
    free(M.texts[i].copy);
  samrena_destroy(M.arenas[0]);
  samrena_destroy(M.arenas[1]);
  free(M.buffer);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Input in = fuzz_begin(data, size);
  memset(&M, 0, sizeof M);
  M.arenas[0] = decode_arena(u8(&in));
  SamrenaConfig chained = samrena_default_config();
  chained.strategy = SAMRENA_STRATEGY_CHAINED;
  chained.initial_pages = 1;
  M.arenas[1] = samrena_create(&chained);
  if (M.arenas[0] == NULL || M.arenas[1] == NULL) {
    finish();
    return 0;
  }
  while (in.left > 0) {
    run_op(&in, fuzz_next_op(&in, OP_COUNT, op_names));
    check_all();
  }
  finish();
  return 0;
}
