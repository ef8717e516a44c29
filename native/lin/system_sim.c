/* System services for the lin simulator: the ESP-IDF calls native/system/system_xs.c makes, on POSIX. Logging
 * goes to stderr, the clock is the host's (SNTP is a no-op: the host clock is already set), restart exits the
 * simulator, the boot button reads NC_SIM_BUTTON (unset = released), and UART0 is stdin/stdout. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/select.h>
#include <sys/time.h>
#include <unistd.h>

#include "driver/gpio.h"
#include "driver/uart.h"
#include "esp_chip_info.h"
#include "esp_log.h"
#include "esp_mac.h"
#include "esp_sntp.h"
#include "esp_system.h"
#include "esp_timer.h"

void esp_log_write(esp_log_level_t level, const char *tag, const char *format, ...) {
    (void)tag;
    static const char letters[] = "NEWIDV";
    va_list ap;
    va_start(ap, format);
    fprintf(stderr, "%c ", letters[level < 6 ? level : 5]);
    vfprintf(stderr, format, ap);
    va_end(ap);
}

int64_t esp_timer_get_time(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static bool sntp;
void esp_sntp_setoperatingmode(int mode) { (void)mode; }
void esp_sntp_setservername(uint8_t idx, const char *server) { (void)idx; (void)server; }
void esp_sntp_init(void) { sntp = true; }
bool esp_sntp_enabled(void) { return sntp; }

esp_err_t esp_read_mac(uint8_t *mac, esp_mac_type_t type) {
    (void)type;
    const uint8_t m[6] = {0x02, 0x00, 0x00, 0x5e, 0x00, 0x01};
    memcpy(mac, m, 6);
    return ESP_OK;
}
void esp_chip_info(esp_chip_info_t *info) { memset(info, 0, sizeof *info); info->model = CHIP_ESP32; info->cores = 2; }
void esp_restart(void) { fprintf(stderr, "esp_restart: exiting the simulator\n"); exit(0); }
uint32_t esp_get_free_heap_size(void) { return 0; } /* meaningless on the host */

esp_err_t gpio_reset_pin(gpio_num_t n) { (void)n; return ESP_OK; }
esp_err_t gpio_set_direction(gpio_num_t n, gpio_mode_t m) { (void)n; (void)m; return ESP_OK; }
esp_err_t gpio_set_pull_mode(gpio_num_t n, gpio_pull_mode_t p) { (void)n; (void)p; return ESP_OK; }
int gpio_get_level(gpio_num_t n) { (void)n; const char *b = getenv("NC_SIM_BUTTON"); return b && *b == '1' ? 0 : 1; }

esp_err_t uart_driver_install(uart_port_t p, int rx, int tx, int q, void *queue, int flags) {
    (void)p; (void)rx; (void)tx; (void)q; (void)queue; (void)flags;
    return ESP_OK;
}
esp_err_t uart_driver_delete(uart_port_t p) { (void)p; return ESP_OK; }
int uart_read_bytes(uart_port_t p, void *buf, uint32_t len, TickType_t ticks) {
    (void)p;
    fd_set fds;
    FD_ZERO(&fds);
    FD_SET(0, &fds);
    struct timeval tv = {0, (long)ticks * 1000};
    if (select(1, &fds, NULL, NULL, &tv) <= 0) return 0;
    ssize_t n = read(0, buf, len);
    return n > 0 ? (int)n : 0;
}
int uart_write_bytes(uart_port_t p, const void *src, size_t size) {
    (void)p;
    return (int)write(1, src, size);
}
