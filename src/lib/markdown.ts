// Markdown for untrusted model output: marked -> escaped raw HTML -> DOMPurify, with
// highlight.js (core + a few languages) for code blocks and a "Copy code" button per block.
// The copy buttons work through event delegation (`installCodeCopy`), never inline handlers.
import { Marked, type Tokens } from 'marked';
import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import css from 'highlight.js/lib/languages/css';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';

const LANGUAGES = { bash, c, cpp, css, go, java, javascript, json, python, rust, sql, typescript, xml };
for (const [name, lang] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, lang);
hljs.registerAliases(['html', 'svg'], { languageName: 'xml' });
hljs.registerAliases(['shell', 'sh', 'zsh', 'console'], { languageName: 'bash' });

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

function highlight(code: string, lang: string): { html: string; language: string } {
  const language = lang && hljs.getLanguage(lang) ? lang : '';
  if (!language) return { html: escapeHtml(code), language: lang };
  try {
    return { html: hljs.highlight(code, { language, ignoreIllegals: true }).value, language };
  } catch {
    return { html: escapeHtml(code), language };
  }
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
  return marked.parse(source, { async: false });
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
