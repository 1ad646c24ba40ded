// What the benchmark page hands a measuring worker (raw.worker.ts, stock.worker.ts).
export interface WorkerJob {
  model: string;
  modelUrl: string;
  config: Record<string, unknown>;
  build?: 'asyncify' | 'plain' | 'mixed';
  threads: number;
  /** Token ids after the chat template: the decode prompt and a 200-token prompt. */
  prompts: { decode: number[]; ttft: number[] };
  newTokens: number;
  runs: number;
  warmupMs: number;
}
