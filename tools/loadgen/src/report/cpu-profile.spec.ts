import { summarizeProfile } from './cpu-profile';

describe('summarizeProfile', () => {
  it('ranks functions by self time from the samples and their time deltas', () => {
    const profile = {
      startTime: 0,
      endTime: 4000,
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 } },
        { id: 2, callFrame: { functionName: 'encode', url: 'file:///w/dist/apps/gateway/libs/protocol/src/lib/json.js', lineNumber: 9 } },
        { id: 3, callFrame: { functionName: 'send', url: 'file:///w/node_modules/ws/lib/sender.js', lineNumber: 99 } },
      ],
      samples: [2, 3, 2, 2],
      timeDeltas: [1000, 1000, 1000, 1000],
    };
    const summary = summarizeProfile(profile, 'gw0', 'x.cpuprofile');
    expect(summary.totalMs).toBe(4);
    expect(summary.top[0]).toEqual({ function: 'encode', location: 'dist/apps/gateway/libs/protocol/src/lib/json.js:10', selfMs: 3, selfPercent: 75 });
    expect(summary.top[1]).toMatchObject({ function: 'send', location: 'ws/lib/sender.js:100', selfMs: 1 });
  });
});
