import { describe, expect, it } from 'vitest';
import { InMemoryEventStore } from '../store/in-memory.js';
import { deterministicContext } from '../testing/arbitraries.js';
import { executeCommand } from './execute.js';
import { prepareCommand } from './prepare.js';

describe('a command prepared once, then executed (what the HTTP route does)', () => {
  it('is parsed and routed by prepareCommand, and stored by executeCommand under the stream it was routed to', async () => {
    expect(prepareCommand({ type: 'RegisterPartner', partnerId: 'aecid', kind: 'agency', name: { es: 'Agencia Española de Cooperación' } }))
      .toMatchObject({ ok: false, error: { code: 'invalid-command', fields: ['name'] } });
    const good = prepareCommand({ type: 'RegisterPartner', partnerId: 'aecid', kind: 'agency', name: { fr: 'Agence espagnole de coopération' } });
    if (!good.ok) throw new Error(good.error.message);
    expect(good.value).toMatchObject({ stream: 'partner-aecid', references: [], command: { type: 'RegisterPartner', partnerId: 'aecid' } });
    const store = new InMemoryEventStore();
    const outcome = await executeCommand(store, good.value, deterministicContext());
    expect(outcome).toMatchObject({ ok: true, value: { stream: 'partner-aecid', revision: 0, alreadyApplied: false } });
    expect((await store.readStream(good.value.stream)).map((e) => e.type)).toEqual(['PartnerRegistered']);
  });

  it('refuses what the schemas refuse, naming the fields, before anything is routed', () => {
    expect(prepareCommand({ type: 'SignAgreement', agreementId: 'x', kind: 'convention', partners: 'x', signedOn: 2018 }))
      .toMatchObject({ ok: false, error: { code: 'invalid-command', fields: ['partners', 'signedOn'] } });
    expect(prepareCommand('RegisterPartner')).toMatchObject({ ok: false, error: { code: 'invalid-command' } });
  });
});
