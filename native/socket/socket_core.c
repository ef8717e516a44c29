/* Native TCP/TLS client socket core on esp-tls: see socket_core.h. The connection task owns the esp_tls handle;
 * the XS task only queues writes and requests close under a mutex, so no esp-tls call is ever made from XS. */
#include "socket_core.h"
#include "../common/nc_os.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "esp_tls.h"
#include <mbedtls/x509.h>

struct socc {
    nc_mutex *mu;
    int refs;              /* connection task + XS side */
    bool close_requested;
    bool closed_posted;    /* CLOSE already sent: later writes are refused */
    uint8_t *queue;
    size_t queued, cap;
    char *host, *ca, *server_name;
    uint16_t port;
    uint32_t timeout_ms;
    socc_post_fn post;
    void *ctx;
};

const char *socc_error_code(socc_error e) {
    static const char *const names[] = {"", "DNS", "REFUSED", "UNREACHABLE", "TIMEOUT", "RESET", "TLS_UNKNOWN_CA",
                                        "TLS_NAME_MISMATCH", "TLS_EXPIRED", "TLS_HANDSHAKE", "CLOSED", "INTERNAL"};
    return (unsigned)e < sizeof names / sizeof names[0] ? names[e] : "INTERNAL";
}

socc_error socc_map_connect_error(int esp_err, int code, int flags) {
    /* Verification result first: it names the reason a field engineer can act on. An untrusted chain outranks
     * the rest (its other flags are meaningless); an expired/not-yet-valid certificate usually means the clock
     * is not set (SNTP before TLS, moddable-xs.md §6.2) and outranks a name mismatch. */
    if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) return SOCC_ERR_TLS_UNKNOWN_CA;
    if (flags & (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE)) return SOCC_ERR_TLS_EXPIRED;
    if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) return SOCC_ERR_TLS_NAME_MISMATCH;
    if (flags) return SOCC_ERR_TLS_HANDSHAKE; /* other verify failures (key usage, bad signature, ...) */
    switch (esp_err) {
    case ESP_ERR_ESP_TLS_CANNOT_RESOLVE_HOSTNAME: return SOCC_ERR_DNS;
    case ESP_ERR_ESP_TLS_CONNECTION_TIMEOUT: return SOCC_ERR_TIMEOUT;
    case ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST:
        /* esp-tls records errno of the failed connect() as the error code. */
        if (code == ECONNREFUSED) return SOCC_ERR_REFUSED;
        if (code == ETIMEDOUT || code == EINPROGRESS) return SOCC_ERR_TIMEOUT;
        return SOCC_ERR_UNREACHABLE;
    case ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED:
    case ESP_ERR_ESP_TLS_TCP_CLOSED_FIN:
        if (code == MBEDTLS_ERR_SSL_TIMEOUT) return SOCC_ERR_TIMEOUT;
        return SOCC_ERR_TLS_HANDSHAKE;
    default:
        return SOCC_ERR_INTERNAL; /* includes an unparsable CA PEM (ESP_ERR_MBEDTLS_X509_CRT_PARSE_FAILED) */
    }
}

static void release(socc *s) {
    nc_mutex_lock(s->mu);
    bool last = --s->refs == 0;
    nc_mutex_unlock(s->mu);
    if (!last) return;
    nc_mutex_delete(s->mu);
    free(s->queue);
    free(s->host);
    free(s->ca);
    free(s->server_name);
    free(s);
}

static void post_close(socc *s, socc_error e) {
    nc_mutex_lock(s->mu);
    s->closed_posted = true;
    nc_mutex_unlock(s->mu);
    socc_msg m = {.type = SOCC_MSG_CLOSE, .error = (uint8_t)e};
    s->post(s->ctx, &m, NULL, 0);
}

static bool would_block(ssize_t n) {
    return n == ESP_TLS_ERR_SSL_WANT_READ || n == ESP_TLS_ERR_SSL_WANT_WRITE || n == ESP_TLS_ERR_SSL_TIMEOUT ||
           (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
}

static void connection_task(void *arg) {
    socc *s = arg;
    esp_tls_cfg_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.timeout_ms = (int)s->timeout_ms; /* connect + handshake */
    if (s->ca) {
        cfg.cacert_pem_buf = (const unsigned char *)s->ca;
        cfg.cacert_pem_bytes = (unsigned int)strlen(s->ca) + 1; /* PEM parsing needs the terminator counted */
        cfg.common_name = s->server_name;                       /* SNI and the certificate name check */
        cfg.tls_version = ESP_TLS_VER_ANY; /* TLS 1.2 minimum is enforced by sdkconfig (1.0/1.1 not built) */
    } else {
        cfg.is_plain_tcp = true;
    }
    esp_tls_t *tls = esp_tls_init();
    if (!tls) { post_close(s, SOCC_ERR_INTERNAL); release(s); return; }
    if (esp_tls_conn_new_sync(s->host, (int)strlen(s->host), s->port, &cfg, tls) != 1) {
        esp_tls_error_handle_t h = NULL;
        int code = 0, flags = 0, last = ESP_FAIL;
        if (esp_tls_get_error_handle(tls, &h) == ESP_OK && h) {
            last = h->last_error;
            esp_tls_get_and_clear_last_error(h, &code, &flags);
        }
        esp_tls_conn_destroy(tls);
        post_close(s, socc_map_connect_error(last, code, flags));
        release(s);
        return;
    }
    nc_mutex_lock(s->mu);
    bool closed_early = s->close_requested; /* close() during the handshake: no onConnect after close() */
    nc_mutex_unlock(s->mu);
    if (!closed_early) {
        socc_msg up = {.type = SOCC_MSG_CONNECT};
        s->post(s->ctx, &up, NULL, 0);
    }

    /* Short receive timeout so the loop also services writes and close() while the peer is quiet. */
    int fd = -1;
    if (esp_tls_get_conn_sockfd(tls, &fd) == ESP_OK && fd >= 0) {
        struct timeval tv = {.tv_sec = 0, .tv_usec = SOCC_POLL_MS * 1000};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }

    uint8_t buf[1024];
    socc_error result = SOCC_ERR_NONE;
    for (;;) {
        nc_mutex_lock(s->mu);
        bool stop = s->close_requested;
        size_t chunk = s->queued < sizeof buf ? s->queued : sizeof buf;
        if (!stop && chunk) memcpy(buf, s->queue, chunk);
        nc_mutex_unlock(s->mu);
        if (stop) break;
        if (chunk) {
            ssize_t w = esp_tls_conn_write(tls, buf, chunk);
            if (w < 0 && !would_block(w)) { result = SOCC_ERR_RESET; break; }
            if (w > 0) {
                nc_mutex_lock(s->mu);
                memmove(s->queue, s->queue + w, s->queued - (size_t)w);
                s->queued -= (size_t)w;
                nc_mutex_unlock(s->mu);
            }
        }
        ssize_t n = esp_tls_conn_read(tls, buf, sizeof buf);
        if (n > 0) {
            socc_msg m = {.type = SOCC_MSG_DATA};
            s->post(s->ctx, &m, buf, (size_t)n);
        } else if (n == 0) {
            break; /* orderly close by the peer */
        } else if (!would_block(n)) {
            result = SOCC_ERR_RESET;
            break;
        }
    }
    esp_tls_conn_destroy(tls);
    post_close(s, result);
    release(s);
}

static char *dup_or_null(const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

socc *socc_connect(const char *host, uint16_t port, const char *ca_pem, const char *server_name, uint32_t timeout_ms,
                   socc_post_fn post, void *ctx) {
    socc *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->mu = nc_mutex_create();
    s->host = dup_or_null(host);
    s->ca = dup_or_null(ca_pem);
    s->server_name = dup_or_null(server_name);
    s->port = port;
    s->timeout_ms = timeout_ms;
    s->post = post;
    s->ctx = ctx;
    s->refs = 2;
    if (!s->mu || !s->host || (ca_pem && (!s->ca || !s->server_name)) ||
        !nc_task_start("socc", 6144, 5, connection_task, s)) {
        if (s->mu) nc_mutex_delete(s->mu);
        free(s->host); free(s->ca); free(s->server_name); free(s);
        return NULL;
    }
    return s;
}

long socc_write(socc *s, const uint8_t *data, size_t len) {
    nc_mutex_lock(s->mu);
    long rc;
    if (s->close_requested || s->closed_posted) {
        rc = -1;
    } else if (s->queued + len > s->cap) {
        size_t cap = (s->queued + len) * 2;
        uint8_t *q = realloc(s->queue, cap);
        if (q) { s->queue = q; s->cap = cap; }
        rc = q ? 0 : -2;
    } else {
        rc = 0;
    }
    if (rc == 0) {
        memcpy(s->queue + s->queued, data, len);
        s->queued += len;
        rc = (long)s->queued;
    }
    nc_mutex_unlock(s->mu);
    return rc;
}

void socc_close(socc *s) {
    nc_mutex_lock(s->mu);
    s->close_requested = true;
    nc_mutex_unlock(s->mu);
}

void socc_release(socc *s) {
    socc_close(s);
    release(s);
}
