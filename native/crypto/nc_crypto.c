/* Native crypto core on PSA Crypto + mbedtls_mpi (see nc_crypto.h). Keys are imported as volatile PSA keys for
 * the duration of one call (or one CTR stream) and destroyed afterwards, so no key material outlives its use.
 * PSA is the only crypto API left public in ESP-IDF v6 / mbedTLS 4 (moddable-xs.md §0.6, §2). */
#include "nc_crypto.h"
#include "nc_bignum_compat.h"

#include <string.h>

static void wipe(void *p, size_t n) {
    volatile uint8_t *v = p; /* volatile so the compiler cannot drop the stores */
    while (n--) *v++ = 0;
}

static bool initialised;

nc_crypto_status nc_crypto_init(void) {
    if (initialised) return NC_CRYPTO_OK;
    if (psa_crypto_init() != PSA_SUCCESS) return NC_CRYPTO_INTERNAL;
    initialised = true;
    return NC_CRYPTO_OK;
}

static nc_crypto_status import_key(psa_key_type_t type, size_t bits, psa_key_usage_t usage, psa_algorithm_t alg,
                                   const uint8_t *data, size_t len, psa_key_id_t *id) {
    if (nc_crypto_init() != NC_CRYPTO_OK) return NC_CRYPTO_INTERNAL;
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, type);
    if (bits) psa_set_key_bits(&attr, bits);
    psa_set_key_usage_flags(&attr, usage);
    psa_set_key_algorithm(&attr, alg);
    psa_status_t st = psa_import_key(&attr, data, len, id);
    psa_reset_key_attributes(&attr);
    return st == PSA_SUCCESS ? NC_CRYPTO_OK : NC_CRYPTO_INTERNAL;
}

nc_crypto_status nc_random(uint8_t *out, size_t len) {
    if (nc_crypto_init() != NC_CRYPTO_OK) return NC_CRYPTO_INTERNAL;
    if (len == 0) return NC_CRYPTO_OK;
    return psa_generate_random(out, len) == PSA_SUCCESS ? NC_CRYPTO_OK : NC_CRYPTO_INTERNAL;
}

static nc_crypto_status hash(psa_algorithm_t alg, const uint8_t *data, size_t len, uint8_t *out, size_t out_len) {
    if (nc_crypto_init() != NC_CRYPTO_OK) return NC_CRYPTO_INTERNAL;
    size_t got = 0;
    psa_status_t st = psa_hash_compute(alg, data, len, out, out_len, &got);
    return st == PSA_SUCCESS && got == out_len ? NC_CRYPTO_OK : NC_CRYPTO_INTERNAL;
}

nc_crypto_status nc_sha256(const uint8_t *data, size_t len, uint8_t out[32]) { return hash(PSA_ALG_SHA_256, data, len, out, 32); }
nc_crypto_status nc_sha512(const uint8_t *data, size_t len, uint8_t out[64]) { return hash(PSA_ALG_SHA_512, data, len, out, 64); }

nc_crypto_status nc_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data, size_t len, uint8_t out[32]) {
    /* PSA refuses a zero-length key. HMAC zero-pads keys shorter than the block (RFC 2104 §2), so an empty key is
     * exactly the 64-byte all-zero key. */
    static const uint8_t zero_block[64];
    if (key_len == 0) { key = zero_block; key_len = sizeof zero_block; }
    psa_key_id_t id = PSA_KEY_ID_NULL;
    nc_crypto_status rc = import_key(PSA_KEY_TYPE_HMAC, 0, PSA_KEY_USAGE_SIGN_MESSAGE, PSA_ALG_HMAC(PSA_ALG_SHA_256),
                                     key, key_len, &id);
    if (rc != NC_CRYPTO_OK) return rc;
    size_t got = 0;
    psa_status_t st = psa_mac_compute(id, PSA_ALG_HMAC(PSA_ALG_SHA_256), data, len, out, 32, &got);
    psa_destroy_key(id);
    return st == PSA_SUCCESS && got == 32 ? NC_CRYPTO_OK : NC_CRYPTO_INTERNAL;
}

nc_crypto_status nc_x25519(const uint8_t priv[32], const uint8_t peer[32], uint8_t out[32]) {
    psa_key_id_t id = PSA_KEY_ID_NULL;
    /* 255-bit Montgomery key pair; PSA clamps the scalar as RFC 7748 §5 requires. */
    nc_crypto_status rc = import_key(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_MONTGOMERY), 255, PSA_KEY_USAGE_DERIVE,
                                     PSA_ALG_ECDH, priv, 32, &id);
    if (rc != NC_CRYPTO_OK) return rc;
    size_t got = 0;
    psa_status_t st = psa_raw_key_agreement(PSA_ALG_ECDH, id, peer, 32, out, 32, &got);
    psa_destroy_key(id);
    if (st != PSA_SUCCESS || got != 32) { wipe(out, 32); return NC_CRYPTO_INTERNAL; }
    uint8_t acc = 0;
    for (int i = 0; i < 32; i++) acc |= out[i];
    return acc ? NC_CRYPTO_OK : NC_CRYPTO_INTERNAL; /* all-zero: low-order point, RFC 7748 §6.1 */
}

nc_crypto_status nc_aes_ctr_init(nc_aes_ctr *ctx, const uint8_t key[32], const uint8_t counter[16]) {
    memset(ctx, 0, sizeof *ctx);
    /* CTR is built here from single-block AES (ECB) so the counter increment (full 128-bit, big-endian, as
     * mbedtls_aes_crypt_ctr) and the partial-block carry do not depend on a PSA driver's multi-part behaviour. */
    nc_crypto_status rc = import_key(PSA_KEY_TYPE_AES, 256, PSA_KEY_USAGE_ENCRYPT, PSA_ALG_ECB_NO_PADDING, key, 32,
                                     &ctx->key);
    if (rc != NC_CRYPTO_OK) { ctx->key = PSA_KEY_ID_NULL; return rc; }
    memcpy(ctx->counter, counter, 16);
    ctx->used = 16;
    return NC_CRYPTO_OK;
}

nc_crypto_status nc_aes_ctr_update(nc_aes_ctr *ctx, const uint8_t *in, size_t len, uint8_t *out) {
    if (ctx->key == PSA_KEY_ID_NULL) return NC_CRYPTO_CLOSED;
    for (size_t i = 0; i < len; i++) {
        if (ctx->used == 16) {
            size_t got = 0;
            if (psa_cipher_encrypt(ctx->key, PSA_ALG_ECB_NO_PADDING, ctx->counter, 16, ctx->stream, 16, &got) !=
                    PSA_SUCCESS || got != 16)
                return NC_CRYPTO_INTERNAL;
            for (int j = 15; j >= 0; j--)
                if (++ctx->counter[j] != 0) break;
            ctx->used = 0;
        }
        out[i] = in[i] ^ ctx->stream[ctx->used++];
    }
    return NC_CRYPTO_OK;
}

void nc_aes_ctr_close(nc_aes_ctr *ctx) {
    if (ctx->key != PSA_KEY_ID_NULL) psa_destroy_key(ctx->key);
    wipe(ctx, sizeof *ctx);
    ctx->key = PSA_KEY_ID_NULL;
}

/* GCM IVs: PSA accepts any non-zero nonce length for GCM (the 12-byte case uses J0 = IV||1, others GHASH the IV,
 * NIST SP 800-38D §7.1), so the 16-byte IV of sec2 patch 0 needs no mbedtls_gcm fallback; verified on the host
 * with the sec2_patch0 transcript (native/tests/test_crypto.c). */
static bool valid_iv(size_t iv_len) { return iv_len == 12 || iv_len == 16; }

nc_crypto_status nc_aes_gcm_seal(const uint8_t key[32], const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                                 size_t aad_len, const uint8_t *pt, size_t pt_len, uint8_t *out) {
    if (!valid_iv(iv_len)) return NC_CRYPTO_INVALID_ARGUMENT;
    psa_key_id_t id = PSA_KEY_ID_NULL;
    nc_crypto_status rc = import_key(PSA_KEY_TYPE_AES, 256, PSA_KEY_USAGE_ENCRYPT, PSA_ALG_GCM, key, 32, &id);
    if (rc != NC_CRYPTO_OK) return rc;
    size_t got = 0;
    psa_status_t st = psa_aead_encrypt(id, PSA_ALG_GCM, iv, iv_len, aad, aad_len, pt, pt_len, out,
                                       pt_len + NC_GCM_TAG_BYTES, &got);
    psa_destroy_key(id);
    return st == PSA_SUCCESS && got == pt_len + NC_GCM_TAG_BYTES ? NC_CRYPTO_OK : NC_CRYPTO_INTERNAL;
}

nc_crypto_status nc_aes_gcm_open(const uint8_t key[32], const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                                 size_t aad_len, const uint8_t *ct, size_t ct_len, uint8_t *out) {
    if (!valid_iv(iv_len)) return NC_CRYPTO_INVALID_ARGUMENT;
    if (ct_len < NC_GCM_TAG_BYTES) return NC_CRYPTO_AUTH_FAILED; /* cannot carry a tag: not authentic */
    psa_key_id_t id = PSA_KEY_ID_NULL;
    nc_crypto_status rc = import_key(PSA_KEY_TYPE_AES, 256, PSA_KEY_USAGE_DECRYPT, PSA_ALG_GCM, key, 32, &id);
    if (rc != NC_CRYPTO_OK) return rc;
    size_t got = 0;
    psa_status_t st = psa_aead_decrypt(id, PSA_ALG_GCM, iv, iv_len, aad, aad_len, ct, ct_len, out,
                                       ct_len - NC_GCM_TAG_BYTES, &got);
    psa_destroy_key(id);
    if (st == PSA_ERROR_INVALID_SIGNATURE) { wipe(out, ct_len - NC_GCM_TAG_BYTES); return NC_CRYPTO_AUTH_FAILED; }
    if (st != PSA_SUCCESS || got != ct_len - NC_GCM_TAG_BYTES) { wipe(out, ct_len - NC_GCM_TAG_BYTES); return NC_CRYPTO_INTERNAL; }
    return NC_CRYPTO_OK;
}

nc_crypto_status nc_modpow(const uint8_t *base, size_t base_len, const uint8_t *exp, size_t exp_len,
                           const uint8_t *mod, size_t mod_len, uint8_t *out, size_t out_cap, size_t *out_len) {
    *out_len = 0;
    if (mod_len == 0 || (mod[mod_len - 1] & 1) == 0) return NC_CRYPTO_INVALID_ARGUMENT; /* zero or even */
    if (out_cap < mod_len) return NC_CRYPTO_INVALID_ARGUMENT;
    mbedtls_mpi b, e, n, x;
    mbedtls_mpi_init(&b); mbedtls_mpi_init(&e); mbedtls_mpi_init(&n); mbedtls_mpi_init(&x);
    nc_crypto_status rc = NC_CRYPTO_INTERNAL;
    if (mbedtls_mpi_read_binary(&b, base, base_len) != 0 || mbedtls_mpi_read_binary(&e, exp, exp_len) != 0 ||
        mbedtls_mpi_read_binary(&n, mod, mod_len) != 0)
        goto done;
    if (mbedtls_mpi_cmp_int(&n, 0) == 0) { rc = NC_CRYPTO_INVALID_ARGUMENT; goto done; } /* all-zero bytes */
    /* Reduce first: exp_mod's handling of base >= modulus differs between mbedTLS versions and HW drivers. */
    if (mbedtls_mpi_mod_mpi(&b, &b, &n) != 0) goto done;
    if (mbedtls_mpi_exp_mod(&x, &b, &e, &n, NULL) != 0) goto done;
    size_t size = mbedtls_mpi_size(&x);
    if (size > out_cap || mbedtls_mpi_write_binary(&x, out, size) != 0) goto done;
    *out_len = size;
    rc = NC_CRYPTO_OK;
done:
    /* b and e may be secret (SRP b, x): mbedtls_mpi_free zeroises limbs. */
    mbedtls_mpi_free(&b); mbedtls_mpi_free(&e); mbedtls_mpi_free(&n); mbedtls_mpi_free(&x);
    return rc;
}
