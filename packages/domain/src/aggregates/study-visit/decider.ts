import { match } from 'ts-pattern';
import type { z } from 'zod';
import type { EventOf } from '../../schema/define.js';
import type { recordCorrected } from '../correction/events.js';
import { decided, notInFuture, rejected, type Decider } from '../decider.js';
import type { cancelStudyVisit, completeStudyVisit, planStudyVisit } from './commands.js';
import type { studyVisitCancelled, studyVisitCompleted, studyVisitPlanned } from './events.js';

export type StudyVisitEvent =
  | EventOf<typeof studyVisitPlanned>
  | EventOf<typeof studyVisitCompleted>
  | EventOf<typeof studyVisitCancelled>
  | EventOf<typeof recordCorrected>;
export type StudyVisitCommand = z.infer<typeof planStudyVisit> | z.infer<typeof completeStudyVisit> | z.infer<typeof cancelStudyVisit>;
export interface StudyVisitState {
  readonly status: 'none' | 'planned' | 'completed' | 'cancelled';
}

export const studyVisitDecider: Decider<StudyVisitCommand, StudyVisitEvent, StudyVisitState> = {
  initialState: { status: 'none' },
  evolve: (state, event) =>
    match(event)
      .with({ type: 'StudyVisitPlanned' }, () => ({ status: 'planned' as const }))
      .with({ type: 'StudyVisitCompleted' }, () => ({ status: 'completed' as const }))
      .with({ type: 'StudyVisitCancelled' }, () => ({ status: 'cancelled' as const }))
      .with({ type: 'RecordCorrected' }, () => state)
      .exhaustive(),
  decide: (command, state, { today }) => {
    if (command.type === 'PlanStudyVisit') {
      const { type: _, ...data } = command;
      return state.status === 'none'
        ? decided<StudyVisitEvent>({ type: 'StudyVisitPlanned', data })
        : rejected('already-exists', `study visit ${data.visitId} is already recorded`, ['visitId']);
    }
    if (state.status === 'none' && !(command.type === 'CompleteStudyVisit' && command.direction !== undefined && command.partners !== undefined)) {
      return rejected('visit-not-planned', `study visit ${command.visitId} was never planned: plan it first, or give its direction and partners`, ['visitId']);
    }
    if (state.status !== 'planned' && state.status !== 'none') return rejected('visit-closed', `study visit ${command.visitId} is already ${state.status}`, ['visitId']);
    return match(command)
      .with({ type: 'CompleteStudyVisit' }, ({ type: _, ...data }) => {
        if (data.participantCount !== undefined && data.participantCount < data.participantIds.length) {
          return rejected('invalid-command', `participantCount ${data.participantCount} is smaller than the ${data.participantIds.length} participants named`, ['participantCount']);
        }
        return notInFuture({ completedOn: data.completedOn }, today) ?? decided<StudyVisitEvent>({ type: 'StudyVisitCompleted', data });
      })
      .with({ type: 'CancelStudyVisit' }, ({ type: _, ...data }) => decided<StudyVisitEvent>({ type: 'StudyVisitCancelled', data }))
      .exhaustive();
  },
};
