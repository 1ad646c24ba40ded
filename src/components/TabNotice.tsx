// Tells the user when another tab runs the model (this tab loads no second copy), or when another
// tab took it over; "Use the model here" moves it to this tab.
import { Show } from 'solid-js';
import type { TabRole } from '../engine/tabEngine';
import './models.css';

export function TabNotice(props: { role: TabRole; onUseHere: () => void }) {
  const text = () =>
    props.role === 'elsewhere'
      ? 'Hearth is running the model in another tab, so this tab does not load a second copy.'
      : props.role === 'lost'
        ? 'The model moved to another tab, so this tab stopped it to save memory.'
        : '';
  return (
    <Show when={text()}>
      <div class="tab-notice" role="alert">
        <span>{text()}</span>
        <button type="button" class="btn btn-small btn-primary" onClick={() => props.onUseHere()}>
          Use the model here
        </button>
      </div>
    </Show>
  );
}
