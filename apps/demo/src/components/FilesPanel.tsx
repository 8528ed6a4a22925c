import { useState } from 'react';
import type { WorkspaceFile } from '@agent-runtime/core';

/** The session's workspace files, each expandable to its contents (updated live). */
export function FilesPanel({ files }: { files: WorkspaceFile[] }) {
  const [closed, setClosed] = useState<Record<string, boolean>>({});
  const sorted = [...files].sort((a, b) => a.path.localeCompare(b.path));
  return (
    <aside className="files" data-testid="files-panel">
      <h2>
        Workspace <span className="muted small">{files.length} file{files.length === 1 ? '' : 's'}</span>
      </h2>
      {sorted.length === 0 && <p className="empty">Files the agent writes appear here.</p>}
      {sorted.map((file) => (
        <details
          key={file.path}
          className="file"
          open={!closed[file.path]}
          onToggle={(event) => {
            const open = (event.currentTarget as HTMLDetailsElement).open;
            setClosed((previous) => (previous[file.path] === !open ? previous : { ...previous, [file.path]: !open }));
          }}
          data-testid="file"
          data-path={file.path}
        >
          <summary>{file.path}</summary>
          <pre data-testid="file-content">{file.encoding === 'base64' ? `(binary, ${Math.round((file.content.length * 3) / 4)} bytes)` : file.content}</pre>
        </details>
      ))}
    </aside>
  );
}
