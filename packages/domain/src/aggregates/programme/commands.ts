import { defineCommand } from '../../schema/define.js';
import { programmeClosed, programmeLaunched } from './events.js';

export const launchProgramme = defineCommand('LaunchProgramme', programmeLaunched.data.shape, 'Record the start of a cooperation programme');
export const closeProgramme = defineCommand('CloseProgramme', programmeClosed.data.shape, 'Record the end of a cooperation programme');
