/* Native crypto core (platform part, no XS): PSA Crypto for X25519, AES-256-CTR/GCM, SHA-2, HMAC and random,
 * mbedtls_mpi for the SRP modexp. Implements the C side of firmware/host/crypto.ts (contract there) for
 * unified-provisioning.md §4 (sec1) and §5 (sec2). The same file builds on ESP-IDF v6 (mbedTLS 4 / PSA) and on
 * Debian's mbedTLS 2.28 for host tests (moddable-xs.md §2 "Testing native crypto on a Linux host"). */
#ifndef NC_CRYPTO_H
#define NC_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <psa/crypto.h>

/* Status codes; the xsmc binding maps them onto CryptoHostError codes. */
typedef enum {
    NC_CRYPTO_OK = 0,
    NC_CRYPTO_INVALID_ARGUMENT = -1,
    NC_CRYPTO_INTERNAL = -2,
    NC_CRYPTO_CLOSED = -3,
    NC_CRYPTO_AUTH_FAILED = -4, /* GCM tag mismatch: aesGcmOpen answers undefined */
} nc_crypto_status;

#define NC_X25519_BYTES 32
#define NC_AES256_KEY_BYTES 32
#define NC_GCM_TAG_BYTES 16

nc_crypto_status nc_crypto_init(void); /* psa_crypto_init(); idempotent */

nc_crypto_status nc_random(uint8_t *out, size_t len);
nc_crypto_status nc_sha256(const uint8_t *data, size_t len, uint8_t out[32]);
nc_crypto_status nc_sha512(const uint8_t *data, size_t len, uint8_t out[64]);
nc_crypto_status nc_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data, size_t len, uint8_t out[32]);

/* RFC 7748 X25519; INTERNAL for an all-zero result (low-order peer point, RFC 7748 §6.1 check). */
nc_crypto_status nc_x25519(const uint8_t priv[32], const uint8_t peer[32], uint8_t out[32]);

/* AES-256-CTR keystream continuing across calls, including partial blocks: the unused tail of the last
 * keystream block is carried to the next update (mbedtls_aes_crypt_ctr nc_off semantics, spec §4.3). */
typedef struct {
    psa_key_id_t key;        /* PSA_KEY_ID_NULL when closed */
    uint8_t counter[16];     /* next counter block, 128-bit big-endian */
    uint8_t stream[16];      /* keystream of the previous counter block */
    uint8_t used;            /* bytes of `stream` already consumed (16 = none left) */
} nc_aes_ctr;

nc_crypto_status nc_aes_ctr_init(nc_aes_ctr *ctx, const uint8_t key[32], const uint8_t counter[16]);
/* out may equal in. */
nc_crypto_status nc_aes_ctr_update(nc_aes_ctr *ctx, const uint8_t *in, size_t len, uint8_t *out);
void nc_aes_ctr_close(nc_aes_ctr *ctx); /* destroys the key, wipes the state; safe to call twice */

/* AES-256-GCM with the 16-byte tag appended. iv_len 12, or 16 for sec2 patch 0 (GHASH-derived J0). */
nc_crypto_status nc_aes_gcm_seal(const uint8_t key[32], const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                                 size_t aad_len, const uint8_t *pt, size_t pt_len, uint8_t *out /* pt_len+16 */);
nc_crypto_status nc_aes_gcm_open(const uint8_t key[32], const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                                 size_t aad_len, const uint8_t *ct, size_t ct_len, uint8_t *out /* ct_len-16 */);

/* base^exp mod modulus, unsigned big-endian; result minimal big-endian (0 bytes for zero). out_cap must be at
 * least mod_len. INVALID_ARGUMENT for an even or zero modulus. */
nc_crypto_status nc_modpow(const uint8_t *base, size_t base_len, const uint8_t *exp, size_t exp_len,
                           const uint8_t *mod, size_t mod_len, uint8_t *out, size_t out_cap, size_t *out_len);

#endif
