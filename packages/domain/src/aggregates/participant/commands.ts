import { defineCommand } from '../../schema/define.js';
import { participantDataErased, participantPersonalDataCorrected, participantRegistered } from './events.js';

export const registerParticipant = defineCommand('RegisterParticipant', participantRegistered.data.shape, 'Register a participant (judge, attaché, trainer, clerk, expert)');
export const correctParticipantPersonalData = defineCommand(
  'CorrectParticipantPersonalData',
  participantPersonalDataCorrected.data.shape,
  'Correct a participant\'s personal data',
);
export const eraseParticipantData = defineCommand('EraseParticipantData', participantDataErased.data.shape, 'Erase a participant\'s personal data');
