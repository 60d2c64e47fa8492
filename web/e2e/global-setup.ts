import { buildConsole } from '../bench/build-console';

/** Builds the console once for the run (TESSERA_E2E_SKIP_BUILD=1 reuses web/dist). */
export default async function globalSetup(): Promise<void> {
  if (process.env.TESSERA_E2E_SKIP_BUILD === '1') return;
  await buildConsole();
}
