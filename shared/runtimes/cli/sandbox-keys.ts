/**
 * Single-key commands in the `sluice run` terminal: p promote, a abort, q (or Ctrl-C) quit.
 */
import type { OperatorActionName } from '../../core/model/actions.js';

/** A readable TTY-like stream (process.stdin). */
export interface KeySource {
  isTTY?: boolean;
  setRawMode?: (mode: boolean) => unknown;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** What a key asks for: one of two operator actions, or quitting. */
export type KeyAction = Extract<OperatorActionName, 'promote' | 'abort'> | 'quit';

/** The action of one key press, or undefined for other keys. */
export function keyAction(key: string): KeyAction | undefined {
  if (key === 'p' || key === 'P') return 'promote';
  if (key === 'a' || key === 'A') return 'abort';
  if (key === 'q' || key === 'Q' || key === '\u0003') return 'quit';
  return undefined;
}

/** Listens for keys until stop(); raw mode is restored on stop. */
export function startKeys(source: KeySource, onAction: (action: KeyAction) => void): { stop(): void } {
  const listener = (chunk: Buffer | string): void => {
    for (const ch of chunk.toString()) {
      const action = keyAction(ch);
      if (action) onAction(action);
    }
  };
  source.setRawMode?.(true);
  source.on('data', listener);
  source.resume();
  return {
    stop: () => {
      source.off('data', listener);
      source.setRawMode?.(false);
      source.pause();
    },
  };
}
