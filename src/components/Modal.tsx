// The modal <dialog> shell every dialog of the app uses: it opens (showModal) and closes as
// `open` changes, runs `onOpen` as it opens (to reset the dialog's fields), and turns Esc and,
// unless `backdropCloses` is false, a click on the backdrop into `onClose`: the store or
// component that owns the open state decides. Labelled by its heading's id.
import { createEffect, untrack, type JSX } from 'solid-js';

export function Modal(props: {
  open: boolean;
  onClose: () => void;
  onOpen?: () => void;
  class: string;
  labelledBy: string;
  backdropCloses?: boolean;
  children: JSX.Element;
}) {
  let dialog!: HTMLDialogElement;
  createEffect(() => {
    if (props.open && !dialog.open) {
      untrack(() => props.onOpen?.());
      dialog.showModal();
    } else if (!props.open && dialog.open) dialog.close();
  });
  return (
    <dialog
      ref={dialog}
      class={props.class}
      aria-labelledby={props.labelledBy}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
      onClick={(e) => {
        if (props.backdropCloses !== false && e.target === dialog) props.onClose();
      }}
    >
      {props.children}
    </dialog>
  );
}
