// Web Worker entry: exposes one TransformersEngine to the page through Comlink.
import * as Comlink from 'comlink';
import { TransformersEngine } from './engine';

Comlink.expose(new TransformersEngine());
