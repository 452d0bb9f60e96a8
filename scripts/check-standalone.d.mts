/** Types of check-standalone.mjs (for its unit test). */
export interface OutsideReference {
  line: number;
  reason: string;
  text: string;
}
export declare const OUTSIDE_DOCUMENTS: string[];
export declare const EXEMPT: string[];
export declare function outsideReferences(file: string, text: string): OutsideReference[];
export declare function checkRepository(root: string): string[];
