/* The Wi-Fi core over the lin simulator backend (native/lin/wifi_sim.c), as `mcconfig -p lin` links them: events
 * arrive from another thread after delays, like the ESP-IDF event task. Checks the simulated world the
 * docs/board.md table describes: three APs, wrong passphrase -> reason 15, unknown SSID -> 201, success -> IP. */
#define _POSIX_C_SOURCE 200809L
#include "nc_test.h"
#include "../common/nc_os.h"
#include "../wifi/wifi_core.h"

#include <pthread.h>
#include <stdlib.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static wific_msg msgs[16];
static int n_msgs;

static bool post(const wific_msg *m, void *ctx) {
    (void)ctx;
    pthread_mutex_lock(&mu);
    if (n_msgs < 16) msgs[n_msgs++] = *m;
    pthread_mutex_unlock(&mu);
    return true;
}

static bool wait_for(uint8_t type, wific_msg *out) {
    for (int i = 0; i < 200; i++) {
        pthread_mutex_lock(&mu);
        for (int k = 0; k < n_msgs; k++) {
            if (msgs[k].type == type) {
                *out = msgs[k];
                memmove(&msgs[k], &msgs[k + 1], (size_t)(n_msgs - k - 1) * sizeof msgs[0]);
                n_msgs--;
                pthread_mutex_unlock(&mu);
                return true;
            }
        }
        pthread_mutex_unlock(&mu);
        nc_delay_ms(10);
    }
    return false;
}

int main(void) {
    unsetenv("NC_SIM_WIFI_PASSWORD");
    wific_msg m;
    CHECK_EQ_INT(wific_start(post, NULL), WIFIC_OK);
    CHECK_EQ_INT(wific_scan_start(false, 120, 0, false), WIFIC_OK);
    CHECK_EQ_INT(wific_scan_start(false, 120, 0, false), WIFIC_BUSY);
    CHECK(wait_for(WIFIC_MSG_SCAN_DONE, &m));
    CHECK_EQ_INT(m.scan_status, 0);
    wifi_ap_record_t *recs;
    uint16_t count;
    CHECK_EQ_INT(wific_scan_results(&recs, &count), WIFIC_OK);
    CHECK_EQ_INT(count, 3);
    CHECK(strcmp((const char *)recs[0].ssid, "HomeNet") == 0);
    CHECK_EQ_INT(recs[2].authmode, WIFI_AUTH_OPEN);
    free(recs);

    CHECK_EQ_INT(wific_connect((const uint8_t *)"HomeNet", 7, (const uint8_t *)"wrongpass", 9, NULL, 0), WIFIC_OK);
    CHECK(wait_for(WIFIC_MSG_DISCONNECTED, &m));
    CHECK_EQ_INT(m.reason, 15);
    CHECK_EQ_INT(wific_connect((const uint8_t *)"Nowhere", 7, NULL, 0, NULL, 0), WIFIC_OK);
    CHECK(wait_for(WIFIC_MSG_DISCONNECTED, &m));
    CHECK_EQ_INT(m.reason, 201);
    CHECK_EQ_INT(wific_connect((const uint8_t *)"HomeNet", 7, (const uint8_t *)"secretpass", 10, NULL, 0), WIFIC_OK);
    CHECK(wait_for(WIFIC_MSG_CONNECTED, &m));
    CHECK(wait_for(WIFIC_MSG_GOT_IP, &m));
    const uint8_t ip[4] = {192, 168, 1, 42};
    CHECK_MEM(m.ip, ip, 4);
    wifi_ap_record_t ap;
    uint8_t got[4];
    CHECK(wific_station_info(&ap, got));
    CHECK(strcmp((const char *)ap.ssid, "HomeNet") == 0);
    CHECK_MEM(got, ip, 4);
    CHECK_EQ_INT(wific_disconnect(), WIFIC_OK);
    CHECK(wait_for(WIFIC_MSG_DISCONNECTED, &m));
    CHECK_EQ_INT(m.reason, 8);
    CHECK(!wific_station_info(&ap, got));
    nc_delay_ms(50);
    return nc_test_report("wifi_sim");
}
