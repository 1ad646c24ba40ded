// Transient notices: errors (role alert), confirmations with an action such as "Undo".
import { createSignal } from 'solid-js';
import { errorText } from '../lib/errorText';

export interface ToastAction {
  label: string;
  run: () => void | Promise<void>;
}

export interface Toast {
  id: number;
  kind: 'info' | 'error';
  text: string;
  action?: ToastAction;
}

export interface ToastStore {
  toasts: () => Toast[];
  push(toast: Omit<Toast, 'id'>, timeoutMs?: number): number;
  /** Shows any caught value as a sentence (never "[object Object]"). */
  error(e: unknown, prefix?: string): number;
  dismiss(id: number): void;
}

export function createToastStore(): ToastStore {
  const [toasts, setToasts] = createSignal<Toast[]>([]);
  let next = 1;
  const timers = new Map<number, ReturnType<typeof setTimeout>>();

  const dismiss = (id: number) => {
    clearTimeout(timers.get(id));
    timers.delete(id);
    setToasts((list) => list.filter((t) => t.id !== id));
  };

  const push: ToastStore['push'] = (toast, timeoutMs) => {
    const id = next++;
    // Keep at most three on screen; identical error texts are not repeated.
    setToasts((list) => [...list.filter((t) => !(t.kind === toast.kind && t.text === toast.text)), { ...toast, id }].slice(-3));
    const ms = timeoutMs ?? (toast.kind === 'error' ? 12_000 : toast.action ? 8_000 : 4_000);
    if (ms > 0) timers.set(id, setTimeout(() => dismiss(id), ms));
    return id;
  };

  return {
    toasts,
    push,
    error: (e, prefix) => push({ kind: 'error', text: prefix ? `${prefix} ${errorText(e)}` : errorText(e) }),
    dismiss,
  };
}
