/* Host stand-in for ESP-IDF esp_sntp.h. */
#ifndef MOCK_ESP_SNTP_H
#define MOCK_ESP_SNTP_H
#include <stdbool.h>
#include <stdint.h>
#define ESP_SNTP_OPMODE_POLL 0
void esp_sntp_setoperatingmode(int mode);
void esp_sntp_setservername(uint8_t idx, const char *server);
void esp_sntp_init(void);
bool esp_sntp_enabled(void);
#endif
