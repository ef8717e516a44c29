/* Host stand-in for ESP-IDF esp_system.h (declarations only, for -fsyntax-only of native/system). */
#ifndef MOCK_ESP_SYSTEM_H
#define MOCK_ESP_SYSTEM_H
#include <stdint.h>
void esp_restart(void);
uint32_t esp_get_free_heap_size(void);
#endif
