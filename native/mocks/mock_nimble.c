/* Host mock of NimBLE (ESP-IDF port) for native/ble tests. Models: handle assignment when the host starts
 * (service, characteristic declaration + value, a CCCD after the value for notify, then descriptors; reported
 * through ble_hs_cfg.gatts_register_cb except the CCCD, as NimBLE does), sync_cb, access callbacks for writes
 * delivered as mbuf chains and for reads with the offset applied after the callback, GAP events, adv data
 * limits (31 bytes) and controller memory release. Does not model the radio, ATT PDUs, timing or bonding. */
#include "mock_nimble.h"
#include "nimble/nimble_port.h"
#include "nimble/nimble_port_freertos.h"
#include "services/gap/ble_svc_gap.h"
#include "services/gatt/ble_svc_gatt.h"
#include "esp_bt.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct ble_hs_cfg ble_hs_cfg;
mock_nimble_state mock_nimble;

static const struct ble_gatt_svc_def *registered[4];
static int n_registered;
static ble_gap_event_fn *gap_cb;
static void *gap_arg;
static const char *fail_fn;
static int fail_rc;
static uint8_t peer_addr[6];

#define MAX_ATTRS 64
typedef struct { uint16_t handle; const struct ble_gatt_chr_def *chr; const struct ble_gatt_dsc_def *dsc; } attr_rec;
static attr_rec attrs[MAX_ATTRS];
static int n_attrs;

static bool injected(const char *fn, int *rc) {
    if (fail_fn && strcmp(fn, fail_fn) == 0) { *rc = fail_rc; fail_fn = NULL; return true; }
    return false;
}

void mock_nimble_reset(void) {
    memset(&mock_nimble, 0, sizeof mock_nimble);
    mock_nimble.mem_release_mode = -1;
    memset(&ble_hs_cfg, 0, sizeof ble_hs_cfg);
    n_registered = 0;
    n_attrs = 0;
    gap_cb = NULL;
    fail_fn = NULL;
}
void mock_nimble_fail_next(const char *fn, int rc) { fail_fn = fn; fail_rc = rc; }

int os_mbuf_copydata(const struct os_mbuf *m, int off, int len, void *dst) {
    uint8_t *out = dst;
    for (; m && len > 0; m = m->om_next) {
        if (off >= m->om_len) { off -= m->om_len; continue; }
        int n = m->om_len - off < len ? m->om_len - off : len;
        memcpy(out, m->om_data + off, (size_t)n);
        out += n; len -= n; off = 0;
    }
    return len > 0 ? -1 : 0;
}

/* Appends to a single growable segment (enough for read responses). */
int os_mbuf_append(struct os_mbuf *om, const void *data, uint16_t len) {
    uint8_t *grown = realloc(om->om_data, (size_t)om->om_len + len + 1);
    if (!grown) return -1;
    memcpy(grown + om->om_len, data, len);
    om->om_data = grown;
    om->om_len = (uint16_t)(om->om_len + len);
    om->omp_len = om->om_len;
    return 0;
}

int ble_uuid_cmp(const ble_uuid_t *a, const ble_uuid_t *b) { return a->type - b->type; }

esp_err_t nimble_port_init(void) { int rc; mock_nimble.port_init++; return injected("nimble_port_init", &rc) ? rc : ESP_OK; }
void nimble_port_run(void) {}
int nimble_port_stop(void) { int rc; mock_nimble.port_stop++; return injected("nimble_port_stop", &rc) ? rc : 0; }
esp_err_t nimble_port_deinit(void) { mock_nimble.port_deinit++; return ESP_OK; }
void nimble_port_freertos_deinit(void) {}
void ble_svc_gap_init(void) {}
void ble_svc_gatt_init(void) {}
int ble_svc_gap_device_name_set(const char *name) {
    strncpy(mock_nimble.device_name, name, sizeof mock_nimble.device_name - 1);
    return 0;
}
int ble_att_set_preferred_mtu(uint16_t mtu) { mock_nimble.preferred_mtu = mtu; return mtu < 23 || mtu > 527 ? 3 : 0; }
int ble_gatts_count_cfg(const struct ble_gatt_svc_def *defs) { (void)defs; return 0; }
int ble_gatts_add_svcs(const struct ble_gatt_svc_def *svcs) {
    int rc;
    if (injected("ble_gatts_add_svcs", &rc)) return rc;
    registered[n_registered++] = svcs;
    return 0;
}
int ble_hs_id_infer_auto(int privacy, uint8_t *out) { (void)privacy; *out = 0; return 0; }

/* Host start: assign handles like ble_gatts_start, then report sync. GAP/GATT services occupy 1..9. */
void nimble_port_freertos_init(void (*fn)(void *)) {
    (void)fn;
    mock_nimble.freertos_init++;
    uint16_t h = 10;
    for (int r = 0; r < n_registered; r++) {
        for (const struct ble_gatt_svc_def *s = registered[r]; s->type; s++) {
            struct ble_gatt_register_ctxt c = {.op = BLE_GATT_REGISTER_OP_SVC};
            c.svc.handle = h++;
            c.svc.svc_def = s;
            ble_hs_cfg.gatts_register_cb(&c, NULL);
            for (const struct ble_gatt_chr_def *ch = s->characteristics; ch && ch->uuid; ch++) {
                struct ble_gatt_register_ctxt cc = {.op = BLE_GATT_REGISTER_OP_CHR};
                cc.chr.def_handle = h++;
                cc.chr.val_handle = h++;
                cc.chr.chr_def = ch;
                cc.chr.svc_def = s;
                if (ch->val_handle) *ch->val_handle = cc.chr.val_handle;
                attrs[n_attrs++] = (attr_rec){cc.chr.val_handle, ch, NULL};
                ble_hs_cfg.gatts_register_cb(&cc, NULL);
                if (ch->flags & (BLE_GATT_CHR_F_NOTIFY | BLE_GATT_CHR_F_INDICATE)) h++; /* CCCD, not reported */
                for (const struct ble_gatt_dsc_def *d = ch->descriptors; d && d->uuid; d++) {
                    struct ble_gatt_register_ctxt dc = {.op = BLE_GATT_REGISTER_OP_DSC};
                    dc.dsc.handle = h++;
                    dc.dsc.dsc_def = d;
                    dc.dsc.chr_def = ch;
                    dc.dsc.svc_def = s;
                    attrs[n_attrs++] = (attr_rec){dc.dsc.handle, ch, d};
                    ble_hs_cfg.gatts_register_cb(&dc, NULL);
                }
            }
        }
    }
    if (ble_hs_cfg.sync_cb) ble_hs_cfg.sync_cb();
}

int ble_gap_adv_set_data(const uint8_t *data, int len) {
    if (len > 31) return 4; /* BLE_HS_EINVAL */
    memcpy(mock_nimble.adv, data, (size_t)len);
    mock_nimble.adv_len = len;
    return 0;
}
int ble_gap_adv_rsp_set_data(const uint8_t *data, int len) {
    if (len > 31) return 4;
    if (len) memcpy(mock_nimble.rsp, data, (size_t)len);
    mock_nimble.rsp_len = len;
    return 0;
}
int ble_gap_adv_start(uint8_t own, const ble_addr_t *direct, int32_t duration, const struct ble_gap_adv_params *p,
                      ble_gap_event_fn *cb, void *arg) {
    (void)own; (void)direct; (void)duration;
    mock_nimble.adv_start++;
    mock_nimble.adv_params = *p;
    gap_cb = cb;
    gap_arg = arg;
    return 0;
}
int ble_gap_adv_stop(void) { mock_nimble.adv_stop++; return 0; }
int ble_gap_terminate(uint16_t conn, uint8_t reason) {
    (void)reason;
    mock_nimble.terminate++;
    mock_nimble.last_terminate_conn = conn;
    return 0;
}
int ble_gap_conn_find(uint16_t handle, struct ble_gap_conn_desc *out) {
    memset(out, 0, sizeof *out);
    out->conn_handle = handle;
    memcpy(out->peer_ota_addr.val, peer_addr, 6);
    memcpy(out->peer_id_addr.val, peer_addr, 6);
    return 0;
}
esp_err_t esp_bt_mem_release(esp_bt_mode_t mode) { mock_nimble.mem_release_mode = (int)mode; return ESP_OK; }

int mock_nimble_att_write(uint16_t conn, uint16_t val_handle, const uint8_t *data, size_t len, size_t segment) {
    for (int i = 0; i < n_attrs; i++) {
        if (attrs[i].handle != val_handle || attrs[i].dsc) continue;
        const struct ble_gatt_chr_def *ch = attrs[i].chr;
        if (!(ch->flags & (BLE_GATT_CHR_F_WRITE | BLE_GATT_CHR_F_WRITE_NO_RSP))) return BLE_ATT_ERR_WRITE_NOT_PERMITTED;
        size_t n = len ? (len + segment - 1) / segment : 1;
        struct os_mbuf *chain = calloc(n, sizeof *chain);
        for (size_t k = 0; k < n; k++) {
            size_t off = k * segment, sl = len - off < segment ? len - off : segment;
            chain[k].om_data = (uint8_t *)data + off;
            chain[k].om_len = (uint16_t)(len ? sl : 0);
            chain[k].om_next = k + 1 < n ? &chain[k + 1] : NULL;
        }
        chain[0].omp_len = (uint16_t)len;
        struct ble_gatt_access_ctxt ctxt = {.op = BLE_GATT_ACCESS_OP_WRITE_CHR, .om = chain};
        ctxt.chr = ch;
        int rc = ch->access_cb(conn, val_handle, &ctxt, ch->arg);
        free(chain);
        return rc;
    }
    return BLE_ATT_ERR_INVALID_HANDLE;
}

int mock_nimble_att_read(uint16_t conn, uint16_t handle, uint16_t offset, uint16_t mtu, uint8_t *out, size_t *out_len) {
    *out_len = 0;
    for (int i = 0; i < n_attrs; i++) {
        if (attrs[i].handle != handle) continue;
        struct os_mbuf om = {0};
        struct ble_gatt_access_ctxt ctxt = {.om = &om};
        int rc;
        if (attrs[i].dsc) {
            ctxt.op = BLE_GATT_ACCESS_OP_READ_DSC;
            ctxt.dsc = attrs[i].dsc;
            rc = attrs[i].dsc->access_cb(conn, handle, &ctxt, attrs[i].dsc->arg);
        } else {
            if (!(attrs[i].chr->flags & BLE_GATT_CHR_F_READ)) return BLE_ATT_ERR_READ_NOT_PERMITTED;
            ctxt.op = BLE_GATT_ACCESS_OP_READ_CHR;
            ctxt.chr = attrs[i].chr;
            rc = attrs[i].chr->access_cb(conn, handle, &ctxt, attrs[i].chr->arg);
        }
        if (rc == 0) {
            if (offset > om.om_len) rc = BLE_ATT_ERR_INVALID_OFFSET;
            else {
                size_t n = (size_t)(om.om_len - offset);
                if (n > (size_t)(mtu - 1)) n = (size_t)(mtu - 1);
                memcpy(out, om.om_data + offset, n);
                *out_len = n;
            }
        }
        free(om.om_data);
        return rc;
    }
    return BLE_ATT_ERR_INVALID_HANDLE;
}

void mock_nimble_connect(uint16_t conn, const uint8_t peer[6]) {
    memcpy(peer_addr, peer, 6);
    struct ble_gap_event ev = {.type = BLE_GAP_EVENT_CONNECT};
    ev.connect.status = 0;
    ev.connect.conn_handle = conn;
    if (gap_cb) gap_cb(&ev, gap_arg);
}
void mock_nimble_disconnect(uint16_t conn, int reason) {
    struct ble_gap_event ev = {.type = BLE_GAP_EVENT_DISCONNECT};
    ev.disconnect.reason = reason;
    ev.disconnect.conn.conn_handle = conn;
    if (gap_cb) gap_cb(&ev, gap_arg);
}
void mock_nimble_mtu(uint16_t conn, uint16_t mtu) {
    struct ble_gap_event ev = {.type = BLE_GAP_EVENT_MTU};
    ev.mtu.conn_handle = conn;
    ev.mtu.value = mtu;
    if (gap_cb) gap_cb(&ev, gap_arg);
}
