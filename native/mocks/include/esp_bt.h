/* Host mock of ESP-IDF esp_bt.h: controller memory release (moddable-xs.md §3.1 "Deinit and memory"). */
#ifndef MOCK_ESP_BT_H
#define MOCK_ESP_BT_H
#include "esp_err.h"
typedef enum { ESP_BT_MODE_IDLE = 0, ESP_BT_MODE_BLE = 1, ESP_BT_MODE_CLASSIC_BT = 2, ESP_BT_MODE_BTDM = 3 } esp_bt_mode_t;
esp_err_t esp_bt_mem_release(esp_bt_mode_t mode);
#endif
