/* Controls of the esp-tls mock (native/mocks/mock_esp_tls.c) for host tests. */
#ifndef MOCK_ESP_TLS_CTL_H
#define MOCK_ESP_TLS_CTL_H
#include "esp_tls.h"
typedef struct {
    int connect_rc;                       /* 1 success, -1 failure */
    esp_tls_last_error_t error;           /* reported after a failed connect */
    esp_tls_cfg_t cfg;                    /* configuration seen by the last connect */
    char host[64]; int port; char ca[256]; char common_name[64];
    const char *reads[8]; int read_lens[8]; int n_reads; /* scripted reads; len 0 = peer close, -1 = reset */
    char written[4096]; size_t written_len;
    int destroyed;
    unsigned connect_delay_ms;
} mock_tls_state;
extern mock_tls_state mock_tls;
void mock_tls_reset(void);
#endif
