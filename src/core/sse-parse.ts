// The event-stream parser behind client.sse (eventsource-parser, by the WHATWG rules), loaded on the
// first client.sse() so that a client that never streams events does not carry it. It shares no module
// with the code an app loads up front (a bundler would split what both use into one more chunk): the
// error for an oversized event is made by the caller.
import { createParser } from 'eventsource-parser';
import type { ServerSentEvent } from './sse.js';

/** One event's buffered text may not grow past this (an endless line would otherwise fill memory). */
const MAX_EVENT_CHARS = 8 * 1024 * 1024;

/**
 * The events of `body` as they arrive; an event past 8 MiB ends them with `tooLarge()`. Ending the loop
 * early cancels the body, which closes the connection at once.
 */
export async function* parseEvents(body: ReadableStream<Uint8Array>, tooLarge: () => unknown): AsyncGenerator<ServerSentEvent> {
  const queue: ServerSentEvent[] = [];
  let failure: unknown;
  let retry: number | undefined;
  // The last event ID carries over to the events after it, as EventSource's lastEventId does.
  let lastId: string | undefined;
  const parser = createParser({
    onEvent: (message) => {
      if (message.id !== undefined) lastId = message.id;
      queue.push({
        event: message.event ?? 'message',
        data: message.data,
        ...(lastId ? { id: lastId } : {}),
        ...(retry === undefined ? {} : { retry }),
      });
      retry = undefined;
    },
    onRetry: (ms) => {
      retry = ms;
    },
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') failure = tooLarge();
    },
    maxBufferSize: MAX_EVENT_CHARS,
  });
  const reader = body.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return; // An event not ended by a blank line is dropped, as the rules say.
      parser.feed(value);
      if (failure) throw failure;
      for (let event = queue.shift(); event; event = queue.shift()) yield event;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
