/* nc_os: the few RTOS primitives the native host cores need (binary semaphore, mutex, task), so each core is
 * plain C that runs on FreeRTOS (nc_os_freertos.c, on the chip) and on POSIX threads (nc_os_posix.c, host tests).
 * Implements the threading rule of moddable-xs.md §2 "Threading": ESP-IDF tasks never touch XS; they wait here. */
#ifndef NC_OS_H
#define NC_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct nc_sem nc_sem;
typedef struct nc_mutex nc_mutex;

nc_sem *nc_sem_create(void);          /* binary semaphore, initially empty; NULL when out of memory */
bool nc_sem_take(nc_sem *s, uint32_t timeout_ms); /* true if given before the timeout */
void nc_sem_give(nc_sem *s);
void nc_sem_delete(nc_sem *s);

nc_mutex *nc_mutex_create(void);
void nc_mutex_lock(nc_mutex *m);
void nc_mutex_unlock(nc_mutex *m);
void nc_mutex_delete(nc_mutex *m);

/* Starts a detached task running fn(arg); false if it could not be created. */
bool nc_task_start(const char *name, uint32_t stack_bytes, int priority, void (*fn)(void *), void *arg);
void nc_delay_ms(uint32_t ms);

#endif
