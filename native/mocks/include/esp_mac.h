/* Host stand-in for ESP-IDF esp_mac.h. */
#ifndef MOCK_ESP_MAC_H
#define MOCK_ESP_MAC_H
#include <stdint.h>
#include "esp_err.h"
typedef enum { ESP_MAC_WIFI_STA = 0, ESP_MAC_WIFI_SOFTAP, ESP_MAC_BT } esp_mac_type_t;
esp_err_t esp_read_mac(uint8_t *mac, esp_mac_type_t type);
#endif
