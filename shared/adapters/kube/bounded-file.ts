/**
 * The one way sluice reads a file a user names (kubeconfig, cluster registry, webhook secret): only a regular file,
 * and only up to a size cap checked before reading. `/dev/zero`, a FIFO, a socket or a directory is refused at once
 * (the file is opened non-blocking, so a FIFO with no writer cannot stall the start), and so is a file over the cap.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

import { MAX_KUBECONFIG_CHARS } from './kubeconfig-parse.js';

/** Largest kubeconfig file read, in bytes: the parser's character cap, 4 bytes a character at most in UTF-8. */
export const MAX_KUBECONFIG_FILE_BYTES = MAX_KUBECONFIG_CHARS * 4;

/** Largest cluster registry read, in bytes. */
export const MAX_REGISTRY_BYTES = 1024 * 1024;

/** A named file that cannot be read: missing, not a regular file, or too large. The message names it. */
export class FileReadError extends Error {
  override readonly name = 'FileReadError';
}

/** What kind of file `stats` describes, in words. */
function kindOf(stats: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The text of the regular file at `path`, at most `maxBytes` bytes. Throws {@link FileReadError}
 * `cannot read <what> <path>: <why>` (the error code, `a FIFO, not a regular file`, `N bytes, over the M-byte cap`).
 *
 * @example const text = await readBoundedFile('/etc/sluice/kubeconfig', 'kubeconfig', 256 * 1024);
 */
export async function readBoundedFile(path: string, what: string, maxBytes: number): Promise<string> {
  const fail = (why: string): FileReadError => new FileReadError(`cannot read ${what} ${path}: ${why}`);
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw fail((err as NodeJS.ErrnoException).code ?? String(err));
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw fail(`${kindOf(stats)}, not a regular file`);
    if (stats.size > maxBytes) throw fail(`${stats.size} bytes, over the ${maxBytes}-byte cap`);
    // Read one byte past the cap: a file that grew since the stat is refused too.
    const buf = Buffer.alloc(maxBytes + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled > maxBytes) throw fail(`over the ${maxBytes}-byte cap`);
    }
    return buf.subarray(0, filled).toString('utf8');
  } finally {
    await handle.close();
  }
}
