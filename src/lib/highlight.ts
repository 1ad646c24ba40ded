// highlight.js (core + the languages small models write most), loaded on demand by
// src/lib/markdown.ts so it stays out of the page's first bundle.
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

/** Highlighted HTML for `code` in `lang`, or the code escaped when the language is unknown. */
export function highlightCode(code: string, lang: string, escape: (text: string) => string): { html: string; language: string } {
  const language = lang && hljs.getLanguage(lang) ? lang : '';
  if (!language) return { html: escape(code), language: lang };
  try {
    return { html: hljs.highlight(code, { language, ignoreIllegals: true }).value, language };
  } catch {
    return { html: escape(code), language };
  }
}
