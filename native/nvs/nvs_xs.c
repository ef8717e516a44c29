/* xsmc binding of the native NVS core (nvs_core.c) for firmware/host/esp32/nvs.ts: argument marshalling only.
 * One host object per open namespace. Getters return the value, undefined (missing key) or null (error);
 * setters return undefined or null; after a null, lastError() names the NvsErrorCode (nvsc_status_code). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nvs_core.h"
#include "xsmc.h"

typedef struct {
    nvsc_ns ns;
    nvsc_status last;
} nvs_host;

void xs_nc_nvs_destructor(void *data) {
    if (!data) return;
    nvsc_close(&((nvs_host *)data)->ns);
    free(data);
}

void xs_nc_nvs_constructor(xsMachine *the) {
    nvs_host *h = calloc(1, sizeof *h);
    if (!h) xsUnknownError("INTERNAL: no memory");
    xsmcSetHostData(xsThis, h);
}

/* Copies a name argument; names longer than the buffer are reported as too long by the core. */
static void name_arg(xsMachine *the, int arg, char out[32]) {
    const char *s = xsmcToString(xsArg(arg));
    size_t n = strlen(s);
    if (n > 31) { memset(out, 'x', 31); out[31] = 0; return; } /* 31 bytes: still > 15, so KEY_TOO_LONG */
    memcpy(out, s, n + 1);
}

static nvs_host *host(xsMachine *the) { return xsmcGetHostData(xsThis); }

/* Records a status and sets the JS result for it; true when the caller should set a value. */
static bool status_result(xsMachine *the, nvs_host *h, nvsc_status st) {
    h->last = st;
    if (st == NVSC_OK) return true;
    if (st == NVSC_NOT_FOUND) xsmcSetUndefined(xsResult);
    else xsmcSetNull(xsResult);
    return false;
}

void xs_nc_nvs_open(xsMachine *the) {
    char name[32];
    name_arg(the, 0, name);
    nvs_host *h = host(the);
    if (status_result(the, h, nvsc_open(&h->ns, name, xsmcToBoolean(xsArg(1))))) xsmcSetUndefined(xsResult);
}

void xs_nc_nvs_last_error(xsMachine *the) { xsmcSetString(xsResult, (char *)nvsc_status_code(host(the)->last)); }

#define GETTER(js, core, ctype, set)                                              \
    void js(xsMachine *the) {                                                    \
        char key[32];                                                            \
        name_arg(the, 0, key);                                                   \
        ctype v = 0;                                                             \
        nvs_host *h = host(the);                                                 \
        if (status_result(the, h, core(&h->ns, key, &v))) set(xsResult, v);      \
    }
GETTER(xs_nc_nvs_get_u8, nvsc_get_u8, uint8_t, xsmcSetInteger)
GETTER(xs_nc_nvs_get_u32, nvsc_get_u32, uint32_t, xsmcSetNumber) /* above 2^31: not an XS integer */
GETTER(xs_nc_nvs_get_i32, nvsc_get_i32, int32_t, xsmcSetInteger)

#define SETTER(js, core, ctype, min, max)                                        \
    void js(xsMachine *the) {                                                    \
        char key[32];                                                            \
        name_arg(the, 0, key);                                                   \
        double v = xsmcToNumber(xsArg(1));                                       \
        nvs_host *h = host(the);                                                 \
        if (!(v >= (min) && v <= (max)) || v != (double)(int64_t)v) {            \
            h->last = NVSC_INTERNAL; /* the glue range-checks first */           \
            xsmcSetNull(xsResult);                                               \
            return;                                                              \
        }                                                                        \
        if (status_result(the, h, core(&h->ns, key, (ctype)v))) xsmcSetUndefined(xsResult); \
    }
SETTER(xs_nc_nvs_set_u8, nvsc_set_u8, uint8_t, 0, 255)
SETTER(xs_nc_nvs_set_u32, nvsc_set_u32, uint32_t, 0, 4294967295.0)
SETTER(xs_nc_nvs_set_i32, nvsc_set_i32, int32_t, -2147483648.0, 2147483647.0)

void xs_nc_nvs_get_string(xsMachine *the) {
    char key[32];
    name_arg(the, 0, key);
    char *s = NULL;
    size_t len = 0;
    nvs_host *h = host(the);
    if (status_result(the, h, nvsc_get_str(&h->ns, key, &s, &len))) xsmcSetStringBuffer(xsResult, s, (xsIntegerValue)len);
    free(s);
}

void xs_nc_nvs_set_string(xsMachine *the) {
    char key[32];
    name_arg(the, 0, key);
    nvs_host *h = host(the);
    const char *value = xsmcToString(xsArg(1)); /* used before any allocation */
    if (status_result(the, h, nvsc_set_str(&h->ns, key, value, strlen(value)))) xsmcSetUndefined(xsResult);
}

void xs_nc_nvs_get_blob(xsMachine *the) {
    char key[32];
    name_arg(the, 0, key);
    uint8_t *b = NULL;
    size_t len = 0;
    nvs_host *h = host(the);
    if (status_result(the, h, nvsc_get_blob(&h->ns, key, &b, &len))) xsmcSetArrayBuffer(xsResult, b, (xsIntegerValue)len);
    free(b);
}

void xs_nc_nvs_set_blob(xsMachine *the) {
    char key[32];
    name_arg(the, 0, key);
    void *data;
    xsUnsignedValue len;
    xsmcGetBufferReadable(xsArg(1), &data, &len);
    nvs_host *h = host(the);
    if (status_result(the, h, nvsc_set_blob(&h->ns, key, data, len))) xsmcSetUndefined(xsResult);
}

void xs_nc_nvs_erase(xsMachine *the) {
    char key[32];
    name_arg(the, 0, key);
    nvs_host *h = host(the);
    if (status_result(the, h, nvsc_erase(&h->ns, key))) xsmcSetUndefined(xsResult);
}

void xs_nc_nvs_erase_all(xsMachine *the) {
    nvs_host *h = host(the);
    if (status_result(the, h, nvsc_erase_all(&h->ns))) xsmcSetUndefined(xsResult);
}

void xs_nc_nvs_commit(xsMachine *the) {
    nvs_host *h = host(the);
    if (status_result(the, h, nvsc_commit(&h->ns))) xsmcSetUndefined(xsResult);
}

void xs_nc_nvs_close(xsMachine *the) { nvsc_close(&host(the)->ns); }
