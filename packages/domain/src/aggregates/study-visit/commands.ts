import { defineCommand } from '../../schema/define.js';
import { studyVisitCancelled, studyVisitCompleted, studyVisitPlanned } from './events.js';

export const planStudyVisit = defineCommand('PlanStudyVisit', studyVisitPlanned.data.shape, 'Plan a study visit, outgoing or hosted');
export const completeStudyVisit = defineCommand('CompleteStudyVisit', studyVisitCompleted.data.shape, 'Record that a planned study visit took place, and who took part');
export const cancelStudyVisit = defineCommand('CancelStudyVisit', studyVisitCancelled.data.shape, 'Cancel a planned study visit');
