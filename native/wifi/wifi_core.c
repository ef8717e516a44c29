/* Native Wi-Fi station core: see wifi_core.h. The ESP-IDF event handler only copies the event into a small
 * message; all decisions (retry, persistence, reason mapping for clients) are the firmware's. */
#include "wifi_core.h"

#include <stdlib.h>
#include <string.h>

#include "esp_event.h"
#include "esp_netif.h"

static bool started;
static bool scanning; /* touched only on the XS task: set by scan_start, cleared by scan_results */
static esp_netif_t *sta_netif;
static esp_netif_t *ap_netif; /* created at the first AP start, kept: esp_netif has one default AP netif */
static wific_post_fn post_fn;
static void *post_ctx;

static void on_event(void *arg, esp_event_base_t base, int32_t id, void *data) {
    (void)arg;
    wific_msg msg = {0};
    if (base == WIFI_EVENT && id == WIFI_EVENT_STA_CONNECTED) {
        msg.type = WIFIC_MSG_CONNECTED;
    } else if (base == WIFI_EVENT && id == WIFI_EVENT_STA_DISCONNECTED) {
        msg.type = WIFIC_MSG_DISCONNECTED;
        msg.reason = ((const wifi_event_sta_disconnected_t *)data)->reason;
    } else if (base == WIFI_EVENT && id == WIFI_EVENT_SCAN_DONE) {
        msg.type = WIFIC_MSG_SCAN_DONE;
        msg.scan_status = ((const wifi_event_sta_scan_done_t *)data)->status;
    } else if (base == IP_EVENT && id == IP_EVENT_STA_GOT_IP) {
        msg.type = WIFIC_MSG_GOT_IP;
        uint32_t a = ((const ip_event_got_ip_t *)data)->ip_info.ip.addr; /* network order in memory */
        for (int i = 0; i < 4; i++) msg.ip[i] = (uint8_t)(a >> (8 * i)); /* ESP32 is little-endian */
    } else if (base == IP_EVENT && id == IP_EVENT_STA_LOST_IP) {
        msg.type = WIFIC_MSG_LOST_IP;
    } else {
        return;
    }
    if (post_fn) post_fn(&msg, post_ctx);
}

static bool ok_or_done(esp_err_t err) { return err == ESP_OK || err == ESP_ERR_INVALID_STATE; }

wific_status wific_start(wific_post_fn post, void *ctx) {
    if (started) return WIFIC_OK;
    post_fn = post;
    post_ctx = ctx;
    /* netif and the default loop may already exist (Moddable's runtime or another module): INVALID_STATE is fine. */
    if (!ok_or_done(esp_netif_init()) || !ok_or_done(esp_event_loop_create_default())) return WIFIC_INTERNAL;
    if (!sta_netif && !(sta_netif = esp_netif_create_default_wifi_sta())) return WIFIC_INTERNAL;
    wifi_init_config_t cfg = WIFI_INIT_CONFIG_DEFAULT();
    if (esp_wifi_init(&cfg) != ESP_OK) return WIFIC_INTERNAL;
    /* Credentials live in RAM only; the firmware stores them after the station got an IP (firmware/host/wifi.ts). */
    if (esp_wifi_set_storage(WIFI_STORAGE_RAM) != ESP_OK) return WIFIC_INTERNAL;
    if (esp_event_handler_instance_register(WIFI_EVENT, ESP_EVENT_ANY_ID, on_event, NULL, NULL) != ESP_OK ||
        esp_event_handler_instance_register(IP_EVENT, IP_EVENT_STA_GOT_IP, on_event, NULL, NULL) != ESP_OK ||
        esp_event_handler_instance_register(IP_EVENT, IP_EVENT_STA_LOST_IP, on_event, NULL, NULL) != ESP_OK)
        return WIFIC_INTERNAL;
    if (esp_wifi_set_mode(WIFI_MODE_STA) != ESP_OK || esp_wifi_start() != ESP_OK) return WIFIC_INTERNAL;
    started = true;
    return WIFIC_OK;
}

wific_status wific_set_mode(bool apsta) {
    if (!started) return WIFIC_NOT_STARTED;
    return esp_wifi_set_mode(apsta ? WIFI_MODE_APSTA : WIFI_MODE_STA) == ESP_OK ? WIFIC_OK : WIFIC_INTERNAL;
}

wific_status wific_connect(const uint8_t *ssid, size_t ssid_len, const uint8_t *password, size_t password_len,
                           const uint8_t *bssid, uint8_t channel) {
    if (!started) return WIFIC_NOT_STARTED;
    /* SSID 1..32 bytes; passphrase 0 (open), 8..63 characters, or 64 hex digits (IEEE 802.11 PSK). */
    if (ssid_len < 1 || ssid_len > 32 || password_len > 64 || (password_len > 0 && password_len < 8))
        return WIFIC_RANGE;
    wifi_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    memcpy(cfg.sta.ssid, ssid, ssid_len);           /* not NUL-terminated when 32 bytes: esp_wifi allows it */
    if (password_len) memcpy(cfg.sta.password, password, password_len);
    if (bssid) { cfg.sta.bssid_set = true; memcpy(cfg.sta.bssid, bssid, 6); }
    cfg.sta.channel = channel;
    esp_err_t err = esp_wifi_set_config(WIFI_IF_STA, &cfg);
    memset(&cfg, 0, sizeof cfg); /* the passphrase copy on our stack */
    if (err != ESP_OK) return err == ESP_ERR_WIFI_PASSWORD || err == ESP_ERR_WIFI_SSID ? WIFIC_RANGE : WIFIC_INTERNAL;
    /* One attempt; the outcome arrives as CONNECTED + GOT_IP or DISCONNECTED(reason). No retry here. */
    err = esp_wifi_connect();
    return err == ESP_OK ? WIFIC_OK : err == ESP_ERR_WIFI_NOT_STARTED ? WIFIC_NOT_STARTED : WIFIC_INTERNAL;
}

wific_status wific_disconnect(void) {
    if (!started) return WIFIC_NOT_STARTED;
    esp_err_t err = esp_wifi_disconnect();
    return err == ESP_OK || err == ESP_ERR_WIFI_NOT_CONNECT ? WIFIC_OK : WIFIC_INTERNAL;
}

wific_status wific_map_scan_error(esp_err_t err) {
    switch (err) {
    case ESP_OK: return WIFIC_OK;
    case ESP_ERR_WIFI_NOT_STARTED:
    case ESP_ERR_WIFI_NOT_INIT: return WIFIC_NOT_STARTED;
    case ESP_ERR_WIFI_TIMEOUT: return WIFIC_TIMEOUT;
    case ESP_ERR_WIFI_STATE: return WIFIC_BUSY; /* e.g. the station is connecting */
    default: return WIFIC_INTERNAL;
    }
}

wific_status wific_scan_start(bool passive, uint32_t dwell_ms, uint8_t channel, bool show_hidden) {
    if (!started) return WIFIC_NOT_STARTED;
    if (scanning) return WIFIC_BUSY;
    wifi_scan_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.channel = channel;
    cfg.show_hidden = show_hidden;
    cfg.scan_type = passive ? WIFI_SCAN_TYPE_PASSIVE : WIFI_SCAN_TYPE_ACTIVE;
    if (passive) cfg.scan_time.passive = dwell_ms;
    else { cfg.scan_time.active.min = dwell_ms; cfg.scan_time.active.max = dwell_ms; }
    wific_status st = wific_map_scan_error(esp_wifi_scan_start(&cfg, false));
    if (st == WIFIC_OK) scanning = true;
    return st;
}

wific_status wific_scan_results(wifi_ap_record_t **records, uint16_t *count) {
    *records = NULL;
    *count = 0;
    scanning = false;
    uint16_t n = 0;
    if (esp_wifi_scan_get_ap_num(&n) != ESP_OK) { esp_wifi_clear_ap_list(); return WIFIC_INTERNAL; }
    wifi_ap_record_t *list = calloc(n ? n : 1, sizeof *list);
    if (!list) { esp_wifi_clear_ap_list(); return WIFIC_INTERNAL; } /* free the driver's list anyway */
    if (n && esp_wifi_scan_get_ap_records(&n, list) != ESP_OK) { free(list); return WIFIC_INTERNAL; }
    if (!n) esp_wifi_clear_ap_list();
    *records = list;
    *count = n;
    return WIFIC_OK;
}

bool wific_station_info(wifi_ap_record_t *ap, uint8_t ip[4]) {
    if (!started || esp_wifi_sta_get_ap_info(ap) != ESP_OK) return false;
    esp_netif_ip_info_t info;
    if (esp_netif_get_ip_info(sta_netif, &info) != ESP_OK || info.ip.addr == 0) return false;
    for (int i = 0; i < 4; i++) ip[i] = (uint8_t)(info.ip.addr >> (8 * i));
    return true;
}

wific_status wific_mac(uint8_t mac[6]) {
    return esp_wifi_get_mac(WIFI_IF_STA, mac) == ESP_OK ? WIFIC_OK : WIFIC_INTERNAL;
}

static bool is_hex(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f') || (p[i] >= 'A' && p[i] <= 'F'))) return false;
    return true;
}

wific_status wific_ap_start(const uint8_t *ssid, size_t ssid_len, const uint8_t *password, size_t password_len,
                            uint8_t channel, uint8_t max_stations) {
    if (!started) return WIFIC_NOT_STARTED;
    /* A passphrase is 8..63 characters; 64 characters are the PSK itself and must be hex (IEEE 802.11i). */
    if (ssid_len < 1 || ssid_len > 32 || (password_len > 0 && password_len < 8) || password_len > 64 ||
        (password_len == 64 && !is_hex(password, 64)) || channel < 1 || channel > 13 || max_stations < 1 ||
        max_stations > WIFIC_AP_MAX_STATIONS)
        return WIFIC_RANGE;
    /* The default AP netif brings 192.168.4.1/24 and starts its DHCP server when the AP starts (§9.2). */
    if (!ap_netif && !(ap_netif = esp_netif_create_default_wifi_ap())) return WIFIC_INTERNAL;
    esp_err_t err = esp_wifi_set_mode(WIFI_MODE_APSTA);
    if (err != ESP_OK) return err == ESP_ERR_WIFI_NOT_INIT ? WIFIC_NOT_STARTED : WIFIC_INTERNAL;
    wifi_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    memcpy(cfg.ap.ssid, ssid, ssid_len);
    cfg.ap.ssid_len = (uint8_t)ssid_len;
    if (password_len) memcpy(cfg.ap.password, password, password_len);
    cfg.ap.channel = channel;
    cfg.ap.authmode = password_len ? WIFI_AUTH_WPA2_PSK : WIFI_AUTH_OPEN;
    cfg.ap.max_connection = max_stations;
    cfg.ap.pmf_cfg.required = false; /* phones without PMF must still join the provisioning AP */
    err = esp_wifi_set_config(WIFI_IF_AP, &cfg);
    memset(&cfg, 0, sizeof cfg); /* the passphrase copy on our stack */
    if (err == ESP_OK) return WIFIC_OK;
    /* Leave STA mode as it was before: a half-configured AP must not stay up. */
    esp_wifi_set_mode(WIFI_MODE_STA);
    return err == ESP_ERR_WIFI_PASSWORD || err == ESP_ERR_WIFI_SSID || err == ESP_ERR_INVALID_ARG ? WIFIC_RANGE
                                                                                                   : WIFIC_INTERNAL;
}

wific_status wific_ap_stop(void) {
    if (!started) return WIFIC_NOT_STARTED;
    return esp_wifi_set_mode(WIFI_MODE_STA) == ESP_OK ? WIFIC_OK : WIFIC_INTERNAL;
}
