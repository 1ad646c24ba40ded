// A button that opens a small menu of actions (the WAI-ARIA menu button pattern): Enter, Space or
// a click opens it with focus on the first item, ArrowDown / ArrowUp open it on the first / last
// item; in the menu the arrows move (wrapping), Home / End jump, Esc closes it and returns focus to
// the button, Tab or a click elsewhere closes it. Choosing an item closes the menu, gives focus back
// to the button, then runs the item (which may move focus on, as Rename does to its field). The menu
// is position: fixed under the button, so a scrolling list does not clip it; it closes when the
// page scrolls or resizes.
import { createSignal, createUniqueId, For, onCleanup, Show, type JSX } from 'solid-js';
import { Icon, type IconName } from './icons';

export interface MenuAction {
  label: string;
  icon?: IconName;
  danger?: boolean;
  onSelect: () => void;
}

export function MenuButton(props: { label: string; items: MenuAction[]; class?: string; title?: string }): JSX.Element {
  const [open, setOpen] = createSignal(false);
  const [place, setPlace] = createSignal<JSX.CSSProperties>({});
  const id = createUniqueId();
  let button: HTMLButtonElement | undefined;
  let menu: HTMLDivElement | undefined;

  const items = () => Array.from(menu?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);
  const focusItem = (index: number) => {
    const all = items();
    if (all.length) all[(index + all.length) % all.length].focus();
  };

  const onOutside = (e: Event) => {
    const target = e.target as Node | null;
    if (target && (menu?.contains(target) || button?.contains(target))) return;
    close(false);
  };
  const onScroll = (e: Event) => {
    if (!menu?.contains(e.target as Node)) close(false);
  };
  const listen = (on: boolean) => {
    const method = on ? 'addEventListener' : 'removeEventListener';
    document[method]('pointerdown', onOutside, true);
    window[method]('scroll', onScroll, true);
    window[method]('resize', onScroll);
  };
  onCleanup(() => listen(false));

  function openMenu(focus: 'first' | 'last') {
    if (!button) return;
    const r = button.getBoundingClientRect();
    const below = r.bottom + 200 < window.innerHeight;
    setPlace({
      right: `${Math.max(4, window.innerWidth - r.right)}px`,
      ...(below ? { top: `${r.bottom + 2}px` } : { bottom: `${window.innerHeight - r.top + 2}px` }),
    });
    setOpen(true);
    listen(true);
    queueMicrotask(() => focusItem(focus === 'first' ? 0 : -1));
  }

  function close(refocus: boolean) {
    if (!open()) return;
    setOpen(false);
    listen(false);
    if (refocus) button?.focus();
  }

  const onMenuKey = (e: KeyboardEvent) => {
    const all = items();
    const at = all.indexOf(document.activeElement as HTMLElement);
    const moves: Record<string, () => void> = {
      ArrowDown: () => focusItem(at + 1),
      ArrowUp: () => focusItem(at - 1),
      Home: () => focusItem(0),
      End: () => focusItem(-1),
      Escape: () => close(true),
    };
    if (e.key === 'Tab') close(false);
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    e.stopPropagation();
    move();
  };

  return (
    <>
      <button
        type="button"
        ref={button}
        class={props.class}
        aria-label={props.label}
        title={props.title ?? props.label}
        aria-haspopup="menu"
        aria-expanded={open()}
        aria-controls={open() ? id : undefined}
        onClick={() => (open() ? close(false) : openMenu('first'))}
        onKeyDown={(e) => {
          if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
          e.preventDefault();
          openMenu(e.key === 'ArrowDown' ? 'first' : 'last');
        }}
      >
        <Icon name="dots" size={16} />
      </button>
      <Show when={open()}>
        <div class="menu" role="menu" id={id} aria-label={props.label} ref={menu} style={place()} onKeyDown={onMenuKey}>
          <For each={props.items}>
            {(item) => (
              <button
                type="button"
                role="menuitem"
                tabindex="-1"
                class="menu-item"
                classList={{ danger: item.danger }}
                onClick={() => {
                  close(true);
                  item.onSelect();
                }}
              >
                <Show when={item.icon}>{(name) => <Icon name={name()} size={15} />}</Show>
                <span>{item.label}</span>
              </button>
            )}
          </For>
        </div>
      </Show>
    </>
  );
}
