import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AuthPlacement } from '../options.js';
import { providers } from '../providers/index.js';
import type { Probe } from '../providers/types.js';
import type { VendorName } from './vendors.js';

export type { VendorName } from './vendors.js';

/** Every vendor the simulator plays: the presets of `keyguard/providers`. */
export const VENDOR_NAMES = Object.keys(providers) as [VendorName, ...VendorName[]];

/** The preset's base path (`/v1`, `''` for GitHub, `/rest/v1` for Supabase) and its probe. */
export function vendorBase(vendor: VendorName): { base: string; probe: Probe } {
  const preset = providers[vendor];
  return { base: new URL(preset.baseUrl).pathname.replace(/\/+$/, ''), probe: preset.probe };
}

/** The vendor a path belongs to (`/openai/v1/models` → `openai`), if any. */
export function matchVendor(pathname: string): VendorName | undefined {
  return VENDOR_NAMES.find((name) => pathname === `/${name}` || pathname.startsWith(`/${name}/`));
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const base62 = (n: number): string => [...randomBytes(n)].map((b) => ALPHABET[b % 62]).join('');

/** A fresh key shaped like `vendor`'s own: its first accepted prefix and a body its format accepts. */
export function keyForVendor(vendor: VendorName): string {
  switch (vendor) {
    case 'sendgrid':
      return `SG.${base62(22)}.${base62(43)}`;
    case 'cloudflare':
      return base62(40);
    case 'google':
      return `AIza${base62(35)}`;
    case 'mistral':
      return base62(32);
    default: {
      const format = providers[vendor].keyFormats.find((f) => 'prefix' in f && f.prefix && !('accepted' in f && f.accepted === false));
      return `${format && 'prefix' in format ? format.prefix : ''}${base62(40)}`;
    }
  }
}

/** The key as the vendor reads it: from its auth placement(s), the first one present. */
export function presentedVendorKey(vendor: VendorName, req: IncomingMessage, url: URL): string | undefined {
  const auth = providers[vendor].auth as AuthPlacement | readonly AuthPlacement[];
  for (const placement of Array.isArray(auth) ? auth : [auth]) {
    let value: string | undefined;
    if (placement.type === 'bearer') {
      const header = req.headers.authorization;
      value = header ? (/^Bearer\s+(.*)$/i.exec(header)?.[1] ?? header) : undefined;
    } else if (placement.type === 'header') {
      const header = req.headers[placement.name.toLowerCase()];
      value = typeof header === 'string' ? header : undefined;
    } else {
      value = url.searchParams.get(placement.name) ?? undefined;
    }
    if (value) return value;
  }
  return undefined;
}
