// Broker URL parsing for the OpenRemote config (openremote.md §0 item 7, §4.1): `mqtts://host[:8883]` or
// `mqtt://host[:1883]`. The scheme decides TLS once, here; nothing later can downgrade mqtts to plain TCP.

export interface BrokerAddress {
  tls: boolean;
  host: string;
  port: number;
}

/** Parses a broker URL; returns an error message for anything else (other schemes, paths, credentials, bad ports). */
export function parseBrokerUrl(url: string): BrokerAddress | string {
  const m = /^(mqtts?):\/\/([^/?#]*)\/?$/i.exec(url.trim());
  if (!m) return 'broker URL must be mqtt://host[:port] or mqtts://host[:port]';
  const tls = m[1].toLowerCase() === 'mqtts';
  const authority = m[2];
  if (authority.includes('@')) return 'broker URL must not carry credentials';
  let host: string;
  let portText: string | undefined;
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    if (end < 0) return 'unterminated IPv6 literal in broker URL';
    host = authority.slice(1, end);
    const rest = authority.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) return 'garbage after IPv6 literal in broker URL';
    portText = rest ? rest.slice(1) : undefined;
  } else {
    const colon = authority.lastIndexOf(':');
    host = colon >= 0 ? authority.slice(0, colon) : authority;
    portText = colon >= 0 ? authority.slice(colon + 1) : undefined;
  }
  if (!host) return 'broker URL has no host';
  let port = tls ? 8883 : 1883;
  if (portText !== undefined) {
    if (!/^[0-9]{1,5}$/.test(portText)) return `bad port "${portText}" in broker URL`;
    port = Number(portText);
    if (port < 1 || port > 65535) return `port ${port} out of range`;
  }
  return { tls, host, port };
}
