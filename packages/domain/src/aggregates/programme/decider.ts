import { match } from 'ts-pattern';
import type { z } from 'zod';
import type { EventOf } from '../../schema/define.js';
import type { recordCorrected } from '../correction/events.js';
import { decided, notInFuture, rejected, type Decider } from '../decider.js';
import type { closeProgramme, launchProgramme } from './commands.js';
import type { programmeClosed, programmeLaunched } from './events.js';

export type ProgrammeEvent = EventOf<typeof programmeLaunched> | EventOf<typeof programmeClosed> | EventOf<typeof recordCorrected>;
export type ProgrammeCommand = z.infer<typeof launchProgramme> | z.infer<typeof closeProgramme>;
export type ProgrammeState = { readonly status: 'none' | 'running' | 'closed' };

export const programmeDecider: Decider<ProgrammeCommand, ProgrammeEvent, ProgrammeState> = {
  initialState: { status: 'none' },
  evolve: (state, event) =>
    match(event)
      .with({ type: 'ProgrammeLaunched' }, () => ({ status: 'running' as const }))
      .with({ type: 'ProgrammeClosed' }, () => ({ status: 'closed' as const }))
      .with({ type: 'RecordCorrected' }, () => state)
      .exhaustive(),
  decide: (command, state, { today }) =>
    match(command)
      .with({ type: 'LaunchProgramme' }, ({ type: _, ...data }) =>
        state.status !== 'none'
          ? rejected('already-exists', `programme ${data.programmeId} is already recorded`, ['programmeId'])
          : (notInFuture({ startedOn: data.startedOn }, today) ?? decided<ProgrammeEvent>({ type: 'ProgrammeLaunched', data })),
      )
      .with({ type: 'CloseProgramme' }, ({ type: _, ...data }) => {
        if (state.status === 'none') return rejected('not-found', `programme ${data.programmeId} is not recorded`, ['programmeId']);
        if (state.status === 'closed') return rejected('programme-closed', `programme ${data.programmeId} is already closed`, ['programmeId']);
        return notInFuture({ closedOn: data.closedOn }, today) ?? decided<ProgrammeEvent>({ type: 'ProgrammeClosed', data });
      })
      .exhaustive(),
};
