import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KubeConfig } from '@kubernetes/client-node';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { ALL_KINDS, GROUP, VERSION } from '../../../src/crds/index.js';
import { createTestNamespace, customObjects, testKubeConfig } from '../support/cluster.js';
import type { Manifest } from '../support/examples.js';
import { kubectl } from '../support/kubectl.js';

/*
 * A folder of objects that name each other runs again under a new name with kustomize: the
 * component of deploy/kustomize/references makes nameSuffix rename the references with the
 * objects. test/fixtures/kustomize holds a pipeline (preprocess -> train -> score -> serve) and two
 * runs of it; `kubectl kustomize` (the rig's kubectl) renders them and the apiserver takes both
 * side by side in one namespace.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = 'test/fixtures/kustomize';
const COMPONENT = join(ROOT, 'deploy/kustomize/references');
const PLURALS = new Map(ALL_KINDS.map((k) => [k.kind, k.plural]));

let kc: KubeConfig;
let namespace: string;
let scratch: string;

beforeAll(async () => {
  kc = testKubeConfig();
  namespace = await createTestNamespace(kc, 'kustomize');
  scratch = await mkdtemp(join(tmpdir(), 'kustomize-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** What `kubectl kustomize <dir>` prints, as manifests. */
async function render(dir: string): Promise<Manifest[]> {
  const output = await kubectl(namespace, ['kustomize', dir]);
  return parseAllDocuments(output).map((doc) => doc.toJS() as Manifest);
}

interface Found {
  /** `<Kind>/<name>` of the object holding the reference. */
  in: string;
  /** Where in its spec. */
  at: string;
  name: string;
}

/**
 * Every reference in the objects' specs, found by shape rather than by the component's list: each
 * `...Ref` object's name, and each dependsOn entry's.
 */
function references(manifests: Manifest[]): Found[] {
  const found: Found[] = [];
  const visit = (node: unknown, path: string, holder: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        visit(item, `${path}[${i}]`, holder);
      });
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      const at = `${path}.${key}`;
      const name = (value as { name?: unknown } | null)?.name;
      if (key.endsWith('Ref') && typeof name === 'string') found.push({ in: holder, at, name });
      if (key === 'dependsOn' && Array.isArray(value))
        value.forEach((entry: { name: string }, i) =>
          found.push({ in: holder, at: `${at}[${i}]`, name: entry.name }),
        );
      visit(value, at, holder);
    }
  };
  for (const m of manifests) visit(m.spec, 'spec', `${m.kind}/${m.metadata.name}`);
  return sorted(found);
}

function sorted(found: Found[]): Found[] {
  return found.sort((a, b) => `${a.in} ${a.at}`.localeCompare(`${b.in} ${b.at}`));
}

const names = (manifests: Manifest[]): string[] =>
  manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort();

/** The references of the pipeline's run `suffix` ('' for the folder itself). */
const pipelineReferences = (suffix: string): Found[] => [
  { in: `Endpoint/serve${suffix}`, at: 'spec.dependsOn[0]', name: `score${suffix}` },
  // An object outside the folder keeps its name.
  { in: `Endpoint/serve${suffix}`, at: 'spec.dependsOn[1]', name: 'nightly-export' },
  {
    in: `Endpoint/serve${suffix}`,
    at: 'spec.models[0].primaryContainer.modelDataFrom.trainingJobRef',
    name: `train${suffix}`,
  },
  { in: `Endpoint/serve${suffix}`, at: 'spec.when[0].jsonFrom.trainingJobRef', name: `train${suffix}` },
  {
    in: `TrainingJob/train${suffix}`,
    at: 'spec.inputDataConfig[0].dataSource.s3DataSource.s3UriFrom.processingJobRef',
    name: `preprocess${suffix}`,
  },
  {
    in: `TransformJob/score${suffix}`,
    at: 'spec.model.primaryContainer.modelDataFrom.trainingJobRef',
    name: `train${suffix}`,
  },
  {
    in: `TransformJob/score${suffix}`,
    at: 'spec.transformInput.dataSource.s3DataSource.s3UriFrom.processingJobRef',
    name: `preprocess${suffix}`,
  },
];

const pipelineObjects = (suffix: string): string[] =>
  [`Endpoint/serve`, `ProcessingJob/preprocess`, `TrainingJob/train`, `TransformJob/score`].map(
    (o) => o + suffix,
  );

describe('a pipeline folder run again with kustomize (deploy/kustomize/references)', () => {
  let folder: Manifest[];
  let run1: Manifest[];
  let run2: Manifest[];

  beforeAll(async () => {
    [folder, run1, run2] = await Promise.all([
      render(`${FIXTURES}/pipeline`),
      render(`${FIXTURES}/run-1`),
      render(`${FIXTURES}/run-2`),
    ]);
  });

  it('renames every object and every reference between them with the run, and nothing outside', () => {
    expect(names(folder)).toEqual(pipelineObjects(''));
    expect(references(folder)).toEqual(pipelineReferences(''));
    expect(names(run1)).toEqual(pipelineObjects('-run-1'));
    expect(references(run1)).toEqual(pipelineReferences('-run-1'));
    expect(names(run2)).toEqual(pipelineObjects('-run-2'));
    expect(references(run2)).toEqual(pipelineReferences('-run-2'));

    const inRun2 = new Set(run2.map((m) => m.metadata.name));
    for (const reference of references(run2)) {
      if (reference.name === 'nightly-export') continue;
      expect(inRun2).toContain(reference.name);
      expect(reference.name).not.toMatch(/-run-1$/);
    }
  });

  it('labels each run and gives it its own output locations', () => {
    for (const [run, manifests] of [
      ['run-1', run1],
      ['run-2', run2],
    ] as const) {
      for (const m of manifests)
        expect(m.metadata.labels).toEqual({ 'app.kubernetes.io/instance': `churn-${run}` });
      const byKind = new Map(manifests.map((m) => [m.kind, m.spec]));
      expect(byKind.get('ProcessingJob')).toMatchObject({
        processingOutputConfig: {
          outputs: [
            {
              outputName: 'train',
              s3Output: { s3Uri: `s3://my-sagemaker-bucket/churn/${run}/preprocess/train` },
            },
            {
              outputName: 'test',
              s3Output: { s3Uri: `s3://my-sagemaker-bucket/churn/${run}/preprocess/test` },
            },
          ],
        },
      });
      expect(byKind.get('TransformJob')).toMatchObject({
        transformOutput: { s3OutputPath: `s3://my-sagemaker-bucket/churn/${run}/scores` },
      });
    }
  });

  it('is accepted by the apiserver, both runs side by side in one namespace, references as rendered', async () => {
    for (const [run, manifests] of [
      ['run-1', run1],
      ['run-2', run2],
    ] as const) {
      const file = join(scratch, `${run}.yaml`);
      await writeFile(file, manifests.map((m) => JSON.stringify(m)).join('\n---\n'));
      const applied = await kubectl(namespace, ['apply', '-f', file]);
      expect(applied.trim().split('\n').sort()).toEqual(
        pipelineObjects(`-${run}`).map((o) => {
          const [kind, name] = o.split('/');
          return `${kind?.toLowerCase()}.${GROUP}/${name} created`;
        }),
      );
    }
    const stored: Manifest[] = [];
    for (const m of [...run1, ...run2]) {
      stored.push(
        (await customObjects(kc).getNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace,
          plural: PLURALS.get(m.kind) ?? '',
          name: m.metadata.name,
        })) as Manifest,
      );
    }
    expect(references(stored)).toEqual(
      sorted([...pipelineReferences('-run-1'), ...pipelineReferences('-run-2')]),
    );
  });
});

describe('a multi-model folder run again (examples/multi-model)', () => {
  /** examples/multi-model copied into a folder with a kustomization, and a run of it with `labels`. */
  async function run(includeSelectors: boolean): Promise<Manifest[]> {
    const dir = join(scratch, `multi-model-${String(includeSelectors)}`);
    await mkdir(join(dir, 'base'), { recursive: true });
    await cp(join(ROOT, 'examples/multi-model'), join(dir, 'base'), { recursive: true });
    const files = (await readdir(join(dir, 'base'))).filter((f) => f.endsWith('.yaml')).sort();
    await writeFile(join(dir, 'base/kustomization.yaml'), JSON.stringify({ resources: files }));
    await mkdir(join(dir, 'run-2'));
    await writeFile(
      join(dir, 'run-2/kustomization.yaml'),
      JSON.stringify({
        resources: ['../base'],
        components: [relative(join(dir, 'run-2'), COMPONENT)],
        nameSuffix: '-run-2',
        labels: [{ pairs: { 'app.kubernetes.io/instance': 'housing-run-2' }, includeSelectors }],
      }),
    );
    return render(join(dir, 'run-2'));
  }

  const selectorOf = (manifests: Manifest[]) => manifests.find((m) => m.kind === 'MultiModelSet')?.spec;

  it('selects only the TrainingJobs of its run with labels includeSelectors: true', async () => {
    const manifests = await run(true);
    expect(selectorOf(manifests)).toMatchObject({
      endpointRef: { name: 'housing-run-2' },
      trainingJobSelector: {
        matchLabels: {
          'app.kubernetes.io/part-of': 'housing',
          'app.kubernetes.io/instance': 'housing-run-2',
        },
        modelNameLabel: 'housing.example.com/city',
      },
    });
    const jobs = manifests.filter((m) => m.kind === 'TrainingJob');
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs)
      expect(job.metadata.labels).toMatchObject({
        'app.kubernetes.io/part-of': 'housing',
        'app.kubernetes.io/instance': 'housing-run-2',
      });
  });

  it('leaves the selector as written without includeSelectors (every run’s jobs match it)', async () => {
    const spec = selectorOf(await run(false)) as {
      endpointRef: unknown;
      trainingJobSelector: { matchLabels: unknown };
    };
    expect(spec.endpointRef).toEqual({ name: 'housing-run-2' });
    expect(spec.trainingJobSelector.matchLabels).toEqual({ 'app.kubernetes.io/part-of': 'housing' });
  });
});
