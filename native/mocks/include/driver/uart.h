/* Host stand-in for ESP-IDF driver/uart.h. */
#ifndef MOCK_DRIVER_UART_H
#define MOCK_DRIVER_UART_H
#include <stddef.h>
#include <stdint.h>
#include "esp_err.h"
#include "freertos/FreeRTOS.h"
typedef int uart_port_t;
#define UART_NUM_0 0
esp_err_t uart_driver_install(uart_port_t port, int rx_buffer_size, int tx_buffer_size, int queue_size, void *uart_queue, int intr_alloc_flags);
esp_err_t uart_driver_delete(uart_port_t port);
int uart_read_bytes(uart_port_t port, void *buf, uint32_t length, TickType_t ticks_to_wait);
int uart_write_bytes(uart_port_t port, const void *src, size_t size);
#endif
