/* Socket probe for host-tests/native/tls.test.ts: drives native/socket/socket_core.c over the lin esp-tls
 * (native/lin/esp_tls_sim.c, real mbedTLS) against a peer the test starts, so the SocketErrorCode mapping of
 * real X.509 failures (unknown CA, name mismatch, expired) and of TCP failures (refused, DNS) is checked end to end.
 * Usage: tls_probe HOST PORT [CA_PEM_FILE SERVER_NAME]. Sends "ping\n" after connecting; prints one line per
 * event (CONNECT, DATA <text>, CLOSE <code or ->) and exits 0 after CLOSE, 2 on a 10 s timeout. */
#define _POSIX_C_SOURCE 200809L
#include "../common/nc_os.h"
#include "../socket/socket_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static nc_sem *done;
static socc *sock;
/* The connection task may post CONNECT before socc_connect() has returned the handle to main: post() waits for
 * `sock` under this mutex (main holds it across socc_connect). */
static nc_mutex *started;

static bool post(void *ctx, const socc_msg *m, const uint8_t *data, size_t len) {
    (void)ctx;
    nc_mutex_lock(started);
    nc_mutex_unlock(started);
    if (m->type == SOCC_MSG_CONNECT) {
        printf("CONNECT\n");
        socc_write(sock, (const uint8_t *)"ping\n", 5);
    } else if (m->type == SOCC_MSG_DATA) {
        size_t shown = len && data[len - 1] == '\n' ? len - 1 : len; /* one event per output line */
        printf("DATA %.*s\n", (int)shown, (const char *)data);
        if (len && data[len - 1] == '\n') socc_close(sock); /* one line echoed back is enough */
    } else {
        const char *code = socc_error_code((socc_error)m->error);
        printf("CLOSE %s\n", *code ? code : "-");
        nc_sem_give(done);
    }
    fflush(stdout);
    return true;
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    static char buf[16384];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

int main(int argc, char **argv) {
    if (argc != 3 && argc != 5) { fprintf(stderr, "usage: tls_probe HOST PORT [CA_PEM_FILE SERVER_NAME]\n"); return 64; }
    const char *ca = NULL;
    if (argc == 5 && !(ca = read_file(argv[3]))) { fprintf(stderr, "cannot read %s\n", argv[3]); return 66; }
    done = nc_sem_create();
    started = nc_mutex_create();
    nc_mutex_lock(started);
    sock = socc_connect(argv[1], (uint16_t)atoi(argv[2]), ca, argc == 5 ? argv[4] : NULL, 5000, post, NULL);
    nc_mutex_unlock(started);
    if (!sock) return 1;
    bool closed = nc_sem_take(done, 10000);
    socc_release(sock);
    nc_delay_ms(100); /* let the connection task finish its cleanup before exit */
    nc_sem_delete(done);
    nc_mutex_delete(started);
    return closed ? 0 : 2;
}
