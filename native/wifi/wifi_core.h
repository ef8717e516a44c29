/* Native Wi-Fi station core (platform part, no XS) on esp_wifi: implements the C side of firmware/host/wifi.ts.
 * Credentials are kept in RAM only (esp_wifi_set_storage(WIFI_STORAGE_RAM), moddable-xs.md §4 "Persistence"): the
 * firmware persists them itself. Events (WIFI_EVENT_STA_DISCONNECTED with its reason, IP_EVENT_STA_GOT_IP, scan
 * done) run on the ESP-IDF event task and reach XS only through the post function (modMessagePostToMachine). */
#ifndef WIFI_CORE_H
#define WIFI_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "esp_wifi.h"

typedef enum {
    WIFIC_OK = 0,
    WIFIC_BUSY = -1,        /* WifiScanErrorCode 'BUSY' */
    WIFIC_TIMEOUT = -2,     /* 'TIMEOUT' */
    WIFIC_NOT_STARTED = -3, /* 'NOT_STARTED' */
    WIFIC_INTERNAL = -4,    /* 'INTERNAL' */
    WIFIC_RANGE = -5,       /* bad argument (SSID/password/BSSID length) */
} wific_status;

typedef enum { WIFIC_MSG_CONNECTED = 1, WIFIC_MSG_DISCONNECTED, WIFIC_MSG_GOT_IP, WIFIC_MSG_LOST_IP, WIFIC_MSG_SCAN_DONE } wific_msg_type;

typedef struct {
    uint8_t type;
    uint16_t reason;     /* DISCONNECTED: wifi_err_reason_t */
    uint8_t ip[4];       /* GOT_IP */
    uint32_t scan_status;/* SCAN_DONE: 0 = success */
} wific_msg;

typedef bool (*wific_post_fn)(const wific_msg *msg, void *ctx);

wific_status wific_start(wific_post_fn post, void *ctx);
wific_status wific_set_mode(bool apsta);
wific_status wific_connect(const uint8_t *ssid, size_t ssid_len, const uint8_t *password, size_t password_len,
                           const uint8_t *bssid /* 6 bytes or NULL */, uint8_t channel /* 0 = any */);
wific_status wific_disconnect(void);
wific_status wific_scan_start(bool passive, uint32_t dwell_ms, uint8_t channel, bool show_hidden);
/* On the XS task after SCAN_DONE: every record found (malloc'ed, caller frees); ends the scan. */
wific_status wific_scan_results(wifi_ap_record_t **records, uint16_t *count);
/* false unless associated with an IPv4 address. */
bool wific_station_info(wifi_ap_record_t *ap, uint8_t ip[4]);
wific_status wific_mac(uint8_t mac[6]);

/* Access point for SoftAP provisioning (unified-provisioning.md §9.2, firmware/host/wifi.ts startAccessPoint):
 * AP+STA mode, the default AP netif (192.168.4.1/24 with its DHCP server, created once), WPA2-PSK when the
 * passphrase has 8..64 bytes (64 = hex PSK), open when it is empty. RANGE for an SSID outside 1..32 bytes, any
 * other passphrase length, channel outside 1..13 or max_stations outside 1..WIFIC_AP_MAX_STATIONS. */
#define WIFIC_AP_MAX_STATIONS 10 /* ESP_WIFI_MAX_CONN_NUM on the ESP32 */
wific_status wific_ap_start(const uint8_t *ssid, size_t ssid_len, const uint8_t *password, size_t password_len,
                            uint8_t channel, uint8_t max_stations);
/* Back to station mode: the AP and its DHCP server go down, the station keeps its association (§8.6). */
wific_status wific_ap_stop(void);
wific_status wific_map_scan_error(esp_err_t err);

#endif
