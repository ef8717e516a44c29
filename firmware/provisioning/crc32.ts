// CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320) for the NVS record checksum (firmware/storage/record.ts).
// Table-free bitwise form: the record is < 120 bytes, so speed does not matter and no 1 KB table sits in RAM.

export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    crc ^= data[i];
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
