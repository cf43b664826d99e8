import { defineCommand } from '../../schema/define.js';
import { instituteRegistered, instituteRenamed } from './events.js';

export const registerInstitute = defineCommand('RegisterInstitute', instituteRegistered.data.shape, 'Register the institute itself');
export const renameInstitute = defineCommand('RenameInstitute', instituteRenamed.data.shape, 'Record a change of the institute\'s name');
