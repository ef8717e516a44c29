/* Host tests of the native crypto core (native/crypto/nc_crypto.c) against Debian's mbedTLS 2.28 PSA, with the
 * SAME vectors as the TypeScript side: RFC 7748 §6.1, FIPS 180 "abc", RFC 4231 case 2, and the pinned Unified
 * Provisioning vectors (sec1 CTR stream, sec2 GCM patch 1 and patch 0, SRP verifier) from native/tests/vectors.h. */
#include "nc_test.h"
#include "vectors.h"
#include "../crypto/nc_crypto.h"

#include <stdlib.h>

static void test_hashes(void) {
    uint8_t out[64];
    CHECK_EQ_INT(nc_sha256((const uint8_t *)"abc", 3, out), NC_CRYPTO_OK);
    CHECK_MEM(out, V_sha256_abc, 32);
    CHECK_EQ_INT(nc_sha512((const uint8_t *)"abc", 3, out), NC_CRYPTO_OK);
    CHECK_MEM(out, V_sha512_abc, 64);
    CHECK_EQ_INT(nc_hmac_sha256(V_hmac_key, sizeof V_hmac_key, V_hmac_data, sizeof V_hmac_data, out), NC_CRYPTO_OK);
    CHECK_MEM(out, V_hmac_sha256, 32);
    /* Empty key == 64 zero bytes (RFC 2104 zero padding); both must agree, and differ from a 1-byte 0x01 key. */
    uint8_t zero64[64] = {0}, a[32], b[32], c[32];
    uint8_t one = 1;
    CHECK_EQ_INT(nc_hmac_sha256(NULL, 0, V_hmac_data, sizeof V_hmac_data, a), NC_CRYPTO_OK);
    CHECK_EQ_INT(nc_hmac_sha256(zero64, 64, V_hmac_data, sizeof V_hmac_data, b), NC_CRYPTO_OK);
    CHECK_EQ_INT(nc_hmac_sha256(&one, 1, V_hmac_data, sizeof V_hmac_data, c), NC_CRYPTO_OK);
    CHECK_MEM(a, b, 32);
    CHECK(memcmp(a, c, 32) != 0);
}

static void test_x25519(void) {
    uint8_t base[32] = {9}, out[32];
    CHECK_EQ_INT(nc_x25519(V_rfc7748_alice_priv, base, out), NC_CRYPTO_OK);
    CHECK_MEM(out, V_rfc7748_alice_pub, 32);
    CHECK_EQ_INT(nc_x25519(V_rfc7748_bob_priv, base, out), NC_CRYPTO_OK);
    CHECK_MEM(out, V_rfc7748_bob_pub, 32);
    CHECK_EQ_INT(nc_x25519(V_rfc7748_alice_priv, V_rfc7748_bob_pub, out), NC_CRYPTO_OK);
    CHECK_MEM(out, V_rfc7748_shared, 32);
    /* Pinned sec1 keys: device pub from the device private key, and the shared secret (spec §4.2). */
    CHECK_EQ_INT(nc_x25519(V_sec1_device_priv, base, out), NC_CRYPTO_OK);
    CHECK_MEM(out, V_sec1_device_pub, 32);
    CHECK_EQ_INT(nc_x25519(V_sec1_client_priv, base, out), NC_CRYPTO_OK);
    CHECK_MEM(out, V_sec1_client_pub, 32);
    CHECK_EQ_INT(nc_x25519(V_sec1_device_priv, V_sec1_client_pub, out), NC_CRYPTO_OK);
    CHECK_MEM(out, V_sec1_shared, 32);
    /* Low-order peer point u = 0 gives an all-zero secret: must be refused, not returned. */
    uint8_t zero[32] = {0};
    nc_crypto_status st = nc_x25519(V_sec1_device_priv, zero, out);
    CHECK_EQ_INT(st, NC_CRYPTO_INTERNAL);
    CHECK_MEM(out, zero, 32);
}

/* sec1: ONE CTR stream across directions (spec §4.3): E(device_pub), E(client_pub), then the first Wi-Fi
 * messages of 6 and 4 bytes, so keystream blocks are split across calls (partial-block carry). */
static void test_ctr_stream(void) {
    nc_aes_ctr ctr;
    uint8_t out[64];
    CHECK_EQ_INT(nc_aes_ctr_init(&ctr, V_sec1_ctr_key, V_sec1_ctr_iv), NC_CRYPTO_OK);
    CHECK_EQ_INT(nc_aes_ctr_update(&ctr, V_sec1_device_pub, 32, out), NC_CRYPTO_OK);
    CHECK_MEM(out, V_sec1_client_verify, 32);
    CHECK_EQ_INT(nc_aes_ctr_update(&ctr, V_sec1_client_pub, 32, out), NC_CRYPTO_OK);
    CHECK_MEM(out, V_sec1_device_verify, 32);
    CHECK_EQ_INT(nc_aes_ctr_update(&ctr, V_sec1_scan_plain, sizeof V_sec1_scan_plain, out), NC_CRYPTO_OK);
    CHECK_MEM(out, V_sec1_scan_cipher, sizeof V_sec1_scan_cipher);
    CHECK_EQ_INT(nc_aes_ctr_update(&ctr, V_sec1_scan_resp_plain, sizeof V_sec1_scan_resp_plain, out), NC_CRYPTO_OK);
    CHECK_MEM(out, V_sec1_scan_resp_cipher, sizeof V_sec1_scan_resp_cipher);
    nc_aes_ctr_close(&ctr);
    CHECK_EQ_INT(nc_aes_ctr_update(&ctr, out, 1, out), NC_CRYPTO_CLOSED);
    nc_aes_ctr_close(&ctr); /* second close is harmless */

    /* Byte-at-a-time equals one shot, in place, over 3+ blocks. */
    uint8_t whole[70], bytewise[70];
    for (int i = 0; i < 70; i++) whole[i] = bytewise[i] = (uint8_t)i;
    CHECK_EQ_INT(nc_aes_ctr_init(&ctr, V_sec1_ctr_key, V_sec1_ctr_iv), NC_CRYPTO_OK);
    nc_aes_ctr_update(&ctr, whole, 70, whole);
    nc_aes_ctr_close(&ctr);
    CHECK_EQ_INT(nc_aes_ctr_init(&ctr, V_sec1_ctr_key, V_sec1_ctr_iv), NC_CRYPTO_OK);
    for (int i = 0; i < 70; i++) nc_aes_ctr_update(&ctr, bytewise + i, 1, bytewise + i);
    nc_aes_ctr_close(&ctr);
    CHECK_MEM(whole, bytewise, 70);

    /* Counter wraps as a full 128-bit big-endian integer: ff..ff then 00..00. */
    uint8_t all_ff[16], zero_ctr[16] = {0}, ks_a[32] = {0}, ks_b[16] = {0};
    memset(all_ff, 0xff, 16);
    nc_aes_ctr_init(&ctr, V_sec1_ctr_key, all_ff);
    nc_aes_ctr_update(&ctr, ks_a, 32, ks_a);
    nc_aes_ctr_close(&ctr);
    nc_aes_ctr_init(&ctr, V_sec1_ctr_key, zero_ctr);
    nc_aes_ctr_update(&ctr, ks_b, 16, ks_b);
    nc_aes_ctr_close(&ctr);
    CHECK_MEM(ks_a + 16, ks_b, 16);
}

static void test_gcm(void) {
    uint8_t ct[256], pt[256];
    /* Patch 1: request with counter 1, response with counter 2 (spec §5.6). */
    uint8_t iv[12];
    memcpy(iv, V_sec2_p1_iv, 12);
    CHECK_EQ_INT(nc_aes_gcm_seal(V_sec2_gcm_key, iv, 12, NULL, 0, V_sec2_p1_scan_plain, sizeof V_sec2_p1_scan_plain, ct),
                 NC_CRYPTO_OK);
    CHECK_MEM(ct, V_sec2_p1_scan_cipher, sizeof V_sec2_p1_scan_cipher);
    CHECK_EQ_INT(sizeof V_sec2_p1_scan_cipher, sizeof V_sec2_p1_scan_plain + 16);
    iv[11] = 2;
    CHECK_EQ_INT(nc_aes_gcm_open(V_sec2_gcm_key, iv, 12, NULL, 0, V_sec2_p1_resp_cipher, sizeof V_sec2_p1_resp_cipher, pt),
                 NC_CRYPTO_OK);
    CHECK_MEM(pt, V_sec2_p1_resp_plain, sizeof V_sec2_p1_resp_plain);
    /* Tampering anywhere (ciphertext or tag) is refused and nothing is returned. */
    uint8_t bad[256];
    memcpy(bad, V_sec2_p1_resp_cipher, sizeof V_sec2_p1_resp_cipher);
    bad[sizeof V_sec2_p1_resp_cipher - 1] ^= 1;
    memset(pt, 0xaa, sizeof pt);
    CHECK_EQ_INT(nc_aes_gcm_open(V_sec2_gcm_key, iv, 12, NULL, 0, bad, sizeof V_sec2_p1_resp_cipher, pt), NC_CRYPTO_AUTH_FAILED);
    CHECK_EQ_INT(pt[0], 0); /* wiped */
    CHECK_EQ_INT(nc_aes_gcm_open(V_sec2_gcm_key, iv, 12, NULL, 0, bad, 15, pt), NC_CRYPTO_AUTH_FAILED);
    /* Patch 0: 16-byte IV through PSA (non-96-bit IV, GHASH-derived J0). */
    CHECK_EQ_INT(nc_aes_gcm_seal(V_sec2_gcm_key, V_sec2_p0_iv16, 16, NULL, 0, V_sec2_p0_scan_plain,
                                 sizeof V_sec2_p0_scan_plain, ct), NC_CRYPTO_OK);
    CHECK_MEM(ct, V_sec2_p0_scan_cipher, sizeof V_sec2_p0_scan_cipher);
    CHECK_EQ_INT(nc_aes_gcm_open(V_sec2_gcm_key, V_sec2_p0_iv16, 16, NULL, 0, V_sec2_p0_scan_cipher,
                                 sizeof V_sec2_p0_scan_cipher, pt), NC_CRYPTO_OK);
    CHECK_MEM(pt, V_sec2_p0_scan_plain, sizeof V_sec2_p0_scan_plain);
    /* AAD is authenticated. */
    uint8_t aad[3] = {1, 2, 3};
    CHECK_EQ_INT(nc_aes_gcm_seal(V_sec2_gcm_key, iv, 12, aad, 3, pt, 4, ct), NC_CRYPTO_OK);
    CHECK_EQ_INT(nc_aes_gcm_open(V_sec2_gcm_key, iv, 12, aad, 3, ct, 20, pt), NC_CRYPTO_OK);
    CHECK_EQ_INT(nc_aes_gcm_open(V_sec2_gcm_key, iv, 12, NULL, 0, ct, 20, pt), NC_CRYPTO_AUTH_FAILED);
    CHECK_EQ_INT(nc_aes_gcm_seal(V_sec2_gcm_key, iv, 8, NULL, 0, pt, 4, ct), NC_CRYPTO_INVALID_ARGUMENT);
    /* Empty plaintext: tag only. */
    CHECK_EQ_INT(nc_aes_gcm_seal(V_sec2_gcm_key, iv, 12, NULL, 0, NULL, 0, ct), NC_CRYPTO_OK);
    CHECK_EQ_INT(nc_aes_gcm_open(V_sec2_gcm_key, iv, 12, NULL, 0, ct, 16, pt), NC_CRYPTO_OK);
}

static void test_modpow(void) {
    uint8_t out[384];
    size_t len = 0;
    /* SRP verifier v = g^x mod N (spec §5.2) with the pinned x and the RFC 5054 3072-bit group. */
    CHECK_EQ_INT(nc_modpow(V_srp_g, 1, V_srp_x, sizeof V_srp_x, V_srp_N, 384, out, sizeof out, &len), NC_CRYPTO_OK);
    CHECK_EQ_INT(len, sizeof V_srp_verifier);
    CHECK_MEM(out, V_srp_verifier, sizeof V_srp_verifier);
    /* Small cases: 4^13 mod 497 = 445; base >= modulus is reduced; zero result is empty; x^0 = 1. */
    uint8_t b4[] = {4}, e13[] = {13}, m497[] = {0x01, 0xf1}, b501[] = {0x01, 0xf5};
    CHECK_EQ_INT(nc_modpow(b4, 1, e13, 1, m497, 2, out, sizeof out, &len), NC_CRYPTO_OK);
    CHECK_EQ_INT(len, 2);
    CHECK_EQ_INT(out[0] * 256 + out[1], 445);
    CHECK_EQ_INT(nc_modpow(b501, 2, e13, 1, m497, 2, out, sizeof out, &len), NC_CRYPTO_OK); /* 501 = 4 mod 497 */
    CHECK_EQ_INT(out[0] * 256 + out[1], 445);
    uint8_t m7[] = {7}, b14[] = {14};
    CHECK_EQ_INT(nc_modpow(b14, 1, e13, 1, m7, 1, out, sizeof out, &len), NC_CRYPTO_OK);
    CHECK_EQ_INT(len, 0);
    CHECK_EQ_INT(nc_modpow(b4, 1, NULL, 0, m7, 1, out, sizeof out, &len), NC_CRYPTO_OK);
    CHECK_EQ_INT(len, 1);
    CHECK_EQ_INT(out[0], 1);
    uint8_t even[] = {0x01, 0xf0}, zero[] = {0, 0, 0};
    CHECK_EQ_INT(nc_modpow(b4, 1, e13, 1, even, 2, out, sizeof out, &len), NC_CRYPTO_INVALID_ARGUMENT);
    CHECK_EQ_INT(nc_modpow(b4, 1, e13, 1, zero, 3, out, sizeof out, &len), NC_CRYPTO_INVALID_ARGUMENT);
    CHECK_EQ_INT(nc_modpow(b4, 1, e13, 1, NULL, 0, out, sizeof out, &len), NC_CRYPTO_INVALID_ARGUMENT);
}

static void test_random(void) {
    uint8_t a[32] = {0}, b[32] = {0}, zero[32] = {0};
    CHECK_EQ_INT(nc_random(a, 32), NC_CRYPTO_OK);
    CHECK_EQ_INT(nc_random(b, 32), NC_CRYPTO_OK);
    CHECK(memcmp(a, zero, 32) != 0);
    CHECK(memcmp(a, b, 32) != 0);
    CHECK_EQ_INT(nc_random(NULL, 0), NC_CRYPTO_OK);
}

int main(void) {
    CHECK_EQ_INT(nc_crypto_init(), NC_CRYPTO_OK);
    RUN(test_hashes);
    RUN(test_x25519);
    RUN(test_ctr_stream);
    RUN(test_gcm);
    RUN(test_modpow);
    RUN(test_random);
    return nc_test_report("crypto");
}
