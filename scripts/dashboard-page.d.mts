/** Types of dashboard-page.mjs (for the runtime that builds the page on first request, and the bench). */
export declare const PAGE_BUDGET_BYTES: number;
export declare const PAGE_DEFINE: string;
export declare function buildPageScript(): Promise<string>;
export declare function pageWeight(texts: string[]): { raw: number; gzipped: number };
