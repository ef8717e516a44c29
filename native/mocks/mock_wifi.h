/* Controls of the esp_wifi / esp_event / esp_netif mock (native/mocks/mock_wifi.c) for host tests. */
#ifndef MOCK_WIFI_CTL_H
#define MOCK_WIFI_CTL_H
#include "esp_event.h"
#include "esp_netif.h"
#include "esp_wifi.h"
typedef struct {
    char log[2048];          /* "fn;" per call */
    int storage;             /* -1 until esp_wifi_set_storage */
    int mode;
    wifi_config_t config;    /* last station config */
    wifi_config_t ap_config; int ap_configs; /* last WIFI_IF_AP config, how many were set */
    int ap_netifs;           /* esp_netif_create_default_wifi_ap calls */
    wifi_scan_config_t scan;
    wifi_ap_record_t aps[8]; int n_aps; int aps_pending; /* list held by the driver until fetched/cleared */
    wifi_ap_record_t ap_info; bool associated;
    esp_netif_ip_info_t ip_info;
} mock_wifi_state;
extern mock_wifi_state mock_wifi;
void mock_wifi_reset(void);
void mock_wifi_fail_next(const char *fn, esp_err_t err);
void mock_wifi_event(esp_event_base_t base, int32_t id, void *data); /* as the event task would */
#endif
