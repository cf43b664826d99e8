import { newEventId } from '@taawun/domain';
import { openRuntime } from '@taawun/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taawun, temporaryFolder } from './support.js';

/*
 * A name may hold a control character an older log accepted (an escape, a bell):
 * a table printed to a terminal shows it, it does not send it, so a stored name
 * cannot colour, move or clear the reader's terminal.
 */

let folder: { path: string; remove: () => Promise<void> };
const store = () => ['--store', `sqlite:${folder.path}/taawun.db`];

beforeAll(async () => {
  folder = await temporaryFolder('controls');
  const runtime = await openRuntime(`sqlite:${folder.path}/taawun.db`);
  try {
    // Commands refuse such text now; a log written before, or imported, may still hold it: the event as it was stored.
    const id = newEventId();
    const appended = await runtime.store.append(
      'partner-escaped',
      [{
        id,
        type: 'PartnerRegistered',
        schemaVersion: 1,
        data: { partnerId: 'escaped', name: { en: 'Bell\u0007 and \u001b[2Jclear' }, kind: 'school', country: 'FR', acronym: 'a\u0007\u001b[31mb' },
        metadata: { actor: 'clerk:test', correlationId: id, causationId: id },
        recordedAt: '2024-01-10T10:00:00.000Z',
      }],
      { expectedRevision: 'no-stream' },
    );
    expect(appended.ok).toBe(true);
  } finally {
    await runtime.close();
  }
});
afterAll(() => folder.remove());

describe('control characters in stored text, printed as a table', () => {
  it('are shown as their pictures (␛, ␇), never sent to the terminal, in the rows and in the title', async () => {
    for (const args of [['partners'], ['history', 'escaped']]) {
      const result = await taawun([...args, ...store()], { cwd: folder.path });
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout).not.toMatch(/[\u0007\u001b]/);
      expect(result.stdout).toContain('a␇␛[31mb');
    }
    // JSON keeps the text as it is stored: escaped by JSON itself.
    const json = await taawun(['partners', '--format', 'json', ...store()], { cwd: folder.path });
    expect(JSON.parse(json.stdout).result.partners[0].acronym).toBe('a\u0007\u001b[31mb');
  });
});
