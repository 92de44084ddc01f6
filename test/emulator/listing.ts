import { validation } from './errors.js';

/**
 * The filters, sorting and paging members the List* operations share. Which of them an operation
 * has is its input shape's business: the emulator drops the members a List* input shape lacks
 * before the handler runs (see Emulator.call), so ListModels never filters on LastModifiedTime.
 */
export interface ListInput {
  NameContains?: string;
  CreationTimeAfter?: number;
  CreationTimeBefore?: number;
  LastModifiedTimeAfter?: number;
  LastModifiedTimeBefore?: number;
  /** ListMonitoringExecutions only. */
  ScheduledTimeAfter?: number;
  ScheduledTimeBefore?: number;
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
  /** The operation's default SortOrder, as its `SortOrder` member documents it in the model. */
  defaultOrder: 'Ascending' | 'Descending';
  /** Extra filters a kind supports (EndpointName, MonitoringTypeEquals, ...). */
  where?: (item: R) => boolean;
  /** The operation's default SortBy, when it is not CreationTime (the tuning job lists: Name). */
  defaultSortBy?: string;
  /**
   * SortBy FinalObjectiveMetricValue (ListTrainingJobsForHyperParameterTuningJob): the item's
   * objective value; items without one are not listed, as the member's documentation says.
   */
  objectiveValue?: (item: R) => number | undefined;
  /** The time the summary reports as LastModifiedTime, when it is not the item's own field. */
  lastModified?: (item: R) => number;
  /** ListMonitoringExecutions: ScheduledTime (filter and sort key). */
  scheduled?: (item: R) => number;
  /**
   * ListEndpoints, ListEndpointConfigs, ListModels document CreationTimeAfter as "a creation time
   * greater than or equal to the specified time"; every other bound is "after"/"before" (strict).
   */
  creationAfterInclusive?: boolean;
  /**
   * ListTrainingJobs: "the MaxResults number of training jobs are first retrieved ignoring the
   * StatusEquals parameter and then they are filtered by the StatusEquals parameter" (the
   * operation's documentation in the model), so a page can be short or empty and still carry a NextToken.
   */
  statusAfterPage?: boolean;
}

/** SageMaker's page size when MaxResults is absent (see README: documented for most List* calls). */
export const defaultPageSize = 10;

type Key = string | number;

interface Row<R> {
  item: R;
  status: string;
  key: Key;
  /** Lower-cased name: names are unique case-insensitively, so (key, tie) orders rows totally. */
  tie: string;
}

/**
 * Timestamps arrive as epoch seconds (fractions for milliseconds) from the SDKs; ISO strings are
 * accepted too. Compared in whole milliseconds, SageMaker's precision, so a time read from an answer
 * and sent back as a bound compares equal to the resource's time.
 */
export const epochSeconds = (value: number | string): number =>
  typeof value === 'number' ? value : Date.parse(value) / 1000;
const ms = (seconds: number): number => Math.round(seconds * 1000);

/**
 * Page tokens are cursors, not offsets: the sort key and name of the last row of the page. The next
 * page starts after that row in the current order, so resources created or deleted between pages
 * neither shift nor repeat the rows of an order by name or creation time (an order by status moves
 * a resource whose status changed, as any cursor must).
 */
interface Cursor {
  key: Key;
  tie: string;
}

const encodeToken = (cursor: Cursor): string =>
  Buffer.from(JSON.stringify({ v: 1, k: cursor.key, t: cursor.tie })).toString('base64');

function decodeToken(token: string | undefined): Cursor | undefined {
  if (token === undefined || token === '') return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as {
      v?: unknown;
      k?: unknown;
      t?: unknown;
    };
    if (parsed.v === 1 && (typeof parsed.k === 'string' || typeof parsed.k === 'number')) {
      if (typeof parsed.t === 'string') return { key: parsed.k, tie: parsed.t };
    }
  } catch {
    // falls through to the refusal below
  }
  throw validation('Invalid pagination token.');
}

const compare = (a: Key, b: Key): number => (a < b ? -1 : a > b ? 1 : 0);

/** Filters, sorts and pages a kind's resources the way SageMaker's List* calls do. */
export function list<R extends Listable>(
  items: Iterable<R>,
  input: ListInput,
  rules: ListRules<R>,
): { page: R[]; NextToken?: string } {
  const lastModified = rules.lastModified ?? ((item: R) => item.lastModifiedTime);
  const bound = (value: number | undefined): number | undefined =>
    value === undefined ? undefined : ms(epochSeconds(value));
  const within = (
    seconds: number,
    after: number | undefined,
    before: number | undefined,
    inclusive = false,
  ) => {
    const t = ms(seconds);
    const a = bound(after);
    const b = bound(before);
    return (a === undefined || (inclusive ? t >= a : t > a)) && (b === undefined || t < b);
  };
  const sortBy = input.SortBy ?? rules.defaultSortBy ?? 'CreationTime';
  const keyOf = (item: R, status: string): Key => {
    switch (sortBy) {
      case 'Name':
        return item.name;
      case 'Status':
        return status;
      case 'FinalObjectiveMetricValue':
        return rules.objectiveValue?.(item) ?? 0;
      case 'ScheduledTime':
        return ms(rules.scheduled?.(item) ?? item.creationTime);
      default:
        return ms(item.creationTime);
    }
  };
  const needle = input.NameContains?.toLowerCase();
  const matched: Row<R>[] = [];
  for (const item of items) {
    if (needle !== undefined && !item.name.toLowerCase().includes(needle)) continue;
    if (
      !within(
        item.creationTime,
        input.CreationTimeAfter,
        input.CreationTimeBefore,
        rules.creationAfterInclusive,
      )
    ) {
      continue;
    }
    if (!within(lastModified(item), input.LastModifiedTimeAfter, input.LastModifiedTimeBefore)) continue;
    if (
      rules.scheduled &&
      !within(rules.scheduled(item), input.ScheduledTimeAfter, input.ScheduledTimeBefore)
    ) {
      continue;
    }
    const status = rules.status?.(item) ?? '';
    if (!rules.statusAfterPage && input.StatusEquals !== undefined && status !== input.StatusEquals) continue;
    if (rules.where && !rules.where(item)) continue;
    if (sortBy === 'FinalObjectiveMetricValue' && rules.objectiveValue?.(item) === undefined) continue;
    matched.push({ item, status, key: keyOf(item, status), tie: item.name.toLowerCase() });
  }
  const sign = (input.SortOrder ?? rules.defaultOrder) === 'Ascending' ? 1 : -1;
  const order = (a: Cursor, b: Cursor): number => (compare(a.key, b.key) || compare(a.tie, b.tie)) * sign;
  matched.sort(order);
  const cursor = decodeToken(input.NextToken);
  const rest = cursor ? matched.filter((row) => order(row, cursor) > 0) : matched;
  const size = input.MaxResults ?? defaultPageSize;
  const cut = rest.slice(0, size);
  const last = cut.at(-1);
  const NextToken = rest.length > size && last ? encodeToken(last) : undefined;
  const shown =
    rules.statusAfterPage && input.StatusEquals !== undefined
      ? cut.filter((row) => row.status === input.StatusEquals)
      : cut;
  const page = shown.map((row) => row.item);
  return NextToken === undefined ? { page } : { page, NextToken };
}

/** One page of an already ordered result (ListTags), with an offset token for the next one. */
export function paginate<T>(
  items: T[],
  token: string | undefined,
  size: number,
): { page: T[]; NextToken?: string } {
  let offset = 0;
  if (token !== undefined) {
    const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
    if (!match) throw validation('Invalid pagination token.');
    offset = Number(match[1]);
  }
  const page = items.slice(offset, offset + size);
  return offset + size < items.length
    ? { page, NextToken: Buffer.from(`offset:${offset + size}`).toString('base64') }
    : { page };
}
