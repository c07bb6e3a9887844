export type Listener<T> = (event: T) => void;

/**
 * A small typed event emitter that runs in Node and browsers alike (no `events` module). A throwing
 * listener never breaks the SDK's own processing: its error goes to `onListenerError`.
 */
export class TypedEmitter<TEvents extends object> {
  private readonly listeners = new Map<keyof TEvents, Set<Listener<never>>>();

  constructor(private readonly onListenerError: (error: unknown, event: keyof TEvents) => void) {}

  /** Subscribes; returns the function that unsubscribes. */
  on<K extends keyof TEvents>(event: K, listener: Listener<TEvents[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  off<K extends keyof TEvents>(event: K, listener: Listener<TEvents[K]>): void {
    this.listeners.get(event)?.delete(listener as Listener<never>);
  }

  listenerCount(event: keyof TEvents): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  emit<K extends keyof TEvents>(event: K, payload: TEvents[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<TEvents[K]>)(payload);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }
}
