// Why a Hub download failed, named for the user: offline, the Hub unreachable (the name does not
// resolve, nothing answers, something blocks it), the Hub answering without letting this site
// read it (CORS), a server error (5xx), a missing repository or file (404), or a connection lost
// part-way. A browser reports the first three alike (a TypeError from fetch), so they are told
// apart by two probes of a file the download needs: a `no-cors` request (it reaches a server that
// answers, whatever its CORS headers) and a normal one (only a server allowing this site passes).
// A cross-origin isolated page (COEP require-corp, as Hearth is served) also refuses a `no-cors`
// answer without Cross-Origin-Resource-Policy, so there "unreachable" names CORS as a possibility.
import { DownloadError, isQuotaError } from './download';

export interface DiagnoseOptions {
  /** A URL on the Hub the download needs (its config.json). */
  probeUrl: string;
  fetch: typeof fetch;
  /** navigator.onLine (false: the device has no network at all). */
  online: boolean;
  /** crossOriginIsolated (default: the page's). */
  isolated?: boolean;
  /**
   * The Hub already answered this attempt (the download was planned from it): it is reachable and
   * allows this site, so a failed request means the connection was lost (no probes).
   */
  reached?: boolean;
  signal?: AbortSignal;
}

/** The Hub's host, as messages name it. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

async function answers(url: string, init: RequestInit, opts: DiagnoseOptions): Promise<boolean> {
  try {
    const res = await opts.fetch(url, { ...init, cache: 'no-store', signal: opts.signal });
    await res.body?.cancel().catch(() => undefined);
    return true;
  } catch {
    return false;
  }
}

/** `e` as a DownloadError whose code and message name the cause (errors that already do pass through). */
export async function diagnoseHubError(e: unknown, opts: DiagnoseOptions): Promise<unknown> {
  if (opts.signal?.aborted || isQuotaError(e)) return e;
  const host = hostOf(opts.probeUrl);
  if (e instanceof DownloadError) {
    if (e.code === 'aborted' || e.code === 'verify' || e.code === 'quota') return e;
    if (e.status === 404) return new DownloadError('not-found', `${e.message} Check the Hub URL (${host}) and the repository name.`, 404);
    if (e.status !== undefined && e.status >= 500) {
      return new DownloadError('server', `The Hub at ${host} has a problem on its side (HTTP ${e.status}). Try again later.`, e.status);
    }
    if (e.status !== undefined) return new DownloadError('http', `The Hub at ${host} refused the download (HTTP ${e.status}).`, e.status);
    if (e.code !== 'network') return e;
  } else if (!(e instanceof TypeError)) {
    return e;
  }
  if (!opts.online) return new DownloadError('offline', 'This device is offline, so the Hub cannot be reached.');
  if (opts.reached) return e instanceof DownloadError ? e : new DownloadError('network', 'The connection to the Hub was lost.');
  if (!(await answers(opts.probeUrl, { mode: 'no-cors' }, opts))) {
    const isolated = opts.isolated ?? (typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated);
    return new DownloadError(
      'unreachable',
      `The Hub at ${host} could not be reached: its name does not resolve, it does not answer, ${
        isolated ? 'something (a firewall, a proxy, a blocker) stops it, or it does not allow this site (CORS).' : 'or something (a firewall, a proxy, a blocker) stops it.'
      }`,
    );
  }
  if (!(await answers(opts.probeUrl, {}, opts))) {
    return new DownloadError(
      'cors',
      `The Hub at ${host} answers, but does not let this site download from it (CORS). A mirror must send Access-Control-Allow-Origin; check the Hub URL.`,
    );
  }
  return e instanceof DownloadError ? e : new DownloadError('network', 'The connection to the Hub was lost.');
}
