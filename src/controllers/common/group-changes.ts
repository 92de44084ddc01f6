/**
 * Pushed changes of model package groups (a version's status or approval changed), for every
 * controller that watches groups: the ModelPackage sweeps receive them from the change detection and
 * pass them on here, so that the Endpoints that follow a group learn of an approval made in the
 * registry as soon as the event arrives.
 */
export class GroupChanges {
  private readonly listeners: ((group: string, region: string) => void)[] = [];

  on(listener: (group: string, region: string) => void): void {
    this.listeners.push(listener);
  }

  changed(group: string, region: string): void {
    for (const listener of this.listeners) listener(group, region);
  }
}
