#!/usr/bin/env node
// A reader that stops early (`taawun export | head`) closes the pipe: that is not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// Loaded here, not imported at the top, so that a broken installation is one line too, not a stack trace.
let run: typeof import('./program.js').run;
try {
  ({ run } = await import('./program.js'));
} catch (error) {
  process.stderr.write(`taawun: cannot start: ${(error as Error).message.split('\n')[0]} (is the installation complete? run npm install and npx tsc -b)\n`);
  process.exit(1);
}
process.exitCode = await run(process.argv.slice(2));
