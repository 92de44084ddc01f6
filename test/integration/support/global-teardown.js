import { tsImport } from 'tsx/esm/api';

export default async function globalTeardown() {
  const { tearDownRig } = await tsImport('./rig-setup.ts', import.meta.url);
  await tearDownRig();
}
