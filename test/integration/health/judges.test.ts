/**
 * The judges themselves: that the Lua VM offers a health script exactly what Argo CD's offers, and
 * that kstatus applies the rules docs/helm.md describes, on hand-made objects.
 */
import { describe, expect, it } from '@jest/globals';
import { judgeWithArgoCd, judgeWithKstatus } from '../../rig/judges.js';

const obj = (status?: object, metadata: object = {}): object => ({
  apiVersion: 'sagemaker.mlops.dev/v1alpha1',
  kind: 'TrainingJob',
  metadata: { name: 'demo', namespace: 'ml', generation: 2, ...metadata },
  ...(status === undefined ? {} : { status }),
});

const condition = (type: string, status: string, reason = 'Because', message = `${type} is ${status}`) => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: '2026-11-27T10:00:00Z',
});

describe('the Argo CD judge', () => {
  it('opens only the libraries Argo CD opens: base, table, package, and os through require', async () => {
    const script = `
      local os = require("os")
      local seen = {}
      for _, name in ipairs({ "string", "math", "io", "debug", "coroutine", "os" }) do
        table.insert(seen, name .. "=" .. type(_G[name]))
      end
      table.insert(seen, "os.time=" .. type(os.time))
      table.insert(seen, "os.exit=" .. type(os.exit))
      return { status = "Healthy", message = table.concat(seen, " ") }`;
    expect(await judgeWithArgoCd(script, [obj()])).toEqual([
      {
        status: 'Healthy',
        message: 'string=nil math=nil io=nil debug=nil coroutine=nil os=nil os.time=function os.exit=nil',
      },
    ]);
  });

  it('gives the object as `obj`: numbers as numbers, lists as 1-based sequences', async () => {
    const script = `
      local c = obj.status.conditions
      return { status = "Progressing", message = type(obj.metadata.generation) .. " " ..
        tostring(obj.metadata.generation + 1) .. " " .. #c .. " " .. c[1].type }`;
    const judged = await judgeWithArgoCd(script, [
      obj({ conditions: [condition('Ready', 'True'), condition('Synced', 'True')] }),
    ]);
    expect(judged).toEqual([{ status: 'Progressing', message: 'number 3 2 Ready' }]);
  });

  it('reads a status outside the health codes as Unknown, and fails on a script error', async () => {
    expect(await judgeWithArgoCd('return { status = "Fine" }', [obj()])).toEqual([
      { status: 'Unknown', message: 'Lua returned an invalid health status' },
    ]);
    await expect(judgeWithArgoCd('return { status = string.upper("x") }', [obj()])).rejects.toThrow(
      /could not judge object 0: .*string/,
    );
  });

  it('does not run the script on an object being deleted, as Argo CD does not', async () => {
    const deleting = obj(undefined, { deletionTimestamp: '2026-11-27T10:00:00Z', finalizers: ['x'] });
    expect(await judgeWithArgoCd('return { status = "Healthy" }', [deleting])).toEqual([
      { status: 'Progressing', message: 'Pending deletion' },
    ]);
  });
});

describe('the kstatus judge', () => {
  it('applies the rules for custom resources in their order', async () => {
    const judged = await judgeWithKstatus([
      obj(),
      obj({ observedGeneration: 1, conditions: [condition('Ready', 'True')] }),
      obj({ observedGeneration: 2, conditions: [condition('Ready', 'True'), condition('Stalled', 'True')] }),
      obj({ observedGeneration: 2, conditions: [condition('Reconciling', 'True')] }),
      obj({ observedGeneration: 2, conditions: [condition('Ready', 'False')] }),
      obj({ observedGeneration: 2, conditions: [condition('Ready', 'True')] }),
      obj({ observedGeneration: 2 }, { deletionTimestamp: '2026-11-27T10:00:00Z', finalizers: ['x'] }),
    ]);
    expect(judged.map((v) => v.status)).toEqual([
      'Current',
      'InProgress',
      'Failed',
      'InProgress',
      'InProgress',
      'Current',
      'Terminating',
    ]);
    expect(judged[2]?.message).toBe('Stalled is True');
  });

  it('answers an empty list with an empty list', async () => {
    expect(await judgeWithKstatus([])).toEqual([]);
  });
});
