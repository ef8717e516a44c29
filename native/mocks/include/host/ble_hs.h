/* Host mock of the NimBLE host API subset used by native/ble (names, struct members and constant values follow
 * ESP-IDF v6's NimBLE port). os_mbuf is reduced to a segment chain with a packet header length, which is what
 * OS_MBUF_PKTLEN / os_mbuf_copydata / os_mbuf_append operate on. Implemented by native/mocks/mock_nimble.c. */
#ifndef MOCK_BLE_HS_H
#define MOCK_BLE_HS_H
#include <stdint.h>
#include <stddef.h>
#include <limits.h>
#include "esp_err.h"

struct os_mbuf {
    uint8_t *om_data;
    uint16_t om_len;
    struct os_mbuf *om_next;
    uint16_t omp_len; /* packet header length, valid on the first mbuf of a chain */
};
#define OS_MBUF_PKTLEN(__om) ((__om)->omp_len)
int os_mbuf_copydata(const struct os_mbuf *m, int off, int len, void *dst);
int os_mbuf_append(struct os_mbuf *om, const void *data, uint16_t len);

#define BLE_UUID_TYPE_16 16
#define BLE_UUID_TYPE_128 128
typedef struct { uint8_t type; } ble_uuid_t;
typedef struct { ble_uuid_t u; uint16_t value; } ble_uuid16_t;
typedef struct { ble_uuid_t u; uint8_t value[16]; } ble_uuid128_t;
int ble_uuid_cmp(const ble_uuid_t *uuid1, const ble_uuid_t *uuid2);

typedef struct { uint8_t type; uint8_t val[6]; } ble_addr_t;

#define BLE_ATT_ERR_INVALID_HANDLE 0x01
#define BLE_ATT_ERR_READ_NOT_PERMITTED 0x02
#define BLE_ATT_ERR_WRITE_NOT_PERMITTED 0x03
#define BLE_ATT_ERR_INVALID_OFFSET 0x07
#define BLE_ATT_ERR_INVALID_ATTR_VALUE_LEN 0x0d
#define BLE_ATT_ERR_UNLIKELY 0x0e
#define BLE_ATT_ERR_INSUFFICIENT_RES 0x11
#define BLE_ATT_ATTR_MAX_LEN 512
#define BLE_ATT_F_READ 0x01
#define BLE_ATT_F_WRITE 0x02
#define BLE_ERR_REM_USER_CONN_TERM 0x13
#define BLE_HS_FOREVER INT32_MAX
#define BLE_HS_EALREADY 2
#define BLE_HS_ENOTCONN 7

#define BLE_GATT_SVC_TYPE_PRIMARY 1
#define BLE_GATT_CHR_F_READ 0x0002
#define BLE_GATT_CHR_F_WRITE_NO_RSP 0x0004
#define BLE_GATT_CHR_F_WRITE 0x0008
#define BLE_GATT_CHR_F_NOTIFY 0x0010
#define BLE_GATT_CHR_F_INDICATE 0x0020
typedef uint16_t ble_gatt_chr_flags;

#define BLE_GATT_ACCESS_OP_READ_CHR 0
#define BLE_GATT_ACCESS_OP_WRITE_CHR 1
#define BLE_GATT_ACCESS_OP_READ_DSC 2
#define BLE_GATT_ACCESS_OP_WRITE_DSC 3

struct ble_gatt_access_ctxt;
typedef int ble_gatt_access_fn(uint16_t conn_handle, uint16_t attr_handle, struct ble_gatt_access_ctxt *ctxt, void *arg);

struct ble_gatt_dsc_def {
    const ble_uuid_t *uuid;
    uint8_t att_flags;
    uint8_t min_key_size;
    ble_gatt_access_fn *access_cb;
    void *arg;
};
struct ble_gatt_chr_def {
    const ble_uuid_t *uuid;
    ble_gatt_access_fn *access_cb;
    void *arg;
    struct ble_gatt_dsc_def *descriptors;
    ble_gatt_chr_flags flags;
    uint8_t min_key_size;
    uint16_t *val_handle;
};
struct ble_gatt_svc_def {
    uint8_t type;
    const ble_uuid_t *uuid;
    const struct ble_gatt_svc_def **includes;
    const struct ble_gatt_chr_def *characteristics;
};
struct ble_gatt_access_ctxt {
    uint8_t op;
    struct os_mbuf *om;
    union { const struct ble_gatt_chr_def *chr; const struct ble_gatt_dsc_def *dsc; };
};

#define BLE_GATT_REGISTER_OP_SVC 1
#define BLE_GATT_REGISTER_OP_CHR 2
#define BLE_GATT_REGISTER_OP_DSC 3
struct ble_gatt_register_ctxt {
    uint8_t op;
    union {
        struct { uint16_t handle; const struct ble_gatt_svc_def *svc_def; } svc;
        struct { uint16_t def_handle; uint16_t val_handle; const struct ble_gatt_chr_def *chr_def; const struct ble_gatt_svc_def *svc_def; } chr;
        struct { uint16_t handle; const struct ble_gatt_dsc_def *dsc_def; const struct ble_gatt_chr_def *chr_def; const struct ble_gatt_svc_def *svc_def; } dsc;
    };
};
typedef void ble_gatt_register_fn(struct ble_gatt_register_ctxt *ctxt, void *arg);

struct ble_hs_cfg {
    void (*reset_cb)(int reason);
    void (*sync_cb)(void);
    ble_gatt_register_fn *gatts_register_cb;
    void *gatts_register_arg;
};
extern struct ble_hs_cfg ble_hs_cfg;

int ble_gatts_count_cfg(const struct ble_gatt_svc_def *defs);
int ble_gatts_add_svcs(const struct ble_gatt_svc_def *svcs);
int ble_att_set_preferred_mtu(uint16_t mtu);
int ble_hs_id_infer_auto(int privacy, uint8_t *out_addr_type);

#define BLE_GAP_EVENT_CONNECT 0
#define BLE_GAP_EVENT_DISCONNECT 1
#define BLE_GAP_EVENT_ADV_COMPLETE 9
#define BLE_GAP_EVENT_MTU 15
#define BLE_GAP_CONN_MODE_UND 2
#define BLE_GAP_DISC_MODE_GEN 2
struct ble_gap_conn_desc { ble_addr_t peer_ota_addr; ble_addr_t peer_id_addr; uint16_t conn_handle; };
struct ble_gap_event {
    uint8_t type;
    union {
        struct { int status; uint16_t conn_handle; } connect;
        struct { int reason; struct ble_gap_conn_desc conn; } disconnect;
        struct { uint16_t conn_handle; uint16_t channel_id; uint16_t value; } mtu;
        struct { int reason; } adv_complete;
    };
};
typedef int ble_gap_event_fn(struct ble_gap_event *event, void *arg);
struct ble_gap_adv_params {
    uint8_t conn_mode; uint8_t disc_mode; uint16_t itvl_min; uint16_t itvl_max;
    uint8_t channel_map; uint8_t filter_policy; uint8_t high_duty_cycle;
};
int ble_gap_adv_set_data(const uint8_t *data, int data_len);
int ble_gap_adv_rsp_set_data(const uint8_t *data, int data_len);
int ble_gap_adv_start(uint8_t own_addr_type, const ble_addr_t *direct_addr, int32_t duration_ms,
                      const struct ble_gap_adv_params *adv_params, ble_gap_event_fn *cb, void *cb_arg);
int ble_gap_adv_stop(void);
int ble_gap_terminate(uint16_t conn_handle, uint8_t hci_reason);
int ble_gap_conn_find(uint16_t handle, struct ble_gap_conn_desc *out_desc);
#endif
