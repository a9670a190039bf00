/* check_vmem.c -- SamrenaVmem, the reserve-then-commit bump region. */
#include "check_util.h"

#include <string.h>

static bool vmem_supported(void) {
  SamrenaVmem probe = {0};
  if (!samrena_vmem_reserve(&probe, 4096)) {
    ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_UNSUPPORTED_OPERATION);
    return false;
  }
  ck_assert(samrena_vmem_release(&probe));
  return true;
}

START_TEST(test_vmem_bad_input) {
  ck_assert(!samrena_vmem_reserve(NULL, 4096));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert_ptr_null(samrena_vmem_commit(NULL, 10));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert(!samrena_vmem_release(NULL));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  ck_assert(!samrena_vmem_resize(NULL, 10));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);
  samrena_vmem_reset(NULL);
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_NULL_POINTER);

  SamrenaVmem vm = {0};
  ck_assert_ptr_null(samrena_vmem_commit(&vm, 10));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
  ck_assert(!samrena_vmem_reserve(&vm, 0));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_SIZE);
  ck_assert(!samrena_vmem_reserve(&vm, UINT64_MAX));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  ck_assert_ptr_null(vm.base);
  ck_assert(samrena_vmem_release(&vm)); /* empty: nothing to do */
  if (!vmem_supported())
    return;
  ck_assert(samrena_vmem_reserve(&vm, 1 * MiB));
  ck_assert(!samrena_vmem_reserve(&vm, 1 * MiB));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_INVALID_PARAMETER);
  ck_assert(samrena_vmem_release(&vm));
}
END_TEST

START_TEST(test_vmem_bump_region) {
  if (!vmem_supported())
    return;
  SamrenaVmem vm = {0};
  ck_assert(samrena_vmem_reserve(&vm, 4 * MiB));
  ck_assert_ptr_nonnull(vm.base);
  ck_assert_uint_eq(vm.reserved, 4 * MiB);
  ck_assert_uint_eq(vm.committed, 0);
  ck_assert_uint_eq(vm.used, 0);
  ck_assert_int_eq(util_resident_bytes(vm.base, vm.reserved) > 0, 0);

  char *text = samrena_vmem_commit(&vm, 33);
  ck_assert_ptr_eq(text, vm.base);
  strcpy(text, "Hello, samrena vmem!");
  ck_assert_uint_eq(vm.used, 33);
  ck_assert_uint_eq(vm.committed, util_page_size());
  /* The next commit starts at 33 rounded up to max_align_t (x86-64: 48). */
  int *numbers = samrena_vmem_commit(&vm, 10 * sizeof(int));
  ck_assert_ptr_eq(numbers, (char *)vm.base + ROUND_UP(33, MAX_ALIGN));
  ck_assert_uint_eq((uintptr_t)numbers % MAX_ALIGN, 0);
  numbers[9] = 99;
  ck_assert_ptr_nonnull(samrena_vmem_commit(&vm, 0));
  ck_assert_uint_eq(vm.used, ROUND_UP(33, MAX_ALIGN) + 10 * sizeof(int));

  /* Past the reservation: NULL, nothing changed. */
  uint64_t used = vm.used;
  ck_assert_ptr_null(samrena_vmem_commit(&vm, 4 * MiB));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
  ck_assert_ptr_null(samrena_vmem_commit(&vm, UINT64_MAX));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  ck_assert_uint_eq(vm.used, used);
  ck_assert_str_eq(text, "Hello, samrena vmem!");

  /* Reset keeps the commit; the region is reused from the start. */
  uint64_t committed = vm.committed;
  samrena_vmem_reset(&vm);
  ck_assert_uint_eq(vm.used, 0);
  ck_assert_uint_eq(vm.committed, committed);
  ck_assert_ptr_eq(samrena_vmem_commit(&vm, 3 * MiB), vm.base);
  ck_assert_uint_eq(vm.committed, 3 * MiB);
  memset(vm.base, 0x11, 3 * MiB);
  ck_assert(samrena_vmem_release(&vm));
  ck_assert_ptr_null(vm.base);
  ck_assert_uint_eq(vm.reserved, 0);
}
END_TEST

START_TEST(test_vmem_resize) {
  if (!vmem_supported())
    return;
  SamrenaVmem vm = {0};
  ck_assert(samrena_vmem_resize(&vm, 1000));
  ck_assert_uint_ge(vm.reserved, UINTPTR_MAX > UINT32_MAX ? 1024 * MiB : 64 * MiB);
  ck_assert_uint_eq(vm.used, 1000);
  unsigned char *base = vm.base;
  memset(base, 7, 1000);
  ck_assert(samrena_vmem_resize(&vm, 16 * MiB));
  ck_assert_ptr_eq(vm.base, base);
  ck_assert_uint_eq(vm.committed, 16 * MiB);
  ck_assert_uint_eq(base[999], 7);
  memset(base, 8, 16 * MiB);
  int64_t big = util_resident_bytes(base, 16 * MiB);

  ck_assert(samrena_vmem_resize(&vm, 1 * MiB));
  ck_assert_uint_eq(vm.committed, 1 * MiB);
  ck_assert_uint_eq(vm.used, 1 * MiB);
  ck_assert_uint_eq(base[1 * MiB - 1], 8);
  if (big >= 0)
    ck_assert_int_le(util_resident_bytes(base, 16 * MiB), (int64_t)(1 * MiB));

  /* Growth beyond the reservation fails and leaves the region as it was. */
  ck_assert(!samrena_vmem_resize(&vm, vm.reserved + 1));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OUT_OF_MEMORY);
  ck_assert_uint_eq(vm.used, 1 * MiB);
  ck_assert(!samrena_vmem_resize(&vm, UINT64_MAX));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);

  ck_assert(samrena_vmem_resize(&vm, 0));
  ck_assert_ptr_null(vm.base);
  SamrenaVmem empty = {0};
  ck_assert(!samrena_vmem_resize(&empty, UINT64_MAX));
  ck_assert_int_eq(samrena_last_error(), SAMRENA_ERROR_OVERFLOW);
  ck_assert_ptr_null(empty.base);
}
END_TEST

Suite *make_vmem_suite(void) {
  Suite *suite = suite_create("vmem");
  TCase *tc = util_tcase("region");
  tcase_add_test(tc, test_vmem_bad_input);
  tcase_add_test(tc, test_vmem_bump_region);
  tcase_add_test(tc, test_vmem_resize);
  suite_add_tcase(suite, tc);
  return suite;
}
