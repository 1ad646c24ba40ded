// JSON too large for one JavaScript string (a ChatGPT conversations.json above 512 MB) read with a
// streaming parser (@streamparser/json) from the Blob's chunks: each top-level element (a
// conversation, or a top-level key's value) is built on its own and the text is never held whole.
import { JSONParser } from '@streamparser/json';
import { ImportProblem } from './problems';

export async function streamJson(blob: Blob, label: string): Promise<unknown> {
  const parser = new JSONParser({ paths: ['$', '$.*'], keepStack: false });
  let root: unknown[] | Record<string, unknown> | undefined;
  let done: unknown;
  let finished = false;
  let failure: Error | null = null;
  parser.onValue = ({ value, key, parent, stack }) => {
    if (stack.length === 0) {
      done = root ?? value; // the root arrives last, emptied of what was emitted before
      finished = true;
      return;
    }
    root ??= Array.isArray(parent) ? [] : {};
    if (Array.isArray(root)) root.push(value);
    else root[String(key)] = value;
  };
  parser.onError = (e) => {
    failure ??= e;
  };
  const reader = blob.stream().getReader();
  let first = true;
  try {
    for (;;) {
      const { done: end, value } = await reader.read();
      if (end) break;
      let chunk = value;
      if (first && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
      first = false;
      parser.write(chunk);
      if (failure) break;
    }
    if (!failure && !parser.isEnded) parser.end();
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  if (failure || !finished) {
    const reason = failure ? (failure as Error).message : 'it ends early';
    throw new ImportProblem('invalid-file', `${label}: is not valid JSON (cut off or damaged?): ${reason}`);
  }
  return done;
}
