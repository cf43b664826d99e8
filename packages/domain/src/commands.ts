import { z } from 'zod';
import { amendAgreement, signAgreement, terminateAgreement } from './aggregates/agreement/commands.js';
import { correctRecord } from './aggregates/correction/commands.js';
import { registerInstitute, renameInstitute } from './aggregates/institute/commands.js';
import { correctParticipantPersonalData, eraseParticipantData, registerParticipant } from './aggregates/participant/commands.js';
import { correctPartnerDetails, registerPartner, renamePartner } from './aggregates/partner/commands.js';
import { closeProgramme, launchProgramme } from './aggregates/programme/commands.js';
import { planPublication, recordPublicationPrepared, recordPublicationPublished } from './aggregates/publication/commands.js';
import {
  cancelSession,
  enrolParticipant,
  recordAttendance,
  recordSessionHeld,
  rescheduleSession,
  scheduleSession,
  withdrawEnrolment,
} from './aggregates/session/commands.js';
import { cancelStudyVisit, completeStudyVisit, planStudyVisit } from './aggregates/study-visit/commands.js';

/** Every command, by type: the schema each edge (HTTP, CLI, import) validates with. */
export const commandSchemas = {
  RegisterInstitute: registerInstitute,
  RenameInstitute: renameInstitute,
  RegisterPartner: registerPartner,
  RenamePartner: renamePartner,
  CorrectPartnerDetails: correctPartnerDetails,
  SignAgreement: signAgreement,
  AmendAgreement: amendAgreement,
  TerminateAgreement: terminateAgreement,
  LaunchProgramme: launchProgramme,
  CloseProgramme: closeProgramme,
  ScheduleSession: scheduleSession,
  RescheduleSession: rescheduleSession,
  CancelSession: cancelSession,
  RecordSessionHeld: recordSessionHeld,
  RecordAttendance: recordAttendance,
  EnrolParticipant: enrolParticipant,
  WithdrawEnrolment: withdrawEnrolment,
  RegisterParticipant: registerParticipant,
  CorrectParticipantPersonalData: correctParticipantPersonalData,
  EraseParticipantData: eraseParticipantData,
  PlanStudyVisit: planStudyVisit,
  CompleteStudyVisit: completeStudyVisit,
  CancelStudyVisit: cancelStudyVisit,
  RecordPublicationPrepared: recordPublicationPrepared,
  PlanPublication: planPublication,
  RecordPublicationPublished: recordPublicationPublished,
  CorrectRecord: correctRecord,
} as const;

export type CommandType = keyof typeof commandSchemas;
export type Command = { [K in CommandType]: z.infer<(typeof commandSchemas)[K]> }[CommandType];
export type CommandOf<T extends CommandType> = z.infer<(typeof commandSchemas)[T]>;
/** A command as a caller writes it: fields with defaults may be left out. */
export type CommandInput = { [K in CommandType]: z.input<(typeof commandSchemas)[K]> }[CommandType];
export type CommandInputOf<T extends CommandType> = z.input<(typeof commandSchemas)[T]>;

const schemaList = Object.values(commandSchemas);
export const commandSchema = z.discriminatedUnion(
  'type',
  schemaList as unknown as [(typeof schemaList)[number], ...(typeof schemaList)[number][]],
);
export const commandTypes = Object.keys(commandSchemas) as CommandType[];
