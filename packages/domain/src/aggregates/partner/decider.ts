import { match } from 'ts-pattern';
import type { z } from 'zod';
import type { EventOf } from '../../schema/define.js';
import type { MultilingualText } from '../../values/multilingual-text.js';
import type { recordCorrected } from '../correction/events.js';
import { decided, notInFuture, rejected, type Decider } from '../decider.js';
import type { correctPartnerDetails, registerPartner, renamePartner } from './commands.js';
import type { partnerDetailsCorrected, partnerRegistered, partnerRenamed } from './events.js';

export type PartnerEvent =
  | EventOf<typeof partnerRegistered>
  | EventOf<typeof partnerRenamed>
  | EventOf<typeof partnerDetailsCorrected>
  | EventOf<typeof recordCorrected>;
export type PartnerCommand = z.infer<typeof registerPartner> | z.infer<typeof renamePartner> | z.infer<typeof correctPartnerDetails>;
export interface PartnerState {
  readonly registered: boolean;
  readonly name?: MultilingualText;
}

export const partnerDecider: Decider<PartnerCommand, PartnerEvent, PartnerState> = {
  initialState: { registered: false },
  evolve: (state, event) =>
    match(event)
      .with({ type: 'PartnerRegistered' }, ({ data }) => ({ registered: true, name: data.name }))
      .with({ type: 'PartnerRenamed' }, ({ data }) => ({ ...state, name: data.name }))
      .with({ type: 'PartnerDetailsCorrected' }, ({ data }) => ({ ...state, name: data.changes.name ?? state.name }))
      .with({ type: 'RecordCorrected' }, () => state)
      .exhaustive(),
  decide: (command, state, { today }) => {
    if (command.type !== 'RegisterPartner' && !state.registered) {
      return rejected('not-found', `partner ${command.partnerId} is not registered`, ['partnerId']);
    }
    return match(command)
      .with({ type: 'RegisterPartner' }, ({ type: _, ...data }) =>
        state.registered
          ? rejected('already-exists', `partner ${data.partnerId} is already registered`, ['partnerId'])
          : decided<PartnerEvent>({ type: 'PartnerRegistered', data }),
      )
      .with({ type: 'RenamePartner' }, ({ type: _, ...data }) =>
        notInFuture({ effectiveOn: data.effectiveOn }, today) ?? decided<PartnerEvent>({ type: 'PartnerRenamed', data }),
      )
      .with({ type: 'CorrectPartnerDetails' }, ({ type: _, ...data }) => decided<PartnerEvent>({ type: 'PartnerDetailsCorrected', data }))
      .exhaustive();
  },
};
