import { defineCommand } from '../../schema/define.js';
import { publicationPlanned, publicationPrepared, publicationPublished } from './events.js';

export const recordPublicationPrepared = defineCommand('RecordPublicationPrepared', publicationPrepared.data.shape, 'Record that a guide, curriculum or module was prepared');
export const planPublication = defineCommand('PlanPublication', publicationPlanned.data.shape, 'Plan the printing and publication of a prepared text');
export const recordPublicationPublished = defineCommand('RecordPublicationPublished', publicationPublished.data.shape, 'Record that a prepared text was published');
