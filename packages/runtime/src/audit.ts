import { clientSideHashChain } from '@taawun/domain';
import { RuntimeError } from './errors.js';
import type { HashChain } from './backend.js';
import { describeLocation, parseStoreUrl } from './store-url.js';

/** A log opened for checking only: its hash chain, nothing that writes. */
export interface AuditedLog {
  readonly description: string;
  readonly chain: HashChain;
  close(): Promise<void>;
}

/**
 * Open the log a store URL names to check it (`taawun verify`), writing nothing:
 * a SQLite file is read from a private snapshot, never opened in place (see
 * `openSqliteAudit`); PostgreSQL is read in one read-only transaction;
 * EventStoreDB keeps no chain, so its chain and tree are computed from `$all`
 * by the client (`clientSideHashChain`: O(n)). `undefined` for `memory:`.
 */
export async function openLogForAudit(url: string, options: { cwd?: string } = {}): Promise<AuditedLog | undefined> {
  const location = parseStoreUrl(url, options.cwd ?? process.cwd());
  const description = describeLocation(location);
  switch (location.kind) {
    case 'memory':
      return undefined;
    case 'eventstoredb': {
      // No chain is kept there: the client computes it and the Merkle tree over $all (O(n)), for the witness's checkpoints to prove.
      const { openEventStoreDbBackend } = await import('@taawun/adapter-eventstoredb');
      const backend = await openEventStoreDbBackend(location.connectionString);
      return { description, chain: clientSideHashChain(backend.log), close: () => backend.close() };
    }
    case 'sqlite': {
      if (location.file === ':memory:') return undefined;
      const { openSqliteAudit } = await import('@taawun/adapter-sqlite');
      const { existsSync } = await import('node:fs');
      if (!existsSync(location.file)) throw new RuntimeError('store-missing', `${description} does not exist: nothing was created`, { location: description });
      const audit = await openSqliteAudit(location.file);
      return { description, chain: audit, close: () => audit.close() };
    }
    case 'postgres': {
      const { openPostgresBackend, postgresLogExists, DEFAULT_SCHEMA } = await import('@taawun/adapter-postgres');
      const schema = location.schema ?? DEFAULT_SCHEMA;
      if (!(await postgresLogExists(location.connectionString, { schema }))) {
        throw new RuntimeError('store-missing', `${description} holds no taawun log (no table ${schema}.events): nothing was created`, { location: description });
      }
      const backend = await openPostgresBackend(location.connectionString, { schema, listen: false });
      return { description, chain: backend.chain, close: () => backend.close() };
    }
  }
}
