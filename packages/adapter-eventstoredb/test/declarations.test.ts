import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  jsonEvent,
  MaxAppendSizeExceededError,
  StreamDeletedError,
  WrongExpectedVersionError,
  type AllStreamRecordedEvent,
  type AppendExpectedRevision,
  type CurrentRevision,
  type Position,
  type RecordedEvent,
} from '@eventstore/db-client';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { EventStore, ExpectedRevision, StreamRevision } from '@taawun/domain';
import { toClientExpectedRevision, toStreamRevision, type EventStoreDbEventStore } from '../src/index.js';

/**
 * What the adapter assumes about the client's declarations, written as types.
 * Vitest does not check types; the last test runs the compiler over this folder
 * (test/tsconfig.json), so a client whose declarations change fails here.
 */
describe("the client's declarations, as the adapter relies on them", () => {
  it('positions are a commit / prepare pair of bigints; $all events always carry one, stream events may not', () => {
    expectTypeOf<Position>().toEqualTypeOf<{ commit: bigint; prepare: bigint }>();
    expectTypeOf<AllStreamRecordedEvent['position']>().toEqualTypeOf<Position>();
    expectTypeOf<RecordedEvent['position']>().toEqualTypeOf<Position | undefined>();
    expectTypeOf<RecordedEvent['revision']>().toEqualTypeOf<bigint>();
  });

  it("a conflict's actual version is the string no_stream or a bigint", () => {
    expectTypeOf<WrongExpectedVersionError['actualVersion']>().toEqualTypeOf<CurrentRevision>();
    expectTypeOf<CurrentRevision>().toEqualTypeOf<'no_stream' | bigint>();
    expectTypeOf(toStreamRevision).parameter(0).toExtend<CurrentRevision | undefined>();
    expectTypeOf(toStreamRevision).returns.toEqualTypeOf<StreamRevision>();
  });

  it('expected revisions map onto the client type, numbers onto bigints', () => {
    expectTypeOf(toClientExpectedRevision).parameter(0).toEqualTypeOf<ExpectedRevision>();
    expectTypeOf(toClientExpectedRevision).returns.toEqualTypeOf<AppendExpectedRevision>();
    expectTypeOf<AppendExpectedRevision>().toEqualTypeOf<'any' | 'no_stream' | 'stream_exists' | bigint>();
  });

  it('errors name their stream and limit', () => {
    expectTypeOf<StreamDeletedError['streamName']>().toEqualTypeOf<string>();
    expectTypeOf<MaxAppendSizeExceededError['maxAppendSize']>().toEqualTypeOf<number>();
  });

  it('the store is the port', () => {
    expectTypeOf<EventStoreDbEventStore>().toExtend<EventStore>();
  });

  it('jsonEvent keeps the id and marks the content as JSON', () => {
    const built = jsonEvent({ id: '00000000-0000-4000-8000-000000000000', type: 'T', data: { a: 1 }, metadata: { $correlationId: 'c' } });
    expectTypeOf(built.contentType).toEqualTypeOf<'application/json'>();
    expect(built.id).toBe('00000000-0000-4000-8000-000000000000');
  });

  it("the adapter's sources import the client by its package name only, never its dist/ or generated/ files", () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const sources = join(here, '..', 'src');
    const imports = readdirSync(sources)
      .filter((name) => name.endsWith('.ts'))
      .flatMap((name) => [...readFileSync(join(sources, name), 'utf8').matchAll(/from '(@eventstore\/db-client[^']*)'/g)].map((m) => `${name}: ${m[1]}`));
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((line) => !line.endsWith(': @eventstore/db-client'))).toEqual([]);
  });

  it('the compiler accepts the adapter and these tests against the installed declarations', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const run = spawnSync(process.execPath, [tsc, '-p', join(here, 'tsconfig.json')], { encoding: 'utf8', timeout: 180_000 });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 200_000);
});
