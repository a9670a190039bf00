/* check_main.c -- runs every libsamrena Check suite.  The strategies under
 * test are printed first, so a log shows which adapters were exercised. */
#include "check_util.h"

#include <stdio.h>
#include <stdlib.h>

int main(void) {
  util_init_strategies();
  util_adjust_for_valgrind(); /* before the suites create their test cases */
  printf("libsamrena %s: testing strategies:", samrena_version());
  for (int i = 0; i < util_strategy_count; i++)
    printf(" %s", samrena_strategy_name(util_strategies[i]));
  Samrena *probe = samrena_create(NULL);
  printf(" (default gives %s)\n", probe ? samrena_strategy_name(samrena_strategy(probe)) : "nothing");
  samrena_destroy(probe);

  SRunner *runner = srunner_create(make_api_suite());
  srunner_add_suite(runner, make_push_suite());
  srunner_add_suite(runner, make_chained_suite());
  srunner_add_suite(runner, make_virtual_suite());
  srunner_add_suite(runner, make_vmem_suite());
  srunner_add_suite(runner, make_scope_suite());
  srunner_add_suite(runner, make_resize_suite());
  srunner_add_suite(runner, make_pool_suite());
  srunner_add_suite(runner, make_stable_suite());
  srunner_add_suite(runner, make_threads_suite());
  srunner_add_suite(runner, make_bad_input_suite());
  srunner_add_suite(runner, make_faults_suite());
  srunner_add_suite(runner, make_vector_suite());
  srunner_add_suite(runner, make_str_suite());
  srunner_add_suite(runner, make_upstream_suite());
  srunner_add_suite(runner, make_scratch_suite());
  srunner_add_suite(runner, make_concurrent_suite());
  srunner_add_suite(runner, make_diag_suite());
  srunner_add_suite(runner, make_debug_suite());
  srunner_add_suite(runner, make_sources_suite());
  srunner_add_suite(runner, make_reuse_suite());
  srunner_run_all(runner, CK_ENV); /* CK_VERBOSITY=verbose lists every test */
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
