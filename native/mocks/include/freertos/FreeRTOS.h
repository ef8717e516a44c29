/* Host stand-in for ESP-IDF's freertos/FreeRTOS.h: types and macros nc_os_freertos.c uses, so CI can compile it
 * with -fsyntax-only. Signatures follow ESP-IDF v6 FreeRTOS (stack depth in bytes). */
#ifndef MOCK_FREERTOS_H
#define MOCK_FREERTOS_H
#include <stdint.h>
typedef int32_t BaseType_t;
typedef uint32_t UBaseType_t;
typedef uint32_t TickType_t;
typedef void *TaskHandle_t;
typedef void (*TaskFunction_t)(void *);
#define pdTRUE 1
#define pdPASS 1
#define portMAX_DELAY ((TickType_t)0xffffffffUL)
#define pdMS_TO_TICKS(ms) ((TickType_t)(ms))
#endif
