export { openTrainingOffice, workshop, type TrainingOffice } from './training-office.js';
