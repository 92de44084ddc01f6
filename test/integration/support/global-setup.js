// Jest imports global setup natively, outside its TypeScript transform; tsx loads the TypeScript rig.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { setUpRig } = await tsImport('./rig-setup.ts', import.meta.url);
  await setUpRig();
}
