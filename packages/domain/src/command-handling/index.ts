export type { CommandContext, CommandOutcome } from './context.js';
export { parseCommand } from './parse.js';
export { prepareCommand, prepareParsedCommand, type PreparedCommand } from './prepare.js';
export { executeCommand } from './execute.js';
export { handle, handleUnknown } from './handle.js';
export { StateCache, stateCacheOf, type CachedState, type StateCacheOptions } from './state-cache.js';
