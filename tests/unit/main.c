/*
 * main.c - the CUnit runner. Each tests/unit/test_<module>.c defines
 * register_<module>_suite(); the build generates suites.h from the file names.
 * Optional argument: a suite name to run alone.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#define SUITE(name) void register_##name##_suite(void);
#include "suites.h"
#undef SUITE

int main(int argc, char **argv)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
#define SUITE(name)                                                                        \
	if (argc < 2 || !strcmp(argv[1], #name))                                           \
		register_##name##_suite();
#include "suites.h"
#undef SUITE
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures();
	unsigned run = CU_get_number_of_tests_run();
	CU_cleanup_registry();
	if (run == 0) {
		fprintf(stderr, "unit-tests: no test ran\n");
		return 1;
	}
	return failed ? 1 : 0;
}
