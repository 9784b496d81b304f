/*
 * ww_test — what every cmocka test in tests/ includes: cmocka itself (with
 * the headers it needs first) and small helpers shared by the tests.
 */
#ifndef WW_TEST_H
#define WW_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* A fresh temporary directory for one test (removed by ww_test_rmtree). */
char *ww_test_tmpdir(void);
/* rm -rf of a directory created by ww_test_tmpdir. */
void ww_test_rmtree(const char *dir);
/* Write a whole file; fails the test on error. */
void ww_test_write_file(const char *path, const char *text);
/* Path of ../shared/data/NAME if present (static buffer), else NULL. */
const char *ww_test_shared_data(const char *name);
/* The iio: channel lists of npoints range points, I/Q pairs of a device's
 * voltage channels in order: "voltage0,voltage2,..." into i and
 * "voltage1,voltage3,..." into q (each of size n; fails the test if short). */
void ww_test_channel_lists(int npoints, char *i, char *q, size_t n);

#endif
