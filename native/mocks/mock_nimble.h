/* Controls and observations of the NimBLE mock (native/mocks/mock_nimble.c) for host tests. */
#ifndef MOCK_NIMBLE_CTL_H
#define MOCK_NIMBLE_CTL_H
#include <stddef.h>
#include <stdint.h>
#include "host/ble_hs.h"

typedef struct {
    int port_init, port_stop, port_deinit, freertos_init, terminate, adv_start, adv_stop;
    int mem_release_mode; /* -1 until esp_bt_mem_release is called */
    char device_name[32];
    uint16_t preferred_mtu;
    uint8_t adv[64]; int adv_len;
    uint8_t rsp[64]; int rsp_len;
    struct ble_gap_adv_params adv_params;
    uint16_t last_terminate_conn;
} mock_nimble_state;
extern mock_nimble_state mock_nimble;

void mock_nimble_reset(void);
void mock_nimble_fail_next(const char *fn, int rc);
/* ATT write of `len` bytes to a value handle, delivered as a chain of mbufs of at most `segment` bytes each
 * (as NimBLE delivers long / prepared writes). Returns the access callback's status. */
int mock_nimble_att_write(uint16_t conn, uint16_t val_handle, const uint8_t *data, size_t len, size_t segment);
/* ATT Read / Read Blob: calls the access callback and applies `offset` like ble_gatts_val_access. Returns the ATT
 * status; copies at most mtu-1 bytes into out. */
int mock_nimble_att_read(uint16_t conn, uint16_t handle, uint16_t offset, uint16_t mtu, uint8_t *out, size_t *out_len);
/* Delivers a GAP event to the advertising callback; for CONNECT, `peer` is the on-air address (LSB first). */
void mock_nimble_connect(uint16_t conn, const uint8_t peer_lsb_first[6]);
void mock_nimble_disconnect(uint16_t conn, int reason);
void mock_nimble_mtu(uint16_t conn, uint16_t mtu);
#endif
