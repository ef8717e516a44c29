/* Host tests of the native Wi-Fi core (native/wifi/wifi_core.c) over the esp_wifi mock: start sequence (RAM
 * storage before start, station mode), connect configuration and argument limits, events with disconnect reasons
 * and the IP address, scan configuration, BUSY / NOT_STARTED / TIMEOUT mapping, scan results, station info, and the
 * SoftAP (AP+STA, WPA2/open, limits, error mapping, back to STA on stop). */
#include "nc_test.h"
#include "../mocks/mock_wifi.h"
#include "../wifi/wifi_core.h"

#include <stdlib.h>

static wific_msg msgs[16];
static int n_msgs;
static bool post(const wific_msg *m, void *ctx) { (void)ctx; if (n_msgs < 16) msgs[n_msgs++] = *m; return true; }

static void test_before_start(void) {
    mock_wifi_reset();
    CHECK_EQ_INT(wific_scan_start(false, 120, 0, false), WIFIC_NOT_STARTED);
    CHECK_EQ_INT(wific_connect((const uint8_t *)"x", 1, NULL, 0, NULL, 0), WIFIC_NOT_STARTED);
    CHECK_EQ_INT(wific_ap_start((const uint8_t *)"PROV_a", 6, NULL, 0, 1, 5), WIFIC_NOT_STARTED);
    CHECK_EQ_INT(wific_ap_stop(), WIFIC_NOT_STARTED);
}

static void test_start(void) {
    mock_wifi_reset();
    mock_wifi_fail_next("esp_netif_init", ESP_ERR_INVALID_STATE); /* already initialised elsewhere: fine */
    CHECK_EQ_INT(wific_start(post, NULL), WIFIC_OK);
    CHECK_EQ_INT(mock_wifi.storage, WIFI_STORAGE_RAM);
    CHECK_EQ_INT(mock_wifi.mode, WIFI_MODE_STA);
    const char *storage = strstr(mock_wifi.log, "esp_wifi_set_storage;");
    const char *start = strstr(mock_wifi.log, "esp_wifi_start;");
    CHECK(storage && start && storage < start); /* never persisted, not even once at start */
    CHECK_EQ_INT(wific_set_mode(true), WIFIC_OK);
    CHECK_EQ_INT(mock_wifi.mode, WIFI_MODE_APSTA);
    CHECK_EQ_INT(wific_set_mode(false), WIFIC_OK);
}

static void test_connect(void) {
    const uint8_t ssid32[32] = "0123456789abcdef0123456789abcdef";
    const uint8_t bssid[6] = {1, 2, 3, 4, 5, 6};
    CHECK_EQ_INT(wific_connect(ssid32, 32, (const uint8_t *)"secretpass", 10, bssid, 6), WIFIC_OK);
    CHECK_MEM(mock_wifi.config.sta.ssid, ssid32, 32);
    CHECK_MEM(mock_wifi.config.sta.password, "secretpass", 10);
    CHECK_EQ_INT(mock_wifi.config.sta.password[10], 0);
    CHECK(mock_wifi.config.sta.bssid_set);
    CHECK_MEM(mock_wifi.config.sta.bssid, bssid, 6);
    CHECK_EQ_INT(mock_wifi.config.sta.channel, 6);
    CHECK(strstr(mock_wifi.log, "esp_wifi_set_config;esp_wifi_connect;") != NULL);
    CHECK_EQ_INT(wific_connect((const uint8_t *)"Open", 4, NULL, 0, NULL, 0), WIFIC_OK);
    CHECK(!mock_wifi.config.sta.bssid_set);
    CHECK_EQ_INT(wific_connect(ssid32, 0, NULL, 0, NULL, 0), WIFIC_RANGE);
    CHECK_EQ_INT(wific_connect(ssid32, 33, NULL, 0, NULL, 0), WIFIC_RANGE);
    CHECK_EQ_INT(wific_connect(ssid32, 4, (const uint8_t *)"short", 5, NULL, 0), WIFIC_RANGE);
    uint8_t psk[65];
    memset(psk, 'a', sizeof psk);
    CHECK_EQ_INT(wific_connect(ssid32, 4, psk, 64, NULL, 0), WIFIC_OK);
    CHECK_EQ_INT(wific_connect(ssid32, 4, psk, 65, NULL, 0), WIFIC_RANGE);
    mock_wifi_fail_next("esp_wifi_connect", ESP_FAIL);
    CHECK_EQ_INT(wific_connect(ssid32, 4, NULL, 0, NULL, 0), WIFIC_INTERNAL);
    mock_wifi_fail_next("esp_wifi_disconnect", ESP_ERR_WIFI_NOT_CONNECT);
    CHECK_EQ_INT(wific_disconnect(), WIFIC_OK);
}

static void test_events(void) {
    n_msgs = 0;
    mock_wifi_event(WIFI_EVENT, WIFI_EVENT_STA_CONNECTED, NULL);
    ip_event_got_ip_t got = {0};
    got.ip_info.ip.addr = 192u | 168u << 8 | 1u << 16 | 42u << 24; /* 192.168.1.42 in network order */
    mock_wifi_event(IP_EVENT, IP_EVENT_STA_GOT_IP, &got);
    wifi_event_sta_disconnected_t dis = {0};
    dis.reason = 202; /* AUTH_FAIL */
    mock_wifi_event(WIFI_EVENT, WIFI_EVENT_STA_DISCONNECTED, &dis);
    mock_wifi_event(IP_EVENT, IP_EVENT_STA_LOST_IP, NULL);
    mock_wifi_event(WIFI_EVENT, WIFI_EVENT_STA_START, NULL); /* not forwarded */
    CHECK_EQ_INT(n_msgs, 4);
    CHECK_EQ_INT(msgs[0].type, WIFIC_MSG_CONNECTED);
    CHECK_EQ_INT(msgs[1].type, WIFIC_MSG_GOT_IP);
    const uint8_t ip[4] = {192, 168, 1, 42};
    CHECK_MEM(msgs[1].ip, ip, 4);
    CHECK_EQ_INT(msgs[2].type, WIFIC_MSG_DISCONNECTED);
    CHECK_EQ_INT(msgs[2].reason, 202);
    CHECK_EQ_INT(msgs[3].type, WIFIC_MSG_LOST_IP);
}

static void test_scan(void) {
    n_msgs = 0;
    mock_wifi.n_aps = 2;
    memcpy(mock_wifi.aps[0].ssid, "HomeNet", 8);
    mock_wifi.aps[0].rssi = -45;
    mock_wifi.aps[0].primary = 1;
    mock_wifi.aps[1].authmode = WIFI_AUTH_WPA2_PSK;
    CHECK_EQ_INT(wific_scan_start(true, 120, 0, true), WIFIC_OK);
    CHECK_EQ_INT(mock_wifi.scan.scan_type, WIFI_SCAN_TYPE_PASSIVE);
    CHECK_EQ_INT(mock_wifi.scan.scan_time.passive, 120);
    CHECK(mock_wifi.scan.show_hidden);
    CHECK_EQ_INT(wific_scan_start(true, 120, 0, true), WIFIC_BUSY); /* one scan at a time */
    wifi_event_sta_scan_done_t done = {.status = 0, .number = 2};
    mock_wifi_event(WIFI_EVENT, WIFI_EVENT_SCAN_DONE, &done);
    CHECK_EQ_INT(n_msgs, 1);
    CHECK_EQ_INT(msgs[0].type, WIFIC_MSG_SCAN_DONE);
    CHECK_EQ_INT(msgs[0].scan_status, 0);
    wifi_ap_record_t *recs;
    uint16_t count;
    CHECK_EQ_INT(wific_scan_results(&recs, &count), WIFIC_OK);
    CHECK_EQ_INT(count, 2);
    CHECK(strcmp((const char *)recs[0].ssid, "HomeNet") == 0);
    CHECK_EQ_INT(recs[0].rssi, -45);
    CHECK_EQ_INT(recs[1].authmode, WIFI_AUTH_WPA2_PSK);
    free(recs);
    CHECK_EQ_INT(mock_wifi.aps_pending, 0); /* the driver's list is released */
    /* Active scan with a channel; errors map to the WifiScanErrorCode values. */
    CHECK_EQ_INT(wific_scan_start(false, 80, 11, false), WIFIC_OK);
    CHECK_EQ_INT(mock_wifi.scan.scan_type, WIFI_SCAN_TYPE_ACTIVE);
    CHECK_EQ_INT(mock_wifi.scan.scan_time.active.max, 80);
    CHECK_EQ_INT(mock_wifi.scan.channel, 11);
    mock_wifi.n_aps = 0;
    CHECK_EQ_INT(wific_scan_results(&recs, &count), WIFIC_OK);
    CHECK_EQ_INT(count, 0);
    free(recs);
    mock_wifi_fail_next("esp_wifi_scan_start", ESP_ERR_WIFI_STATE);
    CHECK_EQ_INT(wific_scan_start(false, 80, 0, false), WIFIC_BUSY);
    mock_wifi_fail_next("esp_wifi_scan_start", ESP_ERR_WIFI_TIMEOUT);
    CHECK_EQ_INT(wific_scan_start(false, 80, 0, false), WIFIC_TIMEOUT);
    mock_wifi_fail_next("esp_wifi_scan_start", ESP_ERR_WIFI_NOT_STARTED);
    CHECK_EQ_INT(wific_scan_start(false, 80, 0, false), WIFIC_NOT_STARTED);
    mock_wifi_fail_next("esp_wifi_scan_start", ESP_ERR_NO_MEM);
    CHECK_EQ_INT(wific_scan_start(false, 80, 0, false), WIFIC_INTERNAL);
    CHECK_EQ_INT(wific_scan_start(false, 80, 0, false), WIFIC_OK); /* failures did not leave it "scanning" */
    mock_wifi_fail_next("esp_wifi_scan_get_ap_num", ESP_FAIL);
    CHECK_EQ_INT(wific_scan_results(&recs, &count), WIFIC_INTERNAL);
    CHECK(recs == NULL);
}

static void test_station_info(void) {
    wifi_ap_record_t ap;
    uint8_t ip[4];
    CHECK(!wific_station_info(&ap, ip));
    mock_wifi.associated = true;
    memcpy(mock_wifi.ap_info.ssid, "HomeNet", 8);
    CHECK(!wific_station_info(&ap, ip)); /* associated but no address yet */
    mock_wifi.ip_info.ip.addr = 10u | 0u << 8 | 0u << 16 | 7u << 24;
    CHECK(wific_station_info(&ap, ip));
    const uint8_t want[4] = {10, 0, 0, 7};
    CHECK_MEM(ip, want, 4);
    uint8_t mac[6];
    CHECK_EQ_INT(wific_mac(mac), WIFIC_OK);
    CHECK_EQ_INT(mac[0], 0x24);
}

static void test_access_point(void) {
    const uint8_t *ssid = (const uint8_t *)"PROV_123abc";
    mock_wifi.log[0] = 0;
    CHECK_EQ_INT(wific_ap_start(ssid, 11, (const uint8_t *)"provkey1", 8, 1, 5), WIFIC_OK);
    CHECK_EQ_INT(mock_wifi.mode, WIFI_MODE_APSTA);
    CHECK_EQ_INT(mock_wifi.ap_netifs, 1);
    CHECK_EQ_INT(mock_wifi.ap_config.ap.ssid_len, 11);
    CHECK_MEM(mock_wifi.ap_config.ap.ssid, "PROV_123abc", 11);
    CHECK_MEM(mock_wifi.ap_config.ap.password, "provkey1", 9); /* NUL-terminated after 8 bytes */
    CHECK_EQ_INT(mock_wifi.ap_config.ap.authmode, WIFI_AUTH_WPA2_PSK);
    CHECK_EQ_INT(mock_wifi.ap_config.ap.channel, 1);
    CHECK_EQ_INT(mock_wifi.ap_config.ap.max_connection, 5);
    CHECK(!mock_wifi.ap_config.ap.pmf_cfg.required);
    /* netif before the mode switch: the AP netif must exist when the driver starts the AP interface. */
    const char *netif = strstr(mock_wifi.log, "esp_netif_create_default_wifi_ap;");
    const char *mode = strstr(mock_wifi.log, "esp_wifi_set_mode;");
    const char *config = strstr(mock_wifi.log, "esp_wifi_set_config;");
    CHECK(netif && mode && config && netif < mode && mode < config);

    /* Open AP; the netif is created once. A 32-byte SSID is allowed (not NUL-terminated, ssid_len says so). */
    const uint8_t ssid32[32] = "0123456789abcdef0123456789abcdef";
    CHECK_EQ_INT(wific_ap_start(ssid32, 32, NULL, 0, 6, 10), WIFIC_OK);
    CHECK_EQ_INT(mock_wifi.ap_netifs, 1);
    CHECK_EQ_INT(mock_wifi.ap_config.ap.authmode, WIFI_AUTH_OPEN);
    CHECK_EQ_INT(mock_wifi.ap_config.ap.password[0], 0);
    CHECK_EQ_INT(mock_wifi.ap_config.ap.ssid_len, 32);

    /* 64 characters are a raw PSK: hex only. */
    const char *hex64 = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";
    CHECK_EQ_INT(wific_ap_start(ssid, 11, (const uint8_t *)hex64, 64, 1, 5), WIFIC_OK);
    CHECK_MEM(mock_wifi.ap_config.ap.password, hex64, 64);

    /* Argument limits: nothing reaches the driver. */
    int configs = mock_wifi.ap_configs;
    const char *not_hex64 = "g0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    CHECK_EQ_INT(wific_ap_start(ssid, 11, (const uint8_t *)not_hex64, 64, 1, 5), WIFIC_RANGE);
    CHECK_EQ_INT(wific_ap_start(ssid, 11, (const uint8_t *)"short", 5, 1, 5), WIFIC_RANGE);
    CHECK_EQ_INT(wific_ap_start(ssid, 11, (const uint8_t *)hex64, 65, 1, 5), WIFIC_RANGE);
    CHECK_EQ_INT(wific_ap_start(ssid, 0, NULL, 0, 1, 5), WIFIC_RANGE);
    CHECK_EQ_INT(wific_ap_start(ssid32, 33, NULL, 0, 1, 5), WIFIC_RANGE);
    CHECK_EQ_INT(wific_ap_start(ssid, 11, NULL, 0, 0, 5), WIFIC_RANGE);
    CHECK_EQ_INT(wific_ap_start(ssid, 11, NULL, 0, 14, 5), WIFIC_RANGE);
    CHECK_EQ_INT(wific_ap_start(ssid, 11, NULL, 0, 1, 0), WIFIC_RANGE);
    CHECK_EQ_INT(wific_ap_start(ssid, 11, NULL, 0, 1, WIFIC_AP_MAX_STATIONS + 1), WIFIC_RANGE);
    CHECK_EQ_INT(mock_wifi.ap_configs, configs);

    /* Driver refusals: the passphrase error is RANGE, anything else INTERNAL; either way back to STA. */
    mock_wifi_fail_next("esp_wifi_set_config", ESP_ERR_WIFI_PASSWORD);
    CHECK_EQ_INT(wific_ap_start(ssid, 11, (const uint8_t *)"provkey1", 8, 1, 5), WIFIC_RANGE);
    CHECK_EQ_INT(mock_wifi.mode, WIFI_MODE_STA);
    mock_wifi_fail_next("esp_wifi_set_config", ESP_FAIL);
    CHECK_EQ_INT(wific_ap_start(ssid, 11, (const uint8_t *)"provkey1", 8, 1, 5), WIFIC_INTERNAL);
    CHECK_EQ_INT(mock_wifi.mode, WIFI_MODE_STA);
    mock_wifi_fail_next("esp_wifi_set_mode", ESP_FAIL);
    CHECK_EQ_INT(wific_ap_start(ssid, 11, NULL, 0, 1, 5), WIFIC_INTERNAL);

    CHECK_EQ_INT(wific_ap_start(ssid, 11, NULL, 0, 1, 5), WIFIC_OK);
    CHECK_EQ_INT(wific_ap_stop(), WIFIC_OK);
    CHECK_EQ_INT(mock_wifi.mode, WIFI_MODE_STA);
    mock_wifi_fail_next("esp_wifi_set_mode", ESP_FAIL);
    CHECK_EQ_INT(wific_ap_stop(), WIFIC_INTERNAL);
}

static void test_access_point_netif_failure(void) {
    /* Runs before the AP netif exists (static in the core): a failed netif creation is INTERNAL, mode untouched. */
    int mode = mock_wifi.mode;
    mock_wifi_fail_next("esp_netif_create_default_wifi_ap", ESP_FAIL);
    CHECK_EQ_INT(wific_ap_start((const uint8_t *)"PROV_a", 6, NULL, 0, 1, 5), WIFIC_INTERNAL);
    CHECK_EQ_INT(mock_wifi.mode, mode);
}

int main(void) {
    RUN(test_before_start);
    RUN(test_start);
    RUN(test_connect);
    RUN(test_events);
    RUN(test_scan);
    RUN(test_station_info);
    RUN(test_access_point_netif_failure);
    RUN(test_access_point);
    return nc_test_report("wifi");
}
