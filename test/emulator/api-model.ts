import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';

/** The subset of botocore's service-2.json shape vocabulary the validator reads. */
export interface ShapeRef {
  shape: string;
}

export interface Shape {
  type:
    | 'structure'
    | 'list'
    | 'map'
    | 'string'
    | 'integer'
    | 'long'
    | 'float'
    | 'double'
    | 'boolean'
    | 'timestamp'
    | 'blob';
  required?: string[];
  members?: Record<string, ShapeRef>;
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  union?: boolean;
  exception?: boolean;
}

export interface Operation {
  name: string;
  input?: ShapeRef;
  output?: ShapeRef;
}

export interface ApiModel {
  metadata: { targetPrefix: string; apiVersion: string };
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}

export async function loadApiModel(path: string): Promise<ApiModel> {
  return JSON.parse(gunzipSync(await readFile(path)).toString('utf8')) as ApiModel;
}
