// Renders (sanitised) Markdown into a div. While a reply streams, re-rendering is throttled to
// one per animation frame (less often for very long text), so tokens never block the UI. A code
// block rendered before highlight.js has loaded is painted again once it has.
import { createEffect, onCleanup } from 'solid-js';
import { highlighterNeeded, loadHighlighter, renderMarkdown } from '../lib/markdown';

export function Markdown(props: { text: string; streaming?: boolean }) {
  let el!: HTMLDivElement;
  let frame = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let latest = '';

  let alive = true;
  const paint = () => {
    frame = 0;
    timer = undefined;
    el.innerHTML = renderMarkdown(latest);
    if (highlighterNeeded()) void loadHighlighter().then(() => alive && !frame && !timer && paint(), () => undefined);
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
    alive = false;
    cancelAnimationFrame(frame);
    clearTimeout(timer);
  });

  return <div class="markdown" ref={el} />;
}
