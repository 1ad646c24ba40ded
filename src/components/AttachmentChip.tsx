// Attachment chips: the file name, an image thumbnail / the first lines of a text / a PDF's page
// count, and what went to the model ("sent to the model: whole file", "… 3 of 41 passages") or why
// it cannot read the file. A click opens the full preview; pending chips have "Remove <name>".
// Names are text nodes (never HTML); images are shown from blob: URLs as <img> (an SVG cannot run).
import { createResource, createSignal, For, Show } from 'solid-js';
import { formatBytes } from '../attachments/kinds';
import { usageText } from '../attachments/prepare';
import { chipKind, useObjectUrl, type ChipItem } from './attachmentFile';
import { AttachmentPreview } from './AttachmentPreview';
import { Icon } from './icons';

function Thumb(props: { data: Blob; name: string }) {
  const url = useObjectUrl(() => props.data);
  return <img class="att-thumb" src={url()} alt="" />;
}

/** The first lines of a text file (read from its first bytes). */
async function firstLines(data: Blob): Promise<string> {
  const head = await data.slice(0, 400).text();
  return head.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim()).slice(0, 2).join('\n');
}

export function AttachmentChip(props: ChipItem & { onOpen: () => void }) {
  const kind = () => chipKind(props.file);
  const [lines] = createResource(() => (kind() === 'text' ? props.file.data : null), firstLines);
  const detail = () => {
    if (kind() === 'pdf' && props.file.pageCount !== undefined) return `${props.file.pageCount} page${props.file.pageCount === 1 ? '' : 's'}`;
    if (kind() === 'text') return lines() ?? '';
    return formatBytes(props.file.size);
  };
  const status = () => {
    if (props.reading) return 'Reading…';
    if (props.usage) return usageText(props.usage);
    return props.file.note ?? '';
  };
  return (
    <li class="att-chip" data-kind={kind()}>
      <button type="button" class="att-open" aria-label={`Open ${props.file.name}`} title={props.file.name} onClick={() => props.onOpen()}>
        <Show when={kind() === 'image'} fallback={<Icon name="file" size={22} class="att-icon" />}>
          <Thumb data={props.file.data} name={props.file.name} />
        </Show>
        <span class="att-text">
          <span class="att-name">{props.file.name}</span>
          <span class="att-detail">{detail()}</span>
        </span>
      </button>
      <Show when={status()}>
        <span class="att-status" classList={{ 'att-note': !props.usage && !props.reading }}>
          {status()}
        </span>
      </Show>
      <Show when={props.onRemove}>
        <button type="button" class="icon-btn att-remove" aria-label={`Remove ${props.file.name}`} title="Remove" onClick={() => props.onRemove?.()}>
          <Icon name="close" size={14} />
        </button>
      </Show>
    </li>
  );
}

/** A list of chips, each opening its preview. */
export function AttachmentList(props: { items: ChipItem[]; label?: string }) {
  const [open, setOpen] = createSignal<ChipItem['key'] | null>(null);
  const current = () => props.items.find((i) => i.key === open());
  return (
    <Show when={props.items.length}>
      <ul class="att-list" aria-label={props.label ?? 'Attachments'}>
        <For each={props.items}>{(item) => <AttachmentChip {...item} onOpen={() => setOpen(item.key)} />}</For>
      </ul>
      <Show when={current()}>{(item) => <AttachmentPreview file={item().file} usage={item().usage} onClose={() => setOpen(null)} />}</Show>
    </Show>
  );
}
