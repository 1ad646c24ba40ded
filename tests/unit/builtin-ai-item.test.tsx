// @vitest-environment happy-dom
// The Models list's entry for Chrome's built-in AI in each state Chrome reports (against the API's
// fake): Use when available, In use once chosen, Download when downloadable (a refused download
// is an alert with Retry), Downloading while Chrome downloads it.
import 'fake-indexeddb/auto';
import { render } from 'solid-js/web';
import { afterEach, describe, expect, it } from 'vitest';
import { BuiltInAiItem } from '../../src/components/BuiltInAiItem';
import { openStorage } from '../../src/db';
import { languageModelApi } from '../../src/shared/builtinAi';
import { createAppStores } from '../../src/stores';
import { installFakeLanguageModel, type FakeLanguageModelConfig } from '../fixtures/fakeLanguageModel';
import { workerEngineStub } from './engineStubs';
import { until } from './until';

let n = 0;
let teardown: (() => void) | null = null;
afterEach(() => teardown?.());

async function mount(config: FakeLanguageModelConfig) {
  const control = installFakeLanguageModel(config);
  const root = document.createElement('ul');
  document.body.append(root);
  let stores!: ReturnType<typeof createAppStores>;
  const dispose = render(() => {
    stores = createAppStores({ storage: openStorage(`builtin-item-${++n}`), engine: workerEngineStub(), url: {}, locks: null, languageModel: languageModelApi });
    return <BuiltInAiItem models={stores.models} />;
  }, root);
  teardown = () => {
    dispose();
    root.remove();
    delete (globalThis as { LanguageModel?: unknown }).LanguageModel;
    teardown = null;
  };
  await stores.models.ready;
  const item = root.querySelector('li[aria-label="Chrome built-in AI (Gemini Nano)"]') as HTMLElement;
  const button = (name: string) => [...item.querySelectorAll('button')].find((b) => b.textContent?.trim() === name) ?? null;
  return { control, stores, item, button };
}

describe('BuiltInAiItem', () => {
  it('available: Use, then In use', async () => {
    const { item, button } = await mount({ availability: 'available' });
    expect(item.textContent).toContain('Built into Chrome');
    expect(item.dataset.status).toBe('installed');
    expect(button('Download')).toBeNull();
    button('Use')!.click();
    await until(() => item.textContent!.includes('In use'));
    expect(button('Use')).toBeNull();
  });

  it('downloadable: a refused download says why and offers Retry; a download with a click makes it usable', async () => {
    const { control, item, button } = await mount({ availability: 'downloadable', downloadStepMs: 30 });
    expect(item.textContent).toContain('Not downloaded');
    expect(item.dataset.status).toBe('available');
    expect(button('Use')).toBeNull();
    button('Download')!.click(); // happy-dom has no user activation: Chrome would refuse
    await until(() => item.querySelector('[role="alert"]') !== null);
    expect(item.querySelector('[role="alert"]')!.textContent).toContain('Chrome did not allow');
    control.userActivation = true;
    button('Retry')!.click();
    await until(() => item.querySelector('progress[aria-label="Downloading Chrome built-in AI (Gemini Nano)"]') !== null);
    expect(item.dataset.status).toBe('downloading');
    await until(() => button('Use') !== null);
    expect(item.querySelector('[role="alert"]')).toBeNull();
    expect(item.textContent).toContain('Built into Chrome');
  });

  it('downloading (started elsewhere): says so; Download watches it', async () => {
    const { item, button } = await mount({ availability: 'downloading' });
    expect(item.textContent).toContain('Downloading');
    button('Download')!.click();
    await until(() => button('Use') !== null);
  });
});
