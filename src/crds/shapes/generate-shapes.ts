/*
 * Writes src/crds/shapes/sagemaker.generated.ts: a TypeBox schema for every structure reachable
 * from the SageMaker requests the operator's kinds map to, read from the pinned botocore model.
 * `npm run crds` runs it (src/crds/generate.ts finds the model in the rig's virtualenv).
 */
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import {
  elementOf,
  firstSentence,
  lowerCamel,
  portablePattern,
  requestShapeName,
  shapeOf,
  type BotocoreModel,
  type MemberRef,
  type ModelShape,
} from './botocore.js';

export const SHAPES_FILE = fileURLToPath(new URL('./sagemaker.generated.ts', import.meta.url));

/** The requests the kinds use or will use. */
export const REQUESTS = [
  'CreateTrainingJob',
  'CreateModel',
  'CreateEndpointConfig',
  'CreateEndpoint',
  'UpdateEndpoint',
  'CreateMonitoringSchedule',
  'CreateDataQualityJobDefinition',
  'CreateModelQualityJobDefinition',
  'CreateModelBiasJobDefinition',
  'CreateModelExplainabilityJobDefinition',
  'CreateTransformJob',
  'CreateProcessingJob',
  'CreateModelPackageGroup',
  'CreateModelPackage',
] as const;

export type Request = (typeof REQUESTS)[number];

const NAME = 'the operator derives it from metadata.name, or takes the kind’s optional explicit name field';
const TAGS = 'spec.tags is a map, reconciled with AddTags/DeleteTags';
const CONFIG = 'the operator names the EndpointConfig it creates for the Endpoint';

/**
 * Top-level request members left out of the generated request schemas, and why: the operator
 * supplies them, so a spec never carries them. Everything else of the request is generated.
 */
export const DERIVED: Readonly<Record<Request, Readonly<Record<string, string>>>> = {
  CreateTrainingJob: { TrainingJobName: NAME, Tags: TAGS },
  CreateModel: { ModelName: NAME, Tags: TAGS },
  CreateEndpointConfig: { EndpointConfigName: NAME, Tags: TAGS },
  CreateEndpoint: { EndpointName: NAME, EndpointConfigName: CONFIG, Tags: TAGS },
  UpdateEndpoint: { EndpointName: NAME, EndpointConfigName: CONFIG },
  CreateMonitoringSchedule: { MonitoringScheduleName: NAME, Tags: TAGS },
  CreateDataQualityJobDefinition: { JobDefinitionName: NAME, Tags: TAGS },
  CreateModelQualityJobDefinition: { JobDefinitionName: NAME, Tags: TAGS },
  CreateModelBiasJobDefinition: { JobDefinitionName: NAME, Tags: TAGS },
  CreateModelExplainabilityJobDefinition: { JobDefinitionName: NAME, Tags: TAGS },
  CreateTransformJob: { TransformJobName: NAME, Tags: TAGS },
  CreateProcessingJob: { ProcessingJobName: NAME, Tags: TAGS },
  CreateModelPackageGroup: { ModelPackageGroupName: NAME, Tags: TAGS },
  CreateModelPackage: {
    ModelPackageName: 'the kind registers versions in a group; SageMaker numbers them',
    Tags: 'a version carries its group’s tags; SageMaker refuses tags on it',
    ClientToken: 'the operator’s: the object’s uid, so a retried create registers one version',
    CertifyForMarketplace: 'does not apply to versions',
  },
};

/**
 * Recursive shapes: a structure is expanded at most once on any path from a request; a member
 * that would enter a structure already being expanded (a cycle) becomes an object whose fields
 * the apiserver keeps unchecked (SageMaker validates them). None of the requests above has a
 * cycle in botocore 1.44.5; the rule keeps the output finite if one appears.
 */
export const MAX_STRUCTURE_DEPTH_ON_A_CYCLE = 1;

const IMPORTS = new Set(['Type', 'Static', 'StringEnum', 'StringMap', 'refine']);

interface Options {
  description?: string | undefined;
  [key: string]: unknown;
}

function options(entries: Options): string {
  const defined = Object.entries(entries).filter(([, value]) => value !== undefined);
  return `{ ${defined.map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join(', ')} }`;
}

class Emitter {
  readonly structures = new Map<string, string>();
  readonly enums = new Map<string, string>();
  private readonly expanding = new Set<string>();

  constructor(private readonly model: BotocoreModel) {}

  /** The schema expression of a value of shape `name`; `description` documents the member. */
  expression(name: string, description: string | undefined): string {
    const shape = shapeOf(this.model, name);
    switch (shape.type) {
      case 'structure': {
        if (this.expanding.has(name)) {
          return `Type.Unsafe<Record<string, unknown>>(${options({
            description,
            type: 'object',
            'x-kubernetes-preserve-unknown-fields': true,
          })})`;
        }
        this.structure(name, shape);
        // The member's own sentence documents it where it is used, rather than the structure's.
        return description === undefined ? name : `refine(${name}, ${options({ description })})`;
      }
      case 'list':
        return `Type.Array(${this.expression(elementOf(shape, 'member'), undefined)}, ${options({
          description,
          minItems: shape.min || undefined,
          maxItems: shape.max,
        })})`;
      case 'map':
        return `StringMap(${this.expression(elementOf(shape, 'value'), undefined)}, ${options({
          description,
          minProperties: shape.min || undefined,
          maxProperties: shape.max,
        })})`;
      case 'string':
        if (shape.enum)
          return `StringEnum(${this.enumValues(name, shape.enum)}, ${options({ description })})`;
        return `Type.String(${options({
          description,
          minLength: shape.min || undefined,
          maxLength: shape.max,
          pattern: portablePattern(shape.pattern),
        })})`;
      case 'integer':
      case 'long':
        return `Type.Integer(${options({ description, minimum: shape.min, maximum: shape.max })})`;
      case 'float':
      case 'double':
        return `Type.Number(${options({ description, minimum: shape.min, maximum: shape.max })})`;
      case 'boolean':
        return `Type.Boolean(${options({ description })})`;
      case 'timestamp':
        return `Type.String(${options({ description, format: 'date-time' })})`;
      case 'blob':
        return `Type.String(${options({ description, format: 'byte' })})`;
    }
  }

  private enumValues(name: string, values: string[]): string {
    const constant = `${name}Values`;
    if (!this.enums.has(constant)) {
      this.claim(constant);
      this.enums.set(constant, `export const ${constant} = ${JSON.stringify(values)} as const;`);
    }
    return constant;
  }

  private claim(identifier: string): void {
    if (IMPORTS.has(identifier) || this.structures.has(identifier) || this.enums.has(identifier)) {
      throw new Error(`generated identifier ${identifier} is used twice`);
    }
  }

  /** Emits the structure's constant after those of the structures it contains. */
  structure(
    name: string,
    shape: ModelShape,
    omit: Readonly<Record<string, string>> = {},
    describe = `The ${name} structure of the SageMaker API.`,
  ): void {
    if (this.structures.has(name)) return;
    this.claim(name);
    this.expanding.add(name);
    const required = new Set(shape.required ?? []);
    const properties = Object.entries(shape.members ?? {})
      .filter(([member]) => !(member in omit))
      .map(([member, ref]) => {
        const value = this.expression(ref.shape, this.memberDescription(name, member, ref));
        return `${lowerCamel(member)}: ${required.has(member) ? value : `Type.Optional(${value})`},`;
      });
    this.expanding.delete(name);
    const description = firstSentence(shape.documentation) ?? describe;
    this.structures.set(
      name,
      `export const ${name} = Type.Object({\n${properties.join('\n')}\n}, ${options({ description })});`,
    );
  }

  private memberDescription(parent: string, member: string, ref: MemberRef): string {
    return (
      firstSentence(ref.documentation) ??
      firstSentence(shapeOf(this.model, ref.shape).documentation) ??
      `The ${member} member of ${parent}.`
    );
  }
}

/** The generated TypeScript, formatted as prettier formats the repository. */
export async function renderShapes(model: BotocoreModel, botocoreVersion: string): Promise<string> {
  const emitter = new Emitter(model);
  const requests: string[] = [];
  for (const operation of REQUESTS) {
    const name = requestShapeName(model, operation);
    const derived = Object.keys(DERIVED[operation]).join(', ');
    emitter.structure(
      name,
      shapeOf(model, name),
      DERIVED[operation],
      `The ${operation} request without ${derived}.`,
    );
    requests.push(`  ${operation}: ${name},`);
  }
  const requestTypes = REQUESTS.map((operation) => {
    const name = requestShapeName(model, operation);
    return `export type ${name} = Static<typeof ${name}>;`;
  });
  const source = [
    `// Generated by \`npm run crds\` (src/crds/shapes/generate-shapes.ts) from botocore ${botocoreVersion}'s`,
    `// SageMaker model (API version ${model.metadata.apiVersion}), with the limits SageMaker documents`,
    '// beyond it (documented-limits.ts). Do not edit.',
    "import { Type, type Static } from '@sinclair/typebox';",
    "import { refine, StringEnum, StringMap } from '../schema.js';",
    '',
    ...[...emitter.enums].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, line]) => line),
    '',
    ...emitter.structures.values(),
    '',
    ...requestTypes,
    '',
    '/** The schema of each request, without the members the operator derives (DERIVED in generate-shapes.ts). */',
    `export const REQUEST_SHAPES = {\n${requests.join('\n')}\n} as const;`,
    '',
  ].join('\n');
  const config = (await resolveConfig(SHAPES_FILE)) ?? {};
  return format(source, { ...config, filepath: SHAPES_FILE });
}
