/* modMessagePostToMachine for the lin simulator (declared in native/common/nc_xs_host.h): the bindings' worker
 * threads (Wi-Fi simulation, socket tasks, UART reader, BLE mock) hand events to the XS thread. Built on the
 * SDK's fxQueueWorkerJob (xs/platforms/lin_xs.c), which is thread-safe (mutex + GLib idle source on the machine's
 * main context) and runs each job on the XS thread, then frees it. As on ESP32 (moddable-xs.md §2), the message
 * bytes are copied and `callback` brackets its own JS access with xsBeginHost/xsEndHost. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/nc_xs_host.h"

typedef struct {
    txWorkerJob job; /* first member: fxQueueWorkerJob links and frees it as a txWorkerJob */
    modMessageDeliver deliver;
    void *refcon;
    uint16_t length;
    uint8_t message[];
} nc_sim_message;

static void run(void *machine, void *job) {
    nc_sim_message *m = job;
    m->deliver(machine, m->refcon, m->length ? m->message : NULL, m->length);
}

int modMessagePostToMachine(xsMachine *the, uint8_t *message, uint16_t messageLength, modMessageDeliver callback,
                            void *refcon) {
    nc_sim_message *m = calloc(1, sizeof *m + messageLength);
    if (!m) return -1;
    m->job.callback = run;
    m->deliver = callback;
    m->refcon = refcon;
    m->length = messageLength;
    if (message && messageLength) memcpy(m->message, message, messageLength);
    fxQueueWorkerJob(the, m);
    return 0;
}
