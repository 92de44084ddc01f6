import type { CallRecord, InFlightCall } from './call-log.js';
import type { EmulatorSettings } from './config.js';
import type { ResponseMismatch, SettingsPatch } from './emulator.js';
import type { EventStats } from './events.js';
import type { Steer } from './steering.js';

export interface CallQuery {
  /** Only calls with a larger sequence number (see `CallRecord.seq`). */
  since?: number;
  operation?: string;
  resource?: string;
}

export interface CallsResult {
  calls: CallRecord[];
  /** Every call since the last reset or clear, per operation (not limited by the query). */
  counts: Record<string, number>;
}

/** A typed client for the emulator's control API (/_emulator/...), in-process or remote. */
export class EmulatorControl {
  constructor(private readonly endpoint: string) {}

  /** Deletes every resource and steer, restores default settings and clears the call log. */
  async reset(): Promise<void> {
    await this.request('POST', '/reset');
  }

  async settings(): Promise<EmulatorSettings> {
    return (await this.request('GET', '/settings')) as EmulatorSettings;
  }

  /** Timings merge into the current ones; limits, rate limits and faults replace theirs. */
  async configure(patch: SettingsPatch): Promise<EmulatorSettings> {
    return (await this.request('POST', '/settings', patch)) as EmulatorSettings;
  }

  async setTimeScale(timeScale: number): Promise<void> {
    await this.configure({ timeScale });
  }

  /** Chooses the outcome of a resource's lifecycle, before or after it is created. */
  async steer(steer: Steer): Promise<void> {
    await this.request('POST', '/steer', steer);
  }

  async clearSteers(): Promise<void> {
    await this.request('DELETE', '/steer');
  }

  async calls(query: CallQuery = {}): Promise<CallsResult> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const search = params.size > 0 ? `?${params.toString()}` : '';
    return (await this.request('GET', `/calls${search}`)) as CallsResult;
  }

  /** Calls per operation since the last reset or clear. */
  async counts(): Promise<Record<string, number>> {
    return (await this.calls({ since: Number.MAX_SAFE_INTEGER })).counts;
  }

  /** Calls received and not answered yet: e.g. creates waiting out `consistency.createDelay`. */
  async inFlight(): Promise<InFlightCall[]> {
    return ((await this.request('GET', '/in-flight')) as { calls: InFlightCall[] }).calls;
  }

  /** Answers that did not match the API model's output shapes (emulators started with `checkResponses`). */
  async mismatches(): Promise<ResponseMismatch[]> {
    return ((await this.request('GET', '/mismatches')) as { mismatches: ResponseMismatch[] }).mismatches;
  }

  /** The state-change events published to the events queue: counts, failures, the latest events. */
  async events(): Promise<EventStats> {
    return (await this.request('GET', '/events')) as EventStats;
  }

  async clearCalls(): Promise<void> {
    await this.request('DELETE', '/calls');
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.endpoint}/_emulator${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const payload: unknown = await response.json();
    if (!response.ok) throw new Error(`emulator control ${method} ${path}: ${JSON.stringify(payload)}`);
    return payload;
  }
}
