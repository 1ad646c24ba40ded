#!/usr/bin/env node
// Draws Hearth's app icons (a flame over a hearth) as PNGs with no dependencies: the pixels
// are computed here and written as zlib-compressed PNG. Run once and commit the output:
//   node scripts/make-icons.mjs        -> public/icon-192.png, icon-512.png, icon-maskable-512.png,
//                                         apple-touch-icon.png (180), favicon-32.png
// `maskable` icons keep the glyph inside the central 80% safe zone on a full-bleed background.
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', 'public');
const BG = [0x1f, 0x1b, 0x18]; // warm charcoal (the theme colour is #1f1b18)
const OUTER = [0xf2, 0x6b, 0x1d]; // orange flame
const INNER = [0xff, 0xc8, 0x3d]; // yellow core
const STONE = [0x8a, 0x5a, 0x44]; // hearth stones

// CRC32 for PNG chunks.
const CRC = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Flame: a teardrop (circle bottom, pointed top) in unit coordinates centred on (0, 0). */
function inFlame(x, y, scale) {
  const X = x / scale;
  const Y = y / scale;
  const r = 0.5;
  const cy = 0.15;
  if (Y >= cy) return X * X + (Y - cy) * (Y - cy) <= r * r;
  const t = (cy - Y) / 1.05; // 0 at the circle centre, 1 at the tip
  if (t > 1) return false;
  const half = r * Math.pow(1 - t, 1.3) * (1 + 0.25 * Math.sin(t * Math.PI));
  return Math.abs(X + 0.12 * Math.sin(t * 2.4)) <= half;
}

function draw(size, { maskable = false, round = true } = {}) {
  const px = Buffer.alloc(size * size * 4);
  const safe = maskable ? 0.8 : 1; // the glyph fits in the safe zone of a maskable icon
  const S = 4; // supersampling per axis
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let acc = [0, 0, 0, 0];
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const u = ((x + (sx + 0.5) / S) / size) * 2 - 1; // -1..1
          const v = ((y + (sy + 0.5) / S) / size) * 2 - 1;
          let c = null;
          let a = 1;
          // background: full bleed for maskable, rounded square otherwise
          const k = 0.78;
          const inBg = maskable || !round || Math.pow(Math.abs(u) / 1, 2 / (1 - k) * 2) + Math.pow(Math.abs(v), 2 / (1 - k) * 2) <= 1;
          if (!inBg) a = 0;
          c = BG;
          const gu = u / safe;
          const gv = v / safe;
          // hearth stones: a low arch of blocks under the flame
          if (gv > 0.42 && gv < 0.62 && Math.abs(gu) < 0.62) {
            const brick = Math.floor((gu + 0.62) / 0.31);
            const mortar = Math.abs(((gu + 0.62) % 0.31)) < 0.025 || Math.abs(gv - 0.52) < 0.012;
            c = mortar ? BG : brick % 2 ? STONE : [0x9c, 0x68, 0x4f];
          }
          if (inFlame(gu, gv + 0.02, 0.78)) c = OUTER;
          if (inFlame(gu * 1.05, gv - 0.16, 0.44)) c = INNER;
          acc[0] += c[0] * a;
          acc[1] += c[1] * a;
          acc[2] += c[2] * a;
          acc[3] += 255 * a;
        }
      }
      const n = S * S;
      const i = (y * size + x) * 4;
      const alpha = acc[3] / n;
      px[i] = alpha ? Math.round(acc[0] / (acc[3] / 255)) : 0;
      px[i + 1] = alpha ? Math.round(acc[1] / (acc[3] / 255)) : 0;
      px[i + 2] = alpha ? Math.round(acc[2] / (acc[3] / 255)) : 0;
      px[i + 3] = Math.round(alpha);
    }
  }
  return png(size, px);
}

mkdirSync(OUT, { recursive: true });
const outputs = [
  ['icon-192.png', draw(192)],
  ['icon-512.png', draw(512)],
  ['icon-maskable-512.png', draw(512, { maskable: true })],
  ['apple-touch-icon.png', draw(180, { round: false })],
  ['favicon-32.png', draw(32)],
];
for (const [name, data] of outputs) {
  writeFileSync(join(OUT, name), data);
  console.log(`${join('public', name)}  ${data.length} bytes`);
}
