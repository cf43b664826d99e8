import { match } from 'ts-pattern';
import type { z } from 'zod';
import type { EventOf } from '../../schema/define.js';
import type { MultilingualText } from '../../values/multilingual-text.js';
import type { recordCorrected } from '../correction/events.js';
import { decided, notInFuture, rejected, type Decider } from '../decider.js';
import type { registerInstitute, renameInstitute } from './commands.js';
import type { instituteRegistered, instituteRenamed } from './events.js';

export type InstituteEvent = EventOf<typeof instituteRegistered> | EventOf<typeof instituteRenamed> | EventOf<typeof recordCorrected>;
export type InstituteCommand = z.infer<typeof registerInstitute> | z.infer<typeof renameInstitute>;
export interface InstituteState {
  readonly registered: boolean;
  readonly name?: MultilingualText;
}

export const instituteDecider: Decider<InstituteCommand, InstituteEvent, InstituteState> = {
  initialState: { registered: false },
  evolve: (state, event) =>
    match(event)
      .with({ type: 'InstituteRegistered' }, ({ data }) => ({ registered: true, name: data.name }))
      .with({ type: 'InstituteRenamed' }, ({ data }) => ({ ...state, name: data.name }))
      .with({ type: 'RecordCorrected' }, () => state)
      .exhaustive(),
  decide: (command, state, { today }) =>
    match(command)
      .with({ type: 'RegisterInstitute' }, ({ type: _, ...data }) =>
        state.registered
          ? rejected('already-exists', `institute ${data.instituteId} is already registered`, ['instituteId'])
          : decided<InstituteEvent>({ type: 'InstituteRegistered', data }),
      )
      .with({ type: 'RenameInstitute' }, ({ type: _, ...data }) => {
        if (!state.registered) return rejected('not-found', `institute ${data.instituteId} is not registered`, ['instituteId']);
        return notInFuture({ effectiveOn: data.effectiveOn }, today) ?? decided<InstituteEvent>({ type: 'InstituteRenamed', data });
      })
      .exhaustive(),
};
