import { match } from 'ts-pattern';
import type { z } from 'zod';
import type { EventOf } from '../../schema/define.js';
import type { recordCorrected } from '../correction/events.js';
import { decided, notInFuture, rejected, type Decider } from '../decider.js';
import type { planPublication, recordPublicationPrepared, recordPublicationPublished } from './commands.js';
import type { publicationPlanned, publicationPrepared, publicationPublished } from './events.js';

export type PublicationEvent =
  | EventOf<typeof publicationPrepared>
  | EventOf<typeof publicationPlanned>
  | EventOf<typeof publicationPublished>
  | EventOf<typeof recordCorrected>;
export type PublicationCommand =
  | z.infer<typeof recordPublicationPrepared>
  | z.infer<typeof planPublication>
  | z.infer<typeof recordPublicationPublished>;
export interface PublicationState {
  readonly status: 'none' | 'prepared' | 'published';
}

export const publicationDecider: Decider<PublicationCommand, PublicationEvent, PublicationState> = {
  initialState: { status: 'none' },
  evolve: (state, event) =>
    match(event)
      .with({ type: 'PublicationPrepared' }, () => ({ status: 'prepared' as const }))
      .with({ type: 'PublicationPlanned' }, () => state)
      .with({ type: 'PublicationPublished' }, () => ({ status: 'published' as const }))
      .with({ type: 'RecordCorrected' }, () => state)
      .exhaustive(),
  decide: (command, state, { today }) => {
    if (command.type === 'RecordPublicationPrepared') {
      const { type: _, ...data } = command;
      return state.status === 'none'
        ? (notInFuture({ preparedOn: data.preparedOn }, today) ?? decided<PublicationEvent>({ type: 'PublicationPrepared', data }))
        : rejected('already-exists', `publication ${data.publicationId} is already recorded`, ['publicationId']);
    }
    if (state.status === 'none') return rejected('not-found', `publication ${command.publicationId} was never prepared`, ['publicationId']);
    if (state.status === 'published') return rejected('already-published', `publication ${command.publicationId} is already published`, ['publicationId']);
    return match(command)
      .with({ type: 'PlanPublication' }, ({ type: _, ...data }) => decided<PublicationEvent>({ type: 'PublicationPlanned', data }))
      .with({ type: 'RecordPublicationPublished' }, ({ type: _, ...data }) =>
        notInFuture({ publishedOn: data.publishedOn }, today) ?? decided<PublicationEvent>({ type: 'PublicationPublished', data }),
      )
      .exhaustive();
  },
};
