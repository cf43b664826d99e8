import { defineCommand } from '../../schema/define.js';
import { partnerDetailsCorrected, partnerRegistered, partnerRenamed } from './events.js';

export const registerPartner = defineCommand('RegisterPartner', partnerRegistered.data.shape, 'Register a partner under a readable id');
export const renamePartner = defineCommand('RenamePartner', partnerRenamed.data.shape, 'Record that a partner changed its name');
export const correctPartnerDetails = defineCommand('CorrectPartnerDetails', partnerDetailsCorrected.data.shape, 'Correct a partner\'s registered details');
