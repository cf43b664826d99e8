import { aggregates, InMemoryEventStore, handle, type Result } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import { beforeAll, describe, expect, it } from 'vitest';
import { editDistance, unknownKeyNearest } from '../engine/errors.js';
import { recordTypes } from './audit-trail.js';
import { queryAuditTrail, queryParticipants, queryPartnerHistory, queryPartners, type Answer, type QueryError } from './built-in.js';

/*
 * The audit trail asked the way people ask: by the id a report shows
 * (`ssm-italy-2022`), which names one record's stream, or by the stream itself.
 */

/** The result of a query that must be answered. */
async function answered<R>(query: Promise<Result<Answer<R>, QueryError>>): Promise<R> {
  const outcome = await query;
  if (outcome.ok) return outcome.value.result as R;
  throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
}

describe('the audit trail of a record id', () => {
  let store: InMemoryEventStore;
  beforeAll(async () => {
    store = new InMemoryEventStore();
    await loadInstituteRecord(store, deterministicContext('seed'));
  });

  it('finds the one stream that holds the agreement the register shows, and answers as by its stream', async () => {
    const byId = await answered(queryAuditTrail({ store }, { record: 'ssm-italy-2022' }));
    expect(byId).toMatchObject({ stream: 'agreement-ssm-italy-2022', record: { type: 'agreement', id: 'ssm-italy-2022' } });
    expect(byId.events.map((e) => [e.type, e.sourceRef])).toEqual([['AgreementSigned', 'F1']]);
    expect(byId).toEqual(await answered(queryAuditTrail({ store }, { stream: 'agreement-ssm-italy-2022' })));
  });

  it('takes a stream as well, and keeps its type and id', async () => {
    const trail = await answered(queryAuditTrail({ store }, { record: 'partner-enm-france' }));
    expect(trail).toMatchObject({ stream: 'partner-enm-france', record: { type: 'partner', id: 'enm-france' } });
    expect(trail.events[0]!.type).toBe('PartnerRegistered');
  });

  it('opens every record id the reports show: partners, the records of their histories, participants', async () => {
    const partners = (await answered(queryPartners({ store }, {}))).partners.map((p) => ({ type: 'partner', id: p.partnerId }));
    const histories = await Promise.all(partners.map(async ({ id }) => (await answered(queryPartnerHistory({ store }, { partnerId: id }))).entries.map((e) => e.record)));
    const participants = (await answered(queryParticipants({ store }, {}))).participants.map((p) => ({ type: 'participant', id: p.participantId }));
    const shown = [...new Map([...partners, ...histories.flat(), ...participants].map((r) => [`${r.type} ${r.id}`, r])).values()];
    expect(new Set(shown.map((r) => r.type))).toEqual(new Set(['partner', 'agreement', 'programme', 'session', 'study-visit', 'publication', 'participant']));
    for (const { type, id } of shown) {
      const answer = await queryAuditTrail({ store }, { record: id });
      expect(answer.ok && answer.value.result.record, `${type} ${id}`).toEqual({ type, id });
    }
  });

  it('an id two records share is not guessed: the query is invalid and names both streams', async () => {
    const shared = new InMemoryEventStore();
    await loadInstituteRecord(shared, deterministicContext('seed'));
    const registered = await handle(
      shared,
      { type: 'RegisterPartner', partnerId: 'ssm-italy-2022', name: { en: 'A partner named like an agreement (hypothetical)' }, kind: 'school', country: 'IT' },
      deterministicContext('clerk'),
    );
    expect(registered.ok).toBe(true);
    expect(await queryAuditTrail({ store: shared }, { record: 'ssm-italy-2022' })).toEqual({
      ok: false,
      error: {
        code: 'invalid-query',
        message: 'record: ssm-italy-2022 names 2 records, give one of their streams: partner-ssm-italy-2022, agreement-ssm-italy-2022',
        fields: ['record'],
      },
    });
    // Each stream still answers.
    expect((await answered(queryAuditTrail({ store: shared }, { record: 'partner-ssm-italy-2022' }))).record).toEqual({ type: 'partner', id: 'ssm-italy-2022' });
  });

  it('an id no record has is not found, and the message says what was looked for', async () => {
    expect(await queryAuditTrail({ store }, { record: 'ssm-italy-2023' })).toEqual({
      ok: false,
      error: {
        code: 'not-found',
        message:
          'no record ssm-italy-2023: neither a stream of that name nor a record of that id (institute, partner, agreement, programme, session, participant, study-visit, publication) has events',
        // What was asked, so that the error can be said in the reader's language.
        asked: { readModel: 'audit-trail', params: { record: 'ssm-italy-2023', personalData: 'redact' } },
      },
    });
  });

  it('among many valid ids, the unknown one is named with the closest (edit distance) and the count', () => {
    expect([editDistance('ssm-italy-2023', 'ssm-italy-2022'), editDistance('', 'abc'), editDistance('kitten', 'sitting')]).toEqual([1, 3, 3]);
    const valid = Array.from({ length: 30 }, (_, i) => `record-${i}`);
    expect(unknownKeyNearest('record', 'record', 'record-7x', valid, { noun: 'record ids', where: 'the registers list them' }).message).toBe(
      'no record "record-7x"; valid: record-7, record-0, record-1, record-10, record-11, …; 30 record ids in all: the registers list them',
    );
    // Few: all of them, as for partners.
    expect(unknownKeyNearest('record', 'record', 'x', ['a', 'b'], { noun: 'record ids', where: '' }).message).toBe('no record "x"; valid: a, b');
  });

  it('record types are the aggregates that have streams, named as the domain names them', () => {
    const withStreams = aggregates.flatMap((a) => (a.streams ? [[a.name, a.streams.stream('x')]] : []));
    expect(Object.entries(recordTypes).map(([type, stream]) => [type, stream('x')])).toEqual(withStreams);
    expect(recordTypes['study-visit']('madrid')).toBe('visit-madrid');
  });
});
