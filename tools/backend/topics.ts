// Parsers for OpenRemote's MQTT topic grammar (DefaultMQTTHandler, openremote.md §4.5) and the anonymous
// auto-provisioning topics (§4.9). Pure functions: the broker decides authorisation with their results.

import { ASSET_ID_RE } from './ids';

export type WriteOp = 'writeattributevalue' | 'writeattribute';
export type EventKind = 'attributevalue' | 'attribute';

export interface PublishTopic {
  realm: string;
  clientId: string;
  op: WriteOp;
  attributeName: string;
  assetId: string;
}

export interface SubscriptionFilter {
  realm: string;
  clientId: string;
  kind: EventKind;
  /** undefined = '+' (every attribute). */
  attributeName: string | undefined;
  /** undefined = '+' or '#' at token 5 (every asset the user may see). */
  assetId: string | undefined;
  /** The 6-token forms `{assetId}/+` (children) or `{assetId}/#` (descendants) of §4.5. */
  children: '+' | '#' | undefined;
}

const hasWildcard = (s: string): boolean => s.includes('+') || s.includes('#');

/** `{realm}/{clientId}/writeattributevalue|writeattribute/{attributeName}/{assetId}`: exactly 5 tokens, no
 * wildcard anywhere, 5th token a 22-char base62 id. Returns a reason string when the topic is not acceptable. */
export function parsePublishTopic(topic: string): PublishTopic | string {
  if (hasWildcard(topic)) return 'wildcards are not allowed in a publish topic';
  const t = topic.split('/');
  if (t.length !== 5) return `publish topic must have 5 tokens, has ${t.length}`;
  const [realm, clientId, op, attributeName, assetId] = t as [string, string, string, string, string];
  if (op !== 'writeattributevalue' && op !== 'writeattribute') return `unknown publish operation ${JSON.stringify(op)}`;
  if (realm === '' || clientId === '' || attributeName === '') return 'empty topic token';
  if (!ASSET_ID_RE.test(assetId)) return 'asset id is not a 22-character base62 id';
  return { realm, clientId, op, attributeName, assetId };
}

/** `{realm}/{clientId}/attribute|attributevalue/{name|+}/{assetId|+|#}` or the 6-token child forms. */
export function parseSubscriptionFilter(filter: string): SubscriptionFilter | string {
  const t = filter.split('/');
  if (t.length !== 5 && t.length !== 6) return `subscription must have 5 or 6 tokens, has ${t.length}`;
  const [realm, clientId, kind, name, asset, child] = t as [string, string, string, string, string, string | undefined];
  if (kind === 'asset') return 'asset event subscriptions are not modelled by the dev backend';
  if (kind !== 'attribute' && kind !== 'attributevalue') return `unknown subscription kind ${JSON.stringify(kind)}`;
  if (realm === '' || hasWildcard(realm) || clientId === '' || hasWildcard(clientId)) return 'realm and client id must be literal';
  if (name === '' || name === '#' || (name !== '+' && hasWildcard(name))) return 'attribute token must be a name or +';
  if (t.length === 5) {
    if (asset !== '+' && asset !== '#' && !ASSET_ID_RE.test(asset)) return 'asset token must be an asset id, + or #';
    return { realm, clientId, kind, attributeName: name === '+' ? undefined : name, assetId: asset === '+' || asset === '#' ? undefined : asset, children: undefined };
  }
  if (!ASSET_ID_RE.test(asset)) return 'the 6-token form needs a literal asset id at token 5';
  if (child !== '+' && child !== '#') return 'the 6th token must be + or #';
  return { realm, clientId, kind, attributeName: name === '+' ? undefined : name, assetId: asset, children: child };
}

/** `provisioning/{uniqueId}/request` or `/response`: 3 tokens, no wildcards (§4.9). */
export function parseProvisioningTopic(topic: string, which: 'request' | 'response'): string | undefined {
  if (hasWildcard(topic)) return undefined;
  const t = topic.split('/');
  return t.length === 3 && t[0] === 'provisioning' && t[1] !== '' && t[2] === which ? t[1] : undefined;
}
