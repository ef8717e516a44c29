/* xsmc binding of the native socket core (socket_core.c) for firmware/host/esp32/socket.ts: argument
 * marshalling only. Connection-task events arrive through modMessagePostToMachine as
 * [socc_msg | data bytes] and call the JS dispatcher given to the constructor:
 *   dispatch(1) connected | dispatch(2, ArrayBuffer) data | dispatch(3, errorCode: string) closed ("" = orderly)
 * Lifetime: the record below outlives the JS object until CLOSE has been delivered (the last message a
 * connection posts), and the JS object's destructor releases the core's reference.
 * The TCP listener (socl_*, SocketHost.listen for the SoftAP/HTTP transport) follows at the end of the file. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "socket_core.h"
#include "xsmc.h"
#include "../common/nc_xs_host.h"

typedef struct {
    xsMachine *the;
    xsSlot dispatch;
    socc *s;
    bool close_delivered;
    bool destructed;
} sock_rec;

static void free_if_done(sock_rec *r) {
    if (r->close_delivered && r->destructed) free(r);
}

void xs_nc_socket_destructor(void *data) {
    sock_rec *r = data;
    if (!r) return;
    if (r->s) { socc_release(r->s); r->s = NULL; } /* asks the task to close; CLOSE will still be delivered */
    r->destructed = true;
    free_if_done(r);
}

static void deliver(void *the_, void *refcon, uint8_t *message, uint16_t length) {
    xsMachine *the = the_;
    sock_rec *r = refcon;
    if (length < sizeof(socc_msg)) return;
    socc_msg m;
    memcpy(&m, message, sizeof m);
    if (!r->destructed && !r->close_delivered) {
        xsBeginHost(the);
        xsmcVars(2);
        xsTry {
            xsmcSetInteger(xsVar(0), m.type);
            if (m.type == SOCC_MSG_DATA) {
                xsmcSetArrayBuffer(xsVar(1), message + sizeof m, length - sizeof m);
                xsCallFunction2(r->dispatch, xsUndefined, xsVar(0), xsVar(1));
            } else if (m.type == SOCC_MSG_CLOSE) {
                xsmcSetString(xsVar(1), (char *)socc_error_code((socc_error)m.error));
                xsCallFunction2(r->dispatch, xsUndefined, xsVar(0), xsVar(1));
            } else {
                xsCallFunction1(r->dispatch, xsUndefined, xsVar(0));
            }
        }
        xsCatch {}
        xsEndHost(the);
    }
    if (m.type == SOCC_MSG_CLOSE) {
        r->close_delivered = true;
        xsForget(r->dispatch);
        free_if_done(r);
    }
}

static bool post(void *ctx, const socc_msg *msg, const uint8_t *data, size_t len) {
    sock_rec *r = ctx;
    /* modMessagePostToMachine copies the message; DATA chunks are at most 1 KB (socket_core.c read buffer). */
    uint8_t buf[sizeof(socc_msg) + 1024];
    if (len > 1024) return false;
    memcpy(buf, msg, sizeof *msg);
    if (len) memcpy(buf + sizeof *msg, data, len);
    return modMessagePostToMachine(r->the, buf, (uint16_t)(sizeof *msg + len), deliver, r) == 0;
}

/* constructor(host, port, caPem | undefined, serverName | undefined, timeoutMs, dispatch) */
void xs_nc_socket_constructor(xsMachine *the) {
    char host[254], server_name[254];
    const char *h = xsmcToString(xsArg(0));
    if (strlen(h) >= sizeof host) xsRangeError("host name too long");
    strcpy(host, h);
    int port = xsmcToInteger(xsArg(1));
    if (port < 1 || port > 65535) xsRangeError("port");
    char *ca = NULL;
    bool tls = xsmcTypeOf(xsArg(2)) != xsUndefinedType;
    if (tls) {
        const char *sn = xsmcToString(xsArg(3));
        if (strlen(sn) >= sizeof server_name) xsRangeError("server name too long");
        strcpy(server_name, sn);
        const char *pem = xsmcToString(xsArg(2));
        ca = malloc(strlen(pem) + 1);
        if (!ca) xsUnknownError("no memory");
        strcpy(ca, pem);
    }
    int timeout = xsmcToInteger(xsArg(4));
    sock_rec *r = calloc(1, sizeof *r);
    if (!r) { free(ca); xsUnknownError("no memory"); }
    r->the = the;
    r->dispatch = xsArg(5);
    xsRemember(r->dispatch);
    r->s = socc_connect(host, (uint16_t)port, ca, tls ? server_name : NULL, timeout > 0 ? (uint32_t)timeout : 10000,
                        post, r);
    free(ca); /* the core keeps its own copy */
    if (!r->s) { xsForget(r->dispatch); free(r); xsUnknownError("could not start the connection task"); }
    xsmcSetHostData(xsThis, r);
}

/* write(data): bytes still queued, or a negative number (-1 closed, -2 no memory) */
void xs_nc_socket_write(xsMachine *the) {
    sock_rec *r = xsmcGetHostData(xsThis);
    if (!r || !r->s) { xsmcSetInteger(xsResult, -1); return; }
    void *data;
    xsUnsignedValue len;
    xsmcGetBufferReadable(xsArg(0), &data, &len);
    xsmcSetNumber(xsResult, (double)socc_write(r->s, data, len));
}

void xs_nc_socket_close(xsMachine *the) {
    sock_rec *r = xsmcGetHostData(xsThis);
    if (r && r->s) socc_close(r->s);
}

/* ---- listener (socl_*, SocketHost.listen) ----
 * Listener-task events arrive as [socl_msg | data bytes] and call the listener's JS dispatcher:
 *   dispatch(1, conn, "a.b.c.d:port") accepted | (2, conn, ArrayBuffer) data | (3, conn, errorCode) closed
 *   ("" = orderly) | (4) the task ended (last message; the record is freed once the JS object is gone too). */
typedef struct {
    xsMachine *the;
    xsSlot dispatch;
    socl *l;
    uint16_t port;          /* bound port (port 0 = any) */
    bool stopped_delivered;
    bool destructed;
} listen_rec;

static void free_listener_if_done(listen_rec *r) {
    if (r->stopped_delivered && r->destructed) free(r);
}

void xs_nc_listener_destructor(void *data) {
    listen_rec *r = data;
    if (!r) return;
    if (r->l) { socl_release(r->l); r->l = NULL; } /* closes every connection; STOPPED still arrives */
    r->destructed = true;
    free_listener_if_done(r);
}

static void deliver_listener(void *the_, void *refcon, uint8_t *message, uint16_t length) {
    xsMachine *the = the_;
    listen_rec *r = refcon;
    if (length < sizeof(socl_msg)) return;
    socl_msg m;
    memcpy(&m, message, sizeof m);
    if (!r->destructed && !r->stopped_delivered) {
        xsBeginHost(the);
        xsmcVars(3);
        xsTry {
            xsmcSetInteger(xsVar(0), m.type);
            xsmcSetNumber(xsVar(1), (double)m.conn);
            if (m.type == SOCL_MSG_ACCEPT) {
                char remote[24];
                snprintf(remote, sizeof remote, "%u.%u.%u.%u:%u", m.remote_ip[0], m.remote_ip[1], m.remote_ip[2],
                         m.remote_ip[3], m.remote_port);
                xsmcSetString(xsVar(2), remote);
                xsCallFunction3(r->dispatch, xsUndefined, xsVar(0), xsVar(1), xsVar(2));
            } else if (m.type == SOCL_MSG_DATA) {
                xsmcSetArrayBuffer(xsVar(2), message + sizeof m, length - sizeof m);
                xsCallFunction3(r->dispatch, xsUndefined, xsVar(0), xsVar(1), xsVar(2));
            } else if (m.type == SOCL_MSG_CLOSE) {
                xsmcSetString(xsVar(2), (char *)socc_error_code((socc_error)m.error));
                xsCallFunction3(r->dispatch, xsUndefined, xsVar(0), xsVar(1), xsVar(2));
            } else {
                xsCallFunction1(r->dispatch, xsUndefined, xsVar(0));
            }
        }
        xsCatch {}
        xsEndHost(the);
    }
    if (m.type == SOCL_MSG_STOPPED) {
        r->stopped_delivered = true;
        xsForget(r->dispatch);
        free_listener_if_done(r);
    }
}

static bool post_listener(void *ctx, const socl_msg *msg, const uint8_t *data, size_t len) {
    listen_rec *r = ctx;
    uint8_t buf[sizeof(socl_msg) + 1024]; /* DATA chunks are at most 1 KB (socket_core.c receive buffer) */
    if (len > 1024) return false;
    memcpy(buf, msg, sizeof *msg);
    if (len) memcpy(buf + sizeof *msg, data, len);
    return modMessagePostToMachine(r->the, buf, (uint16_t)(sizeof *msg + len), deliver_listener, r) == 0;
}

/* constructor(port, maxConnections, dispatch); throws RangeError (arguments) or Error("EADDRINUSE" / "listen") */
void xs_nc_listener_constructor(xsMachine *the) {
    int port = xsmcToInteger(xsArg(0)), max_conn = xsmcToInteger(xsArg(1));
    if (port < 0 || port > 65535) xsRangeError("port");
    if (max_conn < 1 || max_conn > SOCL_MAX_CONN) xsRangeError("maxConnections");
    listen_rec *r = calloc(1, sizeof *r);
    if (!r) xsUnknownError("no memory");
    r->the = the;
    r->dispatch = xsArg(2);
    xsRemember(r->dispatch);
    uint16_t bound = 0;
    socl_status st = socl_listen((uint16_t)port, max_conn, post_listener, r, &r->l, &bound);
    if (st != SOCL_OK) {
        xsForget(r->dispatch);
        free(r);
        if (st == SOCL_ERR_IN_USE) xsUnknownError("EADDRINUSE");
        xsUnknownError("listen");
    }
    r->port = bound;
    xsmcSetHostData(xsThis, r);
}

void xs_nc_listener_port(xsMachine *the) {
    listen_rec *r = xsmcGetHostData(xsThis);
    xsmcSetInteger(xsResult, r ? r->port : 0);
}

/* write(conn, data): bytes still queued, or -1 closed / -2 no memory */
void xs_nc_listener_write(xsMachine *the) {
    listen_rec *r = xsmcGetHostData(xsThis);
    if (!r || !r->l) { xsmcSetInteger(xsResult, -1); return; }
    void *data;
    xsUnsignedValue len;
    uint32_t conn = (uint32_t)xsmcToNumber(xsArg(0));
    xsmcGetBufferReadable(xsArg(1), &data, &len);
    xsmcSetNumber(xsResult, (double)socl_write(r->l, conn, data, len));
}

void xs_nc_listener_close_conn(xsMachine *the) {
    listen_rec *r = xsmcGetHostData(xsThis);
    if (r && r->l) socl_close_conn(r->l, (uint32_t)xsmcToNumber(xsArg(0)));
}

void xs_nc_listener_close(xsMachine *the) {
    listen_rec *r = xsmcGetHostData(xsThis);
    if (r && r->l) socl_close(r->l);
}
