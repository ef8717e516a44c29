/* xsmc binding of the native BLE core (ble_core.c) for firmware/host/esp32/ble.ts: argument marshalling only.
 * NimBLE events reach XS through modMessagePostToMachine (moddable-xs.md §2 "Threading"); `deliver` runs on the
 * XS task and calls the JS dispatcher given to the constructor:
 *   dispatch(1, conn, peerAddress) connect | (2, conn, reason) disconnect | (3, conn, mtu) MTU
 *   dispatch(4, conn, valueHandle, ArrayBuffer) write -> ATT status or WRITE_PENDING (-1)
 *   dispatch(5, conn, valueHandle) read -> ArrayBuffer / typed array, or an ATT error number
 * A JS exception answers the ATT request with UNLIKELY_ERROR instead of leaving NimBLE waiting. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ble_core.h"
#include "ble_table.h"
#include "xsmc.h"
#include "../common/nc_xs_host.h"

#define ATT_UNLIKELY 0x0e

/* One peripheral per firmware image: the NimBLE host is a singleton. */
static struct {
    xsMachine *the;
    xsSlot dispatch;
    bool remembered;
} ble;

void xs_nc_ble_destructor(void *data) { (void)data; /* state is static; NimBLE outlives the JS object */ }

static void deliver(void *the_, void *refcon, uint8_t *message, uint16_t length) {
    (void)refcon;
    xsMachine *the = the_;
    if (length != sizeof(blec_msg) || !ble.remembered) return;
    blec_msg m;
    memcpy(&m, message, sizeof m);
    uint8_t *data = NULL;
    size_t len = 0;
    if (m.type == BLEC_MSG_WRITE && !blec_request_take(m.seq, &data, &len)) return; /* timed out already */
    xsBeginHost(the);
    xsmcVars(4);
    xsTry {
        xsmcSetInteger(xsVar(0), m.type);
        xsmcSetInteger(xsVar(1), m.conn);
        switch (m.type) {
        case BLEC_MSG_CONNECT:
            xsmcSetArrayBuffer(xsVar(2), m.addr, 6);
            xsCallFunction3(ble.dispatch, xsUndefined, xsVar(0), xsVar(1), xsVar(2));
            break;
        case BLEC_MSG_DISCONNECT:
        case BLEC_MSG_MTU:
            xsmcSetInteger(xsVar(2), m.value);
            xsCallFunction3(ble.dispatch, xsUndefined, xsVar(0), xsVar(1), xsVar(2));
            break;
        case BLEC_MSG_WRITE: {
            xsmcSetInteger(xsVar(2), m.handle);
            xsmcSetArrayBuffer(xsVar(3), data, (xsIntegerValue)len);
            free(data);
            data = NULL;
            xsmcSetInteger(xsVar(0), m.type);
            xsVar(0) = xsCallFunction4(ble.dispatch, xsUndefined, xsVar(0), xsVar(1), xsVar(2), xsVar(3));
            blec_reply_write(m.seq, xsmcTypeOf(xsVar(0)) == xsIntegerType || xsmcTypeOf(xsVar(0)) == xsNumberType
                                        ? xsmcToInteger(xsVar(0)) : ATT_UNLIKELY);
            break;
        }
        case BLEC_MSG_READ: {
            xsmcSetInteger(xsVar(2), m.handle);
            xsVar(0) = xsCallFunction3(ble.dispatch, xsUndefined, xsVar(0), xsVar(1), xsVar(2));
            int type = xsmcTypeOf(xsVar(0));
            if (type == xsIntegerType || type == xsNumberType) {
                blec_reply_read_error(m.seq, xsmcToInteger(xsVar(0)));
            } else {
                void *value;
                xsUnsignedValue value_len;
                xsmcGetBufferReadable(xsVar(0), &value, &value_len);
                blec_reply_read(m.seq, value, value_len); /* copied before any allocation */
            }
            break;
        }
        }
    }
    xsCatch {
        free(data);
        if (m.type == BLEC_MSG_WRITE) blec_reply_write(m.seq, ATT_UNLIKELY);
        if (m.type == BLEC_MSG_READ) blec_reply_read_error(m.seq, ATT_UNLIKELY);
    }
    xsEndHost(the);
}

static bool post(const blec_msg *msg, void *ctx) {
    (void)ctx;
    return modMessagePostToMachine(ble.the, (uint8_t *)msg, sizeof *msg, deliver, NULL) == 0;
}

void xs_nc_ble_constructor(xsMachine *the) {
    if (ble.remembered) xsUnknownError("BLE peripheral already created");
    ble.the = the;
    ble.dispatch = xsArg(0);
    xsRemember(ble.dispatch);
    ble.remembered = true;
    xsmcSetHostData(xsThis, &ble);
}

/* start(table: ArrayBuffer, deviceName: string, preferredMtu: number): ArrayBuffer of u16 handles | number */
void xs_nc_ble_start(xsMachine *the) {
    void *buf;
    xsUnsignedValue len;
    xsmcGetBufferReadable(xsArg(0), &buf, &len);
    uint8_t *copy = malloc(len ? len : 1); /* descriptor values point into it during blec_start */
    if (!copy) { xsmcSetInteger(xsResult, BLEC_ERR_NO_MEM); return; }
    memcpy(copy, buf, len);
    char name[32];
    const char *n = xsmcToString(xsArg(1));
    strncpy(name, n, sizeof name - 1);
    name[sizeof name - 1] = 0;
    uint16_t mtu = (uint16_t)xsmcToInteger(xsArg(2));
    blec_table t;
    if (!blec_table_parse(copy, len, &t)) { free(copy); xsmcSetInteger(xsResult, BLEC_ERR_RANGE); return; }
    blec_status st = blec_start(t.svcs, t.n_svcs, name, mtu, post, NULL);
    if (st == BLEC_OK) {
        /* Handles: per service start, end; then per characteristic value and each descriptor, in table order. */
        size_t count = 0;
        for (size_t s = 0; s < t.n_svcs; s++) {
            count += 2;
            for (size_t c = 0; c < t.svcs[s].n_chrs; c++) count += 1 + t.svcs[s].chrs[c].n_descs;
        }
        uint8_t *out = malloc(count * 2 + 1);
        if (!out) st = BLEC_ERR_NO_MEM;
        size_t k = 0;
        for (size_t s = 0; out && s < t.n_svcs; s++) {
            uint16_t a = 0, b = 0;
            blec_service_handles(s, &a, &b);
            out[k++] = (uint8_t)a; out[k++] = (uint8_t)(a >> 8);
            out[k++] = (uint8_t)b; out[k++] = (uint8_t)(b >> 8);
        }
        for (size_t s = 0; out && s < t.n_svcs; s++) {
            for (size_t c = 0; c < t.svcs[s].n_chrs; c++) {
                uint16_t value = 0, descs[255] = {0};
                blec_chr_handles(s, c, &value, descs, t.svcs[s].chrs[c].n_descs);
                out[k++] = (uint8_t)value; out[k++] = (uint8_t)(value >> 8);
                for (size_t d = 0; d < t.svcs[s].chrs[c].n_descs; d++) {
                    out[k++] = (uint8_t)descs[d];
                    out[k++] = (uint8_t)(descs[d] >> 8);
                }
            }
        }
        blec_table_free(&t);
        free(copy);
        if (out) xsmcSetArrayBuffer(xsResult, out, (xsIntegerValue)k);
        else xsmcSetInteger(xsResult, st);
        free(out);
        return;
    }
    blec_table_free(&t);
    free(copy);
    xsmcSetInteger(xsResult, st);
}

void xs_nc_ble_start_advertising(xsMachine *the) {
    void *adv, *rsp;
    xsUnsignedValue adv_len, rsp_len;
    xsmcGetBufferReadable(xsArg(0), &adv, &adv_len);
    xsmcGetBufferReadable(xsArg(1), &rsp, &rsp_len);
    uint8_t a[BLEC_ADV_MAX], r[BLEC_ADV_MAX];
    if (adv_len > BLEC_ADV_MAX || rsp_len > BLEC_ADV_MAX) { xsmcSetInteger(xsResult, BLEC_ERR_RANGE); return; }
    memcpy(a, adv, adv_len);
    memcpy(r, rsp, rsp_len);
    xsmcSetInteger(xsResult, blec_adv_start(a, adv_len, r, rsp_len, (uint32_t)xsmcToInteger(xsArg(2))));
}

void xs_nc_ble_stop_advertising(xsMachine *the) { xsmcSetInteger(xsResult, blec_adv_stop()); }
void xs_nc_ble_disconnect(xsMachine *the) { xsmcSetInteger(xsResult, blec_disconnect((uint16_t)xsmcToInteger(xsArg(0)))); }
void xs_nc_ble_complete_write(xsMachine *the) {
    blec_complete_write((uint16_t)xsmcToInteger(xsArg(0)), xsmcToInteger(xsArg(1)));
}
void xs_nc_ble_stop(xsMachine *the) {
    xsmcSetInteger(xsResult, blec_stop());
    /* Events already queued are dropped by deliver() once the dispatcher is forgotten. */
    if (ble.remembered) { xsForget(ble.dispatch); ble.remembered = false; }
}
void xs_nc_ble_last_stack_error(xsMachine *the) { xsmcSetInteger(xsResult, blec_last_stack_error()); }
