// `npm run size`: what each way of using keyguard costs a browser app, dependencies included,
// minified and gzipped: up front (the entry chunk and what it imports statically; this is what the
// budget holds) and in all (plus every chunk it may load lazily); fails above a scenario's budget. Also proves the main entry pulls in
// nothing Node-only: the bundle targets the browser and may not contain a `node:` import.
// The scenarios are the table in scripts/bundles.ts; docs/size.md has the numbers and why.
import { bundle, mainExports, SCENARIOS } from './bundles.js';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`.padStart(9);
const exported = await mainExports();
const failures: string[] = [];

for (const scenario of SCENARIOS) {
  const missing = scenario.needs.filter((name) => !exported.has(name));
  if (missing.length > 0) {
    console.log(`\n${scenario.label}\n  skipped: keyguard does not export ${missing.join(', ')} (yet)`);
    continue;
  }
  const measured = await bundle(scenario.code);
  const all = { minified: measured.minified + measured.lazy.minified, gzip: measured.gzip + measured.lazy.gzip };
  console.log(`\n${scenario.label}`);
  console.log(`  up front (entry + static)   minified ${kb(measured.minified)}  gzip ${kb(measured.gzip)}  (${measured.gzip} B)`);
  console.log(`  with every lazy chunk       minified ${kb(all.minified)}  gzip ${kb(all.gzip)}  (${all.gzip} B)`);
  if (measured.lazy.files.length > 0) console.log(`  lazy: ${measured.lazy.files.map(shortName).join(', ')}`);
  console.log('  by package (minified bytes up front):');
  for (const [name, bytes] of measured.packages) {
    console.log(`    ${name.padEnd(18)} ${kb(bytes)}  ${((bytes / measured.minified) * 100).toFixed(1).padStart(5)} %`);
  }
  if (measured.nodeImports.length > 0) failures.push(`${scenario.label}: imports Node-only modules: ${measured.nodeImports.join(', ')}`);
  if (scenario.budgetGzipBytes !== undefined) {
    const within = measured.gzip <= scenario.budgetGzipBytes;
    console.log(`  budget (up front, gzip) ${kb(scenario.budgetGzipBytes)}: ${within ? 'within' : 'OVER'}`);
    if (!within) failures.push(`${scenario.label}: ${kb(measured.gzip).trim()} gzip, budget ${kb(scenario.budgetGzipBytes).trim()}`);
  }
}

/** `src/classify/verdict.ts`, or the package name for a dependency's file. */
function shortName(file: string): string {
  return /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? file;
}

if (failures.length > 0) {
  console.error(`\nnpm run size failed:\n${failures.map((line) => `  - ${line}`).join('\n')}`);
  process.exit(1);
}
console.log('\nEvery scenario within its budget; no node: imports.');
