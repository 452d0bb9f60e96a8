/** Process helpers for the test cluster: free ports, logged detached children, readiness polling, stop by pid. */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';

/** Asks the kernel for a free 127.0.0.1 port (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** A started child whose output goes to `log`; `exited` is set once it ends. */
export interface Started {
  child: ChildProcess;
  pid: number;
  log: string;
  exited?: { code: number | null; signal: string | null };
}

/** Starts `bin args` detached (it outlives this process) with stdout/stderr appended to `log`. */
export function startLogged(bin: string, args: string[], log: string): Started {
  const fd = openSync(log, 'a');
  const child = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${bin} (see ${log})`);
  const s: Started = { child, pid: child.pid, log };
  child.on('exit', (code, signal) => (s.exited = { code, signal }));
  child.on('error', () => (s.exited = { code: -1, signal: null }));
  child.unref();
  return s;
}

/** The last `n` lines of a log file, for error messages. */
export function logTail(file: string, n = 25): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `check` every `everyMs` until it returns true. Fails fast with the log tail if the process exits,
 * and with `what` plus the log tail once `budgetMs` has passed.
 */
export async function waitUntil(
  what: string,
  proc: Started,
  check: () => Promise<boolean>,
  budgetMs: number,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    if (proc.exited) {
      throw new Error(
        `${what}: process ${proc.pid} exited (${JSON.stringify(proc.exited)}); log ${proc.log}:\n${logTail(proc.log)}`,
      );
    }
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: not ready after ${budgetMs / 1000} s; log ${proc.log}:\n${logTail(proc.log)}`,
      );
    }
    await sleep(everyMs);
  }
}

/** True if `pid` is alive and its command line contains `expect` (guards against a reused pid). */
export function isOurProcess(pid: number, expect: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(expect);
  } catch {
    return true; // no /proc: trust the pid
  }
}

/** Sends SIGTERM, waits up to `graceMs` for the process to go, then SIGKILL. No-op if it is not ours. */
export async function stopPid(pid: number, expect: string, graceMs = 20_000): Promise<void> {
  if (!isOurProcess(pid, expect)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isOurProcess(pid, expect)) return;
    await sleep(50);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
  while (isOurProcess(pid, expect)) await sleep(50);
}
