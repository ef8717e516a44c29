/* esp-tls for the lin simulator and host tests: the esp_tls.h API (native/mocks/include/esp_tls.h) implemented on
 * POSIX sockets and the host's mbedTLS 2.28, so native/socket/socket_core.c runs unchanged in `mcconfig -p lin`
 * and against real TLS peers in host-tests/native. It mirrors what ESP-IDF's esp-tls reports: last_error
 * (ESP_ERR_ESP_TLS_* / ESP_ERR_MBEDTLS_*), the errno or mbedTLS code, and the X.509 verify flags. TLS 1.2 minimum
 * with peer verification required, as sdkconfig configures on the chip. Not modelled: ALPN, client certificates,
 * the certificate bundle, secure element. */
#define _POSIX_C_SOURCE 200809L
#include "esp_tls.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

struct esp_tls {
    esp_tls_last_error_t err;
    bool plain, tls_ready;
    mbedtls_net_context net;
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_x509_crt ca;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
};

esp_tls_t *esp_tls_init(void) {
    esp_tls_t *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    mbedtls_net_init(&t->net);
    mbedtls_ssl_init(&t->ssl);
    mbedtls_ssl_config_init(&t->conf);
    mbedtls_x509_crt_init(&t->ca);
    mbedtls_entropy_init(&t->entropy);
    mbedtls_ctr_drbg_init(&t->drbg);
    return t;
}

static int fail(esp_tls_t *t, esp_err_t last, int code, int flags) {
    t->err.last_error = last;
    t->err.esp_tls_error_code = code;
    t->err.esp_tls_flags = flags;
    return -1;
}

static int tcp_connect(esp_tls_t *t, const char *host, int port, int timeout_ms) {
    char service[8];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    if (getaddrinfo(host, service, &hints, &res) != 0 || !res)
        return fail(t, ESP_ERR_ESP_TLS_CANNOT_RESOLVE_HOSTNAME, 0, 0);
    int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
    if (fd < 0) { freeaddrinfo(res); return fail(t, ESP_ERR_ESP_TLS_CANNOT_CREATE_SOCKET, errno, 0); }
    int flags = fcntl(fd, F_GETFL, 0);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    int rc = connect(fd, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    if (rc != 0 && errno != EINPROGRESS) { int e = errno; close(fd); return fail(t, ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST, e, 0); }
    if (rc != 0) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        if (poll(&p, 1, timeout_ms) <= 0) { close(fd); return fail(t, ESP_ERR_ESP_TLS_CONNECTION_TIMEOUT, ETIMEDOUT, 0); }
        int so = 0;
        socklen_t len = sizeof so;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &len);
        if (so) { close(fd); return fail(t, ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST, so, 0); }
    }
    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    t->net.fd = fd;
    return 1;
}

int esp_tls_conn_new_sync(const char *hostname, int hostlen, int port, const esp_tls_cfg_t *cfg, esp_tls_t *t) {
    char host[256];
    if (hostlen <= 0 || hostlen >= (int)sizeof host) return fail(t, ESP_ERR_ESP_TLS_CANNOT_RESOLVE_HOSTNAME, 0, 0);
    memcpy(host, hostname, (size_t)hostlen);
    host[hostlen] = 0;
    int timeout = cfg->timeout_ms > 0 ? cfg->timeout_ms : 10000;
    if (tcp_connect(t, host, port, timeout) != 1) return -1;
    if (cfg->is_plain_tcp) { t->plain = true; return 1; }

    int rc = 0;
    if (!cfg->cacert_pem_buf || (rc = mbedtls_x509_crt_parse(&t->ca, cfg->cacert_pem_buf, cfg->cacert_pem_bytes)) < 0)
        return fail(t, ESP_ERR_MBEDTLS_X509_CRT_PARSE_FAILED, cfg->cacert_pem_buf ? rc : 0, 0);
    if ((rc = mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->entropy, NULL, 0)) != 0 ||
        (rc = mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                          MBEDTLS_SSL_PRESET_DEFAULT)) != 0)
        return fail(t, ESP_ERR_MBEDTLS_SSL_SETUP_FAILED, rc, 0);
    mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, NULL);
    mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
    mbedtls_ssl_conf_min_version(&t->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3); /* TLS 1.2 */
    mbedtls_ssl_conf_read_timeout(&t->conf, (uint32_t)timeout);
    if ((rc = mbedtls_ssl_setup(&t->ssl, &t->conf)) != 0 ||
        (rc = mbedtls_ssl_set_hostname(&t->ssl, cfg->skip_common_name ? NULL : (cfg->common_name ? cfg->common_name : host))) != 0)
        return fail(t, ESP_ERR_MBEDTLS_SSL_SETUP_FAILED, rc, 0);
    mbedtls_ssl_set_bio(&t->ssl, &t->net, mbedtls_net_send, NULL, mbedtls_net_recv_timeout);
    while ((rc = mbedtls_ssl_handshake(&t->ssl)) != 0) {
        if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
        uint32_t flags = mbedtls_ssl_get_verify_result(&t->ssl);
        return fail(t, ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED, rc, rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED ? (int)flags : 0);
    }
    /* After the handshake: plain recv so the caller's SO_RCVTIMEO poll interval applies. */
    mbedtls_ssl_set_bio(&t->ssl, &t->net, mbedtls_net_send, mbedtls_net_recv, NULL);
    t->tls_ready = true;
    return 1;
}

ssize_t esp_tls_conn_read(esp_tls_t *t, void *data, size_t len) {
    if (t->plain) {
        ssize_t n = recv(t->net.fd, data, len, 0);
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? ESP_TLS_ERR_SSL_WANT_READ : n;
    }
    int n = mbedtls_ssl_read(&t->ssl, data, len);
    return n == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY ? 0 : n;
}

ssize_t esp_tls_conn_write(esp_tls_t *t, const void *data, size_t len) {
    if (t->plain) {
        ssize_t n = send(t->net.fd, data, len, MSG_NOSIGNAL);
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? ESP_TLS_ERR_SSL_WANT_WRITE : n;
    }
    return mbedtls_ssl_write(&t->ssl, data, len);
}

int esp_tls_conn_destroy(esp_tls_t *t) {
    if (!t) return -1;
    if (t->tls_ready) mbedtls_ssl_close_notify(&t->ssl);
    mbedtls_net_free(&t->net);
    mbedtls_ssl_free(&t->ssl);
    mbedtls_ssl_config_free(&t->conf);
    mbedtls_x509_crt_free(&t->ca);
    mbedtls_ctr_drbg_free(&t->drbg);
    mbedtls_entropy_free(&t->entropy);
    free(t);
    return 0;
}

esp_err_t esp_tls_get_conn_sockfd(esp_tls_t *t, int *fd) { *fd = t->net.fd; return ESP_OK; }
esp_err_t esp_tls_get_error_handle(esp_tls_t *t, esp_tls_error_handle_t *h) { *h = &t->err; return ESP_OK; }
esp_err_t esp_tls_get_and_clear_last_error(esp_tls_error_handle_t h, int *code, int *flags) {
    *code = h->esp_tls_error_code;
    *flags = h->esp_tls_flags;
    h->last_error = 0; h->esp_tls_error_code = 0; h->esp_tls_flags = 0;
    return ESP_OK;
}
