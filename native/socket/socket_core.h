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

/* ---- TCP listener (SocketHost.listen, the SoftAP/HTTP transport, unified-provisioning.md §9.2) ----
 * Plain TCP on lwIP's BSD sockets: one FreeRTOS task per listener runs select() over the non-blocking listening
 * socket and its accepted connections (at most max_conn; a connection beyond that is accepted and closed at once,
 * nothing is posted). The XS task only queues writes and requests closes under the mutex. Per connection:
 * ACCEPT, DATA*, then exactly one CLOSE. After socl_close() the listener stops accepting and established
 * connections live on (as the simulator's); the task ends with STOPPED once the last one closed. */
#define SOCL_MAX_CONN 8          /* CONFIG_LWIP_MAX_SOCKETS is 10 by default: leave room for MQTT and DNS */
#define SOCL_FLUSH_MS 2000       /* close() sends what is queued first, but never waits longer than this */

typedef enum { SOCL_OK = 0, SOCL_ERR_RANGE = -1, SOCL_ERR_IN_USE = -2, SOCL_ERR_INTERNAL = -3 } socl_status;
typedef enum { SOCL_MSG_ACCEPT = 1, SOCL_MSG_DATA, SOCL_MSG_CLOSE, SOCL_MSG_STOPPED } socl_msg_type;
typedef struct {
    uint8_t type;
    uint8_t error;          /* CLOSE: socc_error (NONE, RESET) */
    uint16_t remote_port;   /* ACCEPT */
    uint32_t conn;          /* connection id (1, 2, ...; never reused by one listener) */
    uint8_t remote_ip[4];   /* ACCEPT: IPv4 address bytes */
} socl_msg;

typedef struct socl socl;
typedef bool (*socl_post_fn)(void *ctx, const socl_msg *msg, const uint8_t *data, size_t len);

/* Binds 0.0.0.0:port (0 = any) and starts the task; *bound_port is the port actually bound. */
socl_status socl_listen(uint16_t port, int max_conn, socl_post_fn post, void *ctx, socl **out, uint16_t *bound_port);
/* Queues a copy for the connection; bytes still queued, -1 if it is closed (or closing), -2 out of memory. */
long socl_write(socl *l, uint32_t conn, const uint8_t *data, size_t len);
/* Closes one connection after its queue is sent (at most SOCL_FLUSH_MS); CLOSE(NONE) follows. */
void socl_close_conn(socl *l, uint32_t conn);
/* Stops accepting; established connections live on. */
void socl_close(socl *l);
/* The XS side gives up its reference: every connection is closed at once; freed when the task is done too. */
void socl_release(socl *l);

#endif
