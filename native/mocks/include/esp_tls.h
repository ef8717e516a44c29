/* Host mock of ESP-IDF esp_tls.h: the subset native/socket uses (struct members and names per ESP-IDF v6). The
 * mbedTLS error codes and X.509 verify flags are NOT mocked: tests take them from Debian's real mbedTLS headers. */
#ifndef MOCK_ESP_TLS_H
#define MOCK_ESP_TLS_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "esp_err.h"
#include <mbedtls/ssl.h>
typedef struct esp_tls esp_tls_t;
typedef struct esp_tls_last_error { esp_err_t last_error; int esp_tls_error_code; int esp_tls_flags; } esp_tls_last_error_t;
typedef esp_tls_last_error_t *esp_tls_error_handle_t;
typedef enum { ESP_TLS_VER_ANY = 0, ESP_TLS_VER_TLS_1_2 = 1, ESP_TLS_VER_TLS_1_3 = 2 } esp_tls_proto_ver_t;
typedef struct esp_tls_cfg {
    const char **alpn_protos;
    union { const unsigned char *cacert_buf; const unsigned char *cacert_pem_buf; };
    union { unsigned int cacert_bytes; unsigned int cacert_pem_bytes; };
    bool non_block;
    int timeout_ms;
    bool use_global_ca_store;
    const char *common_name;
    bool skip_common_name;
    esp_err_t (*crt_bundle_attach)(void *conf);
    bool is_plain_tcp;
    esp_tls_proto_ver_t tls_version;
} esp_tls_cfg_t;
#define ESP_TLS_ERR_SSL_WANT_READ MBEDTLS_ERR_SSL_WANT_READ
#define ESP_TLS_ERR_SSL_WANT_WRITE MBEDTLS_ERR_SSL_WANT_WRITE
#define ESP_TLS_ERR_SSL_TIMEOUT MBEDTLS_ERR_SSL_TIMEOUT
esp_tls_t *esp_tls_init(void);
int esp_tls_conn_new_sync(const char *hostname, int hostlen, int port, const esp_tls_cfg_t *cfg, esp_tls_t *tls);
ssize_t esp_tls_conn_read(esp_tls_t *tls, void *data, size_t datalen);
ssize_t esp_tls_conn_write(esp_tls_t *tls, const void *data, size_t datalen);
int esp_tls_conn_destroy(esp_tls_t *tls);
esp_err_t esp_tls_get_conn_sockfd(esp_tls_t *tls, int *sockfd);
esp_err_t esp_tls_get_error_handle(esp_tls_t *tls, esp_tls_error_handle_t *error_handle);
esp_err_t esp_tls_get_and_clear_last_error(esp_tls_error_handle_t h, int *esp_tls_code, int *esp_tls_flags);
#endif
