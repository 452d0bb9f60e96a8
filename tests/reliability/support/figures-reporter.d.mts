/** Types of figures-reporter.mjs (for its unit test). */
export interface RunFigures {
  [count: string]: unknown;
  ledgerViolations: string[];
  files: string[];
  rows: string[];
}
export declare function sumFigures(list: Record<string, unknown>[]): RunFigures;
export declare function failedFigures(total: RunFigures): string[];
export declare function formatFigures(total: RunFigures): string;
export default class FiguresReporter {
  onRunStart(): void;
  onRunComplete(): void;
  getLastError(): Error | undefined;
}
