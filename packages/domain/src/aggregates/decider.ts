import { domainError, type DomainError } from '../errors.js';
import { err, ok, type Result } from '../result.js';
import { namesDayAfter, type IsoDay, type PartialDate } from '../values/partial-date.js';

/** What a decision may know about the world besides the command and the state: today's date. */
export interface DecisionContext {
  /** The recording date: the latest calendar day anywhere at the handler's clock instant (`latestDayAt`). */
  readonly today: IsoDay;
}

/** An aggregate as three pure functions (Chassaing's decider). */
export interface Decider<C, E, S> {
  readonly initialState: S;
  evolve(state: S, event: E): S;
  decide(command: C, state: S, context: DecisionContext): Result<readonly E[], DomainError>;
}

export type Decision<E> = Result<readonly E[], DomainError>;

/** A fact cannot be dated after the day it is recorded; only plans can. */
export function notInFuture(dates: Record<string, PartialDate | undefined>, today: IsoDay): Decision<never> | undefined {
  for (const [field, date] of Object.entries(dates)) {
    if (date !== undefined && namesDayAfter(date, today)) {
      return err(domainError('date-in-future', `${field} ${date} is after today (${today}); record it as a plan instead`, { fields: [field] }));
    }
  }
  return undefined;
}

export const decided = <E>(...events: E[]): Decision<E> => ok(events);
export const rejected = (code: DomainError['code'], message: string, fields?: string[]): Decision<never> =>
  err(domainError(code, message, fields ? { fields } : {}));
