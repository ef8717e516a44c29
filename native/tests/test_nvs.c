/* Host tests of the native NVS core (native/nvs/nvs_core.c) over the NVS mock: the firmware/host/nvs.ts contract
 * (name limits, missing = not found, TYPE_MISMATCH, read-only, VALUE_TOO_LONG, NOT_ENOUGH_SPACE, CLOSED) and the
 * mapping of every NVS error code the core can see. */
#include "nc_test.h"
#include "../mocks/mock_nvs.h"
#include "../nvs/nvs_core.h"

#include <stdlib.h>

static void test_roundtrip(void) {
    mock_nvs_reset();
    nvsc_ns ns;
    CHECK_EQ_INT(nvsc_open(&ns, "prov", false), NVSC_OK);
    uint8_t u8 = 0; uint32_t u32 = 0; int32_t i32 = 0;
    CHECK_EQ_INT(nvsc_get_u8(&ns, "state", &u8), NVSC_NOT_FOUND);
    CHECK_EQ_INT(nvsc_set_u8(&ns, "state", 7), NVSC_OK);
    CHECK_EQ_INT(nvsc_get_u8(&ns, "state", &u8), NVSC_OK);
    CHECK_EQ_INT(u8, 7);
    CHECK_EQ_INT(nvsc_set_u32(&ns, "boots", 4000000000u), NVSC_OK);
    CHECK_EQ_INT(nvsc_get_u32(&ns, "boots", &u32), NVSC_OK);
    CHECK_EQ_INT(u32, 4000000000u);
    CHECK_EQ_INT(nvsc_set_i32(&ns, "rssi", -70), NVSC_OK);
    CHECK_EQ_INT(nvsc_get_i32(&ns, "rssi", &i32), NVSC_OK);
    CHECK_EQ_INT(i32, -70);
    char *s = NULL; size_t len = 0;
    CHECK_EQ_INT(nvsc_set_str(&ns, "ssid", "HomeNet", 7), NVSC_OK);
    CHECK_EQ_INT(nvsc_get_str(&ns, "ssid", &s, &len), NVSC_OK);
    CHECK_EQ_INT(len, 7);
    CHECK(s && strcmp(s, "HomeNet") == 0);
    free(s);
    uint8_t blob[300], *b = NULL;
    for (int i = 0; i < 300; i++) blob[i] = (uint8_t)i;
    CHECK_EQ_INT(nvsc_set_blob(&ns, "rec", blob, 300), NVSC_OK);
    CHECK_EQ_INT(nvsc_get_blob(&ns, "rec", &b, &len), NVSC_OK);
    CHECK_EQ_INT(len, 300);
    CHECK(b && memcmp(b, blob, 300) == 0);
    free(b);
    CHECK_EQ_INT(nvsc_set_blob(&ns, "empty", blob, 0), NVSC_OK);
    CHECK_EQ_INT(nvsc_get_blob(&ns, "empty", &b, &len), NVSC_OK);
    CHECK_EQ_INT(len, 0);
    free(b);
    CHECK_EQ_INT(nvsc_erase(&ns, "ssid"), NVSC_OK);
    CHECK_EQ_INT(nvsc_get_str(&ns, "ssid", &s, &len), NVSC_NOT_FOUND);
    CHECK(s == NULL);
    CHECK_EQ_INT(nvsc_erase(&ns, "ssid"), NVSC_OK); /* missing key: fine */
    CHECK_EQ_INT(nvsc_commit(&ns), NVSC_OK);
    CHECK_EQ_INT(nvsc_erase_all(&ns), NVSC_OK);
    CHECK_EQ_INT(nvsc_get_u8(&ns, "state", &u8), NVSC_NOT_FOUND);
    nvsc_close(&ns);
    nvsc_close(&ns);
    CHECK_EQ_INT(mock_nvs_open_handles(), 0);
    CHECK_EQ_INT(nvsc_get_u8(&ns, "state", &u8), NVSC_CLOSED);
    CHECK_EQ_INT(nvsc_set_u8(&ns, "state", 1), NVSC_CLOSED);
    CHECK_EQ_INT(nvsc_commit(&ns), NVSC_CLOSED);
}

static void test_names_and_sizes(void) {
    mock_nvs_reset();
    nvsc_ns ns;
    CHECK_EQ_INT(nvsc_open(&ns, "0123456789abcdef", false), NVSC_KEY_TOO_LONG); /* 16 bytes */
    CHECK_EQ_INT(nvsc_open(&ns, "", false), NVSC_KEY_TOO_LONG);
    CHECK_EQ_INT(nvsc_open(&ns, "0123456789abcde", false), NVSC_OK); /* 15 bytes */
    CHECK_EQ_INT(nvsc_set_u8(&ns, "0123456789abcdef", 1), NVSC_KEY_TOO_LONG);
    CHECK_EQ_INT(nvsc_set_u8(&ns, "0123456789abcde", 1), NVSC_OK);
    static char big[4002];
    memset(big, 'x', sizeof big);
    CHECK_EQ_INT(nvsc_set_str(&ns, "s", big, 4001), NVSC_VALUE_TOO_LONG);
    CHECK_EQ_INT(nvsc_set_blob(&ns, "b", (uint8_t *)big, 4001), NVSC_VALUE_TOO_LONG);
    CHECK_EQ_INT(nvsc_set_blob(&ns, "b", (uint8_t *)big, 4000), NVSC_OK);
    /* 4000 characters + terminator exceed NVS's string limit: NVS's own error is mapped, not swallowed. */
    CHECK_EQ_INT(nvsc_set_str(&ns, "s", big, 4000), NVSC_VALUE_TOO_LONG);
    CHECK_EQ_INT(nvsc_set_str(&ns, "s", "a\0b", 3), NVSC_INTERNAL);
    nvsc_close(&ns);
}

static void test_type_mismatch(void) {
    mock_nvs_reset();
    nvsc_ns ns;
    nvsc_open(&ns, "cfg", false);
    CHECK_EQ_INT(nvsc_set_str(&ns, "k", "v", 1), NVSC_OK);
    uint8_t u8;
    CHECK_EQ_INT(nvsc_get_u8(&ns, "k", &u8), NVSC_TYPE_MISMATCH);
    uint8_t *b; size_t len;
    CHECK_EQ_INT(nvsc_get_blob(&ns, "k", &b, &len), NVSC_TYPE_MISMATCH);
    /* Changing the type erases the old entry first, so the key then reads with its new type only. */
    mock_nvs_log[0] = 0;
    CHECK_EQ_INT(nvsc_set_u8(&ns, "k", 3), NVSC_OK);
    CHECK(strstr(mock_nvs_log, "nvs_erase_key(k);nvs_set_u8(k);") != NULL);
    CHECK_EQ_INT(nvsc_get_u8(&ns, "k", &u8), NVSC_OK);
    char *s; 
    CHECK_EQ_INT(nvsc_get_str(&ns, "k", &s, &len), NVSC_TYPE_MISMATCH);
    nvsc_close(&ns);
}

static void test_readonly(void) {
    mock_nvs_reset();
    nvsc_ns ro, rw;
    /* Missing namespace opened read-only: empty, not an error. */
    CHECK_EQ_INT(nvsc_open(&ro, "fresh", true), NVSC_OK);
    uint8_t u8;
    CHECK_EQ_INT(nvsc_get_u8(&ro, "x", &u8), NVSC_NOT_FOUND);
    CHECK_EQ_INT(nvsc_set_u8(&ro, "x", 1), NVSC_READ_ONLY);
    /* Still open while a read-write handle creates the namespace: the read-only handle then sees it. */
    CHECK_EQ_INT(nvsc_open(&rw, "fresh", false), NVSC_OK);
    nvsc_set_u8(&rw, "x", 5);
    CHECK_EQ_INT(nvsc_get_u8(&ro, "x", &u8), NVSC_OK);
    CHECK_EQ_INT(u8, 5);
    nvsc_close(&ro);
    CHECK_EQ_INT(nvsc_open(&ro, "fresh", true), NVSC_OK);
    CHECK_EQ_INT(nvsc_get_u8(&ro, "x", &u8), NVSC_OK);
    CHECK_EQ_INT(u8, 5);
    CHECK_EQ_INT(nvsc_set_u8(&ro, "x", 6), NVSC_READ_ONLY);
    CHECK_EQ_INT(nvsc_erase(&ro, "x"), NVSC_READ_ONLY);
    CHECK_EQ_INT(nvsc_erase_all(&ro), NVSC_READ_ONLY);
    nvsc_close(&ro);
    nvsc_close(&rw);
    CHECK_EQ_INT(mock_nvs_open_handles(), 0); /* the retried open was closed too */
}

static void test_error_mapping(void) {
    mock_nvs_reset();
    nvsc_ns ns;
    nvsc_open(&ns, "e", false);
    mock_nvs_set_capacity(10);
    uint8_t blob[11] = {0};
    CHECK_EQ_INT(nvsc_set_blob(&ns, "b", blob, 11), NVSC_NOT_ENOUGH_SPACE);
    mock_nvs_set_capacity(1 << 20);
    mock_nvs_fail_next("nvs_commit", ESP_ERR_NVS_NO_FREE_PAGES);
    CHECK_EQ_INT(nvsc_commit(&ns), NVSC_NOT_ENOUGH_SPACE);
    mock_nvs_fail_next("nvs_set_u8", ESP_FAIL);
    CHECK_EQ_INT(nvsc_set_u8(&ns, "x", 1), NVSC_INTERNAL);
    mock_nvs_fail_next("nvs_get_u8", ESP_ERR_NVS_INVALID_HANDLE);
    uint8_t u8;
    CHECK_EQ_INT(nvsc_get_u8(&ns, "x", &u8), NVSC_CLOSED);
    mock_nvs_fail_next("nvs_open", ESP_ERR_NVS_NOT_INITIALIZED);
    nvsc_ns other;
    CHECK_EQ_INT(nvsc_open(&other, "o", false), NVSC_INTERNAL);
    CHECK_EQ_INT(nvsc_map_error(ESP_ERR_NVS_PAGE_FULL), NVSC_NOT_ENOUGH_SPACE);
    CHECK_EQ_INT(nvsc_map_error(ESP_ERR_NVS_INVALID_LENGTH), NVSC_VALUE_TOO_LONG);
    CHECK_EQ_INT(nvsc_map_error(ESP_ERR_NVS_READ_ONLY), NVSC_READ_ONLY);
    CHECK_EQ_INT(nvsc_map_error(ESP_ERR_NVS_TYPE_MISMATCH), NVSC_TYPE_MISMATCH);
    CHECK(strcmp(nvsc_status_code(NVSC_TYPE_MISMATCH), "TYPE_MISMATCH") == 0);
    CHECK(strcmp(nvsc_status_code(NVSC_NOT_ENOUGH_SPACE), "NOT_ENOUGH_SPACE") == 0);
    CHECK(strcmp(nvsc_status_code((nvsc_status)-99), "INTERNAL") == 0);
    nvsc_close(&ns);
}

int main(void) {
    RUN(test_roundtrip);
    RUN(test_names_and_sizes);
    RUN(test_type_mismatch);
    RUN(test_readonly);
    RUN(test_error_mapping);
    mock_nvs_reset();
    return nc_test_report("nvs");
}
