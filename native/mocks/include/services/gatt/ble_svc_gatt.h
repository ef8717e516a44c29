/* Host mock of NimBLE's GATT service (0x1801). */
#ifndef MOCK_BLE_SVC_GATT_H
#define MOCK_BLE_SVC_GATT_H
void ble_svc_gatt_init(void);
#endif
