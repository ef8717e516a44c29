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

/* ---- TCP listener (socket_core.h "TCP listener") ----
 * The task owns every descriptor; the XS task touches only the queues and flags below, under the mutex. */
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* lwIP never raises SIGPIPE */
#endif

typedef struct {
    int fd;                /* -1: free slot */
    uint32_t id;
    bool close_requested;  /* by XS: flush, then close */
    int64_t close_deadline_ms;
    uint8_t *queue;
    size_t queued, cap;
} socl_conn;

struct socl {
    nc_mutex *mu;
    int refs;              /* task + XS side */
    int lfd;               /* owned by the task once it runs */
    bool stop_accepting, released;
    int max_conn;
    uint32_t next_id;
    socl_conn conns[SOCL_MAX_CONN];
    socl_post_fn post;
    void *ctx;
};

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL, 0);
    return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

static bool again(void) { return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR; }

static socl_conn *find_conn(socl *l, uint32_t id) { /* under the mutex */
    for (int i = 0; i < SOCL_MAX_CONN; i++)
        if (l->conns[i].fd >= 0 && l->conns[i].id == id) return &l->conns[i];
    return NULL;
}

static void socl_free(socl *l) {
    nc_mutex_lock(l->mu);
    bool last = --l->refs == 0;
    nc_mutex_unlock(l->mu);
    if (!last) return;
    for (int i = 0; i < SOCL_MAX_CONN; i++) free(l->conns[i].queue);
    nc_mutex_delete(l->mu);
    free(l);
}

/* Task side: closes the slot's descriptor, then posts CLOSE. Writes are refused from the moment the slot is free. */
static void end_conn(socl *l, socl_conn *c, socc_error e) {
    nc_mutex_lock(l->mu);
    int fd = c->fd;
    uint32_t id = c->id;
    c->fd = -1;
    c->close_requested = false;
    c->queued = 0;
    nc_mutex_unlock(l->mu);
    close(fd);
    socl_msg m = {.type = SOCL_MSG_CLOSE, .error = (uint8_t)e, .conn = id};
    l->post(l->ctx, &m, NULL, 0);
}

static void accept_pending(socl *l) {
    for (;;) {
        struct sockaddr_in peer;
        socklen_t plen = sizeof peer;
        int fd = accept(l->lfd, (struct sockaddr *)&peer, &plen);
        if (fd < 0) return; /* EAGAIN: backlog empty; other errors (ENFILE, ECONNABORTED) drop that one attempt */
        nc_mutex_lock(l->mu);
        socl_conn *slot = NULL;
        int open = 0;
        for (int i = 0; i < SOCL_MAX_CONN; i++) {
            if (l->conns[i].fd >= 0) open++;
            else if (!slot) slot = &l->conns[i];
        }
        bool take = slot && open < l->max_conn && !l->released && set_nonblocking(fd);
        if (take) { slot->fd = fd; slot->id = ++l->next_id; slot->queued = 0; slot->close_requested = false; }
        nc_mutex_unlock(l->mu);
        if (!take) { close(fd); continue; } /* over the limit: the client sees the connection closed at once */
        socl_msg m = {.type = SOCL_MSG_ACCEPT, .conn = slot->id, .remote_port = ntohs(peer.sin_port)};
        memcpy(m.remote_ip, &peer.sin_addr.s_addr, 4); /* network order = a.b.c.d in memory */
        l->post(l->ctx, &m, NULL, 0);
    }
}

/* Sends what fits from the connection's queue; false on a connection error. */
static bool flush_some(socl *l, socl_conn *c) {
    uint8_t buf[1024];
    nc_mutex_lock(l->mu);
    size_t chunk = c->queued < sizeof buf ? c->queued : sizeof buf;
    memcpy(buf, c->queue, chunk);
    nc_mutex_unlock(l->mu);
    if (!chunk) return true;
    ssize_t w = send(c->fd, buf, chunk, MSG_NOSIGNAL);
    if (w < 0) return again();
    nc_mutex_lock(l->mu);
    memmove(c->queue, c->queue + w, c->queued - (size_t)w);
    c->queued -= (size_t)w;
    nc_mutex_unlock(l->mu);
    return true;
}

static void listener_task(void *arg) {
    socl *l = arg;
    uint8_t buf[1024];
    for (;;) {
        fd_set rd, wr;
        FD_ZERO(&rd);
        FD_ZERO(&wr);
        int maxfd = -1, open = 0;
        socl_conn *finished[SOCL_MAX_CONN];
        int n_finished = 0;
        int64_t now = now_ms();
        nc_mutex_lock(l->mu);
        bool stop = l->stop_accepting || l->released;
        for (int i = 0; i < SOCL_MAX_CONN; i++) {
            socl_conn *c = &l->conns[i];
            if (c->fd < 0) continue;
            if (l->released || (c->close_requested && (c->queued == 0 || now >= c->close_deadline_ms))) {
                finished[n_finished++] = c;
                continue;
            }
            open++;
            if (!c->close_requested) FD_SET(c->fd, &rd); /* closing: no more DATA after close() */
            if (c->queued) FD_SET(c->fd, &wr);
            if (c->fd > maxfd) maxfd = c->fd;
        }
        nc_mutex_unlock(l->mu);
        for (int i = 0; i < n_finished; i++) end_conn(l, finished[i], SOCC_ERR_NONE);
        if (stop && l->lfd >= 0) { close(l->lfd); l->lfd = -1; }
        if (l->lfd < 0 && open == 0) break;
        if (l->lfd >= 0) {
            FD_SET(l->lfd, &rd);
            if (l->lfd > maxfd) maxfd = l->lfd;
        }
        struct timeval tv = {.tv_sec = 0, .tv_usec = SOCC_POLL_MS * 1000};
        int ready = select(maxfd + 1, &rd, &wr, NULL, &tv);
        if (ready < 0) {
            if (errno == EINTR) continue;
            /* A broken select would spin: end everything with INTERNAL. */
            for (int i = 0; i < SOCL_MAX_CONN; i++)
                if (l->conns[i].fd >= 0) end_conn(l, &l->conns[i], SOCC_ERR_INTERNAL);
            if (l->lfd >= 0) { close(l->lfd); l->lfd = -1; }
            break;
        }
        if (ready == 0) continue;
        if (l->lfd >= 0 && FD_ISSET(l->lfd, &rd)) accept_pending(l);
        for (int i = 0; i < SOCL_MAX_CONN; i++) {
            socl_conn *c = &l->conns[i];
            int fd = c->fd; /* only this task frees slots: stable until end_conn below */
            if (fd < 0) continue;
            if (FD_ISSET(fd, &wr) && !flush_some(l, c)) { end_conn(l, c, SOCC_ERR_RESET); continue; }
            if (!FD_ISSET(fd, &rd)) continue;
            ssize_t n = recv(fd, buf, sizeof buf, 0);
            if (n > 0) {
                socl_msg m = {.type = SOCL_MSG_DATA, .conn = c->id};
                l->post(l->ctx, &m, buf, (size_t)n);
            } else if (n == 0) {
                end_conn(l, c, SOCC_ERR_NONE); /* orderly close by the peer */
            } else if (!again()) {
                end_conn(l, c, SOCC_ERR_RESET);
            }
        }
    }
    socl_msg done = {.type = SOCL_MSG_STOPPED};
    l->post(l->ctx, &done, NULL, 0);
    socl_free(l);
}

socl_status socl_listen(uint16_t port, int max_conn, socl_post_fn post, void *ctx, socl **out, uint16_t *bound_port) {
    *out = NULL;
    if (max_conn < 1 || max_conn > SOCL_MAX_CONN || !post) return SOCL_ERR_RANGE;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return SOCL_ERR_INTERNAL;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one); /* restart after provisioning: TIME_WAIT on 80 */
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_ANY); /* the SoftAP's 192.168.4.1 and the station's address */
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        socl_status st = errno == EADDRINUSE ? SOCL_ERR_IN_USE : SOCL_ERR_INTERNAL;
        close(fd);
        return st;
    }
    socklen_t alen = sizeof addr;
    if (listen(fd, max_conn) != 0 || !set_nonblocking(fd) || getsockname(fd, (struct sockaddr *)&addr, &alen) != 0) {
        close(fd);
        return SOCL_ERR_INTERNAL;
    }
    socl *l = calloc(1, sizeof *l);
    if (!l || !(l->mu = nc_mutex_create())) { free(l); close(fd); return SOCL_ERR_INTERNAL; }
    for (int i = 0; i < SOCL_MAX_CONN; i++) l->conns[i].fd = -1;
    l->lfd = fd;
    l->max_conn = max_conn;
    l->post = post;
    l->ctx = ctx;
    l->refs = 2;
    if (!nc_task_start("socl", 4096, 5, listener_task, l)) {
        nc_mutex_delete(l->mu);
        free(l);
        close(fd);
        return SOCL_ERR_INTERNAL;
    }
    *bound_port = ntohs(addr.sin_port);
    *out = l;
    return SOCL_OK;
}

long socl_write(socl *l, uint32_t conn, const uint8_t *data, size_t len) {
    nc_mutex_lock(l->mu);
    socl_conn *c = find_conn(l, conn);
    long rc = -1;
    if (c && !c->close_requested && !l->released) {
        rc = 0;
        if (c->queued + len > c->cap) {
            size_t cap = (c->queued + len) * 2;
            uint8_t *q = realloc(c->queue, cap);
            if (q) { c->queue = q; c->cap = cap; } else rc = -2;
        }
        if (rc == 0) {
            if (len) memcpy(c->queue + c->queued, data, len);
            c->queued += len;
            rc = (long)c->queued;
        }
    }
    nc_mutex_unlock(l->mu);
    return rc;
}

void socl_close_conn(socl *l, uint32_t conn) {
    nc_mutex_lock(l->mu);
    socl_conn *c = find_conn(l, conn);
    if (c && !c->close_requested) {
        c->close_requested = true;
        c->close_deadline_ms = now_ms() + SOCL_FLUSH_MS;
    }
    nc_mutex_unlock(l->mu);
}

void socl_close(socl *l) {
    nc_mutex_lock(l->mu);
    l->stop_accepting = true;
    nc_mutex_unlock(l->mu);
}

void socl_release(socl *l) {
    nc_mutex_lock(l->mu);
    l->released = true;
    nc_mutex_unlock(l->mu);
    socl_free(l);
}
