// The three languages people read taawun in: message catalogues, dates, locales.
export * from './locale.js';
export * from './messages.js';
export * from './dates.js';
