import { describe, expect, it } from 'vitest';
import { decodeEvent } from '../catalogue/decoding.js';
import { ERASED_FIELDS_METADATA_KEY } from '../personal-data/encrypting-store.js';
import type { StoredEvent } from '../store/envelope.js';
import { decodeJustAppended } from './stream.js';

/** An enrolment as a store gives it back, its `role` absent (the schema's default fills it in when parsed). */
const enrolment = (metadata: Record<string, unknown> = {}): StoredEvent => ({
  id: '00000000-0000-7000-8000-000000000001',
  type: 'ParticipantEnrolled',
  schemaVersion: 1,
  data: { sessionId: 's1', participantId: 'p1' },
  metadata: { actor: 'test-clerk', correlationId: 'c', causationId: 'c', ...metadata },
  recordedAt: '2024-01-01T08:00:00.000Z',
  stream: 'session-s1',
  revision: 1,
  position: 2n,
});

describe('decodeJustAppended', () => {
  it('takes an event just appended at its current schema version as the store gave it back, without parsing it again', () => {
    const stored = enrolment();
    const decoded = decodeJustAppended(stored);
    expect(decoded.ok && decoded.value.data).toBe(stored.data);
  });

  it('decodes an event whose personal data the store gave back erased, as any reader decodes it', () => {
    const stored = enrolment({ [ERASED_FIELDS_METADATA_KEY]: ['participantId'] });
    const decoded = decodeJustAppended(stored);
    expect(decoded).toEqual(decodeEvent(stored));
    expect(decoded.ok && decoded.value.data).toMatchObject({ role: 'trainee' });
  });

  it('decodes an event at another schema version than its type\'s current one', () => {
    const stored = { ...enrolment(), schemaVersion: 2 };
    expect(decodeJustAppended(stored)).toEqual(decodeEvent(stored));
    expect(decodeJustAppended(stored).ok).toBe(false);
  });
});
