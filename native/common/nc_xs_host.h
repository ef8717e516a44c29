/* The one Moddable host service the xsmc bindings use besides xsmc itself: modMessagePostToMachine, which carries
 * an event from an ESP-IDF / NimBLE / lwIP task to the XS task (moddable-xs.md §2 "Threading").
 * ESP32: declared by the SDK's xs/platforms/esp/xsHost.h. lin (simulator, §1.5): the SDK has no public
 * declaration (only a file-static copy inside its lin socket module), so it is declared here and implemented
 * by native/lin/xs_message_sim.c on XS's worker-job queue. Host syntax checks (tools/native/test.sh) use the
 * stand-in native/mocks/xs/xsHost.h. */
#ifndef NC_XS_HOST_H
#define NC_XS_HOST_H
#include <stdint.h>
#include "xsmc.h"

#if defined(__LINUX_XS__) /* set by the SDK's lin_xs.h, which xs.h pulls in on the lin platform */
typedef void (*modMessageDeliver)(void *the, void *refcon, uint8_t *message, uint16_t messageLength);
/* Copies `message`; `callback` later runs on the XS thread. 0 on success, -1 when out of memory. */
int modMessagePostToMachine(xsMachine *the, uint8_t *message, uint16_t messageLength, modMessageDeliver callback,
                            void *refcon);
#else
#include "xsHost.h"
#endif

#endif
