// Prints the plain closing line CI reads: "N passed, N failed" (+ skipped).
import { existsSync, readFileSync } from 'node:fs';

// One report per stage (fuzz, then the rest): the line adds them up.
const reports = process.argv
  .slice(2)
  .filter((file) => existsSync(file))
  .map((file) => JSON.parse(readFileSync(file, 'utf8')));
const sum = (key) => reports.reduce((n, report) => n + (report[key] ?? 0), 0);
const skipped = sum('numPendingTests') + sum('numTodoTests');
console.log(`tests: ${sum('numPassedTests')} passed, ${sum('numFailedTests')} failed, ${skipped} skipped`);
