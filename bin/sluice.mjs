#!/usr/bin/env node
// Launcher: TypeScript sources run through tsx; the CLI lives in shared/runtimes/cli/main.ts (which sets process.exitCode).
import { register } from 'tsx/esm/api';

register();
await import('../shared/runtimes/cli/main.ts');
// Keep-alive sockets must not hold the process open once the command is done.
process.exit(process.exitCode ?? 0);
