// Writes docs/export-format.schema.json from the zod schemas in src/io/format.ts
// (`npm run export-schema`); tests/unit/io-format.test.ts checks the file is up to date.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { exportJsonSchema } from '../../src/io/format';

const target = fileURLToPath(new URL('../../docs/export-format.schema.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(exportJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
