/** Types of esbuild-lean.mjs (for its tests). */
import type { BuildOptions, Plugin } from 'esbuild';
export declare const BANNER: string;
export declare const NODE_BUNDLE: BuildOptions;
export declare const UNREACHABLE: Record<string, string[]>;
export declare function standIn(pkg: string): string;
export declare function withoutModels(source: string, file: string): string;
export declare const leanPlugin: Plugin;
