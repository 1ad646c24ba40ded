// Types of scripts/serve.mjs (the static server behind `npm start`), for the TypeScript tests.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const DEFAULT_ROOT: string;
export const DEFAULT_PORT: number;
export const DEFAULT_HOST: string;
export const MIME_TYPES: Record<string, string>;
export const DEFAULT_CONNECT_SRC: string;
export function contentSecurityPolicy(connectSrc?: string): string;
export function securityHeaders(connectSrc?: string): Record<string, string>;
export function acceptedEncodings(header: string | undefined): Set<string>;
export function cacheControlFor(urlPath: string): string;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function parseRange(header: string | undefined, size: number): any;
export function createHandler(root: string, options?: { connectSrc?: string }): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function startServer(options?: { root?: string; port?: number; host?: string; connectSrc?: string }): Promise<any>;
