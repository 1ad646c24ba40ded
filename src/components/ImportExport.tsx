// The sidebar's foot: "Export all" and the "Import conversations" file input (Hearth's export,
// ChatGPT's .zip or its conversations.json), with the export and import dialogs they open.
import type { IoStore } from '../stores/io';
import { ExportDialog } from './ExportDialog';
import { ImportDialog } from './ImportDialog';
import './io.css';

export function ImportExport(props: { io: IoStore }) {
  return (
    <div class="io-foot">
      <button type="button" class="btn btn-small btn-ghost" onClick={() => props.io.openExport()}>
        Export all
      </button>
      <label class="btn btn-small btn-ghost io-import">
        Import conversations
        <input
          type="file"
          class="io-file"
          accept=".json,.zip,application/json,application/zip"
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = ''; // choosing the same file again fires change again
            if (file) void props.io.chooseFile(file);
          }}
        />
      </label>
      <ExportDialog io={props.io} />
      <ImportDialog io={props.io} />
    </div>
  );
}
