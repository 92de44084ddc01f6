import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: Record<string, unknown>;
}

const EXAMPLES_DIR = fileURLToPath(new URL('../../../examples/', import.meta.url));

/** Every manifest of examples/<folder>/*.yaml, by file name. */
export async function loadExamples(folder: string): Promise<Map<string, Manifest[]>> {
  const dir = `${EXAMPLES_DIR}${folder}/`;
  const files = (await readdir(dir)).filter((file) => file.endsWith('.yaml')).sort();
  const entries = await Promise.all(
    files.map(async (file) => {
      const documents = parseAllDocuments(await readFile(dir + file, 'utf8'));
      return [file, documents.map((doc) => doc.toJS() as Manifest)] as const;
    }),
  );
  return new Map(entries);
}
