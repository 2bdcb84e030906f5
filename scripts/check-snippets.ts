// `npm run check:snippets`: every ```ts block in README.md and docs/*.md must type-check against
// the real sources, so the docs cannot drift from the code. Each block is its own module; the
// few names a snippet uses without defining (your vault, your client…) are declared in PRELUDE.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, '.tmp', 'snippets');
const PRELUDE = `import type { Client, ClientOptions, InvalidApiKeyError } from 'keyguard';
import type { KeyRecord } from 'keyguard/testing';
import type { ApiService } from '../../examples/api-service.js';
declare global {
  /** Stands for the reader's secret store in examples. */
  const vault: {
    rotate(reason?: string): Promise<string>;
    read(options?: { signal?: AbortSignal }): Promise<string>;
    get(name: string): Promise<string>;
  };
  /** A client created earlier in the page. */
  const client: Client;
  const queue: { retryIn(ms: number): void };
  function report(error: InvalidApiKeyError): void;
  /** Your typed SDK over the simulator (docs/testing.md): createApiService({ baseUrl: sim.url, apiKey: key, ...options }). */
  function service(key: KeyRecord | string | undefined, options?: Partial<ClientOptions>): ApiService;
}
export {};
`;

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'prelude.d.ts'), PRELUDE);

// A block right after `<!-- checked by test/rotation-recipes.test.ts -->` is a `#region` of that
// test, which runs it and checks the doc holds it verbatim; it is skipped here only if it is one.
const CHECKED_BY = 'test/rotation-recipes.test.ts';
const regions = [...readFileSync(join(root, CHECKED_BY), 'utf8').matchAll(/^( *)\/\/ #region \S+\n([\s\S]*?)^ *\/\/ #endregion/gm)].map(
  ([, indent = '', body = '']) =>
    body
      .split('\n')
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
      .join('\n')
      .trimEnd(),
);

const files = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const written: string[] = [];
const problems: string[] = [];
let skipped = 0;
for (const file of files) {
  const blocks = readFileSync(join(root, file), 'utf8').matchAll(/^(?:<!-- checked by (\S+) -->\n)?```ts\n([\s\S]*?)^```/gm);
  let n = 0;
  for (const [, checkedBy, code = ''] of blocks) {
    n += 1;
    if (checkedBy !== undefined) {
      if (checkedBy !== CHECKED_BY) problems.push(`${file} block ${n}: only ${CHECKED_BY} may check a block, not ${checkedBy}`);
      else if (!regions.includes(code.trimEnd()))
        problems.push(`${file} block ${n}: not a #region of ${CHECKED_BY}, so it must type-check here`);
      else skipped += 1;
      continue;
    }
    const name = `${file.replace(/[/.]/g, '_')}_${n}.ts`;
    // `export {}` makes each snippet a module, so snippets do not clash with each other.
    writeFileSync(join(out, name), `${code}\nexport {};\n`);
    written.push(`${file} block ${n} → .tmp/snippets/${name}`);
  }
}
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify({
    extends: '../../tsconfig.json',
    compilerOptions: {
      noEmit: true,
      noUnusedLocals: false,
      baseUrl: '../..',
      paths: {
        keyguard: ['src/index.ts'],
        'keyguard/testing': ['src/testing/index.ts'],
        'keyguard/testing/simulator': ['src/testing/simulator-entry.ts'],
        'keyguard/providers': ['src/providers/index.ts'],
        'keyguard/redis': ['src/redis/index.ts'],
      },
    },
    include: ['*.ts'],
  }),
);
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`type-checking ${written.length} snippets from ${files.length} files (${skipped} skipped: run by ${CHECKED_BY})`);
try {
  execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(out, 'tsconfig.json')], { stdio: 'inherit' });
} catch {
  console.error(`\nsnippets that failed are in .tmp/snippets; map:\n${written.join('\n')}`);
  process.exit(1);
}
console.log('all snippets type-check');
