/* Host mock of NimBLE's nimble_port_freertos.h: the host task start/stop. */
#ifndef MOCK_NIMBLE_PORT_FREERTOS_H
#define MOCK_NIMBLE_PORT_FREERTOS_H
void nimble_port_freertos_init(void (*host_task_fn)(void *));
void nimble_port_freertos_deinit(void);
#endif
