/** Extra real answers some SDK tests use. */
import { readFileSync } from 'node:fs';
import type { Answer } from './vendors.js';

const stripe = JSON.parse(readFileSync(new URL('../fixtures/key-errors/stripe.json', import.meta.url), 'utf8')) as {
  cases: { name: string; status: number; body: string }[];
};
const found = stripe.cases.find((c) => c.name === 'NEGATIVE: restricted key lacks a permission (403)');
if (!found) throw new Error('missing Stripe 403 fixture');

/** Stripe: a restricted key without the permission an endpoint needs. */
export const fixture403: Answer = { status: found.status, headers: { 'content-type': 'application/json' }, body: found.body };
