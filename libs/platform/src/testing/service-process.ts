import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { connect, createServer } from 'node:net';
import { resolve } from 'node:path';
import { TEST_JWT_SECRET } from './test-app';

/** Built services and tools resolve from the repository root, whatever jest's working directory. */
export const WORKSPACE_ROOT = resolve(__dirname, '../../../..');

/** What the services read from their environment: a child never inherits these from the shell. */
const SERVICE_VARIABLES = new Set([
  'HOST',
  'PORT',
  'DATA_DIR',
  'JWT_SECRET',
  'JWT_ISSUER',
  'LOG_LEVEL',
  'HTTP_BODY_LIMIT_BYTES',
  'IMPORT_BODY_LIMIT_BYTES',
  'SHUTDOWN_TIMEOUT_MS',
  'EVENT_STORE',
  'READ_MODELS',
  'PROJECTION_THREAD',
]);

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServiceProcessOptions {
  /** The built entry point relative to the repository root, e.g. `dist/apps/contacts/main.js`. */
  readonly main: string;
  readonly dataDir: string;
  /** Over the defaults; `undefined` removes one (no JWT_SECRET: the one kept in DATA_DIR). */
  readonly env?: NodeJS.ProcessEnv;
  readonly readyTimeoutMs?: number;
}

export interface ServiceProcess {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly process: ChildProcess;
  readonly exited: Promise<ProcessExit>;
  /** Sends the signal unless the process has already exited; resolves when it has. */
  kill(signal?: NodeJS.Signals): Promise<ProcessExit>;
  output(): { readonly stdout: string; readonly stderr: string };
}

/** This process's environment minus the service variables, plus `overrides`. */
export function childEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([name]) => !SERVICE_VARIABLES.has(name));
  const merged = { ...Object.fromEntries(inherited), ...overrides };
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
}

/** A port that was free a moment ago: the OS picks it, the probe closes before the child binds. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

/** Runs a built service as a real OS process; it may still be starting (or failing to). */
export async function spawnServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const main = resolve(WORKSPACE_ROOT, options.main);
  if (!existsSync(main)) {
    const project = /dist\/apps\/([^/]+)\//.exec(options.main)?.[1] ?? '<project>';
    throw new Error(`${main} does not exist: run \`npx nx build ${project}\` first`);
  }
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    cwd: WORKSPACE_ROOT,
    env: childEnv({
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: options.dataDir,
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'warn',
      ...options.env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // 'close' rather than 'exit': by then everything the process wrote has been read.
  const exited = new Promise<ProcessExit>((resolveExit) => {
    child.once('close', (code, signal) => resolveExit({ code, signal }));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir: options.dataDir,
    process: child,
    exited,
    kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    output: () => ({ stdout, stderr }),
  };
}

/** Runs a built service until `/health/ready` answers 200; else the error carries its output. */
export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  for (let attempt = 1; ; attempt++) {
    const service = await spawnServiceProcess(options);
    try {
      await waitUntilReady(service, options.readyTimeoutMs ?? 20_000);
      return service;
    } catch (error) {
      await service.kill('SIGKILL');
      // Another process may take the free port before the child binds it: pick another.
      if (attempt < 3 && service.output().stderr.includes('EADDRINUSE')) continue;
      throw withOutputOf([service], error);
    }
  }
}

async function waitUntilReady(service: ServiceProcess, timeoutMs: number): Promise<void> {
  let exit: ProcessExit | undefined;
  void service.exited.then((exited) => (exit = exited));
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (exit) {
      throw new Error(
        `${service.url} exited (code ${exit.code}, signal ${exit.signal}) before it was ready`,
      );
    }
    try {
      const response = await fetch(`${service.url}/health/ready`, {
        signal: AbortSignal.timeout(1000),
      });
      if (response.status === 200) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((wake) => setTimeout(wake, 50));
  }
  throw new Error(`${service.url} was not ready within ${timeoutMs} ms (last: ${last})`);
}

/** The error with what the processes wrote appended, so a failing test shows the service's side. */
export function withOutputOf(services: readonly ServiceProcess[], error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  for (const service of services) {
    const { stdout, stderr } = service.output();
    const banner = `--- ${service.url} (pid ${service.process.pid ?? '?'})`;
    error.message += `\n\n${banner} stdout ---\n${stdout}${banner} stderr ---\n${stderr}`;
  }
  return error;
}

/** A bounded wait: the promise's value, or an error naming what did not happen in time. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether a TCP connection to the port is accepted (false once the server stopped listening). */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((answer, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      answer(true);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') answer(false);
      else reject(error);
    });
  });
}

export interface HeldRequest {
  /** Sends the body; resolves with the answer, rejects if the connection failed instead. */
  send(): Promise<{ readonly status: number; readonly body: string }>;
}

/**
 * Starts a request with `Expect: 100-continue` and resolves once the server answered
 * "100 Continue": it has parsed the headers, so the request is in flight on its side, and
 * it cannot answer before `send()` delivers the body. One connection per request, closed after.
 */
export function holdRequest(
  url: string,
  options: {
    readonly method: string;
    readonly headers?: Record<string, string>;
    readonly body: unknown;
  },
): Promise<HeldRequest> {
  const body = JSON.stringify(options.body);
  return new Promise((held, reject) => {
    const outgoing = request(url, {
      method: options.method,
      agent: false,
      headers: {
        ...options.headers,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        connection: 'close',
        expect: '100-continue',
      },
    });
    const answer = new Promise<{ status: number; body: string }>((answered, failed) => {
      outgoing.once('error', failed);
      outgoing.once('response', (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.once('end', () => answered({ status: response.statusCode ?? 0, body: text }));
        response.once('error', failed);
      });
    });
    answer.catch(reject); // before "100 Continue"; afterwards `send()` reports it
    outgoing.once('continue', () =>
      held({
        send: () => {
          outgoing.end(body);
          return answer;
        },
      }),
    );
    outgoing.flushHeaders();
  });
}
