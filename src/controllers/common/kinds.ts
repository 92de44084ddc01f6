import { GROUP, VERSION, type KindDefinition } from '../../crds/index.js';
import type { KindDescriptor, KubeObject } from '../../runtime/index.js';

/** The runtime's descriptor of one of our kinds. */
export function descriptorOf<T extends KubeObject>(definition: KindDefinition): KindDescriptor<T> {
  return { group: GROUP, version: VERSION, plural: definition.plural, kind: definition.kind };
}
