// A projection runner in its own process, for the kill test: catches one read
// model up (its commit rewrites the rm_ tables); the parent kills it mid-commit.
import { ProjectionRunner, projections } from '@taawun/projections';
import { openPostgresEventStore, openPostgresReadModelStorage } from '../../dist/index.js';

const [url, schema, applicationName, name] = process.argv.slice(2);
const store = await openPostgresEventStore({ connectionString: url, application_name: applicationName }, { schema });
const storage = await openPostgresReadModelStorage(store);
const result = await new ProjectionRunner(projections[name], { store, storage }).catchUp();
process.stdout.write(`${JSON.stringify({ committed: String(result.position) })}\n`);
await store.close();
