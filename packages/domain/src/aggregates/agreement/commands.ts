import { defineCommand } from '../../schema/define.js';
import { agreementAmended, agreementSigned, agreementTerminated } from './events.js';

export const signAgreement = defineCommand('SignAgreement', agreementSigned.data.shape, 'Record the signature of an agreement with one or more partners');
export const amendAgreement = defineCommand('AmendAgreement', agreementAmended.data.shape, 'Record an amendment to an agreement');
export const terminateAgreement = defineCommand('TerminateAgreement', agreementTerminated.data.shape, 'Record the end of an agreement');
