// Splitting a text into passages for retrieval: paragraphs merged up to a target length, long
// paragraphs split at line, sentence or word boundaries. Every character of the text is in
// exactly one passage (apart from the whitespace between them), in order.

/** Passage length in characters for a model's context window (in tokens). */
export function passageChars(contextLength: number): number {
  return Math.max(200, Math.min(1500, Math.round(contextLength / 2)));
}

/** Splits `text` at the last good boundary before `max` characters, repeatedly. */
function splitLong(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    let cut = Math.max(window.lastIndexOf('\n'), window.search(/[.!?]\s[^.!?]*$/) + 1);
    if (cut < max / 3) cut = window.lastIndexOf(' ');
    if (cut < max / 3) cut = max;
    out.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.trim()) out.push(rest.trim());
  return out.filter(Boolean);
}

export function chunkText(text: string, maxChars: number): string[] {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n+/)
    .map((p) => p.trim())
    .filter(Boolean)
    .flatMap((p) => (p.length > maxChars ? splitLong(p, maxChars) : [p]));
  const chunks: string[] = [];
  let cur = '';
  for (const p of paragraphs) {
    if (cur && cur.length + 2 + p.length > maxChars) {
      chunks.push(cur);
      cur = p;
    } else cur = cur ? `${cur}\n\n${p}` : p;
  }
  if (cur) chunks.push(cur);
  return chunks;
}
