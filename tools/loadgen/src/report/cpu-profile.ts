import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ProfileSummary } from './result';

/** The parts of a V8 .cpuprofile (what `node --cpu-prof` writes at exit) used here. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }>;
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

const TOP = 15;

/** Self time per function (name + location), from the samples and their time deltas. */
export function summarizeProfile(profile: CpuProfile, instanceId: string, file: string): ProfileSummary {
  const selfMicros = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // timeDeltas[i] is the time before sample i; attribute each interval to the sample that ends it.
  for (let i = 0; i < samples.length; i++) selfMicros.set(samples[i], (selfMicros.get(samples[i]) ?? 0) + Math.max(0, deltas[i] ?? 0));
  const byFunction = new Map<string, { function: string; location: string; micros: number }>();
  let total = 0;
  for (const node of profile.nodes) {
    const micros = selfMicros.get(node.id) ?? 0;
    total += micros;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    const location = url ? `${shorten(url)}:${lineNumber + 1}` : '';
    const key = `${name} ${location}`;
    const entry = byFunction.get(key) ?? { function: name, location, micros: 0 };
    entry.micros += micros;
    byFunction.set(key, entry);
  }
  const top = [...byFunction.values()]
    .sort((a, b) => b.micros - a.micros)
    .slice(0, TOP)
    .map((entry) => ({ function: entry.function, location: entry.location, selfMs: entry.micros / 1000, selfPercent: total > 0 ? (entry.micros * 100) / total : 0 }));
  return { instanceId, file, totalMs: total / 1000, top };
}

/** node_modules/<pkg>/… or the path below dist/, enough to find the code. */
function shorten(url: string): string {
  const clean = url.replace(/^file:\/\//, '');
  const modules = clean.lastIndexOf('node_modules/');
  if (modules >= 0) return clean.slice(modules + 'node_modules/'.length);
  const dist = clean.indexOf('/dist/');
  return dist >= 0 ? clean.slice(dist + 1) : path.basename(clean);
}

/**
 * Every profile in `dir` (named CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile by node), matched to
 * the service instance by pid.
 */
export function summarizeProfiles(dir: string, pids: Array<{ instanceId: string; pid: number }>): ProfileSummary[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((file) => file.endsWith('.cpuprofile'));
  } catch {
    return [];
  }
  return files.flatMap((file) => {
    const pid = Number(file.split('.')[3]);
    const owner = pids.find((p) => p.pid === pid);
    if (!owner) return [];
    try {
      const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
      return [summarizeProfile(profile, owner.instanceId, path.join(dir, file))];
    } catch {
      return [];
    }
  });
}
