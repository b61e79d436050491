import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { mintToken } from '@crm/platform';
import { freePort, progress, waitReady, withTempDir } from './fixtures';
import { type BenchResult, result, upperBound } from './report';

const MAIN = join(__dirname, '../dist/apps/contacts/main.js');
const SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
const CONNECTIONS = 32;
const SECONDS = Number(process.env['BENCH_HTTP_SECONDS'] ?? 10);

function load(options: autocannon.Options): Promise<autocannon.Result> {
  return autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options });
}

/**
 * Register-contact requests/s at 32 connections ÷ a no-op endpoint (GET /health/live) of the
 * same server process, measured back to back. Logging is at `warn` for both, so neither pays
 * for per-request access logs.
 */
export async function httpBench(): Promise<BenchResult[]> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npx nx build contacts first`);
  return withTempDir('http', async (dir) => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        PORT: String(port),
        DATA_DIR: dir,
        JWT_SECRET: SECRET,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    try {
      await waitReady(url, child);
      const token = await mintToken(SECRET, 'quick-sales-crm', {
        employeeId: 'bench',
        team: 'sales',
        roles: ['rep'],
      });
      let registered = 0;
      const register: autocannon.Options = {
        url: `${url}/contacts`,
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        // Distinct parties, as real registrations are: with one body for all, every request
        // would be a duplicate of every earlier one and the duplicate check would compare
        // each with the most it ever compares. (autocannon's idReplacement miscounts the
        // Content-Length, hence setupRequest.)
        requests: [
          {
            setupRequest: (request) => {
              const n = ++registered;
              return {
                ...request,
                body: JSON.stringify({
                  kind: 'person',
                  relationship: 'b2c',
                  name: `Ada Lovelace ${n}`,
                  primaryEmail: `ada.${n}@example.com`,
                  primaryPhone: `+44 20 79${String(n % 1_000_000).padStart(6, '0')}`,
                }),
              };
            },
          },
        ],
      };
      progress('http: warm-up');
      await load({ ...register, duration: 2 });
      progress(`http: no-op endpoint, ${SECONDS}s at ${CONNECTIONS} connections`);
      const noop = await load({ url: `${url}/health/live` });
      progress(`http: register contact, ${SECONDS}s at ${CONNECTIONS} connections`);
      const writes = await load(register);
      const non2xx = writes.non2xx + writes.errors + writes.timeouts;
      if (non2xx > 0) throw new Error(`register-contact run had ${non2xx} failed requests`);
      const details = {
        registerRequestsPerSecond: writes.requests.average,
        noopRequestsPerSecond: noop.requests.average,
        registerLatencyMs: {
          p50: writes.latency.p50,
          p99: writes.latency.p99,
          max: writes.latency.max,
        },
        noopLatencyMs: { p50: noop.latency.p50, p99: noop.latency.p99 },
        connections: CONNECTIONS,
        seconds: SECONDS,
        registered: writes.requests.total,
      };
      return [
        result(
          'http.register-contact',
          writes.requests.average / noop.requests.average,
          0.3,
          details,
        ),
        upperBound('http.register-contact.p50', writes.latency.p50, 'ms', null, details),
        upperBound('http.register-contact.p99', writes.latency.p99, 'ms', 50, details),
      ];
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
}
