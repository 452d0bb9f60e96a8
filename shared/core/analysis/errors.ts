/**
 * Errors of the analysis object model. Pure module: no I/O imports.
 */

/**
 * An AnalysisTemplate, ClusterAnalysisTemplate or AnalysisRun failed the structural check at the boundary. `path` is
 * the offending field (`spec.metrics[0].provider`), `subject` names the object (`AnalysisTemplate shop/error-rate`).
 */
export class AnalysisParseError extends Error {
  readonly path: string;
  readonly subject: string;

  constructor(subject: string, path: string, problem: string) {
    super(path ? `${subject}: ${path}: ${problem}` : `${subject}: ${problem}`);
    this.name = 'AnalysisParseError';
    this.path = path;
    this.subject = subject;
  }
}
