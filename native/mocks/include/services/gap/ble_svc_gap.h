/* Host mock of NimBLE's GAP service (0x1800, static name). */
#ifndef MOCK_BLE_SVC_GAP_H
#define MOCK_BLE_SVC_GAP_H
void ble_svc_gap_init(void);
int ble_svc_gap_device_name_set(const char *name);
#endif
