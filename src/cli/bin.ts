#!/usr/bin/env node
// The `keyguard` command: `npx keyguard doctor --provider openai`. See docs/diagnose.md.
import { main } from './doctor.js';

const MAX_STDIN = 64 * 1024;

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY)
    process.stderr.write('keyguard doctor: paste the key, then press Enter and Ctrl+D (it is not echoed back by doctor).\n');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > MAX_STDIN) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

main({
  argv: process.argv.slice(2),
  env: process.env,
  readStdin,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.stderr.write('keyguard: internal error.\n');
    process.exitCode = 1;
  },
);
