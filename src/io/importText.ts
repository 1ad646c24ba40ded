// Small helpers every importer shares: a conversation's title (the source's, or made from its
// first user message as ChatGPT names untitled chats), and times read defensively.

const TITLE_MAX = 200;

/** The source's title, else the first line of the first user message, else "Untitled conversation". */
export function titleOf(title: unknown, firstUserText: string | undefined): string {
  const clean = (s: string) => s.replace(/[#*_`>[\]]+/g, ' ').replace(/\s+/g, ' ').trim();
  const own = typeof title === 'string' ? title.replace(/\s+/g, ' ').trim() : '';
  if (own) return own.slice(0, TITLE_MAX);
  const line = clean((firstUserText ?? '').split('\n').find((l) => clean(l)) ?? '');
  if (!line) return 'Untitled conversation';
  if (line.length <= 60) return line;
  const cut = line.slice(0, 60);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 30 ? cut.lastIndexOf(' ') : 60)}…`;
}

/** Milliseconds from epoch seconds (or milliseconds, or an ISO date); null when absent or absurd. */
export function timeOf(value: unknown): number | null {
  let t: number;
  if (typeof value === 'number') t = value;
  else if (typeof value === 'string' && value.trim()) t = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Date.parse(value) / 1000;
  else return null;
  if (!Number.isFinite(t) || t <= 0) return null;
  if (t > 1e14) t /= 1e6; // microseconds
  else if (t > 1e11) t /= 1000; // milliseconds
  return t < 1e11 ? Math.round(t * 1000) : null;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
