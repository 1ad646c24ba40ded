// Renders (sanitised) Markdown into a div. While a reply streams, re-rendering is throttled to
// one per animation frame (less often for very long text), so tokens never block the UI.
import { createEffect, onCleanup } from 'solid-js';
import { renderMarkdown } from '../lib/markdown';

export function Markdown(props: { text: string; streaming?: boolean }) {
  let el!: HTMLDivElement;
  let frame = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let latest = '';

  const paint = () => {
    frame = 0;
    timer = undefined;
    el.innerHTML = renderMarkdown(latest);
  };

  createEffect(() => {
    latest = props.text;
    if (!props.streaming) {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
      paint();
      return;
    }
    if (frame || timer) return;
    // Long replies cost more to re-render: paint them less often.
    if (latest.length > 20_000) timer = setTimeout(paint, 250);
    else frame = requestAnimationFrame(paint);
  });

  onCleanup(() => {
    cancelAnimationFrame(frame);
    clearTimeout(timer);
  });

  return <div class="markdown" ref={el} />;
}
