/* Host tests of the native socket core (native/socket/socket_core.c) over the esp-tls mock, with a real
 * connection thread: TLS configuration (CA PEM with terminator, SNI/common name, never plain when TLS is asked),
 * event order (CONNECT, DATA*, one CLOSE), writes in order, close(), and the mapping of esp-tls / mbedTLS errors
 * and X.509 verify flags (Debian's real mbedTLS constants) onto SocketErrorCode.
 * The listener part runs the real select() loop over loopback sockets (lwIP offers the same BSD socket calls):
 * accept with the remote address, data both ways, close after flushing, over-limit connections, peer close and
 * reset, port in use, bad arguments, stop-accepting with connections living on, and release. */
#define _POSIX_C_SOURCE 200809L
#include "nc_test.h"
#include "../common/nc_os.h"
#include "../mocks/mock_esp_tls.h"
#include "../socket/socket_core.h"

#include <errno.h>
#include <mbedtls/x509.h>
#include <pthread.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static pthread_mutex_t em = PTHREAD_MUTEX_INITIALIZER;
static char events[256];
static char data[256];
static size_t data_len;
static int closes;
static socc_error close_error;

static bool post(void *ctx, const socc_msg *m, const uint8_t *d, size_t len) {
    (void)ctx;
    pthread_mutex_lock(&em);
    size_t n = strlen(events);
    const char *tag = m->type == SOCC_MSG_CONNECT ? "C" : m->type == SOCC_MSG_DATA ? "D" : "X";
    snprintf(events + n, sizeof events - n, "%s", tag);
    if (m->type == SOCC_MSG_DATA) { memcpy(data + data_len, d, len); data_len += len; }
    if (m->type == SOCC_MSG_CLOSE) { closes++; close_error = (socc_error)m->error; }
    pthread_mutex_unlock(&em);
    return true;
}

static void reset_events(void) {
    pthread_mutex_lock(&em);
    events[0] = 0; data_len = 0; closes = 0; close_error = SOCC_ERR_NONE;
    pthread_mutex_unlock(&em);
}

static bool wait_closes(int n) {
    for (int i = 0; i < 400; i++) {
        pthread_mutex_lock(&em);
        int c = closes;
        pthread_mutex_unlock(&em);
        if (c >= n) return true;
        nc_delay_ms(5);
    }
    return false;
}

static const char *PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

static void test_tls_session(void) {
    mock_tls_reset();
    reset_events();
    static const char hello[] = "hello", world[] = " world";
    mock_tls.reads[0] = hello; mock_tls.read_lens[0] = 5;
    mock_tls.reads[1] = world; mock_tls.read_lens[1] = 6;
    mock_tls.read_lens[2] = 0; /* peer closes */
    mock_tls.n_reads = 3;
    mock_tls.connect_delay_ms = 30;
    socc *s = socc_connect("mqtt.example.com", 8883, PEM, "mqtt.example.com", 10000, post, NULL);
    CHECK(s != NULL);
    CHECK(socc_write(s, (const uint8_t *)"abc", 3) == 3); /* queued before the handshake finished */
    CHECK(socc_write(s, (const uint8_t *)"de", 2) == 5);
    CHECK(wait_closes(1));
    CHECK(strcmp(events, "CDDX") == 0);
    CHECK_EQ_INT(close_error, SOCC_ERR_NONE);
    CHECK_EQ_INT(data_len, 11);
    CHECK_MEM(data, "hello world", 11);
    CHECK(strcmp(mock_tls.host, "mqtt.example.com") == 0);
    CHECK_EQ_INT(mock_tls.port, 8883);
    CHECK(!mock_tls.cfg.is_plain_tcp);
    CHECK(!mock_tls.cfg.skip_common_name);
    CHECK(strcmp(mock_tls.common_name, "mqtt.example.com") == 0);
    CHECK(strcmp(mock_tls.ca, PEM) == 0);
    CHECK_EQ_INT(mock_tls.cfg.cacert_pem_bytes, strlen(PEM) + 1);
    CHECK_EQ_INT(mock_tls.cfg.timeout_ms, 10000);
    CHECK_EQ_INT(mock_tls.written_len, 5);
    CHECK_MEM(mock_tls.written, "abcde", 5);
    CHECK_EQ_INT(mock_tls.destroyed, 1);
    CHECK_EQ_INT(socc_write(s, (const uint8_t *)"x", 1), -1); /* CLOSED after onClose */
    socc_release(s);
}

static void test_plain_and_close(void) {
    mock_tls_reset();
    reset_events();
    socc *s = socc_connect("192.168.4.2", 1883, NULL, NULL, 5000, post, NULL);
    CHECK(s != NULL);
    nc_delay_ms(50);
    CHECK(mock_tls.cfg.is_plain_tcp);
    socc_close(s);
    CHECK(wait_closes(1));
    CHECK(strcmp(events, "CX") == 0);
    CHECK_EQ_INT(close_error, SOCC_ERR_NONE);
    CHECK_EQ_INT(socc_write(s, (const uint8_t *)"x", 1), -1);
    socc_release(s);
    /* Reset by the peer after establishment. */
    mock_tls_reset();
    reset_events();
    mock_tls.read_lens[0] = -1;
    mock_tls.n_reads = 1;
    s = socc_connect("h", 1, NULL, NULL, 5000, post, NULL);
    CHECK(wait_closes(1));
    CHECK(strcmp(events, "CX") == 0);
    CHECK_EQ_INT(close_error, SOCC_ERR_RESET);
    socc_release(s);
    /* close() while connecting: no onConnect, exactly one onClose. */
    mock_tls_reset();
    reset_events();
    mock_tls.connect_delay_ms = 50;
    s = socc_connect("h", 1, NULL, NULL, 5000, post, NULL);
    socc_close(s);
    CHECK(wait_closes(1));
    nc_delay_ms(30);
    CHECK(strcmp(events, "X") == 0);
    socc_release(s);
}

static void test_connect_failures(void) {
    struct { int esp_err, code, flags; socc_error want; } cases[] = {
        {ESP_ERR_ESP_TLS_CANNOT_RESOLVE_HOSTNAME, 0, 0, SOCC_ERR_DNS},
        {ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST, ECONNREFUSED, 0, SOCC_ERR_REFUSED},
        {ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST, EHOSTUNREACH, 0, SOCC_ERR_UNREACHABLE},
        {ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST, ETIMEDOUT, 0, SOCC_ERR_TIMEOUT},
        {ESP_ERR_ESP_TLS_CONNECTION_TIMEOUT, 0, 0, SOCC_ERR_TIMEOUT},
        {ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED, MBEDTLS_ERR_X509_CERT_VERIFY_FAILED, MBEDTLS_X509_BADCERT_NOT_TRUSTED, SOCC_ERR_TLS_UNKNOWN_CA},
        {ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED, MBEDTLS_ERR_X509_CERT_VERIFY_FAILED,
         MBEDTLS_X509_BADCERT_NOT_TRUSTED | MBEDTLS_X509_BADCERT_CN_MISMATCH, SOCC_ERR_TLS_UNKNOWN_CA},
        {ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED, MBEDTLS_ERR_X509_CERT_VERIFY_FAILED, MBEDTLS_X509_BADCERT_CN_MISMATCH, SOCC_ERR_TLS_NAME_MISMATCH},
        {ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED, MBEDTLS_ERR_X509_CERT_VERIFY_FAILED, MBEDTLS_X509_BADCERT_EXPIRED, SOCC_ERR_TLS_EXPIRED},
        {ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED, MBEDTLS_ERR_X509_CERT_VERIFY_FAILED,
         MBEDTLS_X509_BADCERT_FUTURE | MBEDTLS_X509_BADCERT_CN_MISMATCH, SOCC_ERR_TLS_EXPIRED},
        {ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED, MBEDTLS_ERR_X509_CERT_VERIFY_FAILED, MBEDTLS_X509_BADCERT_KEY_USAGE, SOCC_ERR_TLS_HANDSHAKE},
        {ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED, MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE, 0, SOCC_ERR_TLS_HANDSHAKE},
        {ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED, MBEDTLS_ERR_SSL_TIMEOUT, 0, SOCC_ERR_TIMEOUT},
        {ESP_ERR_MBEDTLS_X509_CRT_PARSE_FAILED, 0, 0, SOCC_ERR_INTERNAL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_EQ_INT(socc_map_connect_error(cases[i].esp_err, cases[i].code, cases[i].flags), cases[i].want);
    /* Through the task: a failed handshake gives exactly one CLOSE with the mapped error and no CONNECT. */
    mock_tls_reset();
    reset_events();
    mock_tls.connect_rc = -1;
    mock_tls.error.last_error = ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED;
    mock_tls.error.esp_tls_error_code = MBEDTLS_ERR_X509_CERT_VERIFY_FAILED;
    mock_tls.error.esp_tls_flags = MBEDTLS_X509_BADCERT_CN_MISMATCH;
    socc *s = socc_connect("wrong.example.com", 8883, PEM, "wrong.example.com", 1000, post, NULL);
    CHECK(wait_closes(1));
    nc_delay_ms(20);
    CHECK(strcmp(events, "X") == 0);
    CHECK_EQ_INT(close_error, SOCC_ERR_TLS_NAME_MISMATCH);
    CHECK(strcmp(socc_error_code(close_error), "TLS_NAME_MISMATCH") == 0);
    socc_release(s);
    CHECK(strcmp(socc_error_code(SOCC_ERR_TLS_UNKNOWN_CA), "TLS_UNKNOWN_CA") == 0);
    CHECK(strcmp(socc_error_code((socc_error)99), "INTERNAL") == 0);
}

/* ---- listener ---- */
static struct { char kinds[64]; uint32_t conns[64]; uint8_t errors[64]; int n; char remote[32]; char data[512]; size_t data_len; } lev;

static bool lpost(void *ctx, const socl_msg *m, const uint8_t *d, size_t len) {
    (void)ctx;
    pthread_mutex_lock(&em);
    if (lev.n < 63) {
        lev.kinds[lev.n] = "?ADXS"[m->type <= 4 ? m->type : 0];
        lev.conns[lev.n] = m->conn;
        lev.errors[lev.n++] = m->error;
        lev.kinds[lev.n] = 0;
    }
    if (m->type == SOCL_MSG_ACCEPT)
        snprintf(lev.remote, sizeof lev.remote, "%u.%u.%u.%u:%u", m->remote_ip[0], m->remote_ip[1], m->remote_ip[2],
                 m->remote_ip[3], m->remote_port);
    if (m->type == SOCL_MSG_DATA && lev.data_len + len <= sizeof lev.data) {
        memcpy(lev.data + lev.data_len, d, len);
        lev.data_len += len;
    }
    pthread_mutex_unlock(&em);
    return true;
}

static void lreset(void) { pthread_mutex_lock(&em); memset(&lev, 0, sizeof lev); pthread_mutex_unlock(&em); }

/* Waits until the event string equals `want` (2 s at most); true on a match. */
static bool lwait(const char *want) {
    for (int i = 0; i < 400; i++) {
        pthread_mutex_lock(&em);
        bool ok = strcmp(lev.kinds, want) == 0;
        pthread_mutex_unlock(&em);
        if (ok) return true;
        nc_delay_ms(5);
    }
    fprintf(stderr, "    events '%s', expected '%s'\n", lev.kinds, want);
    return false;
}

static int client(uint16_t port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {.tv_sec = 2};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { close(fd); return -1; }
    return fd;
}

/* Reads until `n` bytes or EOF/error; returns the count. */
static size_t read_n(int fd, char *out, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = recv(fd, out + got, n - got, 0);
        if (r <= 0) break;
        got += (size_t)r;
    }
    return got;
}

static void test_listener_session(void) {
    lreset();
    socl *l = NULL;
    uint16_t port = 0;
    CHECK_EQ_INT(socl_listen(0, 2, lpost, NULL, &l, &port), SOCL_OK);
    CHECK(l && port > 0);
    int a = client(port);
    CHECK(a >= 0);
    CHECK(lwait("A"));
    CHECK_EQ_INT(lev.conns[0], 1);
    struct sockaddr_in me;
    socklen_t len = sizeof me;
    getsockname(a, (struct sockaddr *)&me, &len);
    char expect_remote[32];
    snprintf(expect_remote, sizeof expect_remote, "127.0.0.1:%u", ntohs(me.sin_port));
    CHECK(strcmp(lev.remote, expect_remote) == 0);

    CHECK_EQ_INT(send(a, "POST /prov-session", 18, 0), 18);
    CHECK(lwait("AD"));
    CHECK_EQ_INT(lev.data_len, 18);
    CHECK_MEM(lev.data, "POST /prov-session", 18);

    /* A reply bigger than one send chunk, then close(): everything queued arrives before the FIN. */
    static uint8_t big[5000];
    for (size_t i = 0; i < sizeof big; i++) big[i] = (uint8_t)i;
    CHECK(socl_write(l, 1, big, sizeof big) >= 1); /* bytes still queued */
    CHECK_EQ_INT(socl_write(l, 2, big, 1), -1);     /* no such connection */
    socl_close_conn(l, 1);
    CHECK_EQ_INT(socl_write(l, 1, big, 1), -1);     /* closing: refused */
    static uint8_t got[6000];
    CHECK_EQ_INT(read_n(a, (char *)got, sizeof got), sizeof big);
    CHECK_MEM(got, big, sizeof big);
    CHECK(lwait("ADX"));
    CHECK_EQ_INT(lev.conns[2], 1);
    CHECK_EQ_INT(lev.errors[2], SOCC_ERR_NONE);
    close(a);

    /* Ids are not reused; an orderly close by the peer is CLOSE(NONE), a reset CLOSE(RESET). */
    int b = client(port), c = client(port);
    CHECK(lwait("ADXAA"));
    CHECK_EQ_INT(lev.conns[3] + lev.conns[4], 2 + 3);
    close(b);
    CHECK(lwait("ADXAAX"));
    CHECK_EQ_INT(lev.errors[5], SOCC_ERR_NONE);
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(c); /* RST */
    CHECK(lwait("ADXAAXX"));
    CHECK_EQ_INT(lev.errors[6], SOCC_ERR_RESET);

    socl_close(l);
    CHECK(lwait("ADXAAXXS")); /* no connection left: the task ends */
    CHECK(client(port) < 0);  /* nobody listens any more */
    socl_release(l);
}

static void test_listener_limits(void) {
    lreset();
    socl *l = NULL;
    uint16_t port = 0;
    CHECK_EQ_INT(socl_listen(0, 1, lpost, NULL, &l, &port), SOCL_OK);
    int a = client(port);
    CHECK(lwait("A"));
    /* Over the limit: the TCP handshake completes in the backlog, then the listener closes it unannounced. */
    int b = client(port);
    CHECK(b >= 0);
    char x;
    CHECK(recv(b, &x, 1, 0) <= 0);
    close(b);
    CHECK(strcmp(lev.kinds, "A") == 0);
    /* The first connection still works. */
    CHECK(socl_write(l, 1, (const uint8_t *)"ok", 2) >= 0);
    char buf[2];
    CHECK_EQ_INT(read_n(a, buf, 2), 2);
    CHECK_MEM(buf, "ok", 2);

    /* Port in use; bad arguments. Nothing is started. */
    socl *l2 = NULL;
    uint16_t p2 = 0;
    CHECK_EQ_INT(socl_listen(port, 1, lpost, NULL, &l2, &p2), SOCL_ERR_IN_USE);
    CHECK(l2 == NULL);
    CHECK_EQ_INT(socl_listen(0, 0, lpost, NULL, &l2, &p2), SOCL_ERR_RANGE);
    CHECK_EQ_INT(socl_listen(0, SOCL_MAX_CONN + 1, lpost, NULL, &l2, &p2), SOCL_ERR_RANGE);

    /* Stop accepting: the established connection lives on and still delivers data. */
    socl_close(l);
    nc_delay_ms(3 * SOCC_POLL_MS);
    CHECK(client(port) < 0);
    CHECK_EQ_INT(send(a, "late", 4, 0), 4);
    CHECK(lwait("AD"));
    /* Release (the XS object collected): the connection is closed at once, then the task ends. */
    socl_release(l);
    CHECK(lwait("ADXS"));
    CHECK_EQ_INT(read_n(a, buf, 1), 0);
    close(a);
}

int main(void) {
    RUN(test_tls_session);
    RUN(test_plain_and_close);
    RUN(test_connect_failures);
    RUN(test_listener_session);
    RUN(test_listener_limits);
    nc_delay_ms(100); /* let detached connection threads finish before LeakSanitizer looks */
    return nc_test_report("socket");
}
