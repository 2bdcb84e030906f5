// What an app's bundler makes of keyguard: shared by `npm run size` (scripts/size.ts, the budgets)
// and test/bundle.test.ts (what an app that uses only createClient does not pay for). Everything
// here is data: add a scenario or a feature to the tables below, and both pick it up.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';

export const root = fileURLToPath(new URL('..', import.meta.url));

/** One app: what it imports from keyguard, and the most it may cost (minified + gzip, dependencies included). */
export interface Scenario {
  label: string;
  /** The runtime exports of `keyguard` it needs; it is skipped (and says so) while one is missing. */
  needs: string[];
  /** The app's source. */
  code: string;
  budgetGzipBytes?: number;
}

export const SCENARIOS: Scenario[] = [
  {
    label: "import { createClient } from 'keyguard' (with ky and p-retry)",
    needs: ['createClient'],
    code: "export { createClient } from 'keyguard';",
    // The target is 18 KB; docs/size.md says where the rest goes and what would close the gap.
    budgetGzipBytes: 29 * 1024,
  },
  {
    label: "import { keyguardFetch } from 'keyguard'",
    needs: ['keyguardFetch'],
    code: "export { keyguardFetch } from 'keyguard';",
    // The target is 9 KB; see docs/size.md.
    budgetGzipBytes: 18 * 1024,
  },
  { label: "import * from 'keyguard' (every export)", needs: [], code: "export * from 'keyguard';" },
];

/**
 * Features an app that uses only `createClient` must not pay for: each in its own entry
 * (`keyguard/<subpath>`) or tree-shaken out of the main one. `files` matches the feature's sources;
 * `use` is an app that uses the feature, to prove that `files` does find it in a bundle.
 */
export interface Feature {
  name: string;
  files: RegExp;
  /** A subpath entry of the package (`./testing`) or a runtime export of `keyguard`. */
  via: { subpath: string } | { export: string };
}

export const FEATURES: Feature[] = [
  { name: 'msw handlers (keyguard/testing)', files: /^src\/testing\/(handlers|index)\.ts$/, via: { subpath: './testing' } },
  { name: 'API simulator (keyguard/testing/simulator)', files: /^src\/testing\/simulator/, via: { subpath: './testing/simulator' } },
  { name: 'key share across processes (keyguard/redis)', files: /^src\/redis\//, via: { subpath: './redis' } },
  { name: 'key share (keyShare)', files: /^src\/keys\/key-share/, via: { export: 'keyShare' } },
  { name: 'streaming', files: /^src\/(stream|sse)/, via: { subpath: './stream' } },
  { name: 'providers', files: /^src\/providers\/(?!hooks\.ts)/, via: { subpath: './providers' } },
  { name: "other SDKs' errors (keyErrorOf)", files: /^src\/fetch\/key-error-of/, via: { export: 'keyErrorOf' } },
];

/** The runtime exports of the main entry, as they are in the sources. */
export async function mainExports(): Promise<Set<string>> {
  return new Set(Object.keys(await import('../src/index.js')));
}

/** The source file of a subpath entry, from package.json's exports and the tsup entry naming; undefined when there is none. */
export function subpathSource(subpath: string): string | undefined {
  const name = subpath.replace(/^\.\//, '');
  const candidates = [`src/${name}/index.ts`, `src/${name}.ts`, `src/${name}-entry.ts`];
  return candidates.find((file) => existsSync(`${root}${file}`));
}

export interface Bundle {
  code: string;
  minified: number;
  gzip: number;
  /** Source files (relative to the repository, e.g. `src/client.ts`) with bytes in the output. */
  files: string[];
  packages: Map<string, number>;
  nodeImports: string[];
}

/** Bundles `contents` as a browser app would (esbuild, minified, ESM), `keyguard` resolving to the sources. */
export async function bundle(contents: string, platform: 'browser' | 'node' = 'browser'): Promise<Bundle> {
  const result = await build({
    stdin: { contents, resolveDir: root, sourcefile: 'app.js', loader: 'js' },
    absWorkingDir: root,
    alias: {
      keyguard: `${root}src/index.ts`,
      'keyguard/testing/simulator': `${root}src/testing/simulator-entry.ts`,
      'keyguard/testing': `${root}src/testing/index.ts`,
      'keyguard/providers': `${root}src/providers/index.ts`,
      'keyguard/redis': `${root}src/redis/index.ts`,
    },
    bundle: true,
    minify: true,
    format: 'esm',
    platform,
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    // What is imported dynamically (the event-stream parser, loaded by the first client.sse) is a chunk
    // of its own, fetched only when used: what an app pays up front is the entry chunk.
    splitting: true,
    outdir: 'out',
    ...(platform === 'node' ? { external: ['msw', 'msw/*'] } : {}),
  });
  const [entryName, entry] = Object.entries(result.metafile.outputs).find(([, out]) => out.entryPoint !== undefined) ?? [];
  const output = result.outputFiles.find((file) => entryName && file.path.endsWith(entryName))?.contents ?? new Uint8Array();
  const code = new TextDecoder().decode(output);
  const inputs = entry?.inputs ?? {};
  const files = Object.entries(inputs)
    .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
    .map(([path]) => path);
  return {
    code,
    minified: output.byteLength,
    gzip: gzipSync(output).byteLength,
    files,
    packages: byPackage(entry ? { ...result.metafile, outputs: { [entryName as string]: entry } } : result.metafile),
    nodeImports: nodeOnlyImports(result.metafile, code),
  };
}

function nodeOnlyImports(metafile: Metafile, text: string): string[] {
  const found = new Set<string>();
  for (const input of Object.values(metafile.inputs)) {
    for (const imported of input.imports) if (imported.path.startsWith('node:') || imported.external) found.add(imported.path);
  }
  for (const match of text.matchAll(/["'`](node:[\w/]+)["'`]/g)) found.add(match[1] ?? '');
  return [...found];
}

/** Minified bytes in the output per npm package (`keyguard` for our own src/). */
function byPackage(metafile: Metafile): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const name = match?.[1] ?? (path.startsWith('src/') ? 'keyguard' : '(entry)');
      sizes.set(name, (sizes.get(name) ?? 0) + bytesInOutput);
    }
  }
  return new Map([...sizes].filter(([, bytes]) => bytes > 0).sort((a, b) => b[1] - a[1]));
}
