// What an imported answer carries besides its text (src/io/chatgptParts.ts): the steps the model
// took on the way ("Thought for 14 s", "Searched the web", "Ran Python"), in a disclosure above
// the answer that is closed until the user opens it, and the documents it wrote (ChatGPT's
// canvas), shown as documents: a title and the Markdown body.
import { createSignal, createUniqueId, For, Show } from 'solid-js';
import type { ImportedDocument, ImportedStep } from '../db/types';
import { Markdown } from './Markdown';

/** The disclosure's name: the steps' labels, each once, in order ("Thought for 14 s · Ran Python"). */
export function stepsSummary(steps: ImportedStep[]): string {
  const labels = [...new Set(steps.map((s) => s.label))];
  return labels.length > 3 ? `${labels.slice(0, 3).join(' · ')} · ${labels.length - 3} more` : labels.join(' · ');
}

export function ImportedSteps(props: { steps: ImportedStep[] }) {
  const [open, setOpen] = createSignal(false);
  const id = createUniqueId();
  return (
    <div class="msg-steps">
      <button type="button" class="msg-steps-toggle" aria-expanded={open()} aria-controls={open() ? id : undefined} onClick={() => setOpen(!open())}>
        <span class="msg-steps-caret" aria-hidden="true">{open() ? '▾' : '▸'}</span>
        {stepsSummary(props.steps)}
      </button>
      <Show when={open()}>
        <div id={id} role="region" aria-label="Steps" class="msg-steps-body">
          <For each={props.steps}>
            {(step) => (
              <div class="msg-step" data-kind={step.kind}>
                <p class="msg-step-label">{step.label}</p>
                <Show when={step.text.trim()}>
                  <Markdown text={step.text} />
                </Show>
              </div>
            )}
          </For>
        </div>
      </Show>
    </div>
  );
}

export function ImportedDocuments(props: { documents: ImportedDocument[] }) {
  return (
    <For each={props.documents}>
      {(doc) => (
        <section class="msg-doc" aria-label={`Document: ${doc.title}`}>
          {/* A document that opens with its own title as a heading shows it once. */}
          <Show when={!startsWithTitle(doc)}>
            <h3 class="msg-doc-title">{doc.title}</h3>
          </Show>
          <Markdown text={doc.text} />
        </section>
      )}
    </For>
  );
}

/** True when the document's Markdown begins with a heading that is its title ("# Rain"). */
export function startsWithTitle(doc: { title: string; text: string }): boolean {
  const first = /^\s*#{1,6}\s+(.+?)\s*#*\s*(?:\n|$)/.exec(doc.text);
  return !!first && first[1].trim().toLowerCase() === doc.title.trim().toLowerCase();
}
