/* Native NVS core (platform part, no XS): typed get/set on ESP-IDF NVS with the error mapping of
 * firmware/host/nvs.ts (NvsErrorCode) and its name/size rules (moddable-xs.md §5). The xsmc binding nvs_xs.c only
 * marshals arguments and turns status codes into NvsError. */
#ifndef NVS_CORE_H
#define NVS_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "nvs.h"

typedef enum {
    NVSC_OK = 0,
    NVSC_NOT_FOUND = 1, /* not an error: the key reads as undefined */
    NVSC_KEY_TOO_LONG = -1,
    NVSC_VALUE_TOO_LONG = -2,
    NVSC_TYPE_MISMATCH = -3,
    NVSC_NOT_ENOUGH_SPACE = -4,
    NVSC_READ_ONLY = -5,
    NVSC_CLOSED = -7,
    NVSC_INTERNAL = -8,
} nvsc_status;

#define NVSC_NAME_MAX 15          /* NVS_KEY_NAME_MAX_SIZE - 1 */
#define NVSC_VALUE_MAX 4000       /* firmware/host/nvs.ts: strings and blobs, conservative single-page bound */

typedef struct {
    nvs_handle_t handle;
    bool open;
    bool readonly;
    bool absent; /* read-only open of a namespace that does not exist (yet): keys read as undefined */
    char name[NVSC_NAME_MAX + 1];
} nvsc_ns;

/* NvsErrorCode spelling for a status (e.g. "TYPE_MISMATCH"); "INTERNAL" for anything unknown. */
const char *nvsc_status_code(nvsc_status st);
nvsc_status nvsc_map_error(esp_err_t err);

nvsc_status nvsc_open(nvsc_ns *ns, const char *name, bool readonly);
nvsc_status nvsc_get_u8(nvsc_ns *ns, const char *key, uint8_t *out);
nvsc_status nvsc_get_u32(nvsc_ns *ns, const char *key, uint32_t *out);
nvsc_status nvsc_get_i32(nvsc_ns *ns, const char *key, int32_t *out);
/* *out is malloc'ed (caller frees); strings get a NUL after *len bytes. */
nvsc_status nvsc_get_str(nvsc_ns *ns, const char *key, char **out, size_t *len);
nvsc_status nvsc_get_blob(nvsc_ns *ns, const char *key, uint8_t **out, size_t *len);
nvsc_status nvsc_set_u8(nvsc_ns *ns, const char *key, uint8_t value);
nvsc_status nvsc_set_u32(nvsc_ns *ns, const char *key, uint32_t value);
nvsc_status nvsc_set_i32(nvsc_ns *ns, const char *key, int32_t value);
/* len excludes any terminator; a string with an embedded NUL cannot be stored in NVS and is INTERNAL. */
nvsc_status nvsc_set_str(nvsc_ns *ns, const char *key, const char *value, size_t len);
nvsc_status nvsc_set_blob(nvsc_ns *ns, const char *key, const uint8_t *value, size_t len);
nvsc_status nvsc_erase(nvsc_ns *ns, const char *key);   /* erasing a missing key is OK */
nvsc_status nvsc_erase_all(nvsc_ns *ns);
nvsc_status nvsc_commit(nvsc_ns *ns);
void nvsc_close(nvsc_ns *ns);                             /* idempotent */

#endif
