/* Host stand-in for ESP-IDF esp_timer.h. */
#ifndef MOCK_ESP_TIMER_H
#define MOCK_ESP_TIMER_H
#include <stdint.h>
int64_t esp_timer_get_time(void);
#endif
