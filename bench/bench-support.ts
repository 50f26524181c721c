/**
 * What the benchmark parts share: a server in its own process that prints its port as one JSON line and answers
 * `stats` on stdin with its peak RSS, and the percentile of a sorted sample.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface BenchServer { child: ChildProcess; port: number; stats: () => Promise<number> }

export function spawnBenchServer(script: URL, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<BenchServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', script.pathname, ...args], { stdio: ['pipe', 'pipe', 'inherit'], env });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return lines.next().then((first) => {
    if (first.done) throw new Error(`bench server ${script.pathname} ${args.join(' ')} exited before it was ready`);
    const { port } = JSON.parse(first.value) as { port: number };
    return {
      child, port,
      stats: async () => {
        child.stdin!.write('stats\n');
        const next = await lines.next();
        return (JSON.parse(next.value as string) as { maxRssMiB: number }).maxRssMiB;
      },
    };
  });
}

/** The p-th percentile (nearest rank) of an ascending sample; NaN when it is empty. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
