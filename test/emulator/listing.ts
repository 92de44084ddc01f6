import { validation } from './errors.js';

/** The filters, sorting and paging members the List* operations share. */
export interface ListInput {
  NameContains?: string;
  CreationTimeAfter?: number;
  CreationTimeBefore?: number;
  LastModifiedTimeAfter?: number;
  LastModifiedTimeBefore?: number;
  StatusEquals?: string;
  SortBy?: string;
  SortOrder?: string;
  NextToken?: string;
  MaxResults?: number;
}

export interface Listable {
  name: string;
  creationTime: number;
  lastModifiedTime: number;
}

export interface ListRules<R> {
  status?: (item: R) => string;
  defaultOrder: 'Ascending' | 'Descending';
  /** Extra filters a kind supports (EndpointName, MonitoringTypeEquals, ...). */
  where?: (item: R) => boolean;
}

interface Row<R> {
  item: R;
  status: string;
}

const sortKeys: Record<string, (row: Row<Listable>) => string | number> = {
  Name: (row) => row.item.name,
  CreationTime: (row) => row.item.creationTime,
  Status: (row) => row.status,
};

// Tokens are opaque to clients; an offset into the filtered, sorted result is enough here.
const encodeToken = (offset: number): string => Buffer.from(`offset:${offset}`).toString('base64');

function decodeToken(token: string | undefined): number {
  if (token === undefined) return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  if (!match) throw validation('Invalid pagination token.');
  return Number(match[1]);
}

/** Timestamps arrive as epoch seconds from the SDKs; ISO strings are accepted too. */
export const epochSeconds = (value: number | string): number =>
  typeof value === 'number' ? value : Date.parse(value) / 1000;

/** Filters, sorts and pages a kind's resources the way SageMaker's List* calls do. */
export function list<R extends Listable>(
  items: Iterable<R>,
  input: ListInput,
  rules: ListRules<R>,
): { page: R[]; NextToken?: string } {
  const after = (t: number, bound: number | undefined): boolean =>
    bound === undefined || t > epochSeconds(bound);
  const before = (t: number, bound: number | undefined): boolean =>
    bound === undefined || t < epochSeconds(bound);
  const needle = input.NameContains?.toLowerCase();
  const matched: Row<R>[] = [];
  for (const item of items) {
    if (needle !== undefined && !item.name.toLowerCase().includes(needle)) continue;
    if (
      !after(item.creationTime, input.CreationTimeAfter) ||
      !before(item.creationTime, input.CreationTimeBefore)
    ) {
      continue;
    }
    if (
      !after(item.lastModifiedTime, input.LastModifiedTimeAfter) ||
      !before(item.lastModifiedTime, input.LastModifiedTimeBefore)
    ) {
      continue;
    }
    const status = rules.status?.(item) ?? '';
    if (input.StatusEquals !== undefined && status !== input.StatusEquals) continue;
    if (rules.where && !rules.where(item)) continue;
    matched.push({ item, status });
  }
  const key = sortKeys[input.SortBy ?? 'CreationTime'] ?? sortKeys.CreationTime!;
  const sign = (input.SortOrder ?? rules.defaultOrder) === 'Ascending' ? 1 : -1;
  const compare = (a: string | number, b: string | number): number => (a < b ? -1 : a > b ? 1 : 0);
  matched.sort((a, b) => (compare(key(a), key(b)) || compare(a.item.name, b.item.name)) * sign);
  return paginate(
    matched.map((row) => row.item),
    input.NextToken,
    input.MaxResults ?? 10,
  );
}

/** One page of an already ordered result, with the token for the next one. */
export function paginate<T>(
  items: T[],
  token: string | undefined,
  size: number,
): { page: T[]; NextToken?: string } {
  const offset = decodeToken(token);
  const page = items.slice(offset, offset + size);
  return offset + size < items.length ? { page, NextToken: encodeToken(offset + size) } : { page };
}
