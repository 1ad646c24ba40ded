// @vitest-environment happy-dom
// A conversation row (ConversationItem) and its "Conversation actions" menu (MenuButton): a click
// on the title opens the conversation; the menu opens on the first item (click, ArrowDown) or the
// last (ArrowUp), arrows wrap, Home / End jump, Esc closes it and gives focus back to its button,
// and its items pin / unpin, rename and delete the real stored conversation. tests/e2e/sidebar.spec.ts
// drives the same row in Chromium (Enter / Space, a click in the middle of the title).
import 'fake-indexeddb/auto';
import { render } from 'solid-js/web';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/db';
import { createAppStores, StoresContext } from '../../src/stores';
import { ConversationItem } from '../../src/components/ConversationItem';
import { idleEngine as engine } from './uiHelpers';
import { until } from './until';

let dispose: (() => void) | null = null;
afterEach(() => {
  dispose?.();
  dispose = null;
  document.body.innerHTML = '';
});

const $ = <T extends Element = HTMLElement>(sel: string) => document.querySelector<T>(sel);
const menuButton = () => $<HTMLButtonElement>('button[aria-label="Conversation actions"]')!;
const menu = () => $('[role="menu"]');
const items = () => Array.from(document.querySelectorAll<HTMLElement>('[role="menuitem"]'));
const focused = () => (document.activeElement as HTMLElement | null)?.textContent?.trim();
const key = (el: Element, k: string) => el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
const tick = () => new Promise((r) => setTimeout(r, 0));

async function mount(name: string) {
  const stores = createAppStores({ storage: openStorage(name), engine, url: {}, locks: null });
  const created = await stores.storage.conversations.create({ title: 'Trip to Lisbon' });
  await until(() => stores.conversations.hits().some((h) => h.conversation.title === 'Trip to Lisbon'));
  const exported: string[] = [];
  let opened = 0;
  const root = document.createElement('div');
  document.body.append(root);
  dispose = render(
    () => (
      <StoresContext.Provider value={stores}>
        <ul>
          <ConversationItem
            hit={stores.conversations.hits().find((h) => h.conversation.id === created.id) ?? { conversation: created }}
            onOpen={() => opened++}
            onExport={(c) => exported.push(c.title)}
          />
        </ul>
      </StoresContext.Provider>
    ),
    root,
  );
  return { stores, id: created.id, exported, opened: () => opened };
}

describe('conversation row and its actions menu', () => {
  it('opens the conversation on a click on its title', async () => {
    const { stores, id, opened } = await mount('menu-open');
    stores.conversations.select(null);
    $<HTMLElement>('.conv-title')!.click();
    expect(stores.conversations.activeId()).toBe(id);
    expect(opened()).toBe(1);
    expect(menu()).toBeNull(); // the row's click does not open the menu
  });

  it('is a menu button: opens on the first item, arrows wrap, Home / End, Esc returns focus', async () => {
    await mount('menu-keys');
    const button = menuButton();
    expect(button.getAttribute('aria-haspopup')).toBe('menu');
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(menu()).toBeNull();

    button.click();
    await tick();
    expect(button.getAttribute('aria-expanded')).toBe('true');
    expect(menu()!.getAttribute('aria-label')).toBe('Conversation actions');
    expect(button.getAttribute('aria-controls')).toBe(menu()!.id);
    expect(items().map((i) => i.textContent?.trim())).toEqual(['Pin', 'Rename', 'Export', 'Delete']);
    expect(focused()).toBe('Pin');
    key(document.activeElement!, 'ArrowDown');
    expect(focused()).toBe('Rename');
    key(document.activeElement!, 'ArrowUp');
    key(document.activeElement!, 'ArrowUp');
    expect(focused()).toBe('Delete'); // wrapped
    key(document.activeElement!, 'ArrowDown');
    expect(focused()).toBe('Pin'); // wrapped back
    key(document.activeElement!, 'End');
    expect(focused()).toBe('Delete');
    key(document.activeElement!, 'Home');
    expect(focused()).toBe('Pin');

    const esc = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true });
    document.activeElement!.dispatchEvent(esc);
    expect(esc.defaultPrevented).toBe(true); // the app's own Esc (stop a reply, close the drawer) stays out
    expect(menu()).toBeNull();
    expect(document.activeElement).toBe(button);
    expect(button.getAttribute('aria-expanded')).toBe('false');

    key(button, 'ArrowUp');
    await tick();
    expect(focused()).toBe('Delete');
    key(document.activeElement!, 'Tab');
    expect(menu()).toBeNull();
    key(button, 'ArrowDown');
    await tick();
    expect(focused()).toBe('Pin');
    document.body.dispatchEvent(new Event('pointerdown', { bubbles: true }));
    expect(menu()).toBeNull(); // a click elsewhere closes it
  });

  it('pins and unpins, renames, exports and deletes the stored conversation', async () => {
    const { stores, id, exported } = await mount('menu-actions');
    const choose = async (label: string) => {
      menuButton().click();
      await tick();
      items().find((i) => i.textContent?.trim() === label)!.click();
    };
    await choose('Pin');
    await until(() => !!$('.conv.pinned'));
    expect(document.activeElement).toBe(menuButton()); // focus back on the row's button
    menuButton().click();
    await tick();
    expect(items()[0].textContent?.trim()).toBe('Unpin');
    key(document.activeElement!, 'Escape');
    await choose('Unpin');
    await until(() => !$('.conv.pinned'));

    await choose('Export');
    expect(exported).toEqual(['Trip to Lisbon']);

    await choose('Rename');
    await until(() => !!$('input[aria-label="Title"]'));
    const field = $<HTMLInputElement>('input[aria-label="Title"]')!;
    await until(() => document.activeElement === field);
    field.value = 'Lisbon and Porto';
    key(field, 'Enter');
    await until(() => stores.conversations.hits().some((h) => h.conversation.title === 'Lisbon and Porto'));

    await choose('Delete');
    await until(() => !stores.conversations.hits().some((h) => h.conversation.id === id));
  });
});
