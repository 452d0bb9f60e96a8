// One cold start, in a fresh process: import a function bundle, optionally invoke its handler once, and print
// timings (ms since the process started, from performance.now(); the import's CPU time from process.cpuUsage())
// and the peak RSS as JSON on stdout.
// argv: <bundle path> <import|invoke> [event JSON] [remaining ms]
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [bundle, mode, eventJson = '{}', remaining = '60000'] = process.argv.slice(2);
const started = performance.now();
const cpu = process.cpuUsage();
const mod = await import(pathToFileURL(bundle).href);
const imported = performance.now();
const used = process.cpuUsage(cpu);
const out = { bootMs: started, importMs: imported - started, importCpuMs: (used.user + used.system) / 1000 };
if (mode === 'invoke') {
  const deadline = Date.now() + Number(remaining);
  const context = {
    awsRequestId: 'bench-cold',
    functionName: 'bench',
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
  const result = await mod.handler(JSON.parse(eventJson), context);
  out.firstResponseMs = performance.now();
  out.handlerMs = out.firstResponseMs - imported;
  // CPU time of the first invocation (it loads the AWS SDK clients the bundle no longer loads at import).
  const all = process.cpuUsage(cpu);
  out.handlerCpuMs = (all.user + all.system) / 1000 - out.importCpuMs;
  out.result = JSON.stringify(result).slice(0, 200);
}
out.maxRssBytes = process.resourceUsage().maxRSS * 1024;
process.stdout.write(`${JSON.stringify(out)}\n`);
process.exit(0);
