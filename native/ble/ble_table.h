/* Binary GATT table transfer format between firmware/host/esp32/ble.ts (encoder) and the BLE binding (parser):
 * the TypeScript GattService[] flattened so the xsmc binding marshals one buffer instead of walking JS objects.
 * Little-endian:  u8 nSvc; per service: uuid128[16], u8 nChr; per characteristic: uuid128[16], u8 properties,
 * u16 maxLength, u8 nDesc; per descriptor: u16 uuid16, u16 length, value[length]. */
#ifndef BLE_TABLE_H
#define BLE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ble_core.h"

typedef struct {
    blec_svc_in *svcs;
    size_t n_svcs;
    void *arena; /* one allocation for all arrays; descriptor values point into the caller's buffer */
} blec_table;

/* Parses and validates (every length checked, no trailing bytes). false on malformed input. */
bool blec_table_parse(const uint8_t *buf, size_t len, blec_table *out);
void blec_table_free(blec_table *t);

#endif
