/* Parser of the binary GATT table (format in ble_table.h). Two passes: count, then fill one arena, so a malformed
 * table is rejected before anything is allocated and a good one costs a single malloc. */
#include "ble_table.h"

#include <stdlib.h>
#include <string.h>

typedef struct { const uint8_t *p; size_t left; } reader;

static bool take(reader *r, size_t n, const uint8_t **out) {
    if (r->left < n) return false;
    if (out) *out = r->p;
    r->p += n;
    r->left -= n;
    return true;
}
static bool u8(reader *r, uint8_t *v) { const uint8_t *p; if (!take(r, 1, &p)) return false; *v = p[0]; return true; }
static bool u16(reader *r, uint16_t *v) {
    const uint8_t *p;
    if (!take(r, 2, &p)) return false;
    *v = (uint16_t)(p[0] | p[1] << 8);
    return true;
}

/* Walks the table; with `t` NULL it only counts characteristics and descriptors. */
static bool walk(const uint8_t *buf, size_t len, size_t *n_svc, size_t *n_chr, size_t *n_desc, blec_table *t,
                 blec_chr_in *chrs, blec_desc_in *descs) {
    reader r = {buf, len};
    uint8_t ns;
    if (!u8(&r, &ns)) return false;
    size_t ci = 0, di = 0;
    for (size_t s = 0; s < ns; s++) {
        const uint8_t *uuid;
        uint8_t nc;
        if (!take(&r, 16, &uuid) || !u8(&r, &nc)) return false;
        if (t) { memcpy(t->svcs[s].uuid128, uuid, 16); t->svcs[s].chrs = chrs + ci; t->svcs[s].n_chrs = nc; }
        for (size_t c = 0; c < nc; c++, ci++) {
            uint8_t props, nd;
            uint16_t max_len;
            if (!take(&r, 16, &uuid) || !u8(&r, &props) || !u16(&r, &max_len) || !u8(&r, &nd)) return false;
            if (t) {
                memcpy(chrs[ci].uuid128, uuid, 16);
                chrs[ci].properties = props;
                chrs[ci].max_len = max_len;
                chrs[ci].descs = descs + di;
                chrs[ci].n_descs = nd;
            }
            for (size_t d = 0; d < nd; d++, di++) {
                uint16_t uuid16, vlen;
                const uint8_t *value;
                if (!u16(&r, &uuid16) || !u16(&r, &vlen) || !take(&r, vlen, &value)) return false;
                if (t) { descs[di].uuid16 = uuid16; descs[di].value = value; descs[di].len = vlen; }
            }
        }
    }
    *n_svc = ns;
    *n_chr = ci;
    *n_desc = di;
    return r.left == 0;
}

bool blec_table_parse(const uint8_t *buf, size_t len, blec_table *out) {
    memset(out, 0, sizeof *out);
    size_t ns, nc, nd;
    if (!walk(buf, len, &ns, &nc, &nd, NULL, NULL, NULL) || ns == 0) return false;
    size_t bytes = ns * sizeof(blec_svc_in) + nc * sizeof(blec_chr_in) + nd * sizeof(blec_desc_in);
    uint8_t *arena = calloc(1, bytes);
    if (!arena) return false;
    out->arena = arena;
    out->svcs = (blec_svc_in *)arena;
    out->n_svcs = ns;
    blec_chr_in *chrs = (blec_chr_in *)(arena + ns * sizeof(blec_svc_in));
    blec_desc_in *descs = (blec_desc_in *)(arena + ns * sizeof(blec_svc_in) + nc * sizeof(blec_chr_in));
    walk(buf, len, &ns, &nc, &nd, out, chrs, descs);
    return true;
}

void blec_table_free(blec_table *t) {
    free(t->arena);
    memset(t, 0, sizeof *t);
}
