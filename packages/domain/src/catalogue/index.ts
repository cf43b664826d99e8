export * from './events.js';
export * from './decoding.js';
export * from './commands.js';
export * from './routing.js';
