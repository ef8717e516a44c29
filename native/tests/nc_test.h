/* Minimal C test harness for the native host cores (run by tools/native/test.sh under ASan/UBSan).
 * CHECK records a failure with file:line and continues; main returns non-zero if anything failed. */
#ifndef NC_TEST_H
#define NC_TEST_H

#include <stdio.h>
#include <string.h>

static int nc_failures;
static int nc_checks;

#define CHECK(cond) do { nc_checks++; if (!(cond)) { nc_failures++; \
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_EQ_INT(a, b) do { long long _a = (long long)(a), _b = (long long)(b); nc_checks++; if (_a != _b) { \
    nc_failures++; fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, #a, _a, #b, _b); } } while (0)
#define CHECK_MEM(a, b, n) do { nc_checks++; if (memcmp((a), (b), (n)) != 0) { nc_failures++; \
    fprintf(stderr, "%s:%d: bytes differ: %s vs %s (%zu bytes)\n", __FILE__, __LINE__, #a, #b, (size_t)(n)); } } while (0)

#define RUN(test) do { fprintf(stderr, "  %s\n", #test); test(); } while (0)

static inline int nc_test_report(const char *suite) {
    fprintf(stderr, "%s: %d checks, %d failed\n", suite, nc_checks, nc_failures);
    return nc_failures ? 1 : 0;
}

#endif
