// Keyboard focus after an action removes or disables the control that had it (Regenerate,
// Continue): it goes to the message box, where Esc stops the new reply, never to the page body.
export function focusMessageBox(): void {
  queueMicrotask(() => document.querySelector<HTMLTextAreaElement>('.composer textarea')?.focus());
}
