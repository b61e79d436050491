/**
 * A KurrentDB to test against, e.g. the compose service:
 *   docker compose up -d kurrentdb
 *   export EVENTSTORE_CONNECTION_STRING='kurrentdb://127.0.0.1:2113?tls=false'
 * The suites share its one $all (a KurrentDB cannot be scoped like a schema), so nothing
 * else may write to it while they run.
 */
export const KURRENT_URL = process.env['EVENTSTORE_CONNECTION_STRING'] ?? '';

/**
 * A describe block that needs a real KurrentDB. Without EVENTSTORE_CONNECTION_STRING it is
 * reported as skipped, and says so loudly, rather than passing with nothing checked.
 */
export function describeWithKurrent(name: string, body: () => void): void {
  if (KURRENT_URL) {
    describe(name, body);
    return;
  }
  // Straight to stderr: jest's default reporter hides console output of a skipped file.
  process.stderr.write(
    `\n[SKIPPED] ${name}: KurrentDB suite skipped: EVENTSTORE_CONNECTION_STRING is not set ` +
      '(start one with `docker compose up -d kurrentdb`, then export ' +
      "EVENTSTORE_CONNECTION_STRING='kurrentdb://127.0.0.1:2113?tls=false')\n",
  );
  describe.skip(name, body);
}
