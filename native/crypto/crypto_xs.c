/* xsmc binding of the native crypto core (nc_crypto.c) for firmware/host/esp32/crypto.ts: argument marshalling
 * only. Functions return an ArrayBuffer on success or a negative nc_crypto_status number; the TypeScript glue
 * turns numbers into CryptoHostError. Inputs are read with xsmcGetBufferReadable and used before any XS
 * allocation (chunk-heap pointers can move, moddable-xs.md §2 "Host objects"). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nc_crypto.h"
#include "xsmc.h"

static void set_result(xsMachine *the, nc_crypto_status st, uint8_t *out, size_t len) {
    if (st == NC_CRYPTO_OK) xsmcSetArrayBuffer(xsResult, out, (xsIntegerValue)len);
    else xsmcSetInteger(xsResult, st);
}

static void wipe_free(uint8_t *p, size_t n) {
    if (!p) return;
    volatile uint8_t *v = p;
    while (n--) *v++ = 0;
    free(p);
}

/* Class NativeCrypto: no per-instance state. */
void xs_nc_crypto_destructor(void *data) { (void)data; }

void xs_nc_crypto_constructor(xsMachine *the) {
    if (nc_crypto_init() != NC_CRYPTO_OK) xsUnknownError("psa_crypto_init failed");
}

void xs_nc_crypto_random(xsMachine *the) {
    xsIntegerValue n = xsmcToInteger(xsArg(0));
    if (n < 0 || n > 65536) { xsmcSetInteger(xsResult, NC_CRYPTO_INVALID_ARGUMENT); return; }
    uint8_t *out = malloc(n ? (size_t)n : 1);
    if (!out) { xsmcSetInteger(xsResult, NC_CRYPTO_INTERNAL); return; }
    set_result(the, nc_random(out, (size_t)n), out, (size_t)n);
    wipe_free(out, (size_t)n);
}

static void digest(xsMachine *the, int which) {
    void *data;
    xsUnsignedValue len;
    xsmcGetBufferReadable(xsArg(0), &data, &len);
    uint8_t out[64];
    nc_crypto_status st = which == 256 ? nc_sha256(data, len, out) : nc_sha512(data, len, out);
    set_result(the, st, out, which == 256 ? 32 : 64);
}
void xs_nc_crypto_sha256(xsMachine *the) { digest(the, 256); }
void xs_nc_crypto_sha512(xsMachine *the) { digest(the, 512); }

void xs_nc_crypto_hmac_sha256(xsMachine *the) {
    void *key, *data;
    xsUnsignedValue key_len, len;
    xsmcGetBufferReadable(xsArg(0), &key, &key_len);
    xsmcGetBufferReadable(xsArg(1), &data, &len);
    uint8_t out[32];
    set_result(the, nc_hmac_sha256(key, key_len, data, len, out), out, 32);
}

void xs_nc_crypto_x25519(xsMachine *the) {
    void *priv, *peer;
    xsUnsignedValue priv_len, peer_len;
    xsmcGetBufferReadable(xsArg(0), &priv, &priv_len);
    xsmcGetBufferReadable(xsArg(1), &peer, &peer_len);
    if (priv_len != 32 || peer_len != 32) { xsmcSetInteger(xsResult, NC_CRYPTO_INVALID_ARGUMENT); return; }
    uint8_t out[32];
    set_result(the, nc_x25519(priv, peer, out), out, 32);
    memset(out, 0, sizeof out); /* shared secret */
}

static void gcm(xsMachine *the, bool seal) {
    void *key, *iv, *in, *aad = NULL;
    xsUnsignedValue key_len, iv_len, in_len, aad_len = 0;
    xsmcGetBufferReadable(xsArg(0), &key, &key_len);
    xsmcGetBufferReadable(xsArg(1), &iv, &iv_len);
    xsmcGetBufferReadable(xsArg(2), &in, &in_len);
    if (xsmcArgc > 3 && xsmcTypeOf(xsArg(3)) != xsUndefinedType) xsmcGetBufferReadable(xsArg(3), &aad, &aad_len);
    if (key_len != 32) { xsmcSetInteger(xsResult, NC_CRYPTO_INVALID_ARGUMENT); return; }
    size_t out_len = seal ? in_len + NC_GCM_TAG_BYTES : (in_len >= NC_GCM_TAG_BYTES ? in_len - NC_GCM_TAG_BYTES : 0);
    uint8_t *out = malloc(out_len ? out_len : 1);
    if (!out) { xsmcSetInteger(xsResult, NC_CRYPTO_INTERNAL); return; }
    nc_crypto_status st = seal ? nc_aes_gcm_seal(key, iv, iv_len, aad, aad_len, in, in_len, out)
                               : nc_aes_gcm_open(key, iv, iv_len, aad, aad_len, in, in_len, out);
    set_result(the, st, out, out_len);
    wipe_free(out, out_len);
}
void xs_nc_crypto_gcm_seal(xsMachine *the) { gcm(the, true); }
void xs_nc_crypto_gcm_open(xsMachine *the) { gcm(the, false); }

void xs_nc_crypto_modpow(xsMachine *the) {
    void *base, *exp, *mod;
    xsUnsignedValue base_len, exp_len, mod_len;
    xsmcGetBufferReadable(xsArg(0), &base, &base_len);
    xsmcGetBufferReadable(xsArg(1), &exp, &exp_len);
    xsmcGetBufferReadable(xsArg(2), &mod, &mod_len);
    if (mod_len == 0 || mod_len > 1024) { xsmcSetInteger(xsResult, NC_CRYPTO_INVALID_ARGUMENT); return; }
    uint8_t *out = malloc(mod_len);
    if (!out) { xsmcSetInteger(xsResult, NC_CRYPTO_INTERNAL); return; }
    size_t got = 0;
    /* Two statements: in one call expression `got` could be read before nc_modpow writes it (the order in which
     * function arguments are evaluated is unspecified; GCC -O3 on x86-64 read it first, giving an empty result). */
    nc_crypto_status st = nc_modpow(base, base_len, exp, exp_len, mod, mod_len, out, mod_len, &got);
    set_result(the, st, out, got);
    wipe_free(out, mod_len);
}

/* Class NativeAesCtr: host data is a malloc'ed nc_aes_ctr; close() wipes and frees it early. */
void xs_nc_aesctr_destructor(void *data) {
    if (!data) return;
    nc_aes_ctr_close(data);
    free(data);
}

void xs_nc_aesctr_constructor(xsMachine *the) {
    void *key, *counter;
    xsUnsignedValue key_len, counter_len;
    xsmcGetBufferReadable(xsArg(0), &key, &key_len);
    xsmcGetBufferReadable(xsArg(1), &counter, &counter_len);
    if (key_len != 32 || counter_len != 16) xsRangeError("INVALID_ARGUMENT: key 32 bytes, counter 16 bytes");
    uint8_t k[32], c[16]; /* copy out of the chunk heap before allocating */
    memcpy(k, key, 32);
    memcpy(c, counter, 16);
    nc_aes_ctr *ctx = malloc(sizeof *ctx);
    if (!ctx) xsUnknownError("INTERNAL: no memory");
    nc_crypto_status st = nc_aes_ctr_init(ctx, k, c);
    memset(k, 0, sizeof k);
    if (st != NC_CRYPTO_OK) { free(ctx); xsUnknownError("INTERNAL: AES key import failed"); }
    xsmcSetHostData(xsThis, ctx);
}

void xs_nc_aesctr_update(xsMachine *the) {
    nc_aes_ctr *ctx = xsmcGetHostData(xsThis);
    if (!ctx) { xsmcSetInteger(xsResult, NC_CRYPTO_CLOSED); return; }
    void *data;
    xsUnsignedValue len;
    xsmcGetBufferReadable(xsArg(0), &data, &len);
    uint8_t *out = malloc(len ? len : 1);
    if (!out) { xsmcSetInteger(xsResult, NC_CRYPTO_INTERNAL); return; }
    set_result(the, nc_aes_ctr_update(ctx, data, len, out), out, len);
    wipe_free(out, len);
}

void xs_nc_aesctr_close(xsMachine *the) {
    nc_aes_ctr *ctx = xsmcGetHostData(xsThis);
    if (!ctx) return;
    xs_nc_aesctr_destructor(ctx);
    xsmcSetHostData(xsThis, NULL);
    xsmcSetHostDestructor(xsThis, NULL);
}
