// deploy/k8s rendered by the real kustomize (`kustomize build`), built from the Go module
// proxy into .engines/bin by scripts/engines/kustomize.sh: what `kubectl apply -k` would send.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type K8sObject, parseYamlDocuments } from './k8s-objects';

const ROOT = resolve(__dirname, '../..');

export type Tool = { readonly path: string } | { readonly reason: string };

/** KUSTOMIZE, else the one scripts/engines/kustomize.sh installs. */
export function findKustomize(): Tool {
  const fromEnv = process.env['KUSTOMIZE'];
  const path = fromEnv ?? join(ROOT, '.engines/bin/kustomize');
  if (existsSync(path)) return { path };
  // Present but broken is a failure, not a skip: kustomizeBuild() reports what went wrong.
  return {
    reason: fromEnv
      ? `KUSTOMIZE=${fromEnv} does not exist`
      : 'KUSTOMIZE is not set and .engines/bin/kustomize is not installed',
  };
}

/** `kustomize build dir` as objects, in kustomize's output order. */
export function kustomizeBuild(kustomize: string, dir: string): K8sObject[] {
  const run = spawnSync(kustomize, ['build', dir], { encoding: 'utf8', timeout: 60_000 });
  if (run.error) throw new Error(`${kustomize} did not run: ${run.error.message}`);
  if (run.status !== 0) throw new Error(`kustomize build ${dir} failed:\n${run.stderr}`);
  return parseYamlDocuments(run.stdout, `kustomize build ${dir}`) as K8sObject[];
}

/**
 * A check tool that is not installed: with K8S_VALIDATOR_REQUIRED=1 (CI, `npm test` with
 * engines) a failing test, otherwise a loud skip; a silently skipped check reads as a pass.
 */
export function missingTool(what: string, reason: string, install: string): void {
  const message = `${what} SKIPPED: ${reason}. Install it with \`${install}\`.`;
  if (process.env['K8S_VALIDATOR_REQUIRED'] === '1') {
    it(`has ${what} (K8S_VALIDATOR_REQUIRED=1)`, () => {
      throw new Error(message);
    });
    return;
  }
  // Straight to stderr: jest drops the console output of a suite that is all skipped.
  process.stderr.write(`\n${'!'.repeat(100)}\n${message}\n${'!'.repeat(100)}\n`);
  it.skip(message, () => undefined);
}

export const INSTALL_KUSTOMIZE =
  'bash scripts/engines/kustomize.sh && source .engines/kustomize.env';
