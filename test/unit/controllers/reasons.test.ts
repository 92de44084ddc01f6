import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import {
  REASONS,
  SPEC_CHANGE_REASONS,
  TERMINAL_REASONS,
  isReason,
  type ReasonInfo,
} from '../../../src/controllers/common/reasons.js';

const entries = Object.entries(REASONS as Record<string, ReasonInfo>);

describe('REASONS', () => {
  it('holds every reason docs/architecture.md names for conditions and errors', () => {
    const design = [
      'Creating',
      'Updating',
      'InProgress',
      'Completed',
      'Failed',
      'Stopped',
      'WaitingForReference',
      'InvalidSpec',
      'AccessDenied',
      'QuotaExceeded',
      'Throttled',
      'SageMakerUnavailable',
      'UpdateFailed',
      'CreateFailed',
      'AlreadyExists',
      'PolicyViolation',
      'DeletedOutOfBand',
    ];
    for (const reason of design) expect(isReason(reason)).toBe(true);
  });

  it('names every reason in CamelCase with a one-line meaning', () => {
    for (const [reason, info] of entries) {
      expect(reason).toMatch(/^[A-Z][a-z]+(?:[A-Z][a-z]*)*$/);
      expect(info.meaning.length).toBeGreaterThan(10);
      expect(info.meaning).not.toContain('\n');
      expect(info.meaning).not.toContain('|');
    }
  });

  it('waits for a spec change on exactly the reasons retrying cannot fix', () => {
    expect([...SPEC_CHANGE_REASONS].sort()).toEqual(
      [
        'AlreadyExists',
        'CreateFailed',
        'GateNotMet',
        'IdentityChanged',
        'IdentityNotSet',
        'InvalidSpec',
        'PolicyViolation',
        'UpdateFailed',
      ].sort(),
    );
  });

  it('counts a reason that waits for a spec change as terminal', () => {
    for (const reason of SPEC_CHANGE_REASONS) expect(TERMINAL_REASONS.has(reason)).toBe(true);
  });

  it('reads terminal as "a person must act": failures and access, not retryable or progress reasons', () => {
    for (const reason of ['Failed', 'Stopped', 'DeletedOutOfBand', 'AccessDenied', 'CreateFailed'])
      expect(TERMINAL_REASONS.has(reason)).toBe(true);
    for (const reason of [
      'QuotaExceeded',
      'Throttled',
      'SageMakerUnavailable',
      'ReconcileError',
      'Creating',
      'Updating',
      'InProgress',
      'WaitingForReference',
      'ReconcileSuccess',
      'InService',
      'Completed',
    ])
      expect(TERMINAL_REASONS.has(reason)).toBe(false);
  });

  it('derives the sets from the flags', () => {
    expect(TERMINAL_REASONS.size).toBe(entries.filter(([, i]) => i.terminal).length);
    expect(SPEC_CHANGE_REASONS.size).toBe(entries.filter(([, i]) => i.waitsForSpecChange).length);
    expect(isReason('toString')).toBe(false);
    expect(isReason('Synced')).toBe(false);
  });
});

const ROOT = new URL('../../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, ROOT), 'utf8');

/** The rows of the table between the reasons markers, as [reason, terminal, waits, meaning] cells. */
function reasonsTable(markdown: string): string[][] {
  const block = /<!-- reasons:begin[^>]*-->([\s\S]*?)<!-- reasons:end -->/.exec(markdown);
  if (!block?.[1]) throw new Error('docs/architecture.md has no reasons table between the markers');
  return block[1]
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
}

describe('docs/architecture.md reasons table', () => {
  const rows = reasonsTable(read('docs/architecture.md'));

  it('has the header and one row per reason, in the order of REASONS, with its flags and meaning', () => {
    expect(rows[0]).toEqual(['reason', 'terminal', 'waits for spec change', 'meaning']);
    expect(rows[1]?.every((cell) => /^:?-+:?$/.test(cell))).toBe(true);
    const yesNo = (flag: boolean): string => (flag ? 'yes' : 'no');
    expect(rows.slice(2)).toEqual(
      entries.map(([reason, info]) => [
        `\`${reason}\``,
        yesNo(info.terminal),
        yesNo(info.waitsForSpecChange),
        info.meaning,
      ]),
    );
  });
});

/** Reasons the prose names: `Synced=False X`, `Ready=False WaitingForReference`, reason `X`. */
function reasonsNamedIn(markdown: string): string[] {
  const found = [
    ...markdown.matchAll(
      /\b(?:Synced|Ready|Succeeded)=(?:True|False|Unknown),?\s+(?:reason\s+)?`?([A-Z]\w+)\b(?!=)/g,
    ),
    ...markdown.matchAll(/\breason\s+`([A-Z]\w+)`/g),
  ];
  return found.map((m) => m[1] ?? '');
}

describe('reasons named in the docs', () => {
  it.each(['README.md', 'docs/architecture.md'])('%s names only reasons in REASONS', (path) => {
    const named = reasonsNamedIn(read(path));
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((reason) => !isReason(reason))).toEqual([]);
  });

  const otherDocs = [
    'CHANGELOG.md',
    'CONTRIBUTING.md',
    ...readdirSync(new URL('docs/', ROOT))
      .filter((name) => name.endsWith('.md') && name !== 'architecture.md')
      .map((name) => `docs/${name}`),
  ];
  it.each(otherDocs)('%s names only reasons in REASONS', (path) => {
    expect(reasonsNamedIn(read(path)).filter((reason) => !isReason(reason))).toEqual([]);
  });

  it('finds a reason that is not in REASONS (the check can fail)', () => {
    expect(
      reasonsNamedIn('ends as `Synced=False TeaTime`, or reason `Sleepy` (Ready=False, Succeeded=Unknown)'),
    ).toEqual(['TeaTime', 'Sleepy']);
  });
});

/** Every .ts file under src/, relative to the repository root. */
function sourceFiles(dir = 'src/'): string[] {
  return readdirSync(new URL(dir, ROOT), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(`${path}/`);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The source with comment lines blanked (doc comments may quote reasons as examples). */
function code(source: string): string {
  return source
    .split('\n')
    .map((line) => (/^\s*(\/\/|\/\*|\*)/.test(line) ? '' : line))
    .join('\n');
}

const QUOTED = String.raw`(['"\x60])([^'"\x60]*)\1`;
/** Call sites whose argument at a fixed position is a reason: setCondition(type, status, reason, ...), ... */
const REASON_ARGUMENTS = [
  new RegExp(String.raw`\bsetCondition\(\s*[^,()]+,\s*[^,()]+,\s*${QUOTED}`, 'g'),
  new RegExp(String.raw`\bnew ReconcileError\(\s*[^,()]+,\s*${QUOTED}`, 'g'),
  new RegExp(String.raw`\.(?:normal|warning)\(\s*${QUOTED}`, 'g'),
];
/** `reason: 'X'`, `reason = cond ? 'X' : 'Y'`: every CamelCase literal in the assigned expression. */
const REASON_ASSIGNMENT = /\breason\s*[:=]\s*([^;,\n}]+)/g;
const CAMEL_LITERAL = /(['"`])([A-Z][A-Za-z]*)\1/g;

interface Written {
  reason: string;
  where: string;
}

function reasonsWritten(path: string, source: string): Written[] {
  const text = code(source);
  const line = (index: number): string => `${path}:${text.slice(0, index).split('\n').length}`;
  const written: Written[] = [];
  for (const pattern of REASON_ARGUMENTS)
    for (const m of text.matchAll(pattern)) written.push({ reason: m[2] ?? '', where: line(m.index) });
  for (const m of text.matchAll(REASON_ASSIGNMENT))
    for (const literal of (m[1] ?? '').matchAll(CAMEL_LITERAL))
      written.push({ reason: literal[2] ?? '', where: line(m.index) });
  return written;
}

describe('reasons the source writes', () => {
  // src/crds holds the CRD schema, whose x-kubernetes-validations reasons are Kubernetes' own
  // vocabulary (FieldValueInvalid, ...), not condition or event reasons.
  const files = sourceFiles().filter((path) => !path.startsWith('src/crds/'));
  const written = files.flatMap((path) => reasonsWritten(path, read(path)));

  it('are all in REASONS (conditions, ReconcileError reasons, classifications, events)', () => {
    expect(written.filter((w) => !isReason(w.reason))).toEqual([]);
  });

  it('are found by the scan: the reasons of the loop and of both controllers', () => {
    const found = new Set(written.map((w) => w.reason));
    for (const reason of ['ReconcileSuccess', 'ReconcileError', 'Creating', 'Completed', 'InService'])
      expect(found).toContain(reason);
    expect(found.size).toBeGreaterThanOrEqual(15);
  });

  it('catches a reason that is not in REASONS in each kind of call site', () => {
    const source = [
      "this.ctx.status.setCondition('Ready', 'False', 'Napping', message);",
      "throw new ReconcileError('terminal', 'Grumpy', message);",
      "this.ctx.events.normal('Snoozed', message, 'Create');",
      "  return { status: 'False', reason: 'Bored', message };",
      "  const reason = creating ? 'Sleepy' : 'Updating';",
      '  // reason: a comment that quotes `Ignored` is not code',
    ].join('\n');
    expect(reasonsWritten('x.ts', source).map((w) => [w.reason, w.where])).toEqual([
      ['Napping', 'x.ts:1'],
      ['Grumpy', 'x.ts:2'],
      ['Snoozed', 'x.ts:3'],
      ['Bored', 'x.ts:4'],
      ['Sleepy', 'x.ts:5'],
      ['Updating', 'x.ts:5'],
    ]);
  });
});
