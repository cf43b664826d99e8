export { cohortsProjection, cohortPlacements, describePlacement, type CohortPlacement, type CohortsState } from './cohorts.js';
export { replayCohorts, openInstituteFile } from './replay-cohorts.js';
export { cohortPlacementsReadModel } from './read-model.js';
