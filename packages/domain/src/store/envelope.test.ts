import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partialDateArb } from '../testing/arbitraries.js';
import { eventMetadataSchema, metadataCertainlyValid, metadataFieldsChecked } from './envelope.js';

/** A field's value as a store may give it back: absent, fine, or one of the ways it can be wrong. */
const textArb = fc.oneof(fc.constant(undefined), fc.string({ minLength: 1, maxLength: 12 }), fc.constant(''), fc.integer(), fc.constant(null), fc.array(fc.string(), { maxLength: 1 }));
const dateArb = fc.oneof(fc.constant(undefined), partialDateArb, fc.constantFrom('2024-13', '2018-02-30', 'soon', '', `${'2018/'.repeat(8)}2019`), fc.integer());
const metadataArb = fc.record(
  {
    actor: textArb,
    correlationId: textArb,
    causationId: textArb,
    occurredOn: dateArb,
    sourceRef: textArb,
    idempotencyKey: textArb,
    commandFingerprint: textArb,
    commandType: textArb,
    erasedPersonalFields: fc.array(fc.string(), { maxLength: 2 }),
  },
  { requiredKeys: [] },
);

describe('metadataCertainlyValid, the quick check decoding makes before the metadata schema', () => {
  it('checks every field the schema has', () => {
    expect([...metadataFieldsChecked].sort()).toEqual(Object.keys(eventMetadataSchema.shape).sort());
  });

  it('never accepts metadata the schema refuses, and accepts what every writer writes', () => {
    fc.assert(
      fc.property(metadataArb, (metadata) => {
        const schemaAccepts = eventMetadataSchema.safeParse(metadata).success;
        if (metadataCertainlyValid(metadata)) expect(schemaAccepts).toBe(true);
        // Without undefined values (JSON has none), the two agree exactly.
        const asStored = JSON.parse(JSON.stringify(metadata)) as unknown;
        expect(metadataCertainlyValid(asStored)).toBe(eventMetadataSchema.safeParse(asStored).success);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves to the schema what is not a plain object', () => {
    for (const value of [null, [], 'actor', 3, new Map([['actor', 'a']])]) {
      expect(metadataCertainlyValid(value)).toBe(false);
    }
  });
});
