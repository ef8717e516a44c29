/* Host mock of esp-tls for native/socket tests: a scripted connection. Connect succeeds or fails with a chosen
 * esp-tls last error (esp_err, errno / mbedTLS code, X.509 verify flags); reads replay a script (data chunks,
 * then peer close or reset) and otherwise report WANT_READ after a short wait, like a socket with SO_RCVTIMEO;
 * writes are captured. Does not model TCP, mbedTLS records, partial writes or real certificate checking. */
#define _POSIX_C_SOURCE 200809L
#include "mock_esp_tls.h"
#include "../common/nc_os.h"

#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

struct esp_tls { esp_tls_last_error_t err; int next_read; };
mock_tls_state mock_tls;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

void mock_tls_reset(void) {
    pthread_mutex_lock(&mu);
    memset(&mock_tls, 0, sizeof mock_tls);
    mock_tls.connect_rc = 1;
    pthread_mutex_unlock(&mu);
}

esp_tls_t *esp_tls_init(void) { return calloc(1, sizeof(esp_tls_t)); }

int esp_tls_conn_new_sync(const char *host, int hostlen, int port, const esp_tls_cfg_t *cfg, esp_tls_t *tls) {
    if (mock_tls.connect_delay_ms) nc_delay_ms(mock_tls.connect_delay_ms);
    pthread_mutex_lock(&mu);
    mock_tls.cfg = *cfg;
    snprintf(mock_tls.host, sizeof mock_tls.host, "%.*s", hostlen, host);
    mock_tls.port = port;
    if (cfg->cacert_pem_buf) snprintf(mock_tls.ca, sizeof mock_tls.ca, "%s", (const char *)cfg->cacert_pem_buf);
    if (cfg->common_name) snprintf(mock_tls.common_name, sizeof mock_tls.common_name, "%s", cfg->common_name);
    /* esp-tls reads cacert_pem_bytes bytes and requires the last to be the terminator. */
    int rc = mock_tls.connect_rc;
    if (cfg->cacert_pem_buf && cfg->cacert_pem_buf[cfg->cacert_pem_bytes - 1] != 0) rc = -1;
    if (rc != 1) tls->err = mock_tls.error;
    pthread_mutex_unlock(&mu);
    return rc;
}

ssize_t esp_tls_conn_read(esp_tls_t *tls, void *data, size_t len) {
    pthread_mutex_lock(&mu);
    if (tls->next_read < mock_tls.n_reads) {
        int i = tls->next_read++;
        int n = mock_tls.read_lens[i];
        if (n > 0) memcpy(data, mock_tls.reads[i], (size_t)n < len ? (size_t)n : len);
        pthread_mutex_unlock(&mu);
        return n < 0 ? -0x50 /* MBEDTLS_ERR_NET_CONN_RESET */ : ((size_t)n < len ? n : (ssize_t)len);
    }
    pthread_mutex_unlock(&mu);
    nc_delay_ms(5);
    return ESP_TLS_ERR_SSL_WANT_READ;
}

ssize_t esp_tls_conn_write(esp_tls_t *tls, const void *data, size_t len) {
    (void)tls;
    pthread_mutex_lock(&mu);
    size_t room = sizeof mock_tls.written - mock_tls.written_len;
    size_t n = len < room ? len : room;
    memcpy(mock_tls.written + mock_tls.written_len, data, n);
    mock_tls.written_len += n;
    pthread_mutex_unlock(&mu);
    return (ssize_t)n;
}

int esp_tls_conn_destroy(esp_tls_t *tls) {
    pthread_mutex_lock(&mu);
    mock_tls.destroyed++;
    pthread_mutex_unlock(&mu);
    free(tls);
    return 0;
}
esp_err_t esp_tls_get_conn_sockfd(esp_tls_t *tls, int *fd) { (void)tls; *fd = -1; return ESP_OK; }
esp_err_t esp_tls_get_error_handle(esp_tls_t *tls, esp_tls_error_handle_t *h) { *h = &tls->err; return ESP_OK; }
esp_err_t esp_tls_get_and_clear_last_error(esp_tls_error_handle_t h, int *code, int *flags) {
    *code = h->esp_tls_error_code;
    *flags = h->esp_tls_flags;
    h->last_error = 0; h->esp_tls_error_code = 0; h->esp_tls_flags = 0;
    return ESP_OK;
}
