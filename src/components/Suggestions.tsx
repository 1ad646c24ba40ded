// Suggested first prompts on the empty chat, chosen for the model in use: the small built-in models
// answer short everyday questions; the bigger Hub models can explain, write and plan.
import { For } from 'solid-js';
import { useStores } from '../stores';

const SMALL = ['Hello! How are you today?', 'What do you like to do on a rainy day?', 'Tell me about the sea.', 'What is a good name for a cat?'];
const CAPABLE = [
  'Explain how a rainbow forms, in three sentences.',
  'Write a haiku about autumn leaves.',
  'Give me three ideas for a quick vegetarian dinner.',
  'What is the difference between a list and a tuple in Python?',
];

/** Prompts that suit a model: its own strengths, never more than it can do in its context window. */
export function suggestionsFor(modelId: string, contextLength?: number): string[] {
  const small = modelId.startsWith('hearth-') || (contextLength !== undefined && contextLength < 1024);
  return small ? SMALL : CAPABLE;
}

export function Suggestions() {
  const { chat, engine, models } = useStores();
  const list = () => suggestionsFor(models.activeId(), engine.info()?.contextLength);
  return (
    <ul class="suggestions" aria-label="Suggestions">
      <For each={list()}>
        {(prompt) => (
          <li>
            <button type="button" class="suggestion" disabled={chat.streaming() !== null} onClick={() => void chat.send(prompt)}>
              {prompt}
            </button>
          </li>
        )}
      </For>
    </ul>
  );
}
