/* Host stand-in for ESP-IDF esp_log.h. */
#ifndef MOCK_ESP_LOG_H
#define MOCK_ESP_LOG_H
typedef enum { ESP_LOG_NONE, ESP_LOG_ERROR, ESP_LOG_WARN, ESP_LOG_INFO, ESP_LOG_DEBUG, ESP_LOG_VERBOSE } esp_log_level_t;
void esp_log_write(esp_log_level_t level, const char *tag, const char *format, ...) __attribute__((format(printf, 3, 4)));
#endif
