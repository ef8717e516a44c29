/* Host mock of ESP-IDF esp_wifi.h: the station/scan subset native/wifi uses (types and values per ESP-IDF v6). */
#ifndef MOCK_ESP_WIFI_H
#define MOCK_ESP_WIFI_H
#include <stdbool.h>
#include <stdint.h>
#include "esp_err.h"
typedef enum { WIFI_MODE_NULL = 0, WIFI_MODE_STA, WIFI_MODE_AP, WIFI_MODE_APSTA } wifi_mode_t;
typedef enum { WIFI_IF_STA = 0, WIFI_IF_AP = 1 } wifi_interface_t;
typedef enum { WIFI_STORAGE_FLASH, WIFI_STORAGE_RAM } wifi_storage_t;
typedef enum { WIFI_AUTH_OPEN = 0, WIFI_AUTH_WEP, WIFI_AUTH_WPA_PSK, WIFI_AUTH_WPA2_PSK, WIFI_AUTH_WPA_WPA2_PSK } wifi_auth_mode_t;
typedef enum { WIFI_SCAN_TYPE_ACTIVE = 0, WIFI_SCAN_TYPE_PASSIVE } wifi_scan_type_t;
typedef struct { int magic; } wifi_init_config_t;
#define WIFI_INIT_CONFIG_DEFAULT() { .magic = 0x1f2e3d4c }
typedef struct { int8_t rssi; wifi_auth_mode_t authmode; } wifi_scan_threshold_t;
typedef struct {
    uint8_t ssid[32]; uint8_t password[64]; int scan_method; bool bssid_set; uint8_t bssid[6]; uint8_t channel;
    uint16_t listen_interval; int sort_method; wifi_scan_threshold_t threshold;
} wifi_sta_config_t;
typedef struct { bool capable; bool required; } wifi_pmf_config_t;
typedef struct {
    uint8_t ssid[32]; uint8_t password[64]; uint8_t ssid_len; uint8_t channel; wifi_auth_mode_t authmode;
    uint8_t ssid_hidden; uint8_t max_connection; uint16_t beacon_interval; wifi_pmf_config_t pmf_cfg;
} wifi_ap_config_t;
typedef union { wifi_ap_config_t ap; wifi_sta_config_t sta; } wifi_config_t;
typedef struct { uint32_t min; uint32_t max; } wifi_active_scan_time_t;
typedef struct { wifi_active_scan_time_t active; uint32_t passive; } wifi_scan_time_t;
typedef struct {
    uint8_t *ssid; uint8_t *bssid; uint8_t channel; bool show_hidden; wifi_scan_type_t scan_type;
    wifi_scan_time_t scan_time; uint8_t home_chan_dwell_time;
} wifi_scan_config_t;
typedef struct {
    uint8_t bssid[6]; uint8_t ssid[33]; uint8_t primary; int second; int8_t rssi; wifi_auth_mode_t authmode;
} wifi_ap_record_t;
enum {
    WIFI_EVENT_WIFI_READY = 0, WIFI_EVENT_SCAN_DONE, WIFI_EVENT_STA_START, WIFI_EVENT_STA_STOP,
    WIFI_EVENT_STA_CONNECTED, WIFI_EVENT_STA_DISCONNECTED
};
typedef struct { uint32_t status; uint8_t number; uint8_t scan_id; } wifi_event_sta_scan_done_t;
typedef struct { uint8_t ssid[32]; uint8_t ssid_len; uint8_t bssid[6]; uint16_t reason; int8_t rssi; } wifi_event_sta_disconnected_t;
esp_err_t esp_wifi_init(const wifi_init_config_t *config);
esp_err_t esp_wifi_set_storage(wifi_storage_t storage);
esp_err_t esp_wifi_set_mode(wifi_mode_t mode);
esp_err_t esp_wifi_start(void);
esp_err_t esp_wifi_set_config(wifi_interface_t interface, wifi_config_t *conf);
esp_err_t esp_wifi_connect(void);
esp_err_t esp_wifi_disconnect(void);
esp_err_t esp_wifi_scan_start(const wifi_scan_config_t *config, bool block);
esp_err_t esp_wifi_scan_get_ap_num(uint16_t *number);
esp_err_t esp_wifi_scan_get_ap_records(uint16_t *number, wifi_ap_record_t *ap_records);
esp_err_t esp_wifi_clear_ap_list(void);
esp_err_t esp_wifi_sta_get_ap_info(wifi_ap_record_t *ap_info);
esp_err_t esp_wifi_get_mac(wifi_interface_t ifx, uint8_t mac[6]);
#define ESP_ERR_WIFI_NOT_CONNECT (ESP_ERR_WIFI_BASE + 15)
#endif
