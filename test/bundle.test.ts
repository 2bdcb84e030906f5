// What an app's bundle gets from keyguard (esbuild, as scripts/size.ts builds it): one zod in an
// app that has its own, and none of the features an app that uses only createClient does not use.
import { describe, expect, it } from 'vitest';
import { bundle, ERROR_PATH, FEATURES, mainExports, SSE_PARSER, subpathSource } from '../scripts/bundles.js';

// A message that only zod core has; it survives minification.
const ZOD_CORE = 'Encountered Promise during synchronous parse';
const count = (text: string, needle: string) => text.split(needle).length - 1;

const CLIENT_ONLY = `
  import { createClient } from 'keyguard';
  const client = createClient({ baseUrl: 'https://api.example.test/v1', apiKey: 'sk_test_1234567890abcdef' });
  export const me = () => client.get('/me');
`;

describe('an app bundle', () => {
  it('carries zod core once when the app imports zod itself and passes keyguard a zod schema', async () => {
    for (const zod of ['zod', 'zod/mini']) {
      const app = await bundle(`
        import * as z from '${zod}';
        import { createClient } from 'keyguard';
        const User = z.object({ id: z.number(), name: z.string() });
        const client = createClient({ baseUrl: 'https://api.example.test/v1' });
        export const user = () => client.get('/users/1', { schema: User });
      `);
      expect(count(app.code, ZOD_CORE)).toBe(1);
      expect(app.files.filter((file) => file.includes('node_modules/zod/v4/core/core.js'))).toHaveLength(1);
    }
  }, 30_000);

  it('of createClient alone carries no zod at all', async () => {
    const app = await bundle(CLIENT_ONLY);
    expect(count(app.code, ZOD_CORE)).toBe(0);
    expect(app.files.filter((file) => file.includes('node_modules/zod'))).toEqual([]);
  });

  it('of createClient alone carries none of the features kept in their own entries or tree-shaken', async () => {
    const exported = await mainExports();
    const clientOnly = await bundle(CLIENT_ONLY);
    expect(clientOnly.files).toContain('src/client.ts');
    let checked = 0;
    for (const feature of FEATURES) {
      const app =
        'subpath' in feature.via
          ? subpathSource(feature.via.subpath) && `export * from 'keyguard/${feature.via.subpath.replace(/^\.\//, '')}';`
          : exported.has(feature.via.export) && `export { ${feature.via.export} } from 'keyguard';`;
      // A feature in the table must be in the build: one that is not would pass without being checked.
      expect(app, `${feature.name}: ${JSON.stringify(feature.via)} is not in this build`).toBeTruthy();
      if (!app) continue;
      // The feature's own bundle has its files (so `files` really finds it) …
      const used = await bundle(app, 'node');
      const featureFiles = used.files.filter((file) => feature.files.test(file));
      expect(featureFiles, `${feature.name}: ${feature.files} matches nothing in its own bundle`).not.toEqual([]);
      // … and the createClient app has none of them.
      expect(
        clientOnly.files.filter((file) => feature.files.test(file)),
        feature.name,
      ).toEqual([]);
      checked++;
    }
    expect(checked).toBe(FEATURES.length);
  }, 60_000);

  it('of createClient or keyguardFetch alone loads the error path (classifier, hints, deep redaction, full key checks) lazily, not up front', async () => {
    for (const name of ['createClient', 'keyguardFetch']) {
      const app = await bundle(`export { ${name} } from 'keyguard';`);
      expect(
        app.files.filter((file) => ERROR_PATH.test(file)),
        name,
      ).toEqual([]);
      // The chunk the first failed answer loads (src/core/load-error-path.ts).
      expect(app.lazy.files, name).toEqual(
        expect.arrayContaining([
          'src/classify/verdict.ts',
          'src/classify/vocabulary.ts',
          'src/keys/hints.ts',
          'src/keys/lint-rules.ts',
          'src/internal/redact-deep.ts',
        ]),
      );
    }
    // The event-stream parser: loaded by the first client.sse(), never up front.
    const client = await bundle(CLIENT_ONLY);
    expect(client.files.filter((file) => SSE_PARSER.test(file))).toEqual([]);
    expect(client.lazy.files.filter((file) => SSE_PARSER.test(file))).not.toEqual([]);
    // An app that calls classifyKeyError or lintApiKey itself has it up front, and loads no second copy later.
    const both = await bundle("export { createClient, classifyKeyError, lintApiKey } from 'keyguard';");
    expect(both.files).toEqual(expect.arrayContaining(['src/classify/verdict.ts', 'src/keys/lint-rules.ts']));
    expect(both.lazy.files.filter((file) => /^src\/(classify\/|keys\/lint-rules)/.test(file))).toEqual([]);
  }, 30_000);
});
