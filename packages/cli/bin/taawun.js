#!/usr/bin/env node
// The `taawun` command. It lives outside dist/ so that `npm install` links it
// even before the first build (npm skips a bin whose file does not exist yet).
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('taawun: the command line is not built yet: run "npm run build" (or "npx tsc -b") at the root of the repository\n');
  process.exit(1);
}
await import(main.href);
