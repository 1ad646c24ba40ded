// zod without its JIT: zod 4 probes `new Function` to compile fast parsers, which a strict
// Content-Security-Policy (no 'unsafe-eval') reports as a violation. Every module that builds
// zod schemas imports this first, so the probe never runs.
import { z } from 'zod';

z.config({ jitless: true });
