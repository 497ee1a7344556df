#!/usr/bin/env node
// Entry point for the built CLI; `npm run build` produces dist/.
import { runCli } from '../dist/cli/main.js';

process.exitCode = await runCli(process.argv.slice(2));
