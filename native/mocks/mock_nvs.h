/* Controls of the NVS mock (native/mocks/mock_nvs.c) for host tests. */
#ifndef MOCK_NVS_CTL_H
#define MOCK_NVS_CTL_H
#include <stdbool.h>
#include "nvs.h"
extern char mock_nvs_log[4096]; /* "fn(arg);" per call since the last reset */
void mock_nvs_reset(void);
void mock_nvs_fail_next(const char *fn, esp_err_t err); /* the next call of fn returns err */
void mock_nvs_set_capacity(size_t bytes);
int mock_nvs_open_handles(void);
#endif
