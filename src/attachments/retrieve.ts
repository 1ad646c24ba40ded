// Ranking passages by relevance to a question: BM25 over the passages with MiniSearch (a small,
// well-kept full-text index). Passages the question does not match follow in file order, so the
// budget is still used and nothing is chosen at random.
import MiniSearch from 'minisearch';

/** Words too common to say what a question is about. */
const STOP_WORDS = new Set(
  ('a an and are as at be but by can could did do does for from had has have how i if in into is it its me my no not of on or ' +
    'our so than that the their them then there these they this to was we were what when where which who why will with would you your').split(' '),
);
const processTerm = (term: string) => {
  const t = term.toLowerCase();
  return STOP_WORDS.has(t) ? null : t;
};

/** Passage indices, most relevant first; every index appears once. */
export function rankPassages(passages: string[], question: string): number[] {
  const matched: number[] = [];
  if (question.trim() && passages.length > 1) {
    const index = new MiniSearch<{ id: number; text: string }>({ fields: ['text'], idField: 'id', processTerm });
    index.addAll(passages.map((text, id) => ({ id, text })));
    for (const hit of index.search(question, { combineWith: 'OR', prefix: (term) => term.length > 3 })) matched.push(hit.id as number);
  }
  const seen = new Set(matched);
  return [...matched, ...passages.map((_, i) => i).filter((i) => !seen.has(i))];
}
