/* Host stand-in for Moddable's xs/platforms/esp/xsHost.h, only so CI can compile the xsmc bindings with
 * -fsyntax-only (tools/native/test.sh). Declares exactly what the bindings use, with the SDK's signatures
 * (moddable-xs.md §2 "Threading"): the message post that carries ESP-IDF callbacks to the XS task. */
#ifndef MOCK_XSHOST_H
#define MOCK_XSHOST_H
#include <stdint.h>
#include "xs.h"
typedef void (*modMessageDeliver)(void *the, void *refcon, uint8_t *message, uint16_t messageLength);
int modMessagePostToMachine(xsMachine *the, uint8_t *message, uint16_t messageLength, modMessageDeliver callback,
                            void *refcon);
#endif
