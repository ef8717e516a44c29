/* Host stand-in for freertos/task.h (declarations only; see FreeRTOS.h). */
#ifndef MOCK_TASK_H
#define MOCK_TASK_H
#include "FreeRTOS.h"
BaseType_t xTaskCreate(TaskFunction_t fn, const char *name, uint32_t stack_bytes, void *arg, UBaseType_t priority,
                       TaskHandle_t *handle);
void vTaskDelete(TaskHandle_t task);
void vTaskDelay(TickType_t ticks);
#endif
