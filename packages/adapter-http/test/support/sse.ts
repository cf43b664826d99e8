/** A small Server-Sent Events reader over fetch, for tests: messages as they arrive, comments skipped. */
export interface SseMessage {
  readonly id?: string;
  readonly event?: string;
  readonly data: string;
}

export interface SseConnection {
  readonly response: Response;
  /** The next `count` messages, or a rejection after `timeoutMs`. */
  next(count: number, timeoutMs?: number): Promise<SseMessage[]>;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string>): Promise<SseConnection> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const queue: SseMessage[] = [];
  let wake: (() => void) | undefined;
  let failure: unknown;
  void (async () => {
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string[]> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':') || line === '') continue;
            const colon = line.indexOf(':');
            const name = colon === -1 ? line : line.slice(0, colon);
            const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
            (fields[name] ??= []).push(value);
          }
          if (fields.data) {
            queue.push({ data: fields.data.join('\n'), ...(fields.id ? { id: fields.id.at(-1)! } : {}), ...(fields.event ? { event: fields.event.at(-1)! } : {}) });
            wake?.();
          }
        }
      }
    } catch (e) {
      failure = e;
      wake?.();
    }
  })();
  return {
    response,
    next: async (count, timeoutMs = 5_000) => {
      const deadline = Date.now() + timeoutMs;
      while (queue.length < count) {
        if (failure && !controller.signal.aborted) throw failure;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} SSE messages, got ${queue.length} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, Math.min(left, 100));
        });
      }
      return queue.splice(0, count);
    },
    close: () => controller.abort(),
  };
}
