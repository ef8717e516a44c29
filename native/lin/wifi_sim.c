/* Wi-Fi for the lin simulator (`mcconfig -m -p lin`): the esp_wifi / esp_event / esp_netif subset used by
 * native/wifi/wifi_core.c over a fixed simulated world, so the firmware's provisioning flow runs unchanged in
 * mcsim. Access points: "HomeNet" (WPA2-PSK, channel 1, -45 dBm, passphrase from NC_SIM_WIFI_PASSWORD, default
 * "secretpass"), "Office-WPA3" (WPA3, channel 11, -60 dBm, never accepts), "CafeOpen" (open, channel 6, -70 dBm).
 * Events come from a helper thread after realistic delays: scan 300 ms; connect 200 ms then CONNECTED + GOT_IP
 * 192.168.1.42, or DISCONNECTED with reason 15 (4-way handshake timeout: how ESP-IDF reports a wrong WPA2
 * passphrase) or 201 (NO_AP_FOUND). Not modelled: signal changes, roaming, DHCP failure, SoftAP. */
#define _POSIX_C_SOURCE 200809L
#include "esp_event.h"
#include "esp_netif.h"
#include "esp_wifi.h"
#include "../common/nc_os.h"

#include <stdlib.h>
#include <string.h>

esp_event_base_t const WIFI_EVENT = "WIFI_EVENT";
esp_event_base_t const IP_EVENT = "IP_EVENT";

static struct { esp_event_base_t base; int32_t id; esp_event_handler_t fn; void *arg; } handlers[8];
static int n_handlers;
static wifi_config_t config;
static bool started, associated;
static esp_netif_ip_info_t ip_info;
static int netif_dummy;

static const struct { const char *ssid; uint8_t bssid[6]; uint8_t channel; int8_t rssi; wifi_auth_mode_t auth; } world[] = {
    {"HomeNet", {0x24, 0x0a, 0xc4, 0x01, 0x02, 0x03}, 1, -45, WIFI_AUTH_WPA2_PSK},
    {"Office-WPA3", {0x24, 0x0a, 0xc4, 0x04, 0x05, 0x06}, 11, -60, (wifi_auth_mode_t)6},
    {"CafeOpen", {0x24, 0x0a, 0xc4, 0x07, 0x08, 0x09}, 6, -70, WIFI_AUTH_OPEN},
};
#define WORLD_SIZE (sizeof world / sizeof world[0])
static int scan_ready; /* records held "by the driver" after a scan */

static void emit(esp_event_base_t base, int32_t id, void *data) {
    for (int i = 0; i < n_handlers; i++)
        if (handlers[i].base == base && (handlers[i].id == ESP_EVENT_ANY_ID || handlers[i].id == id))
            handlers[i].fn(handlers[i].arg, base, id, data);
}

esp_err_t esp_netif_init(void) { return ESP_OK; }
esp_err_t esp_event_loop_create_default(void) { return ESP_OK; }
esp_netif_t *esp_netif_create_default_wifi_sta(void) { return (esp_netif_t *)&netif_dummy; }
/* The lin simulator has no radio: the AP is accepted and not modelled (no stations, no DHCP server). */
esp_netif_t *esp_netif_create_default_wifi_ap(void) { return (esp_netif_t *)&netif_dummy; }
esp_err_t esp_netif_get_ip_info(esp_netif_t *n, esp_netif_ip_info_t *info) { (void)n; *info = ip_info; return ESP_OK; }
esp_err_t esp_event_handler_instance_register(esp_event_base_t base, int32_t id, esp_event_handler_t fn, void *arg,
                                              esp_event_handler_instance_t *inst) {
    (void)inst;
    if (n_handlers == 8) return ESP_ERR_NO_MEM;
    handlers[n_handlers].base = base; handlers[n_handlers].id = id; handlers[n_handlers].fn = fn; handlers[n_handlers++].arg = arg;
    return ESP_OK;
}
esp_err_t esp_wifi_init(const wifi_init_config_t *c) { (void)c; return ESP_OK; }
esp_err_t esp_wifi_set_storage(wifi_storage_t s) { (void)s; return ESP_OK; }
esp_err_t esp_wifi_set_mode(wifi_mode_t m) { (void)m; return ESP_OK; }
esp_err_t esp_wifi_start(void) { started = true; return ESP_OK; }
esp_err_t esp_wifi_set_config(wifi_interface_t i, wifi_config_t *c) { if (i == WIFI_IF_STA) config = *c; return ESP_OK; }

static void scan_task(void *arg) {
    (void)arg;
    nc_delay_ms(300);
    scan_ready = 1;
    wifi_event_sta_scan_done_t done = {.status = 0, .number = WORLD_SIZE};
    emit(WIFI_EVENT, WIFI_EVENT_SCAN_DONE, &done);
}

esp_err_t esp_wifi_scan_start(const wifi_scan_config_t *c, bool block) {
    (void)c;
    if (!started) return ESP_ERR_WIFI_NOT_STARTED;
    if (block) return ESP_ERR_INVALID_ARG;
    return nc_task_start("wifi_sim_scan", 4096, 5, scan_task, NULL) ? ESP_OK : ESP_ERR_NO_MEM;
}
esp_err_t esp_wifi_scan_get_ap_num(uint16_t *n) { *n = scan_ready ? WORLD_SIZE : 0; return ESP_OK; }
esp_err_t esp_wifi_scan_get_ap_records(uint16_t *n, wifi_ap_record_t *out) {
    if (*n > WORLD_SIZE) *n = WORLD_SIZE;
    for (uint16_t i = 0; i < *n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        strcpy((char *)out[i].ssid, world[i].ssid);
        memcpy(out[i].bssid, world[i].bssid, 6);
        out[i].primary = world[i].channel;
        out[i].rssi = world[i].rssi;
        out[i].authmode = world[i].auth;
    }
    scan_ready = 0;
    return ESP_OK;
}
esp_err_t esp_wifi_clear_ap_list(void) { scan_ready = 0; return ESP_OK; }

static int target = -1;
static void connect_task(void *arg) {
    (void)arg;
    nc_delay_ms(200);
    const char *password = getenv("NC_SIM_WIFI_PASSWORD");
    if (!password) password = "secretpass";
    wifi_event_sta_disconnected_t dis = {0};
    if (target < 0) { dis.reason = 201; emit(WIFI_EVENT, WIFI_EVENT_STA_DISCONNECTED, &dis); return; }
    bool ok = world[target].auth == WIFI_AUTH_OPEN ||
              (world[target].auth == WIFI_AUTH_WPA2_PSK && strncmp((const char *)config.sta.password, password, 64) == 0);
    if (!ok) { dis.reason = 15; emit(WIFI_EVENT, WIFI_EVENT_STA_DISCONNECTED, &dis); return; }
    associated = true;
    emit(WIFI_EVENT, WIFI_EVENT_STA_CONNECTED, NULL);
    nc_delay_ms(100);
    ip_event_got_ip_t got = {0};
    got.ip_info.ip.addr = 192u | 168u << 8 | 1u << 16 | 42u << 24;
    ip_info = got.ip_info;
    emit(IP_EVENT, IP_EVENT_STA_GOT_IP, &got);
}

esp_err_t esp_wifi_connect(void) {
    if (!started) return ESP_ERR_WIFI_NOT_STARTED;
    target = -1;
    for (size_t i = 0; i < WORLD_SIZE; i++)
        if (strncmp((const char *)config.sta.ssid, world[i].ssid, 32) == 0) target = (int)i;
    return nc_task_start("wifi_sim_connect", 4096, 5, connect_task, NULL) ? ESP_OK : ESP_ERR_NO_MEM;
}

esp_err_t esp_wifi_disconnect(void) {
    if (!associated) return ESP_ERR_WIFI_NOT_CONNECT;
    associated = false;
    memset(&ip_info, 0, sizeof ip_info);
    wifi_event_sta_disconnected_t dis = {.reason = 8}; /* ASSOC_LEAVE */
    emit(WIFI_EVENT, WIFI_EVENT_STA_DISCONNECTED, &dis);
    return ESP_OK;
}

esp_err_t esp_wifi_sta_get_ap_info(wifi_ap_record_t *ap) {
    if (!associated || target < 0) return ESP_ERR_WIFI_NOT_CONNECT;
    uint16_t n = WORLD_SIZE;
    wifi_ap_record_t all[WORLD_SIZE];
    int saved = scan_ready;
    esp_wifi_scan_get_ap_records(&n, all);
    scan_ready = saved;
    *ap = all[target];
    return ESP_OK;
}

esp_err_t esp_wifi_get_mac(wifi_interface_t i, uint8_t mac[6]) {
    (void)i;
    const uint8_t m[6] = {0x02, 0x00, 0x00, 0x5e, 0x00, 0x01}; /* locally administered */
    memcpy(mac, m, 6);
    return ESP_OK;
}
