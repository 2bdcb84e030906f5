import type { HttpMethod, RequestOptions, ResponseOf } from '../client.js';
import { ResponseValidationError } from '../errors/response-validation-error.js';
import { validate } from '../internal/schema.js';
import type { StandardSchemaV1 } from '../standard-schema.js';
import type { PipelineContext } from './context.js';

/** One server-sent event, parsed by the WHATWG event-stream rules. */
export interface ServerSentEvent<T = string> {
  /** The `event:` field; `'message'` when the server named none. */
  event: string;
  /** The `data:` lines joined by newlines; with a `schema`, JSON-parsed and validated. */
  data: T;
  /** The `id:` field, when the event had one. */
  id?: string;
  /** The reconnection time the server asked for (`retry:`), in milliseconds, when it sent one with this event. */
  retry?: number;
}

/** Options of {@link Client.sse}: those of a request (but `responseType`), plus the method. */
export type SseOptions<S extends StandardSchemaV1 | undefined = undefined> = Omit<RequestOptions<S>, 'responseType'> & {
  /** GET by default; LLM APIs stream answers to a POST. */
  method?: HttpMethod | Lowercase<HttpMethod>;
};

/** The data of an event for a schema: its output type, or the raw string without one. */
export type EventData<S> = S extends StandardSchemaV1 ? ResponseOf<S> : string;

/** Opens the stream: the request goes through the whole pipeline (key flow, replay, retries), then its body is parsed. */
export type OpenStream = (
  method: string,
  options: Omit<SseOptions<StandardSchemaV1 | undefined>, 'method'>,
) => Promise<{ stream: ReadableStream<Uint8Array>; url: string }>;

/**
 * The events of one stream, read as they arrive. Breaking out of the loop (or `return()`) cancels the
 * body, which closes the connection at once. Not reconnected: a cut stream ends the loop with a typed error.
 */
export async function* readEvents<S extends StandardSchemaV1 | undefined>(
  ctx: PipelineContext,
  open: OpenStream,
  options: SseOptions<S> = {},
): AsyncGenerator<ServerSentEvent<EventData<S>>, void, undefined> {
  const { method = 'GET', schema, ...rest } = options;
  // Before the request: a parser that cannot be loaded sends nothing (and leaves no body open).
  const { parseEvents } = await import('./sse-parse.js');
  const { stream: body, url } = await open(String(method), { ...rest, headers: { accept: 'text/event-stream', ...rest.headers } });
  const verb = String(method).toUpperCase();
  const tooLarge = () => new ResponseValidationError(verb, url, [{ message: 'an event is larger than 8 MiB' }]);
  for await (const event of parseEvents(body, tooLarge)) {
    if (!schema) {
      yield event as ServerSentEvent<EventData<S>>;
      continue;
    }
    // OpenAI's convention for "the stream is over", which no schema describes.
    if (event.data === '[DONE]') return;
    yield { ...event, data: (await eventData(ctx, schema, event, verb, url)) as EventData<S> };
  }
}

async function eventData(
  ctx: PipelineContext,
  schema: StandardSchemaV1,
  event: ServerSentEvent,
  method: string,
  url: string,
): Promise<unknown> {
  let value: unknown;
  try {
    value = JSON.parse(event.data);
  } catch {
    throw new ResponseValidationError(method, url, [
      { message: `the data of an event (${ctx.secrets.text(event.event)}) is not valid JSON` },
    ]);
  }
  const result = await validate(schema, value);
  if (!result.issues) return result.value;
  throw new ResponseValidationError(
    method,
    url,
    result.issues.map((issue) => ({
      message: ctx.secrets.text(String(issue.message)),
      path: issue.path?.map((p) => (typeof p === 'object' ? p.key : p)),
    })),
  );
}
