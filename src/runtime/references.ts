/** Which objects refer to which (by key), so a change of the target can requeue its referrers. */
export class ReferenceIndex {
  private readonly byTarget = new Map<string, Set<string>>();
  private readonly byReferrer = new Map<string, readonly string[]>();

  set(referrer: string, targets: readonly string[]): void {
    this.delete(referrer);
    if (targets.length === 0) return;
    this.byReferrer.set(referrer, targets);
    for (const target of targets) {
      let referrers = this.byTarget.get(target);
      if (!referrers) this.byTarget.set(target, (referrers = new Set()));
      referrers.add(referrer);
    }
  }

  delete(referrer: string): void {
    for (const target of this.byReferrer.get(referrer) ?? []) {
      const referrers = this.byTarget.get(target);
      referrers?.delete(referrer);
      if (referrers?.size === 0) this.byTarget.delete(target);
    }
    this.byReferrer.delete(referrer);
  }

  referrers(target: string): string[] {
    return [...(this.byTarget.get(target) ?? [])];
  }
}
