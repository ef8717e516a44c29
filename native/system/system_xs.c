/* xsmc binding for the small ESP32 system services behind firmware/host/{log,clock,device,button,uart}.ts:
 * esp_log_write, esp_timer_get_time, gettimeofday + SNTP, esp_read_mac, esp_chip_info, esp_restart,
 * esp_get_free_heap_size, GPIO input level (the boot button, debounced in TypeScript) and UART0 (console
 * transport; its reader task reaches XS only through modMessagePostToMachine). These are direct ESP-IDF calls
 * with no logic worth a separate core; CI compiles this file with -fsyntax-only against native/mocks. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "driver/gpio.h"
#include "driver/uart.h"
#include "esp_chip_info.h"
#include "esp_log.h"
#include "esp_mac.h"
#include "esp_sntp.h"
#include "esp_system.h"
#include "esp_timer.h"
#include "../common/nc_os.h"
#include "xsmc.h"
#include "../common/nc_xs_host.h"

/* A wall clock before this instant (2024-01-01) has not been set by SNTP: report it as unknown. */
#define WALL_CLOCK_VALID_AFTER_S 1704067200

void xs_nc_system_destructor(void *data) { (void)data; }
void xs_nc_system_constructor(xsMachine *the) { (void)the; }

/* log(level 1..4 = error..debug, tag, message). Messages are already redacted by firmware/util/log.ts. */
void xs_nc_system_log(xsMachine *the) {
    int level = xsmcToInteger(xsArg(0));
    char tag[24];
    const char *t = xsmcToString(xsArg(1));
    snprintf(tag, sizeof tag, "%s", t);
    const char *message = xsmcToString(xsArg(2)); /* used before any allocation */
    esp_log_write(level <= 1 ? ESP_LOG_ERROR : level == 2 ? ESP_LOG_WARN : level == 3 ? ESP_LOG_INFO : ESP_LOG_DEBUG,
                  tag, "%s: %s\n", tag, message);
}

void xs_nc_system_monotonic_ms(xsMachine *the) { xsmcSetNumber(xsResult, (double)(esp_timer_get_time() / 1000)); }

void xs_nc_system_wall_ms(xsMachine *the) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    if (tv.tv_sec < WALL_CLOCK_VALID_AFTER_S) xsmcSetUndefined(xsResult);
    else xsmcSetNumber(xsResult, (double)tv.tv_sec * 1000.0 + (double)(tv.tv_usec / 1000));
}

/* SNTP must run before TLS: esp-tls checks certificate validity against this clock (moddable-xs.md §6.2). */
void xs_nc_system_start_sntp(xsMachine *the) {
    static char server[64];
    if (esp_sntp_enabled()) return;
    snprintf(server, sizeof server, "%s", xsmcToString(xsArg(0))); /* lwIP keeps the pointer */
    esp_sntp_setoperatingmode(ESP_SNTP_OPMODE_POLL);
    esp_sntp_setservername(0, server);
    esp_sntp_init();
}

void xs_nc_system_mac(xsMachine *the) {
    uint8_t mac[6];
    if (esp_read_mac(mac, ESP_MAC_WIFI_STA) != ESP_OK) xsUnknownError("esp_read_mac failed");
    xsmcSetArrayBuffer(xsResult, mac, 6);
}

void xs_nc_system_chip_model(xsMachine *the) {
    esp_chip_info_t info;
    esp_chip_info(&info);
    const char *name = "esp32";
    switch (info.model) {
    case CHIP_ESP32S2: name = "esp32s2"; break;
    case CHIP_ESP32S3: name = "esp32s3"; break;
    case CHIP_ESP32C3: name = "esp32c3"; break;
    case CHIP_ESP32C6: name = "esp32c6"; break;
    case CHIP_ESP32H2: name = "esp32h2"; break;
    default: break;
    }
    xsmcSetString(xsResult, (char *)name);
}

void xs_nc_system_restart(xsMachine *the) { (void)the; esp_restart(); }
void xs_nc_system_free_heap(xsMachine *the) { xsmcSetNumber(xsResult, esp_get_free_heap_size()); }

void xs_nc_system_gpio_input(xsMachine *the) {
    int pin = xsmcToInteger(xsArg(0));
    if (gpio_reset_pin(pin) != ESP_OK || gpio_set_direction(pin, GPIO_MODE_INPUT) != ESP_OK ||
        gpio_set_pull_mode(pin, GPIO_PULLUP_ONLY) != ESP_OK)
        xsRangeError("bad GPIO");
}
void xs_nc_system_gpio_read(xsMachine *the) { xsmcSetInteger(xsResult, gpio_get_level(xsmcToInteger(xsArg(0)))); }

/* UART0 console: a reader task posts received bytes to the XS task. */
static struct {
    xsMachine *the;
    xsSlot callback;
    volatile bool open;
} uart;

static void uart_deliver(void *the_, void *refcon, uint8_t *message, uint16_t length) {
    (void)refcon;
    xsMachine *the = the_;
    if (!uart.open) return;
    xsBeginHost(the);
    xsmcVars(1);
    xsTry {
        xsmcSetArrayBuffer(xsVar(0), message, length);
        xsCallFunction1(uart.callback, xsUndefined, xsVar(0));
    }
    xsCatch {}
    xsEndHost(the);
}

static void uart_reader(void *arg) {
    (void)arg;
    uint8_t buf[128];
    while (uart.open) {
        int n = uart_read_bytes(UART_NUM_0, buf, sizeof buf, pdMS_TO_TICKS(20));
        if (n > 0) modMessagePostToMachine(uart.the, buf, (uint16_t)n, uart_deliver, NULL);
    }
    uart_driver_delete(UART_NUM_0);
}

void xs_nc_uart_open(xsMachine *the) {
    if (uart.open) xsUnknownError("UART already open");
    if (uart_driver_install(UART_NUM_0, 1024, 0, 0, NULL, 0) != ESP_OK) xsUnknownError("uart_driver_install failed");
    uart.the = the;
    uart.callback = xsArg(0);
    xsRemember(uart.callback);
    uart.open = true;
    if (!nc_task_start("nc_uart", 3072, 5, uart_reader, NULL)) {
        uart.open = false;
        xsForget(uart.callback);
        uart_driver_delete(UART_NUM_0);
        xsUnknownError("UART reader task");
    }
}

void xs_nc_uart_write(xsMachine *the) {
    void *data;
    xsUnsignedValue len;
    xsmcGetBufferReadable(xsArg(0), &data, &len);
    if (uart.open) uart_write_bytes(UART_NUM_0, data, len);
}

void xs_nc_uart_close(xsMachine *the) {
    if (!uart.open) return;
    uart.open = false; /* the reader ends within 20 ms and deletes the driver */
    xsForget(uart.callback);
}
