/* Native BLE GATT peripheral core (platform part, no XS) on NimBLE: implements the C side of
 * firmware/host/ble.ts. The GATT table is built at runtime from the TypeScript description (no bles2gatt JSON);
 * writes are copied WHOLE (OS_MBUF_PKTLEN + os_mbuf_copydata, never only the first mbuf: moddable-xs.md §3.1);
 * reads and writes are answered by the XS side while the NimBLE host task waits on a semaphore with a timeout
 * (unified-provisioning.md §7.2: deferred write completion). Every NimBLE callback reaches XS only through the
 * post function, which the xsmc binding implements with modMessagePostToMachine (moddable-xs.md §2 Threading). */
#ifndef BLE_CORE_H
#define BLE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    BLEC_OK = 0,
    BLEC_ERR_STATE = -1,    /* started twice, or restarted after stop (controller memory released) */
    BLEC_ERR_RANGE = -2,    /* advertising payload over 31 bytes, bad argument */
    BLEC_ERR_NO_MEM = -3,
    BLEC_ERR_STACK = -4,    /* a NimBLE / controller call failed; see blec_last_stack_error() */
    BLEC_ERR_TIMEOUT = -5,  /* host did not sync with the controller */
} blec_status;

/* Property bits: same values as GATT_PROP in firmware/host/ble.ts (Core spec Vol 3 Part G §3.3.1.1). */
#define BLEC_PROP_READ 0x02
#define BLEC_PROP_WRITE_NO_RESPONSE 0x04
#define BLEC_PROP_WRITE 0x08
#define BLEC_PROP_NOTIFY 0x10

#define BLEC_WRITE_PENDING (-1) /* WRITE_PENDING of firmware/host/ble.ts */
#define BLEC_ADV_MAX 31

typedef struct { uint16_t uuid16; const uint8_t *value; size_t len; } blec_desc_in;
typedef struct { uint8_t uuid128[16]; uint16_t properties; size_t max_len; const blec_desc_in *descs; size_t n_descs; } blec_chr_in;
typedef struct { uint8_t uuid128[16]; const blec_chr_in *chrs; size_t n_chrs; } blec_svc_in;

typedef enum { BLEC_MSG_CONNECT = 1, BLEC_MSG_DISCONNECT, BLEC_MSG_MTU, BLEC_MSG_WRITE, BLEC_MSG_READ } blec_msg_type;

/* Posted to the XS task by value (the binding copies it into the message queue). */
typedef struct {
    uint8_t type;        /* blec_msg_type */
    uint16_t conn;
    uint16_t handle;     /* value handle for WRITE / READ */
    int32_t value;       /* DISCONNECT reason, MTU */
    uint32_t seq;        /* WRITE / READ: request id for blec_request_take / blec_reply_* */
    uint8_t addr[6];     /* CONNECT: peer address, most significant byte first */
} blec_msg;

/* Returns false if the message could not be queued (the request is then failed with ATT UNLIKELY_ERROR). */
typedef bool (*blec_post_fn)(const blec_msg *msg, void *ctx);

/* Start: build and register the table, init NimBLE, wait for host sync (handles are valid on return). */
blec_status blec_start(const blec_svc_in *svcs, size_t n_svcs, const char *device_name, uint16_t preferred_mtu,
                       blec_post_fn post, void *post_ctx);
/* Handles in table order; false for an out-of-range index. */
bool blec_service_handles(size_t svc, uint16_t *start, uint16_t *end);
bool blec_chr_handles(size_t svc, size_t chr, uint16_t *value, uint16_t *descs, size_t n_descs);

blec_status blec_adv_start(const uint8_t *adv, size_t adv_len, const uint8_t *rsp, size_t rsp_len, uint32_t interval_ms);
blec_status blec_adv_stop(void);
blec_status blec_disconnect(uint16_t conn);
/* stop(): terminate the link, stop advertising, deinit NimBLE and release controller memory (permanent). */
blec_status blec_stop(void);
int blec_last_stack_error(void);

/* XS side of a pending WRITE / READ (called on the XS task). A stale seq (timed out, superseded) is ignored. */
bool blec_request_take(uint32_t seq, uint8_t **data, size_t *len); /* malloc'ed copy of the write payload */
void blec_reply_write(uint32_t seq, int status);                    /* status BLEC_WRITE_PENDING: answer later */
void blec_complete_write(uint16_t conn, int status);                /* completeWrite(): answers a pending write */
void blec_reply_read(uint32_t seq, const uint8_t *data, size_t len);
void blec_reply_read_error(uint32_t seq, int att_error);

/* How long the NimBLE task waits for the XS side (ATT's own transaction timeout is 30 s). */
void blec_set_timeouts(uint32_t write_ms, uint32_t read_ms);

#endif
