/* Native BLE GATT peripheral core on NimBLE: see ble_core.h for the contract and firmware/host/ble.ts for the
 * TypeScript side. One ATT request is outstanding at a time (NimBLE's host task serialises them and at most one
 * central is connected), so a single request slot guarded by a mutex is enough. */
#include "ble_core.h"
#include "../common/nc_os.h"

#include <stdlib.h>
#include <string.h>

#include "esp_bt.h"
#include "host/ble_hs.h"
#include "nimble/nimble_port.h"
#include "nimble/nimble_port_freertos.h"
#include "services/gap/ble_svc_gap.h"
#include "services/gatt/ble_svc_gatt.h"

#define NO_CONN 0xffff

typedef struct { ble_uuid16_t uuid; uint8_t *value; size_t len; uint16_t handle; } desc_rec;
typedef struct {
    ble_uuid128_t uuid;
    uint16_t val_handle;
    uint16_t props;
    size_t max_len;
    desc_rec *descs;
    size_t n_descs;
    struct ble_gatt_dsc_def *dsc_defs; /* n_descs + 1 (zero terminator) */
} chr_rec;
typedef struct {
    ble_uuid128_t uuid;
    chr_rec *chrs;
    size_t n_chrs;
    struct ble_gatt_chr_def *chr_defs; /* n_chrs + 1 */
    uint16_t start, end;
} svc_rec;

static enum { IDLE, STARTED, RELEASED } state = IDLE;
static svc_rec *svcs;
static size_t n_svcs;
static struct ble_gatt_svc_def *svc_defs; /* n_svcs + 1 */
static int current_svc = -1;
static blec_post_fn post_fn;
static void *post_ctx;
static nc_sem *sync_sem;
static uint16_t connected = NO_CONN;
static int last_stack_error;
static uint32_t write_timeout_ms = 20000; /* a blocking Wi-Fi scan behind prov-scan can take seconds */
static uint32_t read_timeout_ms = 5000;

/* The one outstanding ATT request handed to the XS side. */
static struct {
    nc_mutex *mu;
    nc_sem *sem;
    uint32_t seq, next_seq; /* seq 0 = no request */
    uint8_t kind;
    uint16_t conn;
    uint8_t *data;
    size_t len;
    bool answered;
    int status;
    uint8_t *reply;
    size_t reply_len;
} rq;

void blec_set_timeouts(uint32_t write_ms, uint32_t read_ms) { write_timeout_ms = write_ms; read_timeout_ms = read_ms; }
int blec_last_stack_error(void) { return last_stack_error; }

static blec_status stack_error(int rc) { last_stack_error = rc; return BLEC_ERR_STACK; }

static void free_table(void) {
    for (size_t s = 0; s < n_svcs && svcs; s++) {
        for (size_t c = 0; c < svcs[s].n_chrs; c++) {
            chr_rec *ch = &svcs[s].chrs[c];
            for (size_t d = 0; d < ch->n_descs; d++) free(ch->descs[d].value);
            free(ch->descs);
            free(ch->dsc_defs);
        }
        free(svcs[s].chrs);
        free(svcs[s].chr_defs);
    }
    free(svcs);
    free(svc_defs);
    svcs = NULL;
    svc_defs = NULL;
    n_svcs = 0;
}

static int access_cb(uint16_t conn, uint16_t attr, struct ble_gatt_access_ctxt *ctxt, void *arg);

static blec_status build_table(const blec_svc_in *in, size_t n) {
    svcs = calloc(n, sizeof *svcs);
    svc_defs = calloc(n + 1, sizeof *svc_defs);
    n_svcs = n;
    if (!svcs || !svc_defs) return BLEC_ERR_NO_MEM;
    for (size_t s = 0; s < n; s++) {
        svc_rec *sv = &svcs[s];
        sv->uuid.u.type = BLE_UUID_TYPE_128;
        memcpy(sv->uuid.value, in[s].uuid128, 16); /* both LSB first: the seam's order is NimBLE's order */
        sv->n_chrs = in[s].n_chrs;
        sv->chrs = calloc(in[s].n_chrs ? in[s].n_chrs : 1, sizeof *sv->chrs);
        sv->chr_defs = calloc(in[s].n_chrs + 1, sizeof *sv->chr_defs);
        if (!sv->chrs || !sv->chr_defs) return BLEC_ERR_NO_MEM;
        for (size_t c = 0; c < in[s].n_chrs; c++) {
            const blec_chr_in *ci = &in[s].chrs[c];
            chr_rec *ch = &sv->chrs[c];
            ch->uuid.u.type = BLE_UUID_TYPE_128;
            memcpy(ch->uuid.value, ci->uuid128, 16);
            ch->props = ci->properties;
            ch->max_len = ci->max_len > BLE_ATT_ATTR_MAX_LEN ? BLE_ATT_ATTR_MAX_LEN : ci->max_len;
            ch->n_descs = ci->n_descs;
            ch->descs = calloc(ci->n_descs ? ci->n_descs : 1, sizeof *ch->descs);
            ch->dsc_defs = calloc(ci->n_descs + 1, sizeof *ch->dsc_defs);
            if (!ch->descs || !ch->dsc_defs) return BLEC_ERR_NO_MEM;
            for (size_t d = 0; d < ci->n_descs; d++) {
                desc_rec *de = &ch->descs[d];
                de->uuid.u.type = BLE_UUID_TYPE_16;
                de->uuid.value = ci->descs[d].uuid16;
                de->len = ci->descs[d].len;
                de->value = malloc(de->len ? de->len : 1);
                if (!de->value) return BLEC_ERR_NO_MEM;
                memcpy(de->value, ci->descs[d].value, de->len);
                ch->dsc_defs[d] = (struct ble_gatt_dsc_def){
                    .uuid = &de->uuid.u, .att_flags = BLE_ATT_F_READ, .access_cb = access_cb, .arg = de};
            }
            uint16_t flags = 0;
            if (ci->properties & BLEC_PROP_READ) flags |= BLE_GATT_CHR_F_READ;
            if (ci->properties & BLEC_PROP_WRITE) flags |= BLE_GATT_CHR_F_WRITE;
            if (ci->properties & BLEC_PROP_WRITE_NO_RESPONSE) flags |= BLE_GATT_CHR_F_WRITE_NO_RSP;
            if (ci->properties & BLEC_PROP_NOTIFY) flags |= BLE_GATT_CHR_F_NOTIFY;
            sv->chr_defs[c] = (struct ble_gatt_chr_def){
                .uuid = &ch->uuid.u, .access_cb = access_cb, .arg = ch,
                .descriptors = ci->n_descs ? ch->dsc_defs : NULL, .flags = flags, .val_handle = &ch->val_handle};
        }
        svc_defs[s] = (struct ble_gatt_svc_def){
            .type = BLE_GATT_SVC_TYPE_PRIMARY, .uuid = &sv->uuid.u, .characteristics = sv->chr_defs};
    }
    return BLEC_OK;
}

/* NimBLE reports each registered attribute; services' end handles are derived from what follows them. */
static void on_register(struct ble_gatt_register_ctxt *ctxt, void *arg) {
    (void)arg;
    switch (ctxt->op) {
    case BLE_GATT_REGISTER_OP_SVC: {
        ptrdiff_t i = ctxt->svc.svc_def - svc_defs;
        if (i < 0 || (size_t)i >= n_svcs) { current_svc = -1; break; } /* GAP/GATT built-in services */
        current_svc = (int)i;
        svcs[i].start = svcs[i].end = ctxt->svc.handle;
        break;
    }
    case BLE_GATT_REGISTER_OP_CHR: {
        if (current_svc < 0) break;
        const chr_rec *ch = ctxt->chr.chr_def->arg;
        /* The CCCD NimBLE adds for notify sits right after the value and is not reported here. */
        uint16_t last = (uint16_t)(ctxt->chr.val_handle + ((ch->props & BLEC_PROP_NOTIFY) ? 1 : 0));
        if (last > svcs[current_svc].end) svcs[current_svc].end = last;
        break;
    }
    case BLE_GATT_REGISTER_OP_DSC: {
        if (current_svc < 0) break;
        desc_rec *de = ctxt->dsc.dsc_def->arg;
        de->handle = ctxt->dsc.handle;
        if (de->handle > svcs[current_svc].end) svcs[current_svc].end = de->handle;
        break;
    }
    }
}

static void on_sync(void) { nc_sem_give(sync_sem); }
static void on_reset(int reason) { last_stack_error = reason; }

static void host_task(void *param) {
    (void)param;
    nimble_port_run(); /* returns after nimble_port_stop() */
    nimble_port_freertos_deinit();
}

/* Runs on the NimBLE host task: hand the request to XS and wait for its answer (or time out). */
static int transact(uint8_t kind, uint16_t conn, uint16_t handle, uint8_t *data, size_t len, uint8_t **reply,
                    size_t *reply_len) {
    nc_sem_take(rq.sem, 0); /* drop a give that arrived after an earlier timeout */
    nc_mutex_lock(rq.mu);
    if (++rq.next_seq == 0) rq.next_seq = 1;
    rq.seq = rq.next_seq;
    rq.kind = kind;
    rq.conn = conn;
    rq.data = data;
    rq.len = len;
    rq.answered = false;
    rq.reply = NULL;
    rq.reply_len = 0;
    blec_msg msg = {.type = kind, .conn = conn, .handle = handle, .seq = rq.seq};
    nc_mutex_unlock(rq.mu);

    bool posted = post_fn && post_fn(&msg, post_ctx);
    if (posted) nc_sem_take(rq.sem, kind == BLEC_MSG_WRITE ? write_timeout_ms : read_timeout_ms);

    nc_mutex_lock(rq.mu);
    int status = rq.answered ? rq.status : BLE_ATT_ERR_UNLIKELY;
    if (reply && rq.answered) {
        *reply = rq.reply; /* ownership passes to the caller */
        *reply_len = rq.reply_len;
    } else {
        if (reply) { *reply = NULL; *reply_len = 0; }
        free(rq.reply);
    }
    free(rq.data);
    rq.data = NULL;
    rq.reply = NULL;
    rq.seq = 0; /* late answers for this request are now ignored */
    nc_mutex_unlock(rq.mu);
    return status;
}

static int access_cb(uint16_t conn, uint16_t attr, struct ble_gatt_access_ctxt *ctxt, void *arg) {
    (void)attr;
    switch (ctxt->op) {
    case BLE_GATT_ACCESS_OP_READ_DSC: {
        const desc_rec *de = arg; /* static value served by the host (e.g. 0x2901 user description) */
        return os_mbuf_append(ctxt->om, de->value, (uint16_t)de->len) == 0 ? 0 : BLE_ATT_ERR_INSUFFICIENT_RES;
    }
    case BLE_GATT_ACCESS_OP_WRITE_CHR: {
        const chr_rec *ch = arg;
        /* The whole (reassembled) write: a long or prepared write arrives as an mbuf chain. */
        size_t len = OS_MBUF_PKTLEN(ctxt->om);
        if (len > ch->max_len) return BLE_ATT_ERR_INVALID_ATTR_VALUE_LEN;
        uint8_t *buf = malloc(len ? len : 1);
        if (!buf) return BLE_ATT_ERR_INSUFFICIENT_RES;
        if (os_mbuf_copydata(ctxt->om, 0, (int)len, buf) != 0) { free(buf); return BLE_ATT_ERR_UNLIKELY; }
        return transact(BLEC_MSG_WRITE, conn, ch->val_handle, buf, len, NULL, NULL); /* buf now owned by rq */
    }
    case BLE_GATT_ACCESS_OP_READ_CHR: {
        const chr_rec *ch = arg;
        uint8_t *reply = NULL;
        size_t reply_len = 0;
        /* NimBLE's access context carries no Read Blob offset: the callback appends the whole value and
         * ble_gatts_val_access (NimBLE host/src/ble_gatts.c, read in its source) copies the part from the
         * requested offset, answering INVALID_OFFSET past the end. So the XS side is asked from offset 0;
         * equivalent to onRead(offset) for a value that is stable between blob reads, which firmware/host/ble.ts
         * requires. */
        int status = transact(BLEC_MSG_READ, conn, ch->val_handle, NULL, 0, &reply, &reply_len);
        if (status == 0 && reply_len && os_mbuf_append(ctxt->om, reply, (uint16_t)reply_len) != 0)
            status = BLE_ATT_ERR_INSUFFICIENT_RES;
        free(reply);
        return status;
    }
    default:
        return BLE_ATT_ERR_UNLIKELY;
    }
}

static int gap_event(struct ble_gap_event *event, void *arg) {
    (void)arg;
    blec_msg msg = {0};
    switch (event->type) {
    case BLE_GAP_EVENT_CONNECT: {
        if (event->connect.status != 0) return 0; /* failed attempt: no link, advertising already ended */
        connected = event->connect.conn_handle;
        msg.type = BLEC_MSG_CONNECT;
        msg.conn = connected;
        struct ble_gap_conn_desc desc;
        if (ble_gap_conn_find(connected, &desc) == 0)
            for (int i = 0; i < 6; i++) msg.addr[i] = desc.peer_ota_addr.val[5 - i]; /* NimBLE stores LSB first */
        break;
    }
    case BLE_GAP_EVENT_DISCONNECT:
        if (connected == event->disconnect.conn.conn_handle) connected = NO_CONN;
        msg.type = BLEC_MSG_DISCONNECT;
        msg.conn = event->disconnect.conn.conn_handle;
        msg.value = event->disconnect.reason;
        break;
    case BLE_GAP_EVENT_MTU:
        msg.type = BLEC_MSG_MTU;
        msg.conn = event->mtu.conn_handle;
        msg.value = event->mtu.value;
        break;
    default:
        return 0;
    }
    if (post_fn) post_fn(&msg, post_ctx);
    return 0;
}

blec_status blec_start(const blec_svc_in *in, size_t n, const char *device_name, uint16_t preferred_mtu,
                       blec_post_fn post, void *ctx) {
    if (state != IDLE) return BLEC_ERR_STATE;
    if (!rq.mu && !(rq.mu = nc_mutex_create())) return BLEC_ERR_NO_MEM;
    if (!rq.sem && !(rq.sem = nc_sem_create())) return BLEC_ERR_NO_MEM;
    if (!sync_sem && !(sync_sem = nc_sem_create())) return BLEC_ERR_NO_MEM;
    blec_status st = build_table(in, n);
    if (st != BLEC_OK) { free_table(); return st; }
    post_fn = post;
    post_ctx = ctx;
    int rc = nimble_port_init();
    if (rc != ESP_OK) { free_table(); return stack_error(rc); }
    ble_hs_cfg.sync_cb = on_sync;
    ble_hs_cfg.reset_cb = on_reset;
    ble_hs_cfg.gatts_register_cb = on_register;
    ble_svc_gap_init();
    ble_svc_gatt_init();
    if ((rc = ble_svc_gap_device_name_set(device_name)) != 0 || (rc = ble_att_set_preferred_mtu(preferred_mtu)) != 0 ||
        (rc = ble_gatts_count_cfg(svc_defs)) != 0 || (rc = ble_gatts_add_svcs(svc_defs)) != 0) {
        nimble_port_deinit();
        free_table();
        return stack_error(rc);
    }
    state = STARTED;
    nimble_port_freertos_init(host_task);
    if (!nc_sem_take(sync_sem, 3000)) return BLEC_ERR_TIMEOUT; /* stop() still cleans up */
    return BLEC_OK;
}

bool blec_service_handles(size_t s, uint16_t *start, uint16_t *end) {
    if (state != STARTED || s >= n_svcs) return false;
    *start = svcs[s].start;
    *end = svcs[s].end;
    return true;
}

bool blec_chr_handles(size_t s, size_t c, uint16_t *value, uint16_t *descs, size_t n_descs) {
    if (state != STARTED || s >= n_svcs || c >= svcs[s].n_chrs) return false;
    const chr_rec *ch = &svcs[s].chrs[c];
    *value = ch->val_handle;
    for (size_t d = 0; d < n_descs && d < ch->n_descs; d++) descs[d] = ch->descs[d].handle;
    return true;
}

blec_status blec_adv_start(const uint8_t *adv, size_t adv_len, const uint8_t *rsp, size_t rsp_len, uint32_t interval_ms) {
    if (adv_len > BLEC_ADV_MAX || rsp_len > BLEC_ADV_MAX) return BLEC_ERR_RANGE;
    if (state != STARTED) return BLEC_ERR_STATE;
    if (connected != NO_CONN) return BLEC_OK; /* one central at a time: no advertising while connected */
    uint8_t own_addr_type = 0;
    int rc;
    if ((rc = ble_hs_id_infer_auto(0, &own_addr_type)) != 0) return stack_error(rc);
    if ((rc = ble_gap_adv_set_data(adv, (int)adv_len)) != 0) return stack_error(rc);
    if ((rc = ble_gap_adv_rsp_set_data(rsp, (int)rsp_len)) != 0) return stack_error(rc);
    /* Interval in 0.625 ms units, clamped to the legal 20 ms .. 10.24 s range (Core spec Vol 6 Part B §4.4.2.2). */
    uint32_t units = interval_ms * 8 / 5;
    if (units < 0x20) units = 0x20;
    if (units > 0x4000) units = 0x4000;
    struct ble_gap_adv_params params = {.conn_mode = BLE_GAP_CONN_MODE_UND, .disc_mode = BLE_GAP_DISC_MODE_GEN,
                                        .itvl_min = (uint16_t)units, .itvl_max = (uint16_t)units};
    rc = ble_gap_adv_start(own_addr_type, NULL, BLE_HS_FOREVER, &params, gap_event, NULL);
    return rc == 0 || rc == BLE_HS_EALREADY ? BLEC_OK : stack_error(rc);
}

blec_status blec_adv_stop(void) {
    if (state != STARTED) return BLEC_ERR_STATE;
    int rc = ble_gap_adv_stop();
    return rc == 0 || rc == BLE_HS_EALREADY ? BLEC_OK : stack_error(rc);
}

blec_status blec_disconnect(uint16_t conn) {
    if (state != STARTED) return BLEC_ERR_STATE;
    int rc = ble_gap_terminate(conn, BLE_ERR_REM_USER_CONN_TERM);
    return rc == 0 || rc == BLE_HS_ENOTCONN || rc == BLE_HS_EALREADY ? BLEC_OK : stack_error(rc);
}

static void answer_locked(int status) {
    rq.status = status;
    rq.answered = true;
    nc_sem_give(rq.sem);
}

blec_status blec_stop(void) {
    if (state != STARTED) return state == RELEASED ? BLEC_OK : BLEC_ERR_STATE;
    /* Release a NimBLE task that waits for us, or nimble_port_stop() would wait out the request timeout. */
    nc_mutex_lock(rq.mu);
    if (rq.seq && !rq.answered) answer_locked(BLE_ATT_ERR_UNLIKELY);
    nc_mutex_unlock(rq.mu);
    if (connected != NO_CONN) ble_gap_terminate(connected, BLE_ERR_REM_USER_CONN_TERM);
    ble_gap_adv_stop();
    int rc = nimble_port_stop();
    if (rc == 0) rc = nimble_port_deinit(); /* IDF >= 5: also deinitialises the controller */
    state = RELEASED; /* even on error: the stack is not usable again */
    connected = NO_CONN;
    free_table();
    if (rc != 0) return stack_error(rc);
    /* Gives the controller's BLE memory back to the heap for TLS (moddable-xs.md §3.1); permanent until reboot. */
    rc = esp_bt_mem_release(ESP_BT_MODE_BLE);
    return rc == ESP_OK ? BLEC_OK : stack_error(rc);
}

bool blec_request_take(uint32_t seq, uint8_t **data, size_t *len) {
    *data = NULL;
    *len = 0;
    bool ok = false;
    nc_mutex_lock(rq.mu);
    if (seq && seq == rq.seq && !rq.answered && rq.kind == BLEC_MSG_WRITE) {
        *data = malloc(rq.len ? rq.len : 1);
        if (*data) { memcpy(*data, rq.data, rq.len); *len = rq.len; ok = true; }
    }
    nc_mutex_unlock(rq.mu);
    return ok;
}

static bool valid_att_status(int status) { return status >= 0 && status <= 0xff; }

void blec_reply_write(uint32_t seq, int status) {
    if (status == BLEC_WRITE_PENDING) return; /* blec_complete_write answers later */
    nc_mutex_lock(rq.mu);
    if (seq && seq == rq.seq && !rq.answered && rq.kind == BLEC_MSG_WRITE)
        answer_locked(valid_att_status(status) ? status : BLE_ATT_ERR_UNLIKELY);
    nc_mutex_unlock(rq.mu);
}

void blec_complete_write(uint16_t conn, int status) {
    nc_mutex_lock(rq.mu);
    if (rq.seq && !rq.answered && rq.kind == BLEC_MSG_WRITE && rq.conn == conn)
        answer_locked(valid_att_status(status) ? status : BLE_ATT_ERR_UNLIKELY);
    nc_mutex_unlock(rq.mu);
}

void blec_reply_read(uint32_t seq, const uint8_t *data, size_t len) {
    if (len > BLE_ATT_ATTR_MAX_LEN) len = BLE_ATT_ATTR_MAX_LEN; /* longest attribute value ATT can carry */
    nc_mutex_lock(rq.mu);
    if (seq && seq == rq.seq && !rq.answered && rq.kind == BLEC_MSG_READ) {
        rq.reply = malloc(len ? len : 1);
        if (rq.reply) { memcpy(rq.reply, data, len); rq.reply_len = len; answer_locked(0); }
        else answer_locked(BLE_ATT_ERR_INSUFFICIENT_RES);
    }
    nc_mutex_unlock(rq.mu);
}

void blec_reply_read_error(uint32_t seq, int att_error) {
    nc_mutex_lock(rq.mu);
    if (seq && seq == rq.seq && !rq.answered && rq.kind == BLEC_MSG_READ)
        answer_locked(att_error > 0 && att_error <= 0xff ? att_error : BLE_ATT_ERR_UNLIKELY);
    nc_mutex_unlock(rq.mu);
}
