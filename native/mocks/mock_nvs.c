/* In-memory mock of ESP-IDF NVS for host tests of native/nvs. Models what the core relies on: typed entries per
 * namespace (a typed get of a key stored with another type answers ESP_ERR_NVS_NOT_FOUND, as NVS's typed lookup
 * does), read-only handles, read-only open of a missing namespace failing with NOT_FOUND, the NULL-buffer length
 * query of nvs_get_str/blob, key length limits, a byte capacity (NOT_ENOUGH_SPACE) and one-shot error injection.
 * Does not model pages, wear, encryption or power loss. */
#include "mock_nvs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ENTRIES 64
#define MAX_HANDLES 8

typedef struct { bool used; char ns[16]; char key[16]; nvs_type_t type; uint8_t *data; size_t len; } entry;
typedef struct { bool used; char ns[16]; bool readonly; } handle;

static entry entries[MAX_ENTRIES];
static handle handles[MAX_HANDLES];
static char namespaces[8][16];
static size_t capacity = 1 << 20;
static const char *fail_fn;
static esp_err_t fail_err;
char mock_nvs_log[4096];

static void log_call(const char *fn, const char *arg) {
    size_t n = strlen(mock_nvs_log);
    snprintf(mock_nvs_log + n, sizeof mock_nvs_log - n, "%s(%s);", fn, arg ? arg : "");
}

static bool injected(const char *fn, esp_err_t *err) {
    if (fail_fn && strcmp(fail_fn, fn) == 0) { *err = fail_err; fail_fn = NULL; return true; }
    return false;
}

void mock_nvs_reset(void) {
    for (int i = 0; i < MAX_ENTRIES; i++) { free(entries[i].data); }
    memset(entries, 0, sizeof entries);
    memset(handles, 0, sizeof handles);
    memset(namespaces, 0, sizeof namespaces);
    capacity = 1 << 20;
    fail_fn = NULL;
    mock_nvs_log[0] = 0;
}
void mock_nvs_fail_next(const char *fn, esp_err_t err) { fail_fn = fn; fail_err = err; }
void mock_nvs_set_capacity(size_t bytes) { capacity = bytes; }
int mock_nvs_open_handles(void) {
    int n = 0;
    for (int i = 0; i < MAX_HANDLES; i++) n += handles[i].used;
    return n;
}

static handle *get_handle(nvs_handle_t h) { return h >= 1 && h <= MAX_HANDLES && handles[h - 1].used ? &handles[h - 1] : NULL; }

static bool ns_exists(const char *name) {
    for (int i = 0; i < 8; i++) if (strcmp(namespaces[i], name) == 0) return true;
    return false;
}

esp_err_t nvs_open(const char *name, nvs_open_mode_t mode, nvs_handle_t *out) {
    log_call("nvs_open", name);
    esp_err_t err;
    if (injected("nvs_open", &err)) return err;
    if (strlen(name) > 15) return ESP_ERR_NVS_KEY_TOO_LONG;
    if (!ns_exists(name)) {
        if (mode == NVS_READONLY) return ESP_ERR_NVS_NOT_FOUND;
        for (int i = 0; i < 8; i++) if (!namespaces[i][0]) { strcpy(namespaces[i], name); break; }
    }
    for (int i = 0; i < MAX_HANDLES; i++) {
        if (!handles[i].used) {
            handles[i].used = true;
            strcpy(handles[i].ns, name);
            handles[i].readonly = mode == NVS_READONLY;
            *out = (nvs_handle_t)(i + 1);
            return ESP_OK;
        }
    }
    return ESP_ERR_NVS_NOT_ENOUGH_SPACE;
}

void nvs_close(nvs_handle_t h) {
    log_call("nvs_close", NULL);
    handle *hd = get_handle(h);
    if (hd) hd->used = false;
}

static entry *find(handle *hd, const char *key) {
    for (int i = 0; i < MAX_ENTRIES; i++)
        if (entries[i].used && strcmp(entries[i].ns, hd->ns) == 0 && strcmp(entries[i].key, key) == 0) return &entries[i];
    return NULL;
}

static size_t used_bytes(void) {
    size_t n = 0;
    for (int i = 0; i < MAX_ENTRIES; i++) if (entries[i].used) n += entries[i].len;
    return n;
}

static esp_err_t get(const char *fn, nvs_handle_t h, const char *key, nvs_type_t type, void *out, size_t *len) {
    log_call(fn, key);
    esp_err_t err;
    if (injected(fn, &err)) return err;
    handle *hd = get_handle(h);
    if (!hd) return ESP_ERR_NVS_INVALID_HANDLE;
    if (strlen(key) > 15) return ESP_ERR_NVS_KEY_TOO_LONG;
    entry *e = find(hd, key);
    if (!e || e->type != type) return ESP_ERR_NVS_NOT_FOUND;
    if (len) {
        if (!out) { *len = e->len; return ESP_OK; }
        if (*len < e->len) return ESP_ERR_NVS_INVALID_LENGTH;
        *len = e->len;
    }
    memcpy(out, e->data, e->len);
    return ESP_OK;
}

static esp_err_t set(const char *fn, nvs_handle_t h, const char *key, nvs_type_t type, const void *data, size_t len) {
    log_call(fn, key);
    esp_err_t err;
    if (injected(fn, &err)) return err;
    handle *hd = get_handle(h);
    if (!hd) return ESP_ERR_NVS_INVALID_HANDLE;
    if (hd->readonly) return ESP_ERR_NVS_READ_ONLY;
    if (strlen(key) > 15) return ESP_ERR_NVS_KEY_TOO_LONG;
    entry *e = find(hd, key);
    size_t old = e ? e->len : 0;
    if (used_bytes() - old + len > capacity) return ESP_ERR_NVS_NOT_ENOUGH_SPACE;
    if (!e) {
        for (int i = 0; i < MAX_ENTRIES && !e; i++) if (!entries[i].used) e = &entries[i];
        if (!e) return ESP_ERR_NVS_NOT_ENOUGH_SPACE;
        memset(e, 0, sizeof *e);
        e->used = true;
        strcpy(e->ns, hd->ns);
        strcpy(e->key, key);
    }
    free(e->data);
    e->data = malloc(len ? len : 1);
    memcpy(e->data, data, len);
    e->len = len;
    e->type = type;
    return ESP_OK;
}

esp_err_t nvs_get_u8(nvs_handle_t h, const char *k, uint8_t *v) { return get("nvs_get_u8", h, k, NVS_TYPE_U8, v, NULL); }
esp_err_t nvs_get_u32(nvs_handle_t h, const char *k, uint32_t *v) { return get("nvs_get_u32", h, k, NVS_TYPE_U32, v, NULL); }
esp_err_t nvs_get_i32(nvs_handle_t h, const char *k, int32_t *v) { return get("nvs_get_i32", h, k, NVS_TYPE_I32, v, NULL); }
esp_err_t nvs_get_str(nvs_handle_t h, const char *k, char *v, size_t *len) { return get("nvs_get_str", h, k, NVS_TYPE_STR, v, len); }
esp_err_t nvs_get_blob(nvs_handle_t h, const char *k, void *v, size_t *len) { return get("nvs_get_blob", h, k, NVS_TYPE_BLOB, v, len); }
esp_err_t nvs_set_u8(nvs_handle_t h, const char *k, uint8_t v) { return set("nvs_set_u8", h, k, NVS_TYPE_U8, &v, sizeof v); }
esp_err_t nvs_set_u32(nvs_handle_t h, const char *k, uint32_t v) { return set("nvs_set_u32", h, k, NVS_TYPE_U32, &v, sizeof v); }
esp_err_t nvs_set_i32(nvs_handle_t h, const char *k, int32_t v) { return set("nvs_set_i32", h, k, NVS_TYPE_I32, &v, sizeof v); }
esp_err_t nvs_set_str(nvs_handle_t h, const char *k, const char *v) {
    size_t n = strlen(v) + 1;
    if (n > 4000) return ESP_ERR_NVS_VALUE_TOO_LONG; /* NVS: 4000 bytes including the terminator */
    return set("nvs_set_str", h, k, NVS_TYPE_STR, v, n);
}
esp_err_t nvs_set_blob(nvs_handle_t h, const char *k, const void *v, size_t len) { return set("nvs_set_blob", h, k, NVS_TYPE_BLOB, v, len); }

esp_err_t nvs_erase_key(nvs_handle_t h, const char *key) {
    log_call("nvs_erase_key", key);
    esp_err_t err;
    if (injected("nvs_erase_key", &err)) return err;
    handle *hd = get_handle(h);
    if (!hd) return ESP_ERR_NVS_INVALID_HANDLE;
    if (hd->readonly) return ESP_ERR_NVS_READ_ONLY;
    entry *e = find(hd, key);
    if (!e) return ESP_ERR_NVS_NOT_FOUND;
    free(e->data);
    memset(e, 0, sizeof *e);
    return ESP_OK;
}

esp_err_t nvs_erase_all(nvs_handle_t h) {
    log_call("nvs_erase_all", NULL);
    esp_err_t err;
    if (injected("nvs_erase_all", &err)) return err;
    handle *hd = get_handle(h);
    if (!hd) return ESP_ERR_NVS_INVALID_HANDLE;
    if (hd->readonly) return ESP_ERR_NVS_READ_ONLY;
    for (int i = 0; i < MAX_ENTRIES; i++)
        if (entries[i].used && strcmp(entries[i].ns, hd->ns) == 0) { free(entries[i].data); memset(&entries[i], 0, sizeof entries[i]); }
    return ESP_OK;
}

esp_err_t nvs_commit(nvs_handle_t h) {
    log_call("nvs_commit", NULL);
    esp_err_t err;
    if (injected("nvs_commit", &err)) return err;
    return get_handle(h) ? ESP_OK : ESP_ERR_NVS_INVALID_HANDLE;
}

esp_err_t nvs_find_key(nvs_handle_t h, const char *key, nvs_type_t *out_type) {
    log_call("nvs_find_key", key);
    handle *hd = get_handle(h);
    if (!hd) return ESP_ERR_NVS_INVALID_HANDLE;
    entry *e = find(hd, key);
    if (!e) return ESP_ERR_NVS_NOT_FOUND;
    *out_type = e->type;
    return ESP_OK;
}
