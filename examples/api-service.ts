/**
 * A typed SDK for the "API Service" (the simulator in `keyguard/testing`), built on keyguard.
 *
 * This is the pattern for wrapping any HTTP API: describe its resources with zod, then
 * declare each route once with `client.endpoint`. Every function you get back is typed by
 * its schemas, URL-encodes its path params, validates the response, and inherits the
 * client's key handling (typed `InvalidApiKeyError`, `onKeyInvalid`, single-flight replay)
 * and retries.
 *
 * @example
 * ```ts
 * const api = createApiService({ baseUrl: sim.url, apiKey: key, onKeyInvalid: () => vault.rotate() });
 * const item = await api.createItem({ body: { name: 'Widget', price: 5 }, idempotencyKey: 'order-42' });
 * const same = await api.getItem({ params: { id: item.id } });
 * ```
 */
import { z } from 'zod';
import { type ClientOptions, createClient } from '../src/index.js';

/** `GET /me`: the key the request was made with. */
export const Me = z.object({
  keyId: z.string(),
  label: z.string().nullable(),
  /** Epoch milliseconds. */
  expiresAt: z.number(),
});
export type Me = z.infer<typeof Me>;

/** A resource of the API Service. */
export const Item = z.object({
  id: z.string(),
  name: z.string(),
  price: z.number(),
  /** ISO 8601. */
  createdAt: z.iso.datetime(),
});
export type Item = z.infer<typeof Item>;

/** `GET /items`: one page, and the cursor of the next (`null` on the last page). */
export const ItemList = z.object({
  data: z.array(Item),
  nextCursor: z.string().nullable(),
});
export type ItemList = z.infer<typeof ItemList>;

/** `POST /items` body. Checked before sending: a bad one throws `ConfigError` and costs no request. */
export const NewItem = z.object({
  name: z.string().min(1).max(100),
  price: z.number().min(0).optional(),
});
export type NewItem = z.infer<typeof NewItem>;

/** Creates the client and one typed function per route. */
export function createApiService(options: ClientOptions) {
  const client = createClient(options);
  return {
    /** The underlying client: `setApiKey`, or raw `get`/`post` for routes not listed here. */
    client,
    me: client.endpoint({ method: 'GET', path: '/me', response: Me }),
    /** `listItems({ query: { limit: 20, cursor } })`; the API checks `limit` (1–100) and answers 400 otherwise. */
    listItems: client.endpoint({ method: 'GET', path: '/items', response: ItemList }),
    /** Pass `idempotencyKey` to make the POST safe to retry. */
    createItem: client.endpoint({ method: 'POST', path: '/items', body: NewItem, response: Item }),
    getItem: client.endpoint({ method: 'GET', path: '/items/{id}', response: Item }),
    /** Resolves to `undefined` (204). */
    deleteItem: client.endpoint({ method: 'DELETE', path: '/items/{id}' }),
  };
}

/** What {@link createApiService} returns. */
export type ApiService = ReturnType<typeof createApiService>;
