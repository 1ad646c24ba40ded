// A small ZIP64 archive built by hand (stored entries, ZIP64 extra fields in the local and central
// headers, ZIP64 end-of-central-directory record and locator, 0xFFFF / 0xFFFFFFFF in the classic
// end record), as exports over 4 GiB or 65,535 entries are written. fflate writes no ZIP64.
import { strToU8 } from 'fflate';

function crc32(data: Uint8Array): number {
  let c = ~0;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

class Writer {
  bytes: number[] = [];
  u16(v: number) { this.bytes.push(v & 0xff, (v >>> 8) & 0xff); }
  u32(v: number) { for (let i = 0; i < 4; i++) this.bytes.push((v >>> (8 * i)) & 0xff); }
  u64(v: number) { this.u32(v % 2 ** 32); this.u32(Math.floor(v / 2 ** 32)); }
  raw(b: Uint8Array) { this.bytes.push(...b); }
}

export function zip64Of(files: Record<string, Uint8Array>): Uint8Array {
  const w = new Writer();
  const central = new Writer();
  const entries = Object.entries(files);
  for (const [name, data] of entries) {
    const offset = w.bytes.length;
    const fn = strToU8(name);
    const crc = crc32(data);
    w.u32(0x04034b50); w.u16(45); w.u16(0x800); w.u16(0); w.u16(0); w.u16(0); w.u32(crc);
    w.u32(0xffffffff); w.u32(0xffffffff); w.u16(fn.length); w.u16(20); w.raw(fn);
    w.u16(1); w.u16(16); w.u64(data.length); w.u64(data.length);
    w.raw(data);
    central.u32(0x02014b50); central.u16(45); central.u16(45); central.u16(0x800); central.u16(0); central.u16(0); central.u16(0); central.u32(crc);
    central.u32(0xffffffff); central.u32(0xffffffff); central.u16(fn.length); central.u16(28); central.u16(0); central.u16(0); central.u16(0); central.u32(0);
    central.u32(0xffffffff); central.raw(fn);
    central.u16(1); central.u16(24); central.u64(data.length); central.u64(data.length); central.u64(offset);
  }
  const cdOffset = w.bytes.length;
  w.raw(new Uint8Array(central.bytes));
  const eocd64 = w.bytes.length;
  w.u32(0x06064b50); w.u64(44); w.u16(45); w.u16(45); w.u32(0); w.u32(0); w.u64(entries.length); w.u64(entries.length); w.u64(central.bytes.length); w.u64(cdOffset);
  w.u32(0x07064b50); w.u32(0); w.u64(eocd64); w.u32(1);
  w.u32(0x06054b50); w.u16(0xffff); w.u16(0xffff); w.u16(0xffff); w.u16(0xffff); w.u32(0xffffffff); w.u32(0xffffffff); w.u16(0);
  return new Uint8Array(w.bytes);
}
