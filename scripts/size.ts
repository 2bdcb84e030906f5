// `npm run size`: what each way of using keyguard costs a browser app, dependencies included,
// minified and gzipped; fails above a scenario's budget. Also proves the main entry pulls in
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
  console.log(
    `\n${scenario.label}\n  minified ${kb(measured.minified)}  (${measured.minified} B)\n  gzip     ${kb(measured.gzip)}  (${measured.gzip} B)`,
  );
  console.log('  by package (minified bytes in the bundle):');
  for (const [name, bytes] of measured.packages) {
    console.log(`    ${name.padEnd(18)} ${kb(bytes)}  ${((bytes / measured.minified) * 100).toFixed(1).padStart(5)} %`);
  }
  if (measured.nodeImports.length > 0) failures.push(`${scenario.label}: imports Node-only modules: ${measured.nodeImports.join(', ')}`);
  if (scenario.budgetGzipBytes !== undefined) {
    const within = measured.gzip <= scenario.budgetGzipBytes;
    console.log(`  budget   ${kb(scenario.budgetGzipBytes)}  gzip: ${within ? 'within' : 'OVER'}`);
    if (!within) failures.push(`${scenario.label}: ${kb(measured.gzip).trim()} gzip, budget ${kb(scenario.budgetGzipBytes).trim()}`);
  }
}

if (failures.length > 0) {
  console.error(`\nnpm run size failed:\n${failures.map((line) => `  - ${line}`).join('\n')}`);
  process.exit(1);
}
console.log('\nEvery scenario within its budget; no node: imports.');
