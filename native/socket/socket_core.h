/* Native TCP/TLS client socket core (platform part, no XS) on esp-tls: implements the connect side of
 * firmware/host/socket.ts. TLS always verifies the peer against the product's CA PEMs with SNI/name check; there
 * is no insecure mode (openremote.md / moddable-xs.md §6.2: never Moddable's JS TLS). One FreeRTOS task per
 * connection runs the blocking esp-tls calls; events reach XS only through the post function. */
#ifndef SOCKET_CORE_H
#define SOCKET_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SocketErrorCode of firmware/host/socket.ts; SOCC_ERR_NONE for an orderly close. */
typedef enum {
    SOCC_ERR_NONE = 0, SOCC_ERR_DNS, SOCC_ERR_REFUSED, SOCC_ERR_UNREACHABLE, SOCC_ERR_TIMEOUT, SOCC_ERR_RESET,
    SOCC_ERR_TLS_UNKNOWN_CA, SOCC_ERR_TLS_NAME_MISMATCH, SOCC_ERR_TLS_EXPIRED, SOCC_ERR_TLS_HANDSHAKE,
    SOCC_ERR_CLOSED, SOCC_ERR_INTERNAL,
} socc_error;

const char *socc_error_code(socc_error e); /* "TLS_UNKNOWN_CA", ... ("" for NONE) */

/* Connect failure classification from esp-tls' last error: esp_err (ESP_ERR_ESP_TLS_* / ESP_ERR_MBEDTLS_*),
 * the underlying code (errno or mbedTLS error) and the mbedTLS X.509 verify flags. */
socc_error socc_map_connect_error(int esp_err, int code, int x509_flags);

typedef enum { SOCC_MSG_CONNECT = 1, SOCC_MSG_DATA, SOCC_MSG_CLOSE } socc_msg_type;
typedef struct { uint8_t type; uint8_t error; } socc_msg; /* error: socc_error for CLOSE */

typedef struct socc socc;
/* Runs on the connection task. DATA carries the bytes (the binding copies them into the posted message). */
typedef bool (*socc_post_fn)(void *ctx, const socc_msg *msg, const uint8_t *data, size_t len);

/* Starts connecting; NULL if the task could not be created. ca_pem NULL = plain TCP. Strings are copied.
 * Exactly one CONNECT or CLOSE(error) follows, then DATA*, then exactly one CLOSE. */
socc *socc_connect(const char *host, uint16_t port, const char *ca_pem, const char *server_name, uint32_t timeout_ms,
                   socc_post_fn post, void *ctx);
/* Queues a copy; returns the bytes still queued, or -1 if closed (SocketError CLOSED), -2 out of memory. */
long socc_write(socc *s, const uint8_t *data, size_t len);
/* Ends the connection; the task posts CLOSE with no error unless it already posted CLOSE. */
void socc_close(socc *s);
/* The XS side gives up its reference (after close or from the destructor); freed when the task is done too. */
void socc_release(socc *s);

/* Read poll interval of the connection task: how soon queued writes and close() are seen while idle. */
#define SOCC_POLL_MS 50

#endif
