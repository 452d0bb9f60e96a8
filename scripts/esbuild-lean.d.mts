/** Types of esbuild-lean.mjs (for its tests). */
import type { Plugin } from 'esbuild';
export declare const BANNER: string;
export declare const UNREACHABLE: Record<string, string[]>;
export declare function standIn(pkg: string): string;
export declare function withoutModels(source: string, file: string): string;
export declare const leanPlugin: Plugin;
