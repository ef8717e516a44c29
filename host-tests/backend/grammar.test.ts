// Tests for the pure parts of the dev backend: OpenRemote-style 22-char ids (tools/backend/ids.ts), the MQTT topic
// grammar (tools/backend/topics.ts, openremote.md §4.5/§4.9) and value coercion (tools/backend/model.ts), with
// fast-check fuzzing of the parsers (budget via FUZZ_BUDGET).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ASSET_ID_RE, base62Of128, nameBasedId } from '../../tools/backend/ids';
import { coerceValue, jsonEqual, validateModels } from '../../tools/backend/model';
import { parseProvisioningTopic, parsePublishTopic, parseSubscriptionFilter } from '../../tools/backend/topics';
import { fuzzBudget } from '../fixtures/fuzz';

const RUNS = Math.max(1, Math.floor(fuzzBudget(30_000) / 3));
const ID = '6tXbmMvQLd2e7UrY5xLviR'; // the spec's example asset id

describe('ids', () => {
  it('encodes 128 bits as 22 base62 digits, big-endian and zero-padded', () => {
    expect(base62Of128(new Uint8Array(16))).toBe('0'.repeat(22));
    const one = new Uint8Array(16);
    one[15] = 61;
    expect(base62Of128(one)).toBe(`${'0'.repeat(21)}z`);
    one[15] = 62;
    expect(base62Of128(one)).toBe(`${'0'.repeat(20)}10`);
    expect(base62Of128(new Uint8Array(16).fill(255))).toBe('7n42DGM5Tflk9n8mt7Fhc7'); // 2^128-1
    expect(() => base62Of128(new Uint8Array(15))).toThrow(RangeError);
  });

  it('derives deterministic, distinct, well-formed ids from names', () => {
    expect(nameBasedId('masteresp32-aabbcc')).toBe(nameBasedId('masteresp32-aabbcc'));
    expect(nameBasedId('masteresp32-aabbcc')).not.toBe(nameBasedId('otheresp32-aabbcc'));
    fc.assert(fc.property(fc.string(), (s) => ASSET_ID_RE.test(nameBasedId(s))), { numRuns: 2000 });
  });
});

describe('publish topics', () => {
  it('accepts exactly the two 5-token write forms', () => {
    expect(parsePublishTopic(`master/dev1/writeattributevalue/temperature/${ID}`)).toEqual({ realm: 'master', clientId: 'dev1', op: 'writeattributevalue', attributeName: 'temperature', assetId: ID });
    expect(parsePublishTopic(`master/dev1/writeattribute/switch/${ID}`)).toMatchObject({ op: 'writeattribute' });
    for (const bad of [
      `master/dev1/writeattributevalue/temperature`,
      `master/dev1/writeattributevalue/temperature/${ID}/x`,
      `master/dev1/writeattributevalue/+/${ID}`,
      `master/dev1/writeattributevalue/temperature/#`,
      `master/dev1/attributevalue/temperature/${ID}`,
      `master/dev1/writeattributevalue/temperature/${ID.slice(1)}`,
      `master/dev1/writeattributevalue/temperature/${ID.slice(1)}-`,
      `/dev1/writeattributevalue/temperature/${ID}`,
      `master//writeattributevalue/temperature/${ID}`,
      `master/dev1/writeattributevalue//${ID}`,
    ]) {
      expect(typeof parsePublishTopic(bad), bad).toBe('string');
    }
  });
});

describe('subscription filters', () => {
  it('parses the attribute and attributevalue forms with their wildcards', () => {
    expect(parseSubscriptionFilter(`master/dev1/attributevalue/+/${ID}`)).toEqual({ realm: 'master', clientId: 'dev1', kind: 'attributevalue', attributeName: undefined, assetId: ID, children: undefined });
    expect(parseSubscriptionFilter('master/dev1/attribute/switch/#')).toMatchObject({ kind: 'attribute', attributeName: 'switch', assetId: undefined });
    expect(parseSubscriptionFilter('master/dev1/attribute/switch/+')).toMatchObject({ assetId: undefined });
    expect(parseSubscriptionFilter(`master/dev1/attribute/+/${ID}/#`)).toMatchObject({ assetId: ID, children: '#' });
    for (const bad of ['master/dev1/#', 'master/+/attribute/x/#', '+/dev1/attribute/x/#', 'master/dev1/attribute/#/x', `master/dev1/asset/${ID}`, 'master/dev1/attribute/x/+/+', `master/dev1/attribute/x/${ID}/y`, `master/dev1/writeattribute/x/${ID}`]) {
      expect(typeof parseSubscriptionFilter(bad), bad).toBe('string');
    }
  });

  it('recognises provisioning topics (§4.9)', () => {
    expect(parseProvisioningTopic('provisioning/abc/request', 'request')).toBe('abc');
    expect(parseProvisioningTopic('provisioning/abc/request', 'response')).toBeUndefined();
    expect(parseProvisioningTopic('provisioning/+/response', 'response')).toBeUndefined();
    expect(parseProvisioningTopic('provisioning//response', 'response')).toBeUndefined();
  });

  it('fuzz: parsers never throw and accepted topics are consistent with their input', () => {
    const token = fc.oneof(
      fc.constantFrom('master', 'dev1', '+', '#', '', 'writeattributevalue', 'writeattribute', 'attribute', 'attributevalue', 'asset', 'temperature', ID, 'provisioning', 'request', 'response'),
      fc.string({ maxLength: 24 }),
    );
    const topic = fc.array(token, { minLength: 1, maxLength: 7 }).map((t) => t.join('/'));
    fc.assert(
      fc.property(fc.oneof(topic, fc.string({ maxLength: 80 })), (t) => {
        const p = parsePublishTopic(t);
        if (typeof p !== 'string') {
          expect([p.realm, p.clientId, p.op, p.attributeName, p.assetId].join('/')).toBe(t);
          expect(t).not.toMatch(/[+#]/);
          expect(p.assetId).toMatch(ASSET_ID_RE);
        }
        const f = parseSubscriptionFilter(t);
        if (typeof f !== 'string') {
          const tokens = t.split('/');
          expect(tokens[0]).toBe(f.realm);
          expect(tokens[1]).toBe(f.clientId);
          expect(f.realm + f.clientId).not.toMatch(/[+#]/);
          if (f.attributeName !== undefined) expect(f.attributeName).not.toMatch(/[+#]/);
          if (f.assetId !== undefined) expect(f.assetId).toMatch(ASSET_ID_RE);
        }
        const r = parseProvisioningTopic(t, 'response');
        if (r !== undefined) expect(t).toBe(`provisioning/${r}/response`);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('value coercion (§4.5)', () => {
  it('converts scalars like Jackson and rejects what does not fit', () => {
    expect(coerceValue('number', '21.5')).toEqual({ ok: true, value: 21.5 });
    expect(coerceValue('number', 3)).toEqual({ ok: true, value: 3 });
    expect(coerceValue('number', 'warm').ok).toBe(false);
    expect(coerceValue('number', '').ok).toBe(false);
    expect(coerceValue('number', true).ok).toBe(false);
    expect(coerceValue('boolean', 'true')).toEqual({ ok: true, value: true });
    expect(coerceValue('boolean', 0)).toEqual({ ok: true, value: false });
    expect(coerceValue('boolean', 2).ok).toBe(false);
    expect(coerceValue('text', 5)).toEqual({ ok: true, value: '5' });
    expect(coerceValue('text', { a: 1 }).ok).toBe(false);
    expect(coerceValue('json', { a: [1] })).toEqual({ ok: true, value: { a: [1] } });
    for (const t of ['number', 'boolean', 'text', 'json'] as const) expect(coerceValue(t, null)).toEqual({ ok: true, value: null });
  });

  it('fuzz: coercion never throws and an accepted value has the attribute type', () => {
    fc.assert(
      fc.property(fc.constantFrom('number', 'boolean', 'text', 'json' as const), fc.jsonValue(), (type, v) => {
        const r = coerceValue(type, v);
        if (r.ok && r.value !== null && type !== 'json') expect(typeof r.value).toBe(type === 'text' ? 'string' : type);
        expect(jsonEqual(v, JSON.parse(JSON.stringify(v)))).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('compares JSON values structurally', () => {
    expect(jsonEqual({ a: [1, 2] }, { a: [1, 2] })).toBe(true);
    expect(jsonEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(jsonEqual([1], { 0: 1 })).toBe(false);
    expect(jsonEqual(1, '1')).toBe(false);
  });

  it('validates model tables', () => {
    expect(() => validateModels({ m: { assetType: 'X', attributes: { 'a/b': { type: 'number' } } } })).toThrow(/topic/);
    expect(() => validateModels({ m: { assetType: 'X', attributes: { a: { type: 'float' } } } })).toThrow(/type/);
    expect(() => validateModels([])).toThrow();
  });
});
