import { writeContactLog } from './replay.setup';

/** `tsx bench/replay.write-log.ts <dir>`: writes the replay figure's log, sends its head. */
const dir = process.argv[2];
if (!dir) throw new Error('usage: replay.write-log.ts <dir>');
writeContactLog(dir).then(
  (head) => process.send?.(head),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
