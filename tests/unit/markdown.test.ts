// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
// DOMPurify does not work under happy-dom (its node iterator skips nodes after a removal), so
// these tests check the pipeline that is safe by construction (`markdownToHtml`); the sanitiser
// on top of it is exercised in a real browser by the end-to-end tests.
import { highlighterNeeded, installCodeCopy, loadHighlighter, markdownToHtml as renderMarkdown, safeUrl } from '../../src/lib/markdown';

function dom(html: string): HTMLElement {
  const div = document.createElement('div');
  div.innerHTML = html;
  return div;
}

describe('renderMarkdown', () => {
  it('renders normal Markdown', () => {
    const el = dom(renderMarkdown('# Title\n\nSome **bold** and `code`.\n\n- a\n- b\n\n| x | y |\n|---|---|\n| 1 | 2 |'));
    expect(el.querySelector('h1')?.textContent).toBe('Title');
    expect(el.querySelector('strong')?.textContent).toBe('bold');
    expect(el.querySelector('code')?.textContent).toBe('code');
    expect(el.querySelectorAll('li')).toHaveLength(2);
    expect(el.querySelector('table td')?.textContent).toBe('1');
  });

  it('highlights fenced code once highlight.js has loaded, and adds a Copy code button', async () => {
    const before = dom(renderMarkdown('```ts\nconst x: number = 1;\n```'));
    expect(before.querySelector('pre > code')?.textContent).toBe('const x: number = 1;');
    expect(before.querySelector('.hljs-keyword')).toBeNull(); // escaped until it loads
    expect(highlighterNeeded()).toBe(true);
    await loadHighlighter();
    expect(highlighterNeeded()).toBe(false);
    const el = dom(renderMarkdown('```ts\nconst x: number = 1;\n```'));
    const code = el.querySelector('pre > code');
    expect(code?.textContent).toBe('const x: number = 1;');
    expect(code?.className).toContain('language-ts');
    expect(code?.querySelector('.hljs-keyword')).not.toBeNull();
    const btn = el.querySelector('button');
    expect(btn?.getAttribute('aria-label')).toBe('Copy code');
    expect(btn?.getAttribute('onclick')).toBeNull();
  });

  it('handles an unknown language and an unclosed fence (streaming)', () => {
    const el = dom(renderMarkdown('```klingon\n<b>x</b>'));
    expect(el.querySelector('pre > code')?.textContent).toBe('<b>x</b>');
    expect(el.querySelector('b')).toBeNull();
  });

  it('drops <script> and shows raw HTML as text', () => {
    const html = renderMarkdown('hello <script>window.pwned = 1</script>\n\n<script>alert(1)</script>');
    const el = dom(html);
    expect(el.querySelector('script')).toBeNull();
    expect(html.toLowerCase()).not.toContain('<script');
    expect(el.textContent).toContain('hello');
  });

  it('neutralises onerror= payloads', () => {
    for (const src of ['<img src=x onerror=alert(1)>', 'text <img src="x" onerror="alert(1)"> more', '<div onclick="alert(1)">hi</div>', '<svg onload=alert(1)>']) {
      const el = dom(renderMarkdown(src));
      expect(el.querySelectorAll('[onerror],[onclick],[onload]')).toHaveLength(0);
      expect(el.querySelector('img,svg,div')).toBeNull();
    }
  });

  it('removes javascript: URLs and marks links safe', () => {
    const el = dom(renderMarkdown('[click](javascript:alert(1)) [ok](https://example.com) [x](JaVaScRiPt:alert(2)) <a href="javascript:alert(3)">raw</a>'));
    for (const a of el.querySelectorAll('a')) {
      expect((a.getAttribute('href') ?? '').toLowerCase()).not.toContain('javascript');
    }
    const ok = [...el.querySelectorAll('a')].find((a) => a.textContent === 'ok');
    expect(ok?.getAttribute('href')).toBe('https://example.com');
    expect(ok?.getAttribute('rel')).toBe('noopener noreferrer');
    expect(ok?.getAttribute('target')).toBe('_blank');
  });

  it('filters URLs by scheme', () => {
    expect(safeUrl('https://a.b/c')).toBe('https://a.b/c');
    expect(safeUrl('mailto:x@y.z')).toBe('mailto:x@y.z');
    expect(safeUrl('/docs#x')).toBe('/docs#x');
    expect(safeUrl('java\tscript:alert(1)')).toBeNull();
    expect(safeUrl(' javascript:alert(1)')).toBeNull();
    expect(safeUrl('data:text/html,<script>')).toBeNull();
    expect(safeUrl('vbscript:x')).toBeNull();
    expect(safeUrl('//evil.example')).toBeNull();
  });

  it('turns images into links (no remote loads) and blocks attribute injection', () => {
    const el = dom(renderMarkdown('![cat](https://example.com/cat.png) ![x](x" onerror="alert(1))'));
    expect(el.querySelector('img')).toBeNull();
    expect(el.querySelectorAll('[onerror]')).toHaveLength(0);
    expect(el.textContent).toContain('[image: cat]');
  });

  // Inputs that make backtracking parsers blow up; a hang fails on the test's time limit (no
  // wall-clock assertion: a busy machine must not fail it).
  it('renders 100 kB inputs whole, pathological ones included', () => {
    const el = document.createElement('div');
    el.innerHTML = renderMarkdown('word '.repeat(20_000));
    expect(el.textContent!.trim().split(/\s+/)).toHaveLength(20_000);
    for (const bad of ['*'.repeat(50_000), '['.repeat(50_000), '_a'.repeat(5_000), '`'.repeat(50_000), '> '.repeat(25_000), '<'.repeat(50_000)]) {
      el.innerHTML = renderMarkdown(`${bad} x\n\nthe end`);
      expect(el.textContent, bad.slice(0, 4)).toContain('the end');
    }
  }, 30_000);
});

describe('installCodeCopy', () => {
  it('copies the code of the clicked block', async () => {
    const root = dom(renderMarkdown('```js\nlet a = 1;\n```\n\n```\nsecond\n```'));
    document.body.append(root);
    const copied: string[] = [];
    const off = installCodeCopy(root, async (t) => {
      copied.push(t);
      return true;
    });
    (root.querySelectorAll('button')[1] as HTMLButtonElement).click();
    (root.querySelectorAll('button')[0] as HTMLButtonElement).click();
    await Promise.resolve();
    expect(copied).toEqual(['second', 'let a = 1;']);
    off();
    root.remove();
  });
});
