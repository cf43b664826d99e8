import { match } from 'ts-pattern';
import type { z } from 'zod';
import type { EventOf } from '../../schema/define.js';
import type { recordCorrected } from '../correction/events.js';
import { decided, rejected, type Decider } from '../decider.js';
import type { correctParticipantPersonalData, eraseParticipantData, registerParticipant } from './commands.js';
import type { participantDataErased, participantPersonalDataCorrected, participantRegistered } from './events.js';

export type ParticipantEvent =
  | EventOf<typeof participantRegistered>
  | EventOf<typeof participantPersonalDataCorrected>
  | EventOf<typeof participantDataErased>
  | EventOf<typeof recordCorrected>;
export type ParticipantCommand =
  | z.infer<typeof registerParticipant>
  | z.infer<typeof correctParticipantPersonalData>
  | z.infer<typeof eraseParticipantData>;
export interface ParticipantState {
  readonly status: 'none' | 'registered' | 'erased';
}

export const participantDecider: Decider<ParticipantCommand, ParticipantEvent, ParticipantState> = {
  initialState: { status: 'none' },
  evolve: (state, event) =>
    match(event)
      .with({ type: 'ParticipantRegistered' }, () => ({ status: 'registered' as const }))
      .with({ type: 'ParticipantPersonalDataCorrected' }, () => state)
      .with({ type: 'ParticipantDataErased' }, () => ({ status: 'erased' as const }))
      .with({ type: 'RecordCorrected' }, () => state)
      .exhaustive(),
  decide: (command, state) => {
    if (command.type === 'RegisterParticipant') {
      return state.status === 'none'
        ? decided<ParticipantEvent>({ type: 'ParticipantRegistered', data: (({ type: _, ...data }) => data)(command) })
        : rejected('already-exists', `participant ${command.participantId} is already registered`, ['participantId']);
    }
    if (state.status === 'none') return rejected('not-found', `participant ${command.participantId} is not registered`, ['participantId']);
    if (state.status === 'erased') return rejected('participant-erased', `participant ${command.participantId}'s personal data was erased`, ['participantId']);
    return match(command)
      // The correction replaces the personal data whole: an empty one would silently remove it all, which is what erasure does, with its scrub.
      .with({ type: 'CorrectParticipantPersonalData' }, ({ type: _, ...data }) =>
        Object.keys(data.personal).length === 0
          ? rejected('invalid-correction', "correct at least one item of personal data; to remove it all, erase the participant's data", ['personal'])
          : decided<ParticipantEvent>({ type: 'ParticipantPersonalDataCorrected', data }),
      )
      .with({ type: 'EraseParticipantData' }, ({ type: _, ...data }) => decided<ParticipantEvent>({ type: 'ParticipantDataErased', data }))
      .exhaustive();
  },
};
