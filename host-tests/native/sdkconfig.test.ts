// Checks of the board configuration: sdkconfig.defaults (NimBLE peripheral only, MTU 517, watchdogs, TLS policy, log
// ceiling, production overlay current) and partitions.csv (4 MB, aligned, no overlap, two OTA slots, NVS keys).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

function keys(path: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^(CONFIG_[A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) {
      expect(map.has(m[1]!), `${path}: ${m[1]} set twice`).toBe(false);
      map.set(m[1]!, m[2]!);
    }
  }
  return map;
}

describe('sdkconfig', () => {
  const dev = keys('sdkconfig.defaults');
  const prod = keys('sdkconfig/production/sdkconfig.defaults');

  it('configures NimBLE as a BLE-only peripheral with MTU 517 and one connection', () => {
    for (const [k, v] of [
      ['CONFIG_BT_NIMBLE_ENABLED', 'y'], ['CONFIG_BTDM_CTRL_MODE_BLE_ONLY', 'y'], ['CONFIG_BT_NIMBLE_ROLE_PERIPHERAL', 'y'],
      ['CONFIG_BT_NIMBLE_ROLE_CENTRAL', 'n'], ['CONFIG_BT_NIMBLE_ROLE_OBSERVER', 'n'], ['CONFIG_BT_NIMBLE_ATT_PREFERRED_MTU', '517'],
      ['CONFIG_BT_NIMBLE_MAX_CONNECTIONS', '1'],
    ]) expect(dev.get(k!), k).toBe(v);
  });

  it('turns the task watchdog on and keeps Wi-Fi credentials out of the driver NVS', () => {
    expect(dev.get('CONFIG_ESP_TASK_WDT_EN')).toBe('y');
    expect(dev.get('CONFIG_ESP_TASK_WDT_INIT')).toBe('y');
    expect(dev.get('CONFIG_ESP_WIFI_NVS_ENABLED')).toBe('n');
  });

  it('requires verified TLS 1.2+ and caps logs at INFO (no component debug output can leak secrets)', () => {
    expect(dev.get('CONFIG_ESP_TLS_INSECURE')).toBe('n');
    expect(dev.get('CONFIG_MBEDTLS_SSL_PROTO_TLS1_2')).toBe('y');
    expect(dev.get('CONFIG_MBEDTLS_DEBUG')).toBe('n');
    expect(dev.get('CONFIG_LOG_MAXIMUM_LEVEL_INFO')).toBe('y');
    expect([...dev.keys()].some((k) => /LOG_MAXIMUM_LEVEL_(DEBUG|VERBOSE)/.test(k))).toBe(false);
  });

  it('has a current production folder that adds NVS and flash encryption and keeps everything else', () => {
    const r = spawnSync('node', ['tools/native/gen-sdkconfig.mjs', '--check'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(dev.get('CONFIG_NVS_ENCRYPTION')).toBe('n');
    expect(prod.get('CONFIG_NVS_ENCRYPTION')).toBe('y');
    expect(prod.get('CONFIG_SECURE_FLASH_ENC_ENABLED')).toBe('y');
    for (const [k, v] of dev) {
      if (/^CONFIG_(NVS_ENCRYPTION|LOG_DEFAULT_LEVEL_|LOG_MAXIMUM_LEVEL_)/.test(k)) continue;
      expect(prod.get(k), k).toBe(v);
    }
  });
});

describe('partitions.csv', () => {
  const rows = readFileSync('partitions.csv', 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.split(',').map((c) => c.trim()))
    .map(([name, type, subtype, offset, size, flags]) => ({
      name: name!, type: type!, subtype: subtype!, offset: Number(offset), size: Number(size), flags: flags ?? '',
    }));

  it('has nvs, nvs_keys, otadata, phy_init and two OTA app slots', () => {
    expect(rows.map((r) => r.name)).toEqual(
      expect.arrayContaining(['nvs', 'nvs_keys', 'otadata', 'phy_init', 'ota_0', 'ota_1']),
    );
    expect(rows.find((r) => r.name === 'nvs_keys')!.flags).toBe('encrypted');
    expect(rows.find((r) => r.name === 'nvs_keys')!.size).toBe(0x1000);
    expect(rows.find((r) => r.name === 'otadata')!.size).toBe(0x2000);
    expect(rows.filter((r) => r.type === 'app').map((r) => r.subtype)).toEqual(['ota_0', 'ota_1']);
  });

  it('fits 4 MB after the partition table, aligned, without overlap', () => {
    let end = 0x9000; // bootloader + partition table (CONFIG_PARTITION_TABLE_OFFSET 0x8000, 4 KB)
    for (const r of [...rows].sort((a, b) => a.offset - b.offset)) {
      expect(r.offset, r.name).toBeGreaterThanOrEqual(end);
      expect(r.offset % (r.type === 'app' ? 0x10000 : 0x1000), r.name).toBe(0);
      expect(r.size % 0x1000, r.name).toBe(0);
      end = r.offset + r.size;
    }
    expect(end).toBeLessThanOrEqual(0x400000);
    const [a, b] = rows.filter((r) => r.type === 'app');
    expect(a!.size).toBe(b!.size); // an update must fit either slot
  });
});
