// `npm run serve`: the "API Service" simulator in the foreground, for trying things with curl.
import { startSimulator } from '../src/testing/simulator.js';

const sim = await startSimulator({ port: Number(process.env.PORT ?? 8787) });
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
