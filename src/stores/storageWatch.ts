// Notices when the database goes away under the app (another tab deleted or upgraded it, or the
// browser closed it): the page reloads its state from what is there now, then says why once.
import type { Storage } from '../db';
import type { ToastStore } from './toasts';

const FLAG = 'hearth-storage-lost';
const TEXT = {
  deleted: 'Hearth’s storage was deleted in another tab or by the browser; the conversations shown were reloaded.',
  upgraded: 'Hearth’s storage was upgraded by a newer version in another tab; the app was reloaded.',
};

export function watchStorage(storage: Storage, toasts: ToastStore, reload: () => void = () => location.reload()): void {
  const said = sessionStorage.getItem(FLAG) as keyof typeof TEXT | null;
  if (said) {
    sessionStorage.removeItem(FLAG);
    if (said in TEXT) toasts.push({ kind: 'info', text: TEXT[said] }, 15_000);
  }
  let lost = false;
  storage.onLost((reason) => {
    if (lost) return;
    lost = true;
    sessionStorage.setItem(FLAG, reason);
    reload();
  });
}
