// One command for the browser example (from the repository root, after `npm run build`):
//   node examples/browser/serve.mjs
// Starts the "API Service" simulator and a tiny static server for this page, then prints the URL.
// The static server also plays the app's backend: it hands out the key and rotates it.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { startSimulator } from 'keyguard/testing';

const here = fileURLToPath(new URL('.', import.meta.url));
const port = Number(process.env.PORT ?? 5173);

const sim = await startSimulator({ keyTtlMs: 10 * 60_000 });
let current = sim.issueKey({ label: 'browser-example' });

const bundle = await build({
  entryPoints: [`${here}main.js`],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  write: false,
  logLevel: 'error',
});
const mainJs = bundle.outputFiles[0].text;

const json = (res, status, value) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
};

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'GET' && url.pathname === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(await readFile(`${here}index.html`));
  } else if (req.method === 'GET' && url.pathname === '/main.js') {
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(mainJs);
  } else if (req.method === 'GET' && url.pathname === '/session') {
    json(res, 200, { apiUrl: sim.url, key: current.key });
  } else if (req.method === 'POST' && url.pathname === '/session/rotate') {
    current = sim.rotateKey(current.id);
    json(res, 200, { key: current.key });
  } else if (req.method === 'POST' && url.pathname === '/session/expire') {
    sim.expireKey(current.id);
    res.writeHead(204).end();
  } else {
    res.writeHead(404).end();
  }
});

server.listen(port, '127.0.0.1', () => {
  console.log(`browser example: http://127.0.0.1:${port}/  (simulator API at ${sim.url})`);
  console.log('Press Ctrl+C to stop.');
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    server.close();
    await sim.close();
    process.exit(0);
  });
}
