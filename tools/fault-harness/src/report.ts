import { formatTable } from '@chat/local-infra';
import { type CheckReport, describeViolation, type Violation } from './checker';
import type { FaultRecord } from './records';

const FIGURES: Array<[keyof CheckReport, string]> = [
  ['accepted', 'messages accepted'],
  ['sendFailures', 'sends failed before acceptance'],
  ['stored', 'messages stored'],
  ['storedWithoutAcceptance', 'stored, acceptance not seen by sender'],
  ['duplicatesStored', 'duplicates stored'],
  ['seqGaps', 'seq gaps'],
  ['deliveriesExpected', 'deliveries expected (message × member device)'],
  ['delivered', 'delivered (after dedup)'],
  ['lost', 'lost'],
  ['outOfOrder', 'out-of-order deliveries'],
  ['duplicateDeliveries', 'duplicate deliveries (after dedup)'],
  ['redelivered', 'redelivered (dropped by SDK dedup)'],
  ['deadLetteredSends', 'sends dead-lettered by persistence'],
  ['deadLetteredAccepted', 'accepted sends dead-lettered'],
  ['deadLetteredAcceptedTold', '  of those, sender told not_stored'],
];

export function formatReport(report: CheckReport, faults: FaultRecord[], violations: Violation[], shown = 10): string {
  const figures = formatTable([['figure', 'value'], ...FIGURES.map(([field, label]) => [label, String(report[field])])]);
  const sections = [figures];
  if (faults.length > 0) {
    const rows = faults.map((fault) => [
      fault.fault,
      `${(fault.injectedAtMs / 1000).toFixed(1)} s`,
      fault.recoveryMs === undefined ? 'NOT RECOVERED' : `${(fault.recoveryMs / 1000).toFixed(1)} s`,
      fault.error ?? fault.detail ?? '',
    ]);
    sections.push(formatTable([['fault', 'injected at', 'time to recover', 'detail'], ...rows]));
  }
  if (violations.length === 0) {
    sections.push('PASS: every accepted message stored exactly once, seqs dense, every member device has every message once and in order, nothing lost');
  } else {
    const lines = violations.slice(0, shown).map((violation) => `  ${describeViolation(violation)}`);
    if (violations.length > shown) lines.push(`  … and ${violations.length - shown} more`);
    sections.push(`FAIL: ${violations.length} violation(s)\n${lines.join('\n')}`);
  }
  return sections.join('\n\n');
}
