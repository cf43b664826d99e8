// Preloaded into a CLI run by the bench (`node --require`): at exit, writes the
// process's peak resident set (bytes) to TAAWUN_BENCH_RSS_FILE, so the parent
// measures the CLI's own peak, not its own.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  const file = process.env.TAAWUN_BENCH_RSS_FILE;
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
});
