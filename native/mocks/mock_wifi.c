/* Host mock of esp_wifi, esp_event and esp_netif for native/wifi tests. Records calls and configurations,
 * injects errors, holds a scan list the way the driver does (until fetched or cleared) and dispatches events to
 * the registered handlers. Does not model association, DHCP, timing or radio behaviour. */
#include "mock_wifi.h"

#include <stdio.h>
#include <string.h>

esp_event_base_t const WIFI_EVENT = "WIFI_EVENT";
esp_event_base_t const IP_EVENT = "IP_EVENT";
mock_wifi_state mock_wifi;
static struct { esp_event_base_t base; int32_t id; esp_event_handler_t fn; void *arg; } handlers[8];
static int n_handlers;
static const char *fail_fn;
static esp_err_t fail_err;
static int netif_dummy;

static esp_err_t call(const char *fn) {
    size_t n = strlen(mock_wifi.log);
    snprintf(mock_wifi.log + n, sizeof mock_wifi.log - n, "%s;", fn);
    if (fail_fn && strcmp(fail_fn, fn) == 0) { fail_fn = NULL; return fail_err; }
    return ESP_OK;
}

void mock_wifi_reset(void) {
    memset(&mock_wifi, 0, sizeof mock_wifi);
    mock_wifi.storage = -1;
    n_handlers = 0;
    fail_fn = NULL;
}
void mock_wifi_fail_next(const char *fn, esp_err_t err) { fail_fn = fn; fail_err = err; }
void mock_wifi_event(esp_event_base_t base, int32_t id, void *data) {
    for (int i = 0; i < n_handlers; i++)
        if (handlers[i].base == base && (handlers[i].id == ESP_EVENT_ANY_ID || handlers[i].id == id))
            handlers[i].fn(handlers[i].arg, base, id, data);
}

esp_err_t esp_netif_init(void) { return call("esp_netif_init"); }
esp_err_t esp_event_loop_create_default(void) { return call("esp_event_loop_create_default"); }
esp_netif_t *esp_netif_create_default_wifi_sta(void) { call("esp_netif_create_default_wifi_sta"); return (esp_netif_t *)&netif_dummy; }
esp_netif_t *esp_netif_create_default_wifi_ap(void) {
    if (call("esp_netif_create_default_wifi_ap") != ESP_OK) return NULL;
    mock_wifi.ap_netifs++;
    return (esp_netif_t *)&netif_dummy;
}
esp_err_t esp_netif_get_ip_info(esp_netif_t *netif, esp_netif_ip_info_t *info) {
    (void)netif;
    *info = mock_wifi.ip_info;
    return call("esp_netif_get_ip_info");
}
esp_err_t esp_event_handler_instance_register(esp_event_base_t base, int32_t id, esp_event_handler_t fn, void *arg,
                                              esp_event_handler_instance_t *inst) {
    (void)inst;
    esp_err_t err = call("esp_event_handler_instance_register");
    if (err == ESP_OK && n_handlers < 8) { handlers[n_handlers].base = base; handlers[n_handlers].id = id; handlers[n_handlers].fn = fn; handlers[n_handlers++].arg = arg; }
    return err;
}
esp_err_t esp_wifi_init(const wifi_init_config_t *c) { return c->magic == 0x1f2e3d4c ? call("esp_wifi_init") : ESP_ERR_INVALID_ARG; }
esp_err_t esp_wifi_set_storage(wifi_storage_t s) { mock_wifi.storage = (int)s; return call("esp_wifi_set_storage"); }
esp_err_t esp_wifi_set_mode(wifi_mode_t m) { mock_wifi.mode = (int)m; return call("esp_wifi_set_mode"); }
esp_err_t esp_wifi_start(void) { return call("esp_wifi_start"); }
esp_err_t esp_wifi_set_config(wifi_interface_t i, wifi_config_t *c) {
    if (i == WIFI_IF_AP) { mock_wifi.ap_config = *c; mock_wifi.ap_configs++; }
    else mock_wifi.config = *c;
    return call("esp_wifi_set_config");
}
esp_err_t esp_wifi_connect(void) { return call("esp_wifi_connect"); }
esp_err_t esp_wifi_disconnect(void) { return call("esp_wifi_disconnect"); }
esp_err_t esp_wifi_scan_start(const wifi_scan_config_t *c, bool block) {
    if (block) return ESP_ERR_INVALID_ARG; /* the core must never block the XS task */
    mock_wifi.scan = *c;
    esp_err_t err = call("esp_wifi_scan_start");
    if (err == ESP_OK) mock_wifi.aps_pending = 1;
    return err;
}
esp_err_t esp_wifi_scan_get_ap_num(uint16_t *n) { *n = mock_wifi.aps_pending ? (uint16_t)mock_wifi.n_aps : 0; return call("esp_wifi_scan_get_ap_num"); }
esp_err_t esp_wifi_scan_get_ap_records(uint16_t *n, wifi_ap_record_t *out) {
    esp_err_t err = call("esp_wifi_scan_get_ap_records");
    if (err != ESP_OK) return err;
    if (*n > mock_wifi.n_aps) *n = (uint16_t)mock_wifi.n_aps;
    memcpy(out, mock_wifi.aps, *n * sizeof *out);
    mock_wifi.aps_pending = 0; /* the driver frees its list when records are fetched */
    return ESP_OK;
}
esp_err_t esp_wifi_clear_ap_list(void) { mock_wifi.aps_pending = 0; return call("esp_wifi_clear_ap_list"); }
esp_err_t esp_wifi_sta_get_ap_info(wifi_ap_record_t *ap) {
    esp_err_t err = call("esp_wifi_sta_get_ap_info");
    if (err != ESP_OK) return err;
    if (!mock_wifi.associated) return ESP_ERR_WIFI_NOT_CONNECT;
    *ap = mock_wifi.ap_info;
    return ESP_OK;
}
esp_err_t esp_wifi_get_mac(wifi_interface_t i, uint8_t mac[6]) {
    (void)i;
    const uint8_t m[6] = {0x24, 0x6f, 0x28, 0x01, 0x02, 0x03};
    memcpy(mac, m, 6);
    return call("esp_wifi_get_mac");
}
