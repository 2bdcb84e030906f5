import type { FullRequest, ResponseType } from '../client.js';
import type { ResolvedOptions } from '../options.js';
import type { StandardSchemaV1 } from '../standard-schema.js';
import type { PipelineContext } from './context.js';
import { KeySession } from './key-flow.js';
import { type AttemptCounter, attemptOutcome } from './outcome.js';
import { prepareRequest } from './prepare.js';
import { withRetries } from './retries.js';

/** One client request through every stage: prepare → (key flow → attempt → outcome) under retries. */
export async function runRequest(
  ctx: PipelineContext,
  config: ResolvedOptions,
  options: FullRequest<StandardSchemaV1 | undefined, ResponseType | undefined>,
  eventStream = false,
): Promise<unknown> {
  const request = prepareRequest(config, options, eventStream);
  const session = new KeySession(ctx.keys, ctx.maxKeyRefreshes, request.body.replayable, request.signal, ctx.logger);
  const counter: AttemptCounter = { attempts: 0 };
  return withRetries(ctx, request, counter, () => session.run(request.useKey, (key) => attemptOutcome(ctx, request, key, counter)));
}
