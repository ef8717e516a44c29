/* Host tests of the native socket core (native/socket/socket_core.c) over the esp-tls mock, with a real
 * connection thread: TLS configuration (CA PEM with terminator, SNI/common name, never plain when TLS is asked),
 * event order (CONNECT, DATA*, one CLOSE), writes in order, close(), and the mapping of esp-tls / mbedTLS errors
 * and X.509 verify flags (Debian's real mbedTLS constants) onto SocketErrorCode. */
#define _POSIX_C_SOURCE 200809L
#include "nc_test.h"
#include "../common/nc_os.h"
#include "../mocks/mock_esp_tls.h"
#include "../socket/socket_core.h"

#include <errno.h>
#include <mbedtls/x509.h>
#include <pthread.h>

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

int main(void) {
    RUN(test_tls_session);
    RUN(test_plain_and_close);
    RUN(test_connect_failures);
    nc_delay_ms(100); /* let detached connection threads finish before LeakSanitizer looks */
    return nc_test_report("socket");
}
