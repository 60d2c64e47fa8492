#!/usr/bin/env node
// Runs the TypeScript CLI in-process through tsx's loader: the workspace has no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/ps-probe.ts');
