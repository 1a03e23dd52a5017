// Shared helpers for the benchmark: a tiny cookie-aware HTTP client (one keep-alive socket per
// client, 127.0.0.1 only), percentiles, and child processes that speak JSON lines on stdio.
import http from 'node:http';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../src/config.ts';

export const HOST = '127.0.0.1';
export const SESSION_COOKIE = 'cps.sid';

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

/** One browser-like visitor: one keep-alive connection and one session cookie. */
export class Client {
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  cookie: string | undefined;

  constructor(
    readonly port: number,
    readonly timeoutMs = 30_000,
  ) {}

  request(method: string, path: string, form?: Record<string, string>): Promise<HttpResult> {
    const body = form ? new URLSearchParams(form).toString() : undefined;
    const headers: Record<string, string> = { accept: 'text/html' };
    if (this.cookie) headers.cookie = this.cookie;
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = http.request({ host: HOST, port: this.port, method, path, headers, agent: this.agent, timeout: this.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          this.keepCookie(res.headers['set-cookie']);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`timeout after ${this.timeoutMs} ms: ${method} ${path}`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  get(path: string): Promise<HttpResult> {
    return this.request('GET', path);
  }

  post(path: string, form: Record<string, string>): Promise<HttpResult> {
    return this.request('POST', path, form);
  }

  private keepCookie(setCookie: string[] | undefined): void {
    for (const c of setCookie ?? []) {
      const pair = c.split(';')[0];
      if (pair.startsWith(`${SESSION_COOKIE}=`)) this.cookie = pair.slice(SESSION_COOKIE.length + 1) ? pair : undefined;
    }
  }

  close(): void {
    this.agent.destroy();
  }
}

export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error(`no CSRF token in page: ${html.slice(0, 200)}`);
  return m[1];
}

/** GET /connexion (session + token), then POST the credentials. Returns the POST's result. */
export async function login(client: Client, email: string, password: string): Promise<HttpResult> {
  client.cookie = undefined;
  const form = await client.get('/connexion');
  if (form.status !== 200) throw new Error(`GET /connexion answered ${form.status}`);
  return client.post('/connexion', { _csrf: csrfOf(form.body), email, password });
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summary(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : NaN;
  return { count: s.length, mean: round(mean), p50: round(percentile(s, 50)), p99: round(percentile(s, 99)), max: round(s[s.length - 1] ?? NaN) };
}

export function round(n: number, digits = 2): number {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * The runtime settings of `npm start` (package.json), so that the benchmark's servers run as the
 * site does: the environment assignments before `exec node`, and node's own flags before
 * `--import tsx` (decision 0019). Throws when the script no longer has that shape.
 */
export function startCommand(): { env: Record<string, string>; nodeArgs: string[] } {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } };
  const m = /^((?:[A-Z_]+=\S+\s+)*)exec node\s+((?:--[\w-]+(?:=\S+)?\s+)*?)--import tsx src\/server\.ts$/.exec(pkg.scripts.start);
  if (!m) throw new Error(`package.json start script not understood: ${pkg.scripts.start}`);
  const env = Object.fromEntries(m[1].trim().split(/\s+/).filter(Boolean).map((a) => a.split('=') as [string, string]));
  return { env, nodeArgs: m[2].trim().split(/\s+/).filter(Boolean) };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

type Json = Record<string, unknown>;

/**
 * A child process: node with tsx's loader (`node --import tsx`, one process, unlike the tsx CLI
 * which relaunches node as a grandchild) that prints JSON lines on stdout: first `{"ready": ...}`,
 * then one answer `{"id": n, ...}` per command `{"id": n, "cmd": ...}` written to its stdin.
 * Other stdout lines and all stderr are kept for the error message.
 */
export class Child {
  readonly proc: ChildProcess;
  readonly ready: Promise<Json>;
  private readonly pending = new Map<number, { resolve: (v: Json) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private readonly log: string[] = [];
  private exited = false;
  private readonly exitPromise: Promise<void>;

  constructor(
    readonly name: string,
    nodeArgs: string[],
    script: string,
    env: NodeJS.ProcessEnv,
    readyTimeoutMs = 600_000,
  ) {
    this.proc = spawn(process.execPath, [...nodeArgs, script], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.exitPromise = new Promise((resolve) => this.proc.once('exit', () => resolve()));
    let onReady: (v: Json) => void = () => {};
    let onFail: (e: Error) => void = () => {};
    this.ready = new Promise<Json>((resolve, reject) => {
      onReady = resolve;
      onFail = reject;
    });
    const timer = setTimeout(() => onFail(new Error(`${name}: not ready after ${readyTimeoutMs} ms\n${this.tail()}`)), readyTimeoutMs);
    this.ready.then(
      () => clearTimeout(timer),
      () => clearTimeout(timer),
    );
    createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      let msg: Json | undefined;
      if (line.startsWith('{')) {
        try {
          msg = JSON.parse(line) as Json;
        } catch {
          msg = undefined;
        }
      }
      if (!msg) return void this.keep(`[stdout] ${line}`);
      if ('ready' in msg) return onReady(msg.ready as Json);
      if ('fatal' in msg) return onFail(new Error(`${name}: ${String(msg.fatal)}\n${this.tail()}`));
      const waiter = typeof msg.id === 'number' ? this.pending.get(msg.id) : undefined;
      if (!waiter) return void this.keep(`[stdout] ${line}`);
      this.pending.delete(msg.id as number);
      const { id: _id, ...answer } = msg;
      if (typeof answer.error === 'string') waiter.reject(new Error(`${name}: ${answer.error}`));
      else waiter.resolve(answer);
    });
    createInterface({ input: this.proc.stderr! }).on('line', (line) => this.keep(`[stderr] ${line}`));
    this.proc.once('exit', (code, signal) => {
      this.exited = true;
      const err = new Error(`${name} exited (code ${code}, signal ${signal})\n${this.tail()}`);
      onFail(err);
      for (const w of this.pending.values()) w.reject(err);
      this.pending.clear();
    });
  }

  private keep(line: string): void {
    this.log.push(line);
    if (this.log.length > 200) this.log.shift();
  }

  tail(): string {
    return this.log.slice(-40).join('\n');
  }

  call(cmd: string, args: Json = {}, timeoutMs = 120_000): Promise<Json> {
    if (this.exited) return Promise.reject(new Error(`${this.name} is not running\n${this.tail()}`));
    const id = this.nextId++;
    return new Promise<Json>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: no answer to ${cmd} after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.proc.stdin!.write(`${JSON.stringify({ id, cmd, ...args })}\n`);
    });
  }

  /** Asks the child to stop (closing its stdin), then SIGTERM, then SIGKILL. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.exited) return;
    this.proc.stdin?.end();
    if (await Promise.race([this.exitPromise.then(() => true), sleep(graceMs).then(() => false)])) return;
    this.proc.kill('SIGTERM');
    if (await Promise.race([this.exitPromise.then(() => true), sleep(3000).then(() => false)])) return;
    this.proc.kill('SIGKILL');
    await this.exitPromise;
  }

  get done(): Promise<void> {
    return this.exitPromise;
  }
}

/** For the children: JSON lines on stdout, commands on stdin; stdin closing means "stop". */
export function serveCommands(handlers: Record<string, (args: Json) => Promise<Json> | Json>, onEnd: () => Promise<void> | void): void {
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    let msg: Json;
    try {
      msg = JSON.parse(line) as Json;
    } catch {
      return;
    }
    const id = msg.id;
    const handler = handlers[String(msg.cmd)];
    Promise.resolve()
      .then(() => (handler ? handler(msg) : Promise.reject(new Error(`unknown command ${String(msg.cmd)}`))))
      .then(
        (result) => send({ id, ...result }),
        (err: unknown) => send({ id, error: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) }),
      );
  });
  rl.on('close', () => void Promise.resolve(onEnd()).finally(() => process.exit(0)));
}

export function send(msg: Json): void {
  process.stdout.write(`${JSON.stringify(msg, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))}\n`);
}

/** The app's configuration for a bench process: fresh secrets, silent logs, no background worker. */
export function benchConfig(dataDir: string, extra: Record<string, string> = {}) {
  return loadConfig({
    NODE_ENV: 'development',
    DATA_DIR: dataDir,
    DATABASE_URL: process.env.BENCH_DATABASE_URL,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    CODE_HMAC_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
    JOBS_WORKER: 'false',
    // The production default (src/config.ts); BENCH_PAGE_CACHE=0 measures every page rendered.
    PAGE_CACHE_SECONDS: process.env.BENCH_PAGE_CACHE ?? '5',
    ...extra,
  });
}
