/* Host tests of the native BLE core (native/ble/ble_core.c) over the NimBLE mock, with a second thread playing the
 * XS task (messages arrive through the post function, as modMessagePostToMachine delivers them on the chip).
 * Covers: runtime GATT table and handles, WHOLE long writes from mbuf chains, max length (0x0D), ATT statuses,
 * deferred write completion (WRITE_PENDING + completeWrite), timeouts with late answers ignored, reads with
 * offsets, host-served descriptors, GAP events, advertising limits, and stop() releasing controller memory. */
#define _POSIX_C_SOURCE 200809L
#include "nc_test.h"
#include "../ble/ble_core.h"
#include "../ble/ble_table.h"
#include "../common/nc_os.h"
#include "../mocks/mock_nimble.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

/* ---- XS stand-in -------------------------------------------------------------------------------------------- */
enum { ANSWER_NOW, ANSWER_PENDING, ANSWER_NEVER };
static pthread_mutex_t qm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t qc = PTHREAD_COND_INITIALIZER;
static blec_msg queue[32];
static int qhead, qtail;
static int write_mode = ANSWER_NOW, write_status;
static uint8_t last_write[1024];
static size_t last_write_len;
static int writes_seen, reads_seen;
static uint8_t read_value[600];
static size_t read_len;
static int read_error;
static int connects, disconnects, last_reason, last_mtu;
static uint8_t last_addr[6];
static bool fail_post;

static bool post(const blec_msg *m, void *ctx) {
    (void)ctx;
    if (fail_post) return false;
    switch (m->type) {
    case BLEC_MSG_CONNECT: connects++; memcpy(last_addr, m->addr, 6); return true;
    case BLEC_MSG_DISCONNECT: disconnects++; last_reason = m->value; return true;
    case BLEC_MSG_MTU: last_mtu = m->value; return true;
    default: break;
    }
    pthread_mutex_lock(&qm);
    queue[qtail++ % 32] = *m;
    pthread_cond_signal(&qc);
    pthread_mutex_unlock(&qm);
    return true;
}

static void *xs_task(void *arg) {
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&qm);
        while (qhead == qtail) pthread_cond_wait(&qc, &qm);
        blec_msg m = queue[qhead++ % 32];
        pthread_mutex_unlock(&qm);
        if (m.type == BLEC_MSG_WRITE) {
            uint8_t *data; size_t len;
            if (blec_request_take(m.seq, &data, &len)) {
                memcpy(last_write, data, len < sizeof last_write ? len : sizeof last_write);
                last_write_len = len;
                free(data);
            }
            writes_seen++;
            if (write_mode == ANSWER_NOW) blec_reply_write(m.seq, write_status);
            else if (write_mode == ANSWER_PENDING) blec_reply_write(m.seq, BLEC_WRITE_PENDING);
        } else if (m.type == BLEC_MSG_READ) {
            reads_seen++;
            if (read_error) blec_reply_read_error(m.seq, read_error);
            else blec_reply_read(m.seq, read_value, read_len);
        }
    }
    return NULL;
}

static long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* ---- table used by the tests: one service, prov-session-like (read+write, 0x2901) and a notify chr ---------- */
static const uint8_t desc_text[] = "prov-session";
static const blec_desc_in descs[] = {{0x2901, desc_text, sizeof desc_text - 1}};
static blec_chr_in chrs[] = {
    {{0x21, 0xee, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x51, 0xff, 0, 0}, BLEC_PROP_READ | BLEC_PROP_WRITE, 512, descs, 1},
    {{0x21, 0xee, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x52, 0xff, 0, 0}, BLEC_PROP_NOTIFY | BLEC_PROP_READ, 20, NULL, 0},
};
static const blec_svc_in svc = {{0x21, 0xee, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, chrs, 2};
static uint16_t h_session, h_notify, h_desc;

static void test_start_and_handles(void) {
    mock_nimble_reset();
    CHECK_EQ_INT(blec_start(&svc, 1, "PROV_1234", 517, post, NULL), BLEC_OK);
    CHECK(strcmp(mock_nimble.device_name, "PROV_1234") == 0);
    CHECK_EQ_INT(mock_nimble.preferred_mtu, 517);
    uint16_t start = 0, end = 0, dh[1] = {0};
    CHECK(blec_service_handles(0, &start, &end));
    CHECK(blec_chr_handles(0, 0, &h_session, dh, 1));
    h_desc = dh[0];
    CHECK(blec_chr_handles(0, 1, &h_notify, NULL, 0));
    /* svc 10; chr decl 11, value 12, desc 13; chr decl 14, value 15, CCCD 16 -> end 16 */
    CHECK_EQ_INT(start, 10);
    CHECK_EQ_INT(h_session, 12);
    CHECK_EQ_INT(h_desc, 13);
    CHECK_EQ_INT(h_notify, 15);
    CHECK_EQ_INT(end, 16);
    CHECK(!blec_service_handles(1, &start, &end));
    CHECK(!blec_chr_handles(0, 2, &h_session, NULL, 0));
    CHECK_EQ_INT(blec_start(&svc, 1, "again", 517, post, NULL), BLEC_ERR_STATE);
}

static void test_long_write_is_whole(void) {
    uint8_t data[300];
    for (int i = 0; i < 300; i++) data[i] = (uint8_t)(i * 7);
    write_mode = ANSWER_NOW;
    write_status = 0;
    int before = writes_seen;
    /* Three mbufs of 100 bytes: a handler that copied only the first mbuf (om_len) would see 100 bytes. */
    CHECK_EQ_INT(mock_nimble_att_write(1, h_session, data, 300, 100), 0);
    CHECK_EQ_INT(writes_seen, before + 1);
    CHECK_EQ_INT(last_write_len, 300);
    CHECK_MEM(last_write, data, 300);
    /* Empty write reaches the firmware as zero bytes. */
    CHECK_EQ_INT(mock_nimble_att_write(1, h_session, data, 0, 100), 0);
    CHECK_EQ_INT(last_write_len, 0);
    /* Longer than maxLength: 0x0D from the host, firmware not called. */
    static uint8_t big[513];
    before = writes_seen;
    CHECK_EQ_INT(mock_nimble_att_write(1, h_session, big, 513, 200), 0x0d);
    CHECK_EQ_INT(writes_seen, before);
    /* The firmware's ATT status is sent as is; nonsense statuses become UNLIKELY_ERROR. */
    write_status = 0x80;
    CHECK_EQ_INT(mock_nimble_att_write(1, h_session, data, 5, 100), 0x80);
    write_status = 4096;
    CHECK_EQ_INT(mock_nimble_att_write(1, h_session, data, 5, 100), 0x0e);
    write_status = 0;
}

static void *complete_later(void *arg) {
    (void)arg;
    nc_delay_ms(60);
    blec_complete_write(2, 0x81); /* wrong connection: ignored */
    blec_complete_write(1, 0);
    return NULL;
}

static void test_deferred_write(void) {
    write_mode = ANSWER_PENDING;
    pthread_t th;
    pthread_create(&th, NULL, complete_later, NULL);
    long t0 = now_ms();
    uint8_t data[4] = {1, 2, 3, 4};
    CHECK_EQ_INT(mock_nimble_att_write(1, h_session, data, 4, 100), 0);
    CHECK(now_ms() - t0 >= 50); /* the Write Response waited for completeWrite */
    pthread_join(th, NULL);

    /* Nobody completes: the host gives up with UNLIKELY_ERROR; a late completion does not leak into the next. */
    blec_set_timeouts(100, 100);
    write_mode = ANSWER_NEVER;
    t0 = now_ms();
    CHECK_EQ_INT(mock_nimble_att_write(1, h_session, data, 4, 100), 0x0e);
    CHECK(now_ms() - t0 >= 90);
    blec_complete_write(1, 0);
    write_mode = ANSWER_NOW;
    write_status = 0x82;
    CHECK_EQ_INT(mock_nimble_att_write(1, h_session, data, 4, 100), 0x82);
    write_status = 0;
    /* A post that cannot be queued fails the request at once. */
    fail_post = true;
    CHECK_EQ_INT(mock_nimble_att_write(1, h_session, data, 4, 100), 0x0e);
    fail_post = false;
    blec_set_timeouts(20000, 5000);
}

static void test_reads(void) {
    for (int i = 0; i < 300; i++) read_value[i] = (uint8_t)(255 - i);
    read_len = 300;
    read_error = 0;
    uint8_t out[600];
    size_t n = 0;
    CHECK_EQ_INT(mock_nimble_att_read(1, h_session, 0, 100, out, &n), 0);
    CHECK_EQ_INT(n, 99);
    CHECK_MEM(out, read_value, 99);
    CHECK_EQ_INT(mock_nimble_att_read(1, h_session, 297, 100, out, &n), 0);
    CHECK_EQ_INT(n, 3);
    CHECK_MEM(out, read_value + 297, 3);
    CHECK_EQ_INT(mock_nimble_att_read(1, h_session, 300, 100, out, &n), 0);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(mock_nimble_att_read(1, h_session, 301, 100, out, &n), 0x07);
    /* Values longer than an attribute can be are cut to 512 bytes. */
    read_len = 600;
    CHECK_EQ_INT(mock_nimble_att_read(1, h_session, 0, 600, out, &n), 0);
    CHECK_EQ_INT(n, 512);
    read_error = 0x02;
    CHECK_EQ_INT(mock_nimble_att_read(1, h_session, 0, 100, out, &n), 0x02);
    read_error = 0;
    /* The 0x2901 descriptor is served by the host without asking the firmware. */
    int before = reads_seen;
    CHECK_EQ_INT(mock_nimble_att_read(1, h_desc, 0, 100, out, &n), 0);
    CHECK_EQ_INT(n, sizeof desc_text - 1);
    CHECK_MEM(out, desc_text, n);
    CHECK_EQ_INT(reads_seen, before);
}

static void test_gap_and_advertising(void) {
    uint8_t adv[32] = {2, 1, 6}, rsp[10] = {5, 9, 'P', 'R', 'O', 'V'};
    CHECK_EQ_INT(blec_adv_start(adv, 32, rsp, 6, 100), BLEC_ERR_RANGE);
    CHECK_EQ_INT(blec_adv_start(adv, 3, rsp, 32, 100), BLEC_ERR_RANGE);
    CHECK_EQ_INT(blec_adv_start(adv, 3, rsp, 6, 100), BLEC_OK);
    CHECK_EQ_INT(mock_nimble.adv_len, 3);
    CHECK_EQ_INT(mock_nimble.rsp_len, 6);
    CHECK_EQ_INT(mock_nimble.adv_params.itvl_min, 160); /* 100 ms / 0.625 ms */
    CHECK_EQ_INT(mock_nimble.adv_params.conn_mode, BLE_GAP_CONN_MODE_UND);
    CHECK_EQ_INT(blec_adv_start(adv, 3, rsp, 6, 1), BLEC_OK);
    CHECK_EQ_INT(mock_nimble.adv_params.itvl_min, 0x20); /* clamped to 20 ms */
    const uint8_t peer[6] = {0x66, 0x55, 0x44, 0x33, 0x22, 0x11};
    mock_nimble_connect(1, peer);
    CHECK_EQ_INT(connects, 1);
    const uint8_t msb_first[6] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66};
    CHECK_MEM(last_addr, msb_first, 6);
    mock_nimble_mtu(1, 517);
    CHECK_EQ_INT(last_mtu, 517);
    int starts = mock_nimble.adv_start;
    CHECK_EQ_INT(blec_adv_start(adv, 3, rsp, 6, 100), BLEC_OK);
    CHECK_EQ_INT(mock_nimble.adv_start, starts); /* no advertising while a central is connected */
    CHECK_EQ_INT(blec_disconnect(1), BLEC_OK);
    CHECK_EQ_INT(mock_nimble.last_terminate_conn, 1);
    mock_nimble_disconnect(1, 0x213);
    CHECK_EQ_INT(disconnects, 1);
    CHECK_EQ_INT(last_reason, 0x213);
    CHECK_EQ_INT(blec_adv_start(adv, 3, rsp, 6, 100), BLEC_OK);
    CHECK_EQ_INT(mock_nimble.adv_start, starts + 1);
    CHECK_EQ_INT(blec_adv_stop(), BLEC_OK);
}

static int stalled_rc;
static void *stalled_write(void *arg) {
    (void)arg;
    uint8_t d[2] = {9, 9};
    stalled_rc = mock_nimble_att_write(1, h_session, d, 2, 100);
    return NULL;
}

static void test_stop(void) {
    const uint8_t peer[6] = {1, 2, 3, 4, 5, 6};
    mock_nimble_connect(1, peer);
    /* stop() while the NimBLE task waits for a write answer: it is released at once, not after 20 s. */
    write_mode = ANSWER_NEVER;
    int before = writes_seen;
    pthread_t th;
    pthread_create(&th, NULL, stalled_write, NULL);
    while (writes_seen == before) nc_delay_ms(5);
    long t0 = now_ms();
    int terminates = mock_nimble.terminate;
    CHECK_EQ_INT(blec_stop(), BLEC_OK);
    pthread_join(th, NULL);
    CHECK(now_ms() - t0 < 2000);
    CHECK_EQ_INT(stalled_rc, 0x0e);
    CHECK_EQ_INT(mock_nimble.terminate, terminates + 1);
    CHECK_EQ_INT(mock_nimble.port_stop, 1);
    CHECK_EQ_INT(mock_nimble.port_deinit, 1);
    CHECK_EQ_INT(mock_nimble.mem_release_mode, 1); /* ESP_BT_MODE_BLE */
    CHECK_EQ_INT(blec_stop(), BLEC_OK);            /* idempotent */
    CHECK_EQ_INT(blec_start(&svc, 1, "again", 517, post, NULL), BLEC_ERR_STATE); /* memory released: no restart */
    uint8_t adv[3] = {2, 1, 6};
    CHECK_EQ_INT(blec_adv_start(adv, 3, NULL, 0, 100), BLEC_ERR_STATE);
    write_mode = ANSWER_NOW;
}

/* The binary table from firmware/host/esp32/ble-table.ts: parsed exactly, malformed input refused (every
 * truncation and a trailing byte), never read out of bounds (ASan). */
static void test_table_format(void) {
    uint8_t buf[64];
    size_t n = 0;
    buf[n++] = 1;                                    /* one service */
    for (int i = 0; i < 16; i++) buf[n++] = (uint8_t)i;
    buf[n++] = 1;                                    /* one characteristic */
    for (int i = 0; i < 16; i++) buf[n++] = (uint8_t)(0xa0 + i);
    buf[n++] = BLEC_PROP_READ | BLEC_PROP_WRITE;
    buf[n++] = 0x00; buf[n++] = 0x02;                /* maxLength 512 */
    buf[n++] = 1;                                    /* one descriptor */
    buf[n++] = 0x01; buf[n++] = 0x29;                /* 0x2901 */
    buf[n++] = 3; buf[n++] = 0;
    buf[n++] = 'a'; buf[n++] = 'b'; buf[n++] = 'c';
    blec_table t;
    CHECK(blec_table_parse(buf, n, &t));
    CHECK_EQ_INT(t.n_svcs, 1);
    CHECK_EQ_INT(t.svcs[0].uuid128[15], 15);
    CHECK_EQ_INT(t.svcs[0].n_chrs, 1);
    CHECK_EQ_INT(t.svcs[0].chrs[0].uuid128[0], 0xa0);
    CHECK_EQ_INT(t.svcs[0].chrs[0].properties, BLEC_PROP_READ | BLEC_PROP_WRITE);
    CHECK_EQ_INT(t.svcs[0].chrs[0].max_len, 512);
    CHECK_EQ_INT(t.svcs[0].chrs[0].n_descs, 1);
    CHECK_EQ_INT(t.svcs[0].chrs[0].descs[0].uuid16, 0x2901);
    CHECK_EQ_INT(t.svcs[0].chrs[0].descs[0].len, 3);
    CHECK_MEM(t.svcs[0].chrs[0].descs[0].value, "abc", 3);
    blec_table_free(&t);
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1); /* exact-size heap copy so ASan catches any over-read */
        memcpy(copy, buf, cut);
        CHECK(!blec_table_parse(copy, cut, &t));
        free(copy);
    }
    buf[n] = 0;
    CHECK(!blec_table_parse(buf, n + 1, &t));        /* trailing byte */
    uint8_t empty[1] = {0};
    CHECK(!blec_table_parse(empty, 1, &t));          /* no service */
}

/* Fuzz: random mutations (byte flips, truncation, extension) of a valid two-service table. Every result must be
 * either a refusal or a table whose every pointer stays inside the input (ASan checks the reads). Budget:
 * FUZZ_BUDGET inputs (default 100000, as the project's other decoders). */
static void test_table_fuzz(void) {
    uint8_t seed[96];
    size_t n = 0;
    seed[n++] = 2;
    for (int s = 0; s < 2; s++) {
        for (int i = 0; i < 16; i++) seed[n++] = (uint8_t)(s * 16 + i);
        seed[n++] = 1;
        for (int i = 0; i < 16; i++) seed[n++] = (uint8_t)(0x80 + i);
        seed[n++] = BLEC_PROP_READ; seed[n++] = 64; seed[n++] = 0; seed[n++] = 1;
        seed[n++] = 0x01; seed[n++] = 0x29; seed[n++] = 2; seed[n++] = 0; seed[n++] = 'h'; seed[n++] = 'i';
    }
    const char *budget_env = getenv("FUZZ_BUDGET");
    long budget = budget_env ? atol(budget_env) : 100000;
    uint32_t rng = 0x12345678u;
    long accepted = 0;
    for (long iter = 0; iter < budget; iter++) {
        uint8_t buf[128];
        memcpy(buf, seed, n);
        size_t len = n;
        int edits = 1 + (int)((rng = rng * 1664525u + 1013904223u) >> 29);
        for (int e = 0; e < edits; e++) {
            rng = rng * 1664525u + 1013904223u;
            uint32_t r = rng >> 8;
            switch (r % 3) {
            case 0: buf[(r >> 2) % len] ^= (uint8_t)(1u << ((r >> 12) % 8)); break;
            case 1: buf[(r >> 2) % len] = (uint8_t)(r >> 16); break;
            default: len = (r >> 2) % (sizeof buf); if (len > n) memset(buf + n, (int)(r >> 20) & 0xff, len - n); break;
            }
            if (len == 0) len = 1;
        }
        uint8_t *input = malloc(len); /* exact size: any over-read is an ASan error */
        memcpy(input, buf, len);
        blec_table t;
        if (blec_table_parse(input, len, &t)) {
            accepted++;
            for (size_t s = 0; s < t.n_svcs; s++)
                for (size_t c = 0; c < t.svcs[s].n_chrs; c++)
                    for (size_t d = 0; d < t.svcs[s].chrs[c].n_descs; d++) {
                        const blec_desc_in *de = &t.svcs[s].chrs[c].descs[d];
                        if (!(de->value >= input && de->value + de->len <= input + len)) nc_failures++;
                    }
            blec_table_free(&t);
        }
        free(input);
    }
    CHECK(accepted > 0); /* the mutations also produce valid tables, so the accept path is exercised */
    fprintf(stderr, "    %ld fuzz inputs, %ld accepted\n", budget, accepted);
}

int main(void) {
    RUN(test_table_format);
    RUN(test_table_fuzz);
    pthread_t xs;
    pthread_create(&xs, NULL, xs_task, NULL);
    pthread_detach(xs);
    RUN(test_start_and_handles);
    RUN(test_long_write_is_whole);
    RUN(test_deferred_write);
    RUN(test_reads);
    RUN(test_gap_and_advertising);
    RUN(test_stop);
    return nc_test_report("ble");
}
