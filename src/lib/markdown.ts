// Markdown for untrusted model output: marked -> escaped raw HTML -> DOMPurify, with
// highlight.js (core + a few languages, src/lib/highlight.ts) for code blocks and a "Copy code"
// button per block. highlight.js loads on demand: the first code block renders escaped, asks for
// it (`highlighterNeeded`), and the Markdown component paints again once `loadHighlighter` resolves.
// The copy buttons work through event delegation (`installCodeCopy`), never inline handlers.
import { Marked, type Tokens } from 'marked';
import DOMPurify from 'dompurify';
import type { highlightCode } from './highlight';

/** Only web, mail and relative links survive; `javascript:`, `data:` etc. are dropped. */
export function safeUrl(href: string | null | undefined): string | null {
  // Browsers ignore control characters and whitespace inside a scheme ("java\tscript:").
  const url = (href ?? '').replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
  if (!url) return null;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  if (!scheme) return url.startsWith('//') ? null : url;
  return /^(https?|mailto)$/i.test(scheme[1]) ? url : null;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

let highlighter: typeof highlightCode | null = null;
let loading: Promise<void> | null = null;
let wanted = false;

/** Loads highlight.js (once); later renders highlight code blocks. */
export function loadHighlighter(): Promise<void> {
  loading ??= import('./highlight').then((m) => {
    highlighter = m.highlightCode;
  });
  return loading;
}

/** True when a render met a code block before highlight.js was loaded. */
export function highlighterNeeded(): boolean {
  return wanted && !highlighter;
}

function highlight(code: string, lang: string): { html: string; language: string } {
  if (!highlighter) {
    wanted = true;
    return { html: escapeHtml(code), language: lang };
  }
  return highlighter(code, lang, escapeHtml);
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    code({ text, lang }: Tokens.Code): string {
      const name = (lang ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
      const { html, language } = highlight(text.replace(/\n$/, ''), name);
      const cls = language ? ` class="hljs language-${escapeHtml(language)}"` : ' class="hljs"';
      return (
        `<div class="code-block"><div class="code-head"><span class="code-lang">${escapeHtml(language || 'text')}</span>` +
        `<button type="button" class="code-copy" data-copy-code="" aria-label="Copy code">Copy code</button></div>` +
        `<pre><code${cls}>${html}</code></pre></div>\n`
      );
    },
    // Raw HTML from the model is shown as text, never interpreted.
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(text);
    },
    link(this: { parser: { parseInline(tokens: Tokens.Generic[]): string } }, { href, title, tokens }: Tokens.Link): string {
      const inner = this.parser.parseInline(tokens);
      const url = safeUrl(href);
      if (!url) return inner;
      const t = title ? ` title="${escapeHtml(title)}"` : '';
      return `<a href="${escapeHtml(url)}"${t} target="_blank" rel="noopener noreferrer">${inner}</a>`;
    },
    // No remote fetches from model output: images become links.
    image({ href, text }: Tokens.Image): string {
      const label = `[image: ${escapeHtml(text || 'image')}]`;
      const url = safeUrl(href);
      return url ? `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${label}</a>` : label;
    },
  },
});

let purifier: ReturnType<typeof DOMPurify> | null = null;

function getPurifier(): ReturnType<typeof DOMPurify> {
  if (purifier) return purifier;
  const p = DOMPurify(window);
  p.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A') {
      if (node.hasAttribute('href')) {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      }
    }
  });
  purifier = p;
  return p;
}

const PURIFY_CONFIG = {
  FORBID_TAGS: ['style', 'form', 'input', 'textarea', 'select', 'option', 'iframe', 'object', 'embed', 'img', 'video', 'audio', 'source', 'svg', 'math', 'link', 'meta', 'base'],
  FORBID_ATTR: ['style', 'srcset', 'formaction', 'action', 'xlink:href'],
  ADD_ATTR: ['target'],
  ALLOW_UNKNOWN_PROTOCOLS: false,
};

/**
 * Markdown to HTML that is safe by construction: raw HTML escaped, URLs filtered, code escaped
 * or highlighted. Exported for tests; the app uses `renderMarkdown`.
 */
export function markdownToHtml(source: string): string {
  try {
    return marked.parse(source, { async: false });
  } catch (e) {
    // marked recurses per nesting level: thousands of nested quotes or lists exhaust the stack.
    // Such text is shown as it is, escaped, rather than not at all.
    if (!(e instanceof RangeError)) throw e;
    return `<p class="md-plain">${escapeHtml(source).replace(/\n/g, '<br>')}</p>`;
  }
}

/** Markdown to sanitised HTML, ready for `innerHTML` (DOMPurify as a second line of defence). */
export function renderMarkdown(source: string): string {
  return getPurifier().sanitize(markdownToHtml(source), PURIFY_CONFIG) as string;
}

/** Copies the code of the block whose "Copy code" button was clicked (event delegation). */
export function installCodeCopy(root: HTMLElement, copy: (text: string) => Promise<boolean>): () => void {
  const onClick = (ev: MouseEvent) => {
    const button = (ev.target as Element | null)?.closest?.('[data-copy-code]') as HTMLButtonElement | null;
    if (!button || !root.contains(button)) return;
    const code = button.closest('.code-block')?.querySelector('pre code');
    if (!code) return;
    void copy(code.textContent ?? '').then((ok) => {
      button.textContent = ok ? 'Copied' : 'Copy failed';
      button.classList.toggle('copied', ok);
      setTimeout(() => {
        button.textContent = 'Copy code';
        button.classList.remove('copied');
      }, 1500);
    });
  };
  root.addEventListener('click', onClick);
  return () => root.removeEventListener('click', onClick);
}
