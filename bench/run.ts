import { appendBench } from './append.bench';
import { httpBench } from './http.bench';
import { importBench } from './import.bench';
import { latencyBench } from './latency.bench';
import { mergeBench } from './merge.bench';
import { progress } from './fixtures';
import { relayBench } from './relay.bench';
import { replayBench } from './replay.bench';
import { searchBench } from './search.bench';
import { type BenchResult, formatTable, writeResults } from './report';

/** Every figure by name; `npm run bench -- append` runs only the named ones, in this order. */
const FIGURES: Readonly<Record<string, () => Promise<BenchResult | BenchResult[]>>> = {
  append: appendBench,
  replay: replayBench,
  search: searchBench,
  http: httpBench,
  relay: relayBench,
  latency: latencyBench,
  import: importBench,
  merge: mergeBench,
};

async function main(args: readonly string[]): Promise<void> {
  const unknown = args.filter((name) => !(name in FIGURES));
  if (unknown.length > 0) {
    throw new Error(
      `unknown figure ${unknown.join(', ')}; known: ${Object.keys(FIGURES).join(', ')}`,
    );
  }
  const results: BenchResult[] = [];
  for (const [name, run] of Object.entries(FIGURES)) {
    if (args.length > 0 && !args.includes(name)) continue;
    progress(`running ${name}`);
    results.push(...[await run()].flat());
  }
  process.stdout.write(`${formatTable(results)}\n`);
  // The results path is the last line on purpose: scripts pick it up with `tail -n 1`.
  process.stdout.write(`${writeResults(results)}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
