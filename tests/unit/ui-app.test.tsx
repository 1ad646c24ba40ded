// @vitest-environment happy-dom
// The app shell renders the names and hooks of docs/ui-contract.md, sends with Enter, streams
// with a Stop button, stops on Esc, and tells the user when storage is full.
import 'fake-indexeddb/auto';
import { render } from 'solid-js/web';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/App';
import { openStorage, StorageError, type Storage } from '../../src/db';
import { createAppStores } from '../../src/stores';
import type { EngineApi, GenerateRequest, GenerateResult, Outcome } from '../../src/shared/engine';

class SlowEngine implements EngineApi {
  stopped = false;
  async capabilities() {
    return { webgpu: false, crossOriginIsolated: false, hardwareConcurrency: 2 };
  }
  async load() {
    return { ok: true as const, value: { modelId: 'm', backend: 'wasm' as const, dtype: 'q8', contextLength: 256, threads: 1, fallbackReason: 'WebGPU failed (no adapter); using WebAssembly.' } };
  }
  async generate(_r: GenerateRequest, onToken?: (p: string) => void): Promise<Outcome<GenerateResult>> {
    this.stopped = false;
    let text = '';
    for (let i = 0; i < 200 && !this.stopped; i++) {
      await new Promise((r) => setTimeout(r, 10));
      const piece = i === 0 ? '**Hi** <img src=x onerror=alert(1)> ' : `w${i} `;
      text += piece;
      onToken?.(piece);
    }
    return { ok: true, value: { text, finishReason: this.stopped ? 'interrupted' : 'stop', promptTokens: 5, completionTokens: 3, tokensPerSecond: 12.5, droppedTurns: 0, truncatedLatest: false, backend: 'wasm', modelId: 'm' } };
  }
  async interrupt() {
    this.stopped = true;
  }
  async unload() {}
}

async function until(cond: () => boolean, ms = 8000) {
  const t = Date.now();
  while (!cond()) {
    if (Date.now() - t > ms) throw new Error(`timed out waiting for ${cond.toString()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const q = <T extends Element = HTMLElement>(sel: string) => document.querySelector(sel) as T | null;
const byLabel = (label: string) => q(`[aria-label="${label}"]`);
let dispose: (() => void) | null = null;
let n = 0;
afterEach(() => {
  dispose?.();
  dispose = null;
  document.body.innerHTML = '';
  history.replaceState(null, '', '/');
});

function mount(storage: Storage = openStorage(`ui-app-${++n}`)) {
  const root = document.createElement('div');
  document.body.append(root);
  const engine = new SlowEngine();
  dispose = render(() => <App stores={createAppStores({ storage, engine, url: {}, locks: null })} autoLoad={false} />, root);
  return { engine, storage };
}

function type(el: HTMLTextAreaElement, value: string) {
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
}
function key(el: Element, k: string, init: KeyboardEventInit = {}) {
  el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...init }));
}

describe('App', () => {
  it('exposes the contract names', () => {
    mount();
    expect(q('textarea[aria-label="Message"]')).not.toBeNull();
    expect((byLabel('Send') as HTMLButtonElement).disabled).toBe(true);
    expect(q('nav[aria-label="Conversations"]')).not.toBeNull();
    expect(q('input[type="search"][aria-label="Search conversations"]')).not.toBeNull();
    expect(byLabel('Settings')).not.toBeNull();
    expect([...document.querySelectorAll('button')].some((b) => b.textContent?.trim() === 'New chat')).toBe(true);
    expect(q('[role="log"]')).not.toBeNull();
    expect(q('[role="status"]')?.getAttribute('data-state')).toBe('idle');
    expect(q('dialog[aria-labelledby="settings-title"]')).not.toBeNull();
  });

  it('sends with Enter, streams with Stop, stops on Esc, renders safely', async () => {
    mount();
    const box = q<HTMLTextAreaElement>('textarea[aria-label="Message"]')!;
    key(box, 'Enter');
    type(box, 'Hello');
    key(box, 'Enter', { shiftKey: true });
    expect(document.querySelectorAll('article')).toHaveLength(0);
    key(box, 'Enter');
    await until(() => document.querySelectorAll('article').length === 2);
    const [user, reply] = [...document.querySelectorAll('article')];
    expect(user.getAttribute('aria-label')).toBe('You');
    expect(reply.getAttribute('aria-label')).toBe('Assistant');
    await until(() => !!byLabel('Stop') && (reply.querySelector('.markdown')?.textContent ?? '').includes('w3'));
    expect(reply.getAttribute('data-status')).toBe('streaming');
    expect(q('[role="status"]')?.getAttribute('data-state')).toBe('generating');
    expect(q('[role="status"]')?.getAttribute('data-backend')).toBe('wasm');
    expect(reply.querySelector('img')).toBeNull();
    expect(reply.querySelector('strong')?.textContent).toBe('Hi');
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }));
    await until(() => document.querySelector('article[aria-label="Assistant"]')?.getAttribute('data-status') === 'interrupted');
    // Stopped by the user: "Stopped", not the "Interrupted" of a closed tab or a crash.
    expect(document.querySelector('article[aria-label="Assistant"]')?.textContent).toContain('Stopped.');
    expect(document.querySelector('article[aria-label="Assistant"]')?.textContent).not.toContain('Interrupted');
    expect(byLabel('Send')).not.toBeNull();
    expect(q('[role="status"]')?.textContent).toContain('tok/s');
    // The engine fell back from WebGPU: the reason is shown.
    expect(document.body.textContent).toContain('WebGPU failed (no adapter)');
    // The conversation got its title from the first message.
    await until(() => q('nav[aria-label="Conversations"] li button')?.textContent === 'Hello');
  });

  it('tells the user when storage is full and keeps the typed message', async () => {
    const storage = openStorage(`ui-app-${++n}`);
    storage.messages.add = async () => {
      throw new StorageError('quota', 'The browser has no more storage space for Hearth.', true);
    };
    mount(storage);
    const box = q<HTMLTextAreaElement>('textarea[aria-label="Message"]')!;
    type(box, 'Keep me');
    key(box, 'Enter');
    await until(() => !!q('[role="alert"]'));
    expect(q('[role="alert"]')?.textContent).toMatch(/storage space/);
    expect(q('[role="alert"]')?.textContent).not.toContain('[object Object]');
    await until(() => box.value === 'Keep me');
  });
});
