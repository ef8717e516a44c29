// The walk that lists every message class a generated protobufjs static module exports (namespaces and nested
// classes). Plain ES2022 with no imports, so the same code runs on Node (proto-samples.ts) and inside the XS bundle
// (entries/proto.ts): the foundation suite compares what each engine sees.

/** Dotted paths of every message class in a generated static module, sorted. */
export function generatedClassPaths(module: Record<string, unknown>): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  const walk = (value: unknown, path: string) => {
    if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) return;
    seen.add(value);
    const isClass = typeof value === 'function' && typeof (value as { encode?: unknown }).encode === 'function';
    if (isClass) out.push(path);
    for (const key of Object.keys(value)) {
      const child = (value as Record<string, unknown>)[key];
      if (/^[A-Z]/.test(key) || (!isClass && typeof child === 'object')) walk(child, path ? `${path}.${key}` : key);
    }
  };
  for (const key of Object.keys(module)) if (key !== 'default') walk(module[key], key);
  return out.sort();
}
