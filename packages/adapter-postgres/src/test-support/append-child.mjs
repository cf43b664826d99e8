// A writer in its own process, for the kill test: prints the batch it is about to
// append (one JSON line), then appends it. The parent kills it mid-transaction.
import { openPostgresEventStore } from '../../dist/index.js';

const [url, schema, applicationName, stream, count] = process.argv.slice(2);
const store = await openPostgresEventStore({ connectionString: url, application_name: applicationName }, { schema });
const events = Array.from({ length: Number(count) }, (_, i) => ({
  id: crypto.randomUUID(),
  type: 'Doomed',
  schemaVersion: 1,
  data: { i },
  metadata: { actor: 'child', correlationId: 'kill', causationId: 'kill' },
  recordedAt: new Date().toISOString(),
}));
process.stdout.write(`${JSON.stringify(events)}\n`);
const result = await store.append(stream, events, { expectedRevision: 'any' });
process.stdout.write(`${JSON.stringify({ committed: result.ok })}\n`);
await store.close();
