// proto-ver: parse the device's version/capabilities JSON and choose the security scheme like the Android
// library (unified-provisioning.md §6.2-§6.4; openremote.md §2.3): prov.sec_ver 0/1/2 as given, another value
// → 2, absent → 1 (0 if the `no_sec` capability is present, as iOS and esp_prov decide); sec_patch_ver absent → 0.
import { OR_ERROR, ProvError } from './errors';

export interface ProtoVersion {
  /** prov.ver, e.g. "v1.1" or "netprov-v1.2". */
  ver: string;
  /** prov.sec_ver as sent, undefined when absent (pre-v5.0 devices). */
  secVer: number | undefined;
  secPatchVer: number;
  caps: string[];
  /** Application labels besides "prov" (wifi_prov_mgr_set_app_info). */
  appInfo: Record<string, unknown>;
}

export function parseProtoVersion(text: string): ProtoVersion {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ProvError(OR_ERROR.communicationError, 'proto-ver: the answer is not JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ProvError(OR_ERROR.communicationError, 'proto-ver: not a JSON object');
  const { prov, ...appInfo } = doc as Record<string, unknown>;
  if (typeof prov !== 'object' || prov === null) throw new ProvError(OR_ERROR.communicationError, 'proto-ver: no "prov" object');
  const p = prov as Record<string, unknown>;
  // iOS continues only when prov.cap is an array (openremote.md §2.3).
  if (!Array.isArray(p.cap) || !p.cap.every((c) => typeof c === 'string')) {
    throw new ProvError(OR_ERROR.communicationError, 'proto-ver: "prov.cap" is not an array of strings');
  }
  const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
  return {
    ver: typeof p.ver === 'string' ? p.ver : '',
    secVer: int(p.sec_ver),
    secPatchVer: int(p.sec_patch_ver) ?? 0,
    caps: p.cap as string[],
    appInfo,
  };
}

export interface SecuritySelection {
  version: 0 | 1 | 2;
  patchVersion: 0 | 1;
  /** Why: "device" (prov.sec_ver), "default" (absent), "override" (--sec-ver). */
  source: 'device' | 'default' | 'override';
}

export function chooseSecurity(v: ProtoVersion, override?: 0 | 1 | 2): SecuritySelection {
  let version: 0 | 1 | 2;
  let source: SecuritySelection['source'];
  if (override !== undefined) {
    version = override;
    source = 'override';
  } else if (v.secVer === undefined) {
    version = v.caps.includes('no_sec') ? 0 : 1;
    source = 'default';
  } else {
    version = v.secVer === 0 || v.secVer === 1 ? v.secVer : 2;
    source = 'device';
  }
  // Only sec2 has patch versions; an unknown future patch is treated as the current one (counter IV).
  const patchVersion: 0 | 1 = version === 2 && v.secPatchVer >= 1 ? 1 : 0;
  return { version, patchVersion, source };
}

export function describeVersion(v: ProtoVersion, s: SecuritySelection): string {
  const patch = s.version === 2 ? ` patch${s.patchVersion}` : '';
  return `prov ${v.ver || '?'} sec${s.version}${patch} caps ${v.caps.join(',') || '-'}${s.source === 'override' ? ' (sec forced)' : ''}`;
}
