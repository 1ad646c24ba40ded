// The model picker in the chat header: switches between the models ready to use here (the
// built-in ones, those downloaded or loaded from files, and Chrome's own model) without opening the Models dialog.
import { createMemo, For, onMount, Show } from 'solid-js';
import { BUILTIN_AI_MODEL_ID, BUILTIN_AI_NAME } from '../shared/builtinAi';
import { useStores } from '../stores';

export function ModelPicker() {
  const { models } = useStores();
  onMount(() => void models.loadCatalog());
  const options = createMemo(() => {
    const list = new Map<string, string>();
    for (const e of models.catalog()) if (e.source === 'bundled') list.set(e.id, e.name);
    for (const r of models.records()) if (r.status === 'installed') list.set(r.id, r.name);
    if (models.builtIn.status() === 'available' || models.activeId() === BUILTIN_AI_MODEL_ID) list.set(BUILTIN_AI_MODEL_ID, BUILTIN_AI_NAME);
    const active = models.activeId();
    if (!list.has(active)) list.set(active, active);
    return [...list].map(([id, name]) => ({ id, name }));
  });
  return (
    <Show when={options().length > 1}>
      <select class="model-picker" aria-label="Model" value={models.activeId()} onChange={(e) => void models.use(e.currentTarget.value)}>
        <For each={options()}>{(o) => <option value={o.id} selected={o.id === models.activeId()}>{o.name}</option>}</For>
      </select>
    </Show>
  );
}
