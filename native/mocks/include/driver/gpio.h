/* Host stand-in for ESP-IDF driver/gpio.h. */
#ifndef MOCK_DRIVER_GPIO_H
#define MOCK_DRIVER_GPIO_H
#include <stdint.h>
#include "esp_err.h"
typedef int gpio_num_t;
typedef enum { GPIO_MODE_INPUT = 1 } gpio_mode_t;
typedef enum { GPIO_PULLUP_ONLY = 0 } gpio_pull_mode_t;
esp_err_t gpio_reset_pin(gpio_num_t gpio_num);
esp_err_t gpio_set_direction(gpio_num_t gpio_num, gpio_mode_t mode);
esp_err_t gpio_set_pull_mode(gpio_num_t gpio_num, gpio_pull_mode_t pull);
int gpio_get_level(gpio_num_t gpio_num);
#endif
