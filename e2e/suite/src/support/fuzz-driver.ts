import { decodeClientFrame, ProtocolError, type ClientFrame, type ServerFrame, type ServerFrameOf } from '@chat/protocol';
import { type FrameFuzzer, type FuzzFrame } from './fuzz-frames';
import { FrameSocket } from './fuzz-socket';

/** Codes the gateway answers an unreadable frame with (docs/protocol.md, "Error codes"). */
const EDGE_ERROR_CODES = ['invalid_frame', 'unknown_type', 'too_large'];

/** Request ids FrameFuzzer generates: `f<n>`, unique per connection. */
const GENERATED_ID = /^f\d+$/;

/** What the gateway must do with a frame, predicted with the protocol's own decoder. */
type Verdict = { outcome: 'valid'; frame: ClientFrame; requestId?: string } | { outcome: 'invalid'; requestId?: string } | { outcome: 'close'; code: number };

export interface FuzzDriverOptions {
  url: string;
  token: () => string;
  fuzzer: FrameFuzzer;
  maxFrameBytes: number;
  /** WS_MAX_INVALID_FRAMES of the gateway: that many unreadable frames in a row close with 4008. */
  maxInvalidInRow: number;
  memberConversationId: string;
}

/**
 * Sends fuzz frames over one user's socket in batches, each ended by a ping: by its pong every
 * unreadable frame of the batch must have been answered by exactly one edge error. Predicted closes
 * (4008 after a run of unreadable frames, 1009 oversize, 1007 invalid UTF-8) must happen, after
 * which it reconnects and continues, as a client would.
 */
export class FuzzDriver {
  readonly closes = new Map<number, number>();
  readonly problems: string[] = [];
  /** Error frames answering valid (forwarded) requests, e.g. not_member; checked by the caller. */
  readonly answers: ServerFrameOf<'error'>[] = [];
  /** clientMsgIds of valid sends to the member conversation: each must end up stored. */
  readonly memberSends = new Set<string>();
  framesSent = 0;
  invalidSent = 0;
  private readonly validIds = new Set<string>();
  private readonly usedIds = new Set<string>();
  private socket: FrameSocket | undefined;
  private streak = 0;
  private batches = 0;

  constructor(private readonly options: FuzzDriverOptions) {}

  /** Sends `frameCount` frames in batches of the sizes drawn (generated, so a seed replays them). */
  async run(frameCount: number, batchSize: () => number): Promise<void> {
    let socket = await this.connect();
    while (this.framesSent < frameCount) {
      const size = batchSize();
      const from = socket.frames.length;
      let invalid = 0;
      let closeCode: number | undefined;
      for (let i = 0; i < size && this.framesSent < frameCount; i += 1) {
        const frame = this.options.fuzzer.next();
        const verdict = this.verdictOf(frame);
        if (!this.hasMatchableId(verdict)) continue;
        if (verdict.outcome === 'close') {
          // Sent alone, after the batch so far is answered, so the close cannot cut off its answers.
          this.checkAnswered(socket, from, await socket.roundTrip(`batch-${(this.batches += 1)}`), invalid);
          this.streak = 0;
          this.put(socket, frame);
          closeCode = verdict.code;
          invalid = 0;
          break;
        }
        this.put(socket, frame);
        if (verdict.outcome === 'valid') {
          this.streak = 0;
          this.noteValid(verdict.frame);
          continue;
        }
        invalid += 1;
        this.invalidSent += 1;
        this.streak += 1;
        if (this.streak >= this.options.maxInvalidInRow) {
          closeCode = 4008;
          break;
        }
      }
      if (closeCode === undefined) {
        this.checkAnswered(socket, from, await socket.roundTrip(`batch-${(this.batches += 1)}`), invalid);
        this.streak = 0;
        continue;
      }
      const close = await Promise.race([socket.closed, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 15_000))]);
      if (!close || close.code !== closeCode) {
        this.problems.push(`expected close ${closeCode}, got ${close ? close.code : 'nothing within 15 s'}`);
        socket.terminate();
      } else {
        this.closes.set(close.code, (this.closes.get(close.code) ?? 0) + 1);
        if (closeCode === 4008) this.checkAnswered(socket, from, socket.frames.length, invalid);
      }
      this.collectAnswers(socket, from, socket.frames.length);
      socket = await this.connect();
    }
    await socket.roundTrip('final');
    this.collectAnswers(socket, 0, socket.frames.length);
    socket.close();
  }

  private async connect(): Promise<FrameSocket> {
    if (this.socket) this.collectAnswers(this.socket, 0, this.socket.frames.length);
    const socket = new FrameSocket(this.options.url, { token: this.options.token() });
    await socket.open();
    this.socket = socket;
    this.streak = 0;
    return socket;
  }

  private put(socket: FrameSocket, frame: FuzzFrame): void {
    this.framesSent += 1;
    if (frame.kind === 'text') socket.send(frame.text);
    else if (frame.kind === 'binary') socket.send(frame.data);
    else socket.sendRawText(frame.data);
  }

  private verdictOf(frame: FuzzFrame): Verdict {
    if (frame.kind === 'binary') return { outcome: 'invalid' };
    if (frame.kind === 'raw-text') return { outcome: 'close', code: 1007 };
    // What the gateway receives: the UTF-8 bytes (lone surrogates already replaced by U+FFFD).
    const bytes = Buffer.from(frame.text, 'utf8');
    if (bytes.length > this.options.maxFrameBytes) return { outcome: 'close', code: 1009 };
    try {
      const decoded = decodeClientFrame(bytes, this.options.maxFrameBytes);
      return { outcome: 'valid', frame: decoded, requestId: decoded.id };
    } catch (error) {
      if (error instanceof ProtocolError) return { outcome: 'invalid', requestId: error.requestId };
      throw error;
    }
  }

  /**
   * A valid frame must carry a generated id used by no other frame, or its later answer could not
   * be told apart from the edge error of an unreadable frame with the same id (`null`, `admin'--`,
   * or `f12` made from `f15` by a flipped character). Frames breaking that are not sent.
   */
  private hasMatchableId(verdict: Verdict): boolean {
    const id = verdict.outcome === 'close' ? undefined : verdict.requestId;
    if (verdict.outcome === 'valid' && id !== undefined && !GENERATED_ID.test(id)) return false;
    if (id === undefined || !GENERATED_ID.test(id)) return true;
    if (this.usedIds.has(id)) return false;
    this.usedIds.add(id);
    return true;
  }

  private noteValid(frame: ClientFrame): void {
    if (frame.id !== undefined) this.validIds.add(frame.id);
    if (frame.type === 'send' && frame.conversationId === this.options.memberConversationId) this.memberSends.add(frame.clientMsgId);
  }

  /** Between `from` and `to`, one edge error per unreadable frame, besides answers to valid requests. */
  private checkAnswered(socket: FrameSocket, from: number, to: number, invalid: number): void {
    const edgeErrors = socket.frames.slice(from, to).filter((frame): frame is ServerFrameOf<'error'> => frame.type === 'error' && !this.isAnswer(frame));
    const unexpected = edgeErrors.filter((frame) => !EDGE_ERROR_CODES.includes(frame.code));
    if (edgeErrors.length !== invalid || unexpected.length > 0) {
      this.problems.push(`batch ${this.batches}: ${invalid} unreadable frames, ${edgeErrors.length} edge errors (${JSON.stringify(unexpected.slice(0, 2))})`);
    }
  }

  private isAnswer(frame: ServerFrame): boolean {
    return frame.type === 'error' && frame.replyTo !== undefined && this.validIds.has(frame.replyTo);
  }

  private collectAnswers(socket: FrameSocket, from: number, to: number): void {
    for (const frame of socket.frames.slice(from, to)) {
      if (frame.type === 'error' && this.isAnswer(frame) && !this.answers.includes(frame)) this.answers.push(frame);
    }
  }
}
