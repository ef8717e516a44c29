/* nc_os on FreeRTOS (ESP-IDF): binary semaphores, mutexes and tasks for the native host cores on the chip.
 * Host CI compiles it with -fsyntax-only against native/mocks so a typo fails CI (tools/native/test.sh). */
#include "nc_os.h"

#include <stdlib.h>
#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"
#include "freertos/task.h"

struct nc_sem { SemaphoreHandle_t handle; };
struct nc_mutex { SemaphoreHandle_t handle; };

nc_sem *nc_sem_create(void) {
    nc_sem *s = calloc(1, sizeof *s);
    if (s && !(s->handle = xSemaphoreCreateBinary())) { free(s); s = NULL; }
    return s;
}
bool nc_sem_take(nc_sem *s, uint32_t timeout_ms) { return xSemaphoreTake(s->handle, pdMS_TO_TICKS(timeout_ms)) == pdTRUE; }
void nc_sem_give(nc_sem *s) { xSemaphoreGive(s->handle); }
void nc_sem_delete(nc_sem *s) { if (s) { vSemaphoreDelete(s->handle); free(s); } }

nc_mutex *nc_mutex_create(void) {
    nc_mutex *m = calloc(1, sizeof *m);
    if (m && !(m->handle = xSemaphoreCreateMutex())) { free(m); m = NULL; }
    return m;
}
void nc_mutex_lock(nc_mutex *m) { xSemaphoreTake(m->handle, portMAX_DELAY); }
void nc_mutex_unlock(nc_mutex *m) { xSemaphoreGive(m->handle); }
void nc_mutex_delete(nc_mutex *m) { if (m) { vSemaphoreDelete(m->handle); free(m); } }

struct trampoline { void (*fn)(void *); void *arg; };

static void run(void *p) {
    struct trampoline t = *(struct trampoline *)p;
    free(p);
    t.fn(t.arg);
    vTaskDelete(NULL); /* a FreeRTOS task function must never return */
}

bool nc_task_start(const char *name, uint32_t stack_bytes, int priority, void (*fn)(void *), void *arg) {
    struct trampoline *t = malloc(sizeof *t);
    if (!t) return false;
    t->fn = fn;
    t->arg = arg;
    /* ESP-IDF's xTaskCreate takes the stack depth in bytes (not words, unlike vanilla FreeRTOS). */
    if (xTaskCreate(run, name, stack_bytes, t, (UBaseType_t)priority, NULL) != pdPASS) { free(t); return false; }
    return true;
}
void nc_delay_ms(uint32_t ms) { vTaskDelay(pdMS_TO_TICKS(ms)); }
