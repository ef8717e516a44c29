/* xsmc binding of the native Wi-Fi core (wifi_core.c) for firmware/host/esp32/wifi.ts: argument marshalling
 * only. ESP-IDF events arrive through modMessagePostToMachine and call the JS dispatcher:
 *   dispatch(1) connected | (2, reason) disconnected | (3, "a.b.c.d") got IP | (4) lost IP
 *   dispatch(5, status, records: ArrayBuffer | undefined) scan done; records are 42-byte entries:
 *   ssid[33] (NUL padded) | bssid[6] | channel u8 | rssi i8 | auth u8
 * The access point (apStart/apStop) is synchronous: esp_wifi_set_config returns once the AP is configured. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wifi_core.h"
#include "xsmc.h"
#include "../common/nc_xs_host.h"

#define RECORD_BYTES 42

static struct { xsMachine *the; xsSlot dispatch; bool remembered; } wifi;

void xs_nc_wifi_destructor(void *data) { (void)data; }

static void pack(uint8_t *out, const wifi_ap_record_t *r) {
    memcpy(out, r->ssid, 33);
    out[32] = 0;
    memcpy(out + 33, r->bssid, 6);
    out[39] = r->primary;
    out[40] = (uint8_t)r->rssi;
    out[41] = (uint8_t)r->authmode;
}

static void deliver(void *the_, void *refcon, uint8_t *message, uint16_t length) {
    (void)refcon;
    xsMachine *the = the_;
    if (length != sizeof(wific_msg) || !wifi.remembered) return;
    wific_msg m;
    memcpy(&m, message, sizeof m);
    wifi_ap_record_t *recs = NULL;
    uint16_t count = 0;
    wific_status scan = WIFIC_OK;
    if (m.type == WIFIC_MSG_SCAN_DONE) {
        scan = wific_scan_results(&recs, &count); /* always: ends the scan and frees the driver's list */
        if (scan == WIFIC_OK && m.scan_status != 0) scan = WIFIC_INTERNAL;
    }
    xsBeginHost(the);
    xsmcVars(3);
    xsTry {
        xsmcSetInteger(xsVar(0), m.type);
        switch (m.type) {
        case WIFIC_MSG_DISCONNECTED:
            xsmcSetInteger(xsVar(1), m.reason);
            xsCallFunction2(wifi.dispatch, xsUndefined, xsVar(0), xsVar(1));
            break;
        case WIFIC_MSG_GOT_IP: {
            char ip[16];
            snprintf(ip, sizeof ip, "%u.%u.%u.%u", m.ip[0], m.ip[1], m.ip[2], m.ip[3]);
            xsmcSetString(xsVar(1), ip);
            xsCallFunction2(wifi.dispatch, xsUndefined, xsVar(0), xsVar(1));
            break;
        }
        case WIFIC_MSG_SCAN_DONE: {
            xsmcSetInteger(xsVar(1), scan);
            if (scan == WIFIC_OK) {
                xsmcSetArrayBuffer(xsVar(2), NULL, (xsIntegerValue)count * RECORD_BYTES);
                void *out;
                xsUnsignedValue out_len;
                xsmcGetBufferWritable(xsVar(2), &out, &out_len);
                for (uint16_t i = 0; i < count; i++) pack((uint8_t *)out + i * RECORD_BYTES, &recs[i]);
            } else {
                xsmcSetUndefined(xsVar(2));
            }
            free(recs);
            recs = NULL;
            xsCallFunction3(wifi.dispatch, xsUndefined, xsVar(0), xsVar(1), xsVar(2));
            break;
        }
        default:
            xsCallFunction1(wifi.dispatch, xsUndefined, xsVar(0));
            break;
        }
    }
    xsCatch { free(recs); }
    xsEndHost(the);
}

static bool post(const wific_msg *msg, void *ctx) {
    (void)ctx;
    return modMessagePostToMachine(wifi.the, (uint8_t *)msg, sizeof *msg, deliver, NULL) == 0;
}

void xs_nc_wifi_constructor(xsMachine *the) {
    if (wifi.remembered) xsUnknownError("Wi-Fi station already created");
    wifi.the = the;
    wifi.dispatch = xsArg(0);
    xsRemember(wifi.dispatch);
    wifi.remembered = true;
    xsmcSetHostData(xsThis, &wifi);
}

void xs_nc_wifi_start(xsMachine *the) { xsmcSetInteger(xsResult, wific_start(post, NULL)); }
void xs_nc_wifi_set_mode(xsMachine *the) { xsmcSetInteger(xsResult, wific_set_mode(xsmcToBoolean(xsArg(0)))); }

/* connect(ssid: ArrayBuffer, password: ArrayBuffer, bssid: ArrayBuffer | undefined, channel: number) */
void xs_nc_wifi_connect(xsMachine *the) {
    uint8_t ssid[32], password[64], bssid[6];
    void *p;
    xsUnsignedValue ssid_len, password_len, n;
    xsmcGetBufferReadable(xsArg(0), &p, &ssid_len);
    if (ssid_len > sizeof ssid) { xsmcSetInteger(xsResult, WIFIC_RANGE); return; }
    memcpy(ssid, p, ssid_len);
    xsmcGetBufferReadable(xsArg(1), &p, &password_len);
    if (password_len > sizeof password) { xsmcSetInteger(xsResult, WIFIC_RANGE); return; }
    memcpy(password, p, password_len);
    bool has_bssid = xsmcTypeOf(xsArg(2)) != xsUndefinedType;
    if (has_bssid) {
        xsmcGetBufferReadable(xsArg(2), &p, &n);
        if (n != 6) { memset(password, 0, sizeof password); xsmcSetInteger(xsResult, WIFIC_RANGE); return; }
        memcpy(bssid, p, 6);
    }
    int channel = xsmcToInteger(xsArg(3));
    wific_status st = channel < 0 || channel > 14
                          ? WIFIC_RANGE
                          : wific_connect(ssid, ssid_len, password, password_len, has_bssid ? bssid : NULL, (uint8_t)channel);
    memset(password, 0, sizeof password);
    xsmcSetInteger(xsResult, st);
}

void xs_nc_wifi_disconnect(xsMachine *the) { xsmcSetInteger(xsResult, wific_disconnect()); }

/* scan(passive: boolean, dwellMs: number, channel: number, showHidden: boolean): status */
void xs_nc_wifi_scan(xsMachine *the) {
    int dwell = xsmcToInteger(xsArg(1)), channel = xsmcToInteger(xsArg(2));
    if (dwell < 0 || channel < 0 || channel > 14) { xsmcSetInteger(xsResult, WIFIC_RANGE); return; }
    xsmcSetInteger(xsResult, wific_scan_start(xsmcToBoolean(xsArg(0)), (uint32_t)dwell, (uint8_t)channel,
                                              xsmcToBoolean(xsArg(3))));
}

/* stationInfo(): ArrayBuffer(42-byte record + 4 IP bytes) | undefined */
void xs_nc_wifi_station_info(xsMachine *the) {
    wifi_ap_record_t ap;
    uint8_t ip[4], out[RECORD_BYTES + 4];
    if (!wific_station_info(&ap, ip)) { xsmcSetUndefined(xsResult); return; }
    pack(out, &ap);
    memcpy(out + RECORD_BYTES, ip, 4);
    xsmcSetArrayBuffer(xsResult, out, sizeof out);
}

void xs_nc_wifi_mac(xsMachine *the) {
    uint8_t mac[6];
    if (wific_mac(mac) != WIFIC_OK) xsUnknownError("esp_wifi_get_mac failed");
    xsmcSetArrayBuffer(xsResult, mac, 6);
}

/* apStart(ssid: ArrayBuffer, password: ArrayBuffer, channel: number, maxStations: number): status */
void xs_nc_wifi_ap_start(xsMachine *the) {
    uint8_t ssid[32], password[64];
    void *p;
    xsUnsignedValue ssid_len, password_len;
    xsmcGetBufferReadable(xsArg(0), &p, &ssid_len);
    if (ssid_len > sizeof ssid) { xsmcSetInteger(xsResult, WIFIC_RANGE); return; }
    memcpy(ssid, p, ssid_len);
    xsmcGetBufferReadable(xsArg(1), &p, &password_len);
    if (password_len > sizeof password) { xsmcSetInteger(xsResult, WIFIC_RANGE); return; }
    memcpy(password, p, password_len);
    int channel = xsmcToInteger(xsArg(2)), max_stations = xsmcToInteger(xsArg(3));
    wific_status st = channel < 1 || channel > 13 || max_stations < 1 || max_stations > WIFIC_AP_MAX_STATIONS
                          ? WIFIC_RANGE
                          : wific_ap_start(ssid, ssid_len, password, password_len, (uint8_t)channel, (uint8_t)max_stations);
    memset(password, 0, sizeof password);
    xsmcSetInteger(xsResult, st);
}

void xs_nc_wifi_ap_stop(xsMachine *the) { xsmcSetInteger(xsResult, wific_ap_stop()); }
