// Name-based UUIDs, version 5 (RFC 9562 §5.5): SHA-1 of namespace bytes + name, with the version
// and variant bits set. Deterministic ids let an import recognise what it already brought in.

const HEX = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parse(uuid: string): Uint8Array {
  if (!HEX.test(uuid)) throw new Error(`Not a UUID: ${uuid}`);
  const hex = uuid.replace(/-/g, '');
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function format(bytes: Uint8Array): string {
  const h = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** UUIDv5 of `name` (UTF-8) in `namespace`, with WebCrypto's SHA-1. */
export async function uuidv5(name: string, namespace: string): Promise<string> {
  const ns = parse(namespace);
  const text = new TextEncoder().encode(name);
  const input = new Uint8Array(ns.length + text.length);
  input.set(ns);
  input.set(text, ns.length);
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-1', input));
  const bytes = hash.slice(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // variant 10xx
  return format(bytes);
}

/** RFC 9562's DNS namespace (used by the test vector). */
export const NAMESPACE_DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
/** Hearth's namespace for ids derived from ChatGPT ids: uuidv5('https://hearth.local/chatgpt', URL namespace). */
export const CHATGPT_NAMESPACE = '5350bf9d-3488-5e45-a729-361f9f2f0fb4';
