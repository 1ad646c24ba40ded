// The key-derivation worker: runs Argon2id off the main thread (exposed with Comlink).
import * as Comlink from 'comlink';
import { deriveSecret } from './kdfCore';

Comlink.expose({ deriveSecret });
