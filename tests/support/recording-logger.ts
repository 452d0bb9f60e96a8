/** A logger at debug level that records every entry, and its messages in order, for assertions. */
import { entryLogger, type LogEntry, type Logger } from '../../shared/app/logger.js';

export function recordingLogger(): { log: Logger; entries: LogEntry[]; messages: string[] } {
  const entries: LogEntry[] = [];
  const messages: string[] = [];
  const log = entryLogger('debug', (entry) => {
    entries.push(entry);
    messages.push(entry.msg);
  });
  return { log, entries, messages };
}
