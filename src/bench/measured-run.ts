// One measured run in a process of its own, for `gdpmr bench`: the parent times it from outside
// and reads back its stage times and the peak RSS of the whole process, worker threads included.
import type { RunRequest } from '../engine/request.js';
import { runJob } from '../engine/run.js';

const request = JSON.parse(process.argv[2] ?? '{}') as RunRequest;
try {
  const outcome = await runJob(request);
  process.stdout.write(JSON.stringify({ stages: outcome.manifest.stages, records: outcome.manifest.counts.records, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
}
