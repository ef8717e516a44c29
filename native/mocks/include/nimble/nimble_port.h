/* Host mock of NimBLE's nimble_port.h (ESP-IDF port): init/run/stop/deinit. */
#ifndef MOCK_NIMBLE_PORT_H
#define MOCK_NIMBLE_PORT_H
#include "esp_err.h"
esp_err_t nimble_port_init(void);
void nimble_port_run(void);
int nimble_port_stop(void);
esp_err_t nimble_port_deinit(void);
#endif
