import type { SessionKind } from '@taawun/domain';
import { z } from 'zod';

/*
 * The vocabulary of figures: each figure means one thing, and every session
 * kind and visit direction says which one its people count towards. Reports
 * add only like with like: the 70 present at F5's introductory meeting
 * attended, they were not trained; F18's 11 ENM trainee judges were hosted,
 * they did not take part in an outgoing visit. One table, here.
 */

/**
 * - `trained`: people who received training in a training activity (F3, F4, F7, F9, F16, F17).
 * - `attended`: people present at a meeting, presentation or visit that trained nobody (F5's 70).
 * - `hosted`: visitors the institute received (F18's 11).
 * - `visit-participants`: the institute's people on an outgoing study visit (F11's two trainer-judges).
 * - `trainers`: trainers who benefited from a training of trainers (F9's 4); they are also counted as trained.
 */
export const figureSchema = z.enum(['trained', 'attended', 'hosted', 'visit-participants', 'trainers']);
export type Figure = z.infer<typeof figureSchema>;

/** What a session of one kind is: a training session (its people trained) or a meeting (its people attended), and whether those trained are trainers. */
export interface SessionKindFigures {
  /** Counted among `sessions held` (training) or `meetings held`. */
  readonly held: 'sessions' | 'meetings';
  /** The figure its people count towards. */
  readonly people: 'trained' | 'attended';
  /** Its trainees are trainers: they count as trained and as trainers who benefited. */
  readonly trainers: boolean;
}

const training: SessionKindFigures = { held: 'sessions', people: 'trained', trainers: false };
const meeting: SessionKindFigures = { held: 'meetings', people: 'attended', trainers: false };

export const sessionKindFigures: Readonly<Record<SessionKind, SessionKindFigures>> = {
  'training-of-trainers': { ...training, trainers: true },
  'training-session': training,
  'regional-session': training,
  course: training,
  'specialised-session': training,
  workshop: training,
  'introductory-meeting': meeting,
  'preparatory-meeting': meeting,
  // A kind the record does not name trains nobody for certain: its people were present.
  other: meeting,
};

/** The figure a study visit's people count towards, by its direction. */
export const visitDirectionFigure: Readonly<Record<'outgoing' | 'hosted', 'visit-participants' | 'hosted'>> = {
  outgoing: 'visit-participants',
  hosted: 'hosted',
};

/** "several" sessions: at least two, never one and never a guess. */
export const SEVERAL = 2;
