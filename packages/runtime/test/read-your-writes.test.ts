import { createApiKey } from '@taawun/adapter-http';
import { afterEach, describe, expect, it } from 'vitest';
import { openRuntime, serveRuntime, type Runtime, type ServingRuntime } from '../src/index.js';
import { temporaryFolders } from './support.js';

// Read-your-writes on one node: its read models are folded after the command is
// answered, so a read right after may not show it, unless it asks for the position.

const folders = temporaryFolders();
const running: { server: ServingRuntime; runtime: Runtime }[] = [];
afterEach(async () => {
  for (const { server, runtime } of running.splice(0)) {
    await server.close();
    await runtime.close();
  }
  await folders.removeAll();
});

const admin = createApiKey('admin-test', 'admin');

describe('read-your-writes over HTTP', () => {
  it('a command answers its position; a read asking for it shows the command, one asking for a later one is a 503 with Retry-After, a malformed one a 400', async () => {
    const runtime = await openRuntime(`sqlite:${await folders.make('ryw')}/taawun.db`);
    const server = await serveRuntime(runtime, { keys: [admin.entry], port: 0, minPositionWaitMs: 300, log: () => undefined });
    running.push({ server, runtime });
    const headers = { authorization: `Bearer ${admin.key}` };
    const record = (participantId: string, minPosition: string) =>
      fetch(`${server.url}/read-models/participant-record?participantId=${participantId}`, { headers: { ...headers, 'x-taawun-min-position': minPosition } });

    for (let i = 0; i < 5; i++) {
      const answer = await fetch(`${server.url}/commands/register-participant`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ participantId: `attache-${i}`, kind: 'judicial-attache', cohort: 41 }),
      });
      expect(answer.status).toBe(200);
      const position = answer.headers.get('x-taawun-position')!;
      expect(position).toBe(((await answer.json()) as { events: { position: string }[] }).events.at(-1)!.position);
      // The very first read after the command, with its position: the command is there.
      const read = await record(`attache-${i}`, position);
      expect(read.status).toBe(200);
      expect(await read.text()).toContain(`attache-${i}`);
    }

    const head = (await runtime.store.lastPosition())!;
    const ahead = await record('attache-0', String(head + 10n));
    expect(ahead.status).toBe(503);
    expect(ahead.headers.get('retry-after')).toBe('1');
    expect(await ahead.json()).toMatchObject({ code: 'read-side-behind' });
    const malformed = await record('attache-0', '12abc');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: 'invalid-request', fields: ['X-Taawun-Min-Position'] });
  });
});
