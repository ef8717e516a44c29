// The `proto-ver` endpoint's JSON (unified-provisioning.md §6): application labels first (insertion order), then
// "prov" with ver, sec_ver, sec_patch_ver and cap, printed byte for byte like cJSON_Print (formatted) does (§6.1).
import { utf8Encode } from '../util/bytes';

export interface ProtoVersionOptions {
  /** "v1.1" (wifi_provisioning, default) or "netprov-v1.2" (network_provisioning). */
  provVersion?: string;
  securityVersion: 0 | 1 | 2;
  securityPatchVersion: number;
  /** sec1 only: false adds `no_pop` (§6.2). */
  hasPop?: boolean;
  /** Adds `wifi_prov` before `wifi_scan` (network_provisioning, §6.2). Default false. */
  wifiProv?: boolean;
  /** wifi_provisioning always adds `wifi_scan`; default true. */
  wifiScan?: boolean;
}

interface AppInfo {
  label: string;
  version: string;
  capabilities: string[];
}

export class ProtoVersion {
  private readonly apps: AppInfo[] = [];

  constructor(private readonly options: ProtoVersionOptions) {}

  /** wifi_prov_mgr_set_app_info: adds `"label": {"ver": ..., "cap": [...]}` before "prov". Setting an existing
   * label again replaces its contents in place. "prov" is reserved. */
  setAppInfo(label: string, version: string, capabilities: readonly string[]): void {
    if (label === 'prov' || label.length === 0) throw new RangeError(`app info label "${label}" is reserved or empty`);
    const entry = { label, version, capabilities: capabilities.slice() };
    const index = this.apps.findIndex((a) => a.label === label);
    if (index >= 0) this.apps[index] = entry;
    else this.apps.push(entry);
  }

  capabilities(): string[] {
    const o = this.options;
    const caps: string[] = [];
    if (o.securityVersion === 0) caps.push('no_sec');
    else if (o.securityVersion === 1 && !o.hasPop) caps.push('no_pop');
    if (o.wifiProv) caps.push('wifi_prov');
    if (o.wifiScan !== false) caps.push('wifi_scan');
    return caps;
  }

  toJson(): string {
    const o = this.options;
    let out = '{\n';
    for (const app of this.apps) {
      out += `\t${str(app.label)}:\t{\n\t\t"ver":\t${str(app.version)},\n\t\t"cap":\t${array(app.capabilities)}\n\t},\n`;
    }
    out +=
      `\t"prov":\t{\n` +
      `\t\t"ver":\t${str(o.provVersion ?? 'v1.1')},\n` +
      `\t\t"sec_ver":\t${o.securityVersion},\n` +
      `\t\t"sec_patch_ver":\t${o.securityPatchVersion},\n` +
      `\t\t"cap":\t${array(this.capabilities())}\n` +
      `\t}\n}`;
    return out;
  }

  /** The response body: UTF-8, no trailing NUL or newline (§6.1). */
  toBytes(): Uint8Array {
    return utf8Encode(this.toJson());
  }
}

function array(items: readonly string[]): string {
  return '[' + items.map(str).join(', ') + ']';
}

/** cJSON print_string_ptr: escapes " \ \b \f \n \r \t, other controls as \u00xx; everything else verbatim. */
function str(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20) out += '\\u00' + (c < 16 ? '0' : '') + c.toString(16);
    else out += text[i];
  }
  return out + '"';
}
