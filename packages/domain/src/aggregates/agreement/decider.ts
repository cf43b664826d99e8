import { match } from 'ts-pattern';
import type { z } from 'zod';
import type { EventOf } from '../../schema/define.js';
import type { recordCorrected } from '../correction/events.js';
import { decided, notInFuture, rejected, type Decider } from '../decider.js';
import type { amendAgreement, signAgreement, terminateAgreement } from './commands.js';
import type { agreementAmended, agreementSigned, agreementTerminated } from './events.js';

export type AgreementEvent =
  | EventOf<typeof agreementSigned>
  | EventOf<typeof agreementAmended>
  | EventOf<typeof agreementTerminated>
  | EventOf<typeof recordCorrected>;
export type AgreementCommand = z.infer<typeof signAgreement> | z.infer<typeof amendAgreement> | z.infer<typeof terminateAgreement>;
export type AgreementState = { readonly status: 'none' | 'in-force' | 'terminated' };

export const agreementDecider: Decider<AgreementCommand, AgreementEvent, AgreementState> = {
  initialState: { status: 'none' },
  evolve: (state, event) =>
    match(event)
      .with({ type: 'AgreementSigned' }, () => ({ status: 'in-force' as const }))
      .with({ type: 'AgreementAmended' }, () => state)
      .with({ type: 'AgreementTerminated' }, () => ({ status: 'terminated' as const }))
      .with({ type: 'RecordCorrected' }, () => state)
      .exhaustive(),
  decide: (command, state, { today }) => {
    if (command.type !== 'SignAgreement') {
      if (state.status === 'none') return rejected('not-found', `agreement ${command.agreementId} is not recorded`, ['agreementId']);
      if (state.status === 'terminated') return rejected('agreement-terminated', `agreement ${command.agreementId} has ended`, ['agreementId']);
    }
    return match(command)
      .with({ type: 'SignAgreement' }, ({ type: _, ...data }) =>
        state.status !== 'none'
          ? rejected('already-exists', `agreement ${data.agreementId} is already recorded`, ['agreementId'])
          : (notInFuture({ signedOn: data.signedOn }, today) ?? decided<AgreementEvent>({ type: 'AgreementSigned', data })),
      )
      .with({ type: 'AmendAgreement' }, ({ type: _, ...data }) =>
        notInFuture({ amendedOn: data.amendedOn }, today) ?? decided<AgreementEvent>({ type: 'AgreementAmended', data }),
      )
      .with({ type: 'TerminateAgreement' }, ({ type: _, ...data }) =>
        notInFuture({ terminatedOn: data.terminatedOn }, today) ?? decided<AgreementEvent>({ type: 'AgreementTerminated', data }),
      )
      .exhaustive();
  },
};
