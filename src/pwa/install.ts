// "Install app": keeps the browser's beforeinstallprompt event (captured as soon as this module
// loads, before the UI mounts) so a button can show the install prompt later.
import { createSignal } from 'solid-js';

interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

const [deferred, setDeferred] = createSignal<BeforeInstallPromptEvent | null>(null);
const [installed, setInstalled] = createSignal(
  typeof window !== 'undefined' && !!window.matchMedia?.('(display-mode: standalone)').matches,
);

if (typeof window !== 'undefined') {
  window.addEventListener('beforeinstallprompt', (e) => {
    e.preventDefault(); // we show our own button
    setDeferred(e as BeforeInstallPromptEvent);
  });
  window.addEventListener('appinstalled', () => {
    setDeferred(null);
    setInstalled(true);
  });
}

/** True while the browser offers installation. */
export const canInstall = () => deferred() !== null && !installed();
export const isInstalled = installed;

/** Shows the browser's install prompt; resolves true when the user accepted. */
export async function promptInstall(): Promise<boolean> {
  const e = deferred();
  if (!e) return false;
  setDeferred(null); // the event can be used once
  await e.prompt();
  const choice = await e.userChoice;
  if (choice.outcome === 'accepted') setInstalled(true);
  return choice.outcome === 'accepted';
}
