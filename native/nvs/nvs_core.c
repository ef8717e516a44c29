/* Native NVS core: see nvs_core.h. Rules beyond plain nvs_* calls, all from firmware/host/nvs.ts:
 * - names are checked here (1..15 bytes) so an over-long name is KEY_TOO_LONG, not NVS's INVALID_NAME;
 * - a typed get that finds nothing asks nvs_find_key whether the key exists with another type (TYPE_MISMATCH);
 * - a set that changes a key's type erases the old entry first, as Moddable's Preference does (moddable-xs.md §5),
 *   so one key never holds two typed entries (a power cut between the two leaves the key absent, never stale). */
#include "nvs_core.h"

#include <stdlib.h>
#include <string.h>

const char *nvsc_status_code(nvsc_status st) {
    switch (st) {
    case NVSC_KEY_TOO_LONG: return "KEY_TOO_LONG";
    case NVSC_VALUE_TOO_LONG: return "VALUE_TOO_LONG";
    case NVSC_TYPE_MISMATCH: return "TYPE_MISMATCH";
    case NVSC_NOT_ENOUGH_SPACE: return "NOT_ENOUGH_SPACE";
    case NVSC_READ_ONLY: return "READ_ONLY";
    case NVSC_CLOSED: return "CLOSED";
    default: return "INTERNAL";
    }
}

nvsc_status nvsc_map_error(esp_err_t err) {
    switch (err) {
    case ESP_OK: return NVSC_OK;
    case ESP_ERR_NVS_NOT_FOUND: return NVSC_NOT_FOUND;
    case ESP_ERR_NVS_TYPE_MISMATCH: return NVSC_TYPE_MISMATCH;
    case ESP_ERR_NVS_READ_ONLY: return NVSC_READ_ONLY;
    case ESP_ERR_NVS_NOT_ENOUGH_SPACE:
    case ESP_ERR_NVS_PAGE_FULL:
    case ESP_ERR_NVS_NO_FREE_PAGES: return NVSC_NOT_ENOUGH_SPACE;
    case ESP_ERR_NVS_KEY_TOO_LONG:
    case ESP_ERR_NVS_INVALID_NAME: return NVSC_KEY_TOO_LONG;
    case ESP_ERR_NVS_VALUE_TOO_LONG:
    case ESP_ERR_NVS_INVALID_LENGTH: return NVSC_VALUE_TOO_LONG;
    case ESP_ERR_NVS_INVALID_HANDLE: return NVSC_CLOSED;
    default: return NVSC_INTERNAL;
    }
}

static bool valid_name(const char *name) {
    size_t n = strlen(name);
    return n >= 1 && n <= NVSC_NAME_MAX;
}

nvsc_status nvsc_open(nvsc_ns *ns, const char *name, bool readonly) {
    memset(ns, 0, sizeof *ns);
    if (!valid_name(name)) return NVSC_KEY_TOO_LONG;
    esp_err_t err = nvs_open(name, readonly ? NVS_READONLY : NVS_READWRITE, &ns->handle);
    memcpy(ns->name, name, strlen(name) + 1);
    if (err == ESP_ERR_NVS_NOT_FOUND && readonly) {
        /* NVS refuses to open a missing namespace read-only; the contract wants an empty namespace. */
        ns->absent = true;
    } else if (err != ESP_OK) {
        return nvsc_map_error(err);
    }
    ns->open = true;
    ns->readonly = readonly;
    return NVSC_OK;
}

/* Common entry checks: open handle, valid key. A read-only handle on a namespace that did not exist when it was
 * opened retries the open, so it sees a namespace created meanwhile by a read-write handle (as NVS handles do). */
static nvsc_status enter(nvsc_ns *ns, const char *key) {
    if (!ns->open) return NVSC_CLOSED;
    if (!valid_name(key)) return NVSC_KEY_TOO_LONG;
    if (ns->absent && nvs_open(ns->name, NVS_READONLY, &ns->handle) == ESP_OK) ns->absent = false;
    return NVSC_OK;
}

static nvsc_status after_get(nvsc_ns *ns, const char *key, esp_err_t err, nvs_type_t wanted) {
    if (err != ESP_ERR_NVS_NOT_FOUND) return nvsc_map_error(err);
    nvs_type_t actual = NVS_TYPE_ANY;
    if (nvs_find_key(ns->handle, key, &actual) == ESP_OK && actual != wanted) return NVSC_TYPE_MISMATCH;
    return NVSC_NOT_FOUND;
}

static nvsc_status before_set(nvsc_ns *ns, const char *key, nvs_type_t type) {
    nvsc_status st = enter(ns, key);
    if (st != NVSC_OK) return st;
    if (ns->readonly) return NVSC_READ_ONLY;
    nvs_type_t actual = NVS_TYPE_ANY;
    if (nvs_find_key(ns->handle, key, &actual) == ESP_OK && actual != type) {
        esp_err_t err = nvs_erase_key(ns->handle, key);
        if (err != ESP_OK && err != ESP_ERR_NVS_NOT_FOUND) return nvsc_map_error(err);
    }
    return NVSC_OK;
}

#define GET_SCALAR(fn, ctype, nvsfn, nvstype)                                   \
    nvsc_status fn(nvsc_ns *ns, const char *key, ctype *out) {                  \
        nvsc_status st = enter(ns, key);                                        \
        if (st != NVSC_OK) return st;                                           \
        if (ns->absent) return NVSC_NOT_FOUND;                                  \
        return after_get(ns, key, nvsfn(ns->handle, key, out), nvstype);        \
    }
#define SET_SCALAR(fn, ctype, nvsfn, nvstype)                                   \
    nvsc_status fn(nvsc_ns *ns, const char *key, ctype value) {                 \
        nvsc_status st = before_set(ns, key, nvstype);                          \
        if (st != NVSC_OK) return st;                                           \
        return nvsc_map_error(nvsfn(ns->handle, key, value));                   \
    }

GET_SCALAR(nvsc_get_u8, uint8_t, nvs_get_u8, NVS_TYPE_U8)
GET_SCALAR(nvsc_get_u32, uint32_t, nvs_get_u32, NVS_TYPE_U32)
GET_SCALAR(nvsc_get_i32, int32_t, nvs_get_i32, NVS_TYPE_I32)
SET_SCALAR(nvsc_set_u8, uint8_t, nvs_set_u8, NVS_TYPE_U8)
SET_SCALAR(nvsc_set_u32, uint32_t, nvs_set_u32, NVS_TYPE_U32)
SET_SCALAR(nvsc_set_i32, int32_t, nvs_set_i32, NVS_TYPE_I32)

nvsc_status nvsc_get_str(nvsc_ns *ns, const char *key, char **out, size_t *len) {
    *out = NULL;
    *len = 0;
    nvsc_status st = enter(ns, key);
    if (st != NVSC_OK) return st;
    if (ns->absent) return NVSC_NOT_FOUND;
    size_t size = 0; /* includes the terminator */
    esp_err_t err = nvs_get_str(ns->handle, key, NULL, &size);
    if (err != ESP_OK) return after_get(ns, key, err, NVS_TYPE_STR);
    if (size == 0) return NVSC_INTERNAL;
    char *buf = malloc(size);
    if (!buf) return NVSC_INTERNAL;
    err = nvs_get_str(ns->handle, key, buf, &size);
    if (err != ESP_OK) { free(buf); return after_get(ns, key, err, NVS_TYPE_STR); }
    buf[size - 1] = 0;
    *out = buf;
    *len = strlen(buf);
    return NVSC_OK;
}

nvsc_status nvsc_get_blob(nvsc_ns *ns, const char *key, uint8_t **out, size_t *len) {
    *out = NULL;
    *len = 0;
    nvsc_status st = enter(ns, key);
    if (st != NVSC_OK) return st;
    if (ns->absent) return NVSC_NOT_FOUND;
    size_t size = 0;
    esp_err_t err = nvs_get_blob(ns->handle, key, NULL, &size);
    if (err != ESP_OK) return after_get(ns, key, err, NVS_TYPE_BLOB);
    uint8_t *buf = malloc(size ? size : 1); /* zero-length blobs are legal */
    if (!buf) return NVSC_INTERNAL;
    err = nvs_get_blob(ns->handle, key, buf, &size);
    if (err != ESP_OK) { free(buf); return after_get(ns, key, err, NVS_TYPE_BLOB); }
    *out = buf;
    *len = size;
    return NVSC_OK;
}

nvsc_status nvsc_set_str(nvsc_ns *ns, const char *key, const char *value, size_t len) {
    if (len > NVSC_VALUE_MAX) return ns->open ? NVSC_VALUE_TOO_LONG : NVSC_CLOSED;
    if (memchr(value, 0, len)) return NVSC_INTERNAL; /* NVS strings are C strings */
    nvsc_status st = before_set(ns, key, NVS_TYPE_STR);
    if (st != NVSC_OK) return st;
    char *copy = malloc(len + 1);
    if (!copy) return NVSC_INTERNAL;
    memcpy(copy, value, len);
    copy[len] = 0;
    st = nvsc_map_error(nvs_set_str(ns->handle, key, copy));
    free(copy);
    return st;
}

nvsc_status nvsc_set_blob(nvsc_ns *ns, const char *key, const uint8_t *value, size_t len) {
    if (len > NVSC_VALUE_MAX) return ns->open ? NVSC_VALUE_TOO_LONG : NVSC_CLOSED;
    nvsc_status st = before_set(ns, key, NVS_TYPE_BLOB);
    if (st != NVSC_OK) return st;
    return nvsc_map_error(nvs_set_blob(ns->handle, key, value, len));
}

nvsc_status nvsc_erase(nvsc_ns *ns, const char *key) {
    nvsc_status st = enter(ns, key);
    if (st != NVSC_OK) return st;
    if (ns->readonly) return NVSC_READ_ONLY;
    esp_err_t err = nvs_erase_key(ns->handle, key);
    return err == ESP_ERR_NVS_NOT_FOUND ? NVSC_OK : nvsc_map_error(err);
}

nvsc_status nvsc_erase_all(nvsc_ns *ns) {
    if (!ns->open) return NVSC_CLOSED;
    if (ns->readonly) return NVSC_READ_ONLY;
    return nvsc_map_error(nvs_erase_all(ns->handle));
}

nvsc_status nvsc_commit(nvsc_ns *ns) {
    if (!ns->open) return NVSC_CLOSED;
    if (ns->readonly) return NVSC_OK; /* nothing pending on a read-only handle */
    return nvsc_map_error(nvs_commit(ns->handle));
}

void nvsc_close(nvsc_ns *ns) {
    if (ns->open && !ns->absent) nvs_close(ns->handle);
    ns->open = false;
}
