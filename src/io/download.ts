// Saves a Blob as a file through a temporary object URL and an <a download> click.
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Give the browser time to start reading the Blob before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
