#!/usr/bin/env node
// `npm run bench`: the benchmark (bench/main.ts) runs through tsx, like the CLI launcher.
import { register } from 'tsx/esm/api';

register();
await import('../bench/main.ts');
