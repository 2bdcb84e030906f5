// `npm run serve`: the "API Service" simulator in the foreground, for trying things with curl.
// PORT picks the port (default 8787). A bad or busy port is one line on stderr and exit code 1.
const fail = (line: string): never => {
  process.stderr.write(`npm run serve: ${line}\n`);
  process.exit(1);
};

const text = process.env.PORT?.trim() || '8787';
const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
if (!(port >= 1 && port <= 65_535)) fail(`PORT must be a whole number from 1 to 65535, got ${JSON.stringify(text.slice(0, 40))}.`);

// Imported once the port is known to be good, so a bad one is answered at once.
const { startSimulator } = await import('../src/testing/simulator.js');
const sim = await startSimulator({ port }).catch((error: NodeJS.ErrnoException) =>
  fail(
    error.code === 'EADDRINUSE'
      ? `port ${port} is already in use; stop what listens on it or pick another, e.g. PORT=8788 npm run serve.`
      : error.code === 'EACCES'
        ? `no permission to listen on port ${port}; pick a port above 1023, e.g. PORT=8788 npm run serve.`
        : `could not listen on 127.0.0.1:${port} (${error.code ?? error.message}).`,
  ),
);
const { id, key, expiresAt } = sim.issueKey({ label: 'serve' });

console.log(`API Service simulator listening on ${sim.url}
admin token: ${sim.adminToken}
API key:     ${key} (id ${id}, expires ${new Date(expiresAt).toISOString()})

Try:
  curl -i ${sim.url}/me -H 'Authorization: Bearer ${key}'
  curl -i -X POST ${sim.origin}/admin/keys/${id}/revoke -H 'x-admin-token: ${sim.adminToken}'

Press Ctrl+C to stop.`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void sim.close().then(() => process.exit(0)));
}
