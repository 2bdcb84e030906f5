import type { ProviderName } from '../providers/index.js';
import type { KeyErrorWireResponse, SimulatedKeyErrorReason } from './formats.js';

/** A provider the simulator can play: every preset of `keyguard/providers`. */
export type VendorName = ProviderName;

interface Answer {
  status: number;
  body: unknown;
}
/** `hint` is a redacted fingerprint of the presented key (`sk-p…abcd`), the way vendors echo it. */
type Wording = Partial<Record<SimulatedKeyErrorReason, (hint: string) => Answer>> & { malformed: (hint: string) => Answer };

// Each vendor's real answers, copied from the public source named above it (the same cases are in
// test/fixtures/key-errors/). A vendor that answers expired or revoked keys like unknown ones
// has no entry for that reason: the simulator sends its `malformed` answer, as the vendor does.
const WORDING: Record<VendorName, Wording> = {
  // https://github.com/chatanywhere/GPT_API_free/issues/62, https://github.com/yihong0618/bilingual_book_maker/issues/137,
  // https://github.com/Zero6992/chatGPT-discord-bot/issues/442
  openai: {
    malformed: (hint) => ({
      status: 401,
      body: {
        error: {
          message: `Incorrect API key provided: ${hint}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      },
    }),
    revoked: () => ({
      status: 401,
      body: {
        error: {
          message:
            'This key is associated with a deactivated account. If you feel this is an error, contact us through our help center at help.openai.com.',
          type: 'invalid_request_error',
          param: null,
          code: 'account_deactivated',
        },
      },
    }),
    missing: () => ({
      status: 401,
      body: {
        error: {
          message:
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      },
    }),
  },
  // https://github.com/eyaltoledano/claude-task-master/issues/222, https://github.com/n8n-io/n8n/issues/37930
  anthropic: {
    malformed: () => ({ status: 401, body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } } }),
    missing: () => ({
      status: 401,
      body: { type: 'error', error: { type: 'authentication_error', message: 'x-api-key header is required' } },
    }),
  },
  // https://github.com/stripe/stripe-cli/pull/792, https://github.com/stripe/stripe-node/issues/361,
  // https://github.com/gadelkareem/skeleton/issues/20
  stripe: {
    expired: (hint) => ({
      status: 401,
      body: {
        error: {
          code: 'api_key_expired',
          doc_url: 'https://stripe.com/docs/error-codes/api-key-expired',
          message: `Expired API Key provided: ${hint}`,
          type: 'invalid_request_error',
        },
      },
    }),
    malformed: (hint) => ({
      status: 401,
      body: { error: { message: `Invalid API Key provided: ${hint}`, type: 'invalid_request_error' } },
    }),
    missing: () => ({
      status: 401,
      body: {
        error: {
          message:
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
          type: 'invalid_request_error',
        },
      },
    }),
  },
  // https://github.com/hisxo/gitGraber/issues/54; missing: https://rdrr.io/cran/gh/f/tests/testthat/_snaps/gh_whoami.md
  github: {
    malformed: () => ({
      status: 401,
      body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' },
    }),
    missing: () => ({
      status: 401,
      body: {
        message: 'Requires authentication',
        documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
        status: '401',
      },
    }),
  },
  // https://github.com/continuedev/continue/issues/11336, https://github.com/Jazee6/cloudflare-ai-web/issues/13,
  // https://github.com/chicago-tool-library/circulate/issues/1437
  google: {
    expired: () => ({
      status: 400,
      body: googleError(400, 'API key expired. Please renew the API key.', 'INVALID_ARGUMENT', 'API_KEY_INVALID'),
    }),
    malformed: () => ({
      status: 400,
      body: googleError(400, 'API key not valid. Please pass a valid API key.', 'INVALID_ARGUMENT', 'API_KEY_INVALID'),
    }),
    missing: () => ({
      status: 403,
      body: googleError(
        403,
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
        'PERMISSION_DENIED',
      ),
    }),
  },
  // https://github.com/modelcontextprotocol/servers/issues/1261, https://github.com/louisvilleio/louisville.io/issues/62,
  // https://github.com/slackapi/python-slack-sdk/issues/561 (Slack answers 200 with ok:false)
  slack: {
    malformed: () => ({ status: 200, body: { ok: false, error: 'invalid_auth' } }),
    revoked: () => ({ status: 200, body: { ok: false, error: 'token_revoked' } }),
    missing: () => ({ status: 200, body: { ok: false, error: 'not_authed' } }),
  },
  // https://github.com/sendgrid/sendgrid-php/issues/793 (one answer for invalid, expired and revoked)
  sendgrid: {
    malformed: () => ({
      status: 401,
      body: { errors: [{ message: 'The provided authorization grant is invalid, expired, or revoked', field: null, help: null }] },
    }),
  },
  // https://github.com/Ultimate-Multisite/ultimate-multisite/issues/73
  cloudflare: {
    malformed: () => ({
      status: 400,
      body: {
        success: false,
        errors: [
          {
            code: 6003,
            message: 'Invalid request headers',
            error_chain: [{ code: 6111, message: 'Invalid format for Authorization header' }],
          },
        ],
        messages: [],
        result: null,
      },
    }),
  },
  // https://github.com/supabase-community/supabase-csharp/issues/108, https://github.com/raphiniert-com/ra-data-postgrest/issues/51
  supabase: {
    malformed: () => ({
      status: 401,
      body: { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' },
    }),
    missing: () => ({ status: 401, body: { message: 'No API key found in request' } }),
  },
  // https://github.com/nextcloud/integration_openai/issues/332 (one answer for every bad key)
  mistral: {
    malformed: () => ({ status: 401, body: { detail: 'Unauthorized' } }),
  },
  // https://github.com/ag5826000/resume-commentor/issues/4
  groq: {
    malformed: () => ({
      status: 401,
      body: { error: { message: 'Invalid API Key', type: 'invalid_request_error', code: 'invalid_api_key' } },
    }),
  },
  // https://github.com/huggingface/huggingface_hub/issues/3368
  huggingface: {
    malformed: () => ({ status: 401, body: { error: 'Invalid credentials in Authorization header' } }),
  },
};

function googleError(code: number, message: string, status: string, reason?: string) {
  return {
    error: {
      code,
      message,
      status,
      ...(reason
        ? {
            details: [
              {
                '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
                reason,
                domain: 'googleapis.com',
                metadata: { service: 'generativelanguage.googleapis.com' },
              },
            ],
          }
        : {}),
    },
  };
}

/** Every vendor the simulator plays, in preset order. */
export const VENDORS = Object.keys(WORDING) as VendorName[];

/** `sk-p…abcd`-style echo of a key, as vendors put it in their messages (never the whole key). */
function echo(key: string | undefined): string {
  if (!key) return '';
  const keep = Math.min(4, Math.floor(key.length / 6));
  return `${key.slice(0, keep)}${'*'.repeat(Math.max(3, key.length - 2 * keep))}${key.slice(-keep || key.length)}`;
}

/**
 * How `vendor` answers a request whose key is rejected for `reason`: status, headers and body
 * exactly as the vendor sends them (a Slack rejection is a `200`). A vendor that does not tell
 * expired or revoked keys apart gets its generic answer.
 */
export function vendorKeyErrorResponse(
  vendor: VendorName,
  reason: SimulatedKeyErrorReason,
  opts: { requestId?: string; key?: string } = {},
): KeyErrorWireResponse {
  const wording = WORDING[vendor];
  if (!wording) throw new Error(`vendor: unknown vendor ${JSON.stringify(vendor)}.`);
  const answer = (wording[reason] ?? wording.malformed)(echo(opts.key));
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.requestId !== undefined) headers[vendor === 'anthropic' ? 'request-id' : 'x-request-id'] = opts.requestId;
  return { status: answer.status, headers, body: JSON.stringify(answer.body) };
}

/** What each vendor's probe answers for a good key (the shape of the real answer, trimmed). */
export function vendorProbeBody(vendor: VendorName, keyId: string): unknown {
  switch (vendor) {
    case 'slack':
      return { ok: true, url: 'https://simulator.slack.test/', team: 'Simulator', user: 'keyguard', team_id: 'T0001', user_id: keyId };
    case 'github':
      return {
        resources: { core: { limit: 5000, remaining: 4999, reset: 0, used: 1 } },
        rate: { limit: 5000, remaining: 4999, reset: 0, used: 1 },
      };
    case 'stripe':
      return { object: 'balance', available: [{ amount: 0, currency: 'usd' }], livemode: false, pending: [] };
    case 'cloudflare':
      return { success: true, errors: [], messages: [], result: { id: keyId, status: 'active' } };
    case 'sendgrid':
      return { scopes: ['mail.send'] };
    case 'huggingface':
      return { type: 'user', name: 'keyguard', auth: { type: 'access_token' } };
    case 'supabase':
      return { swagger: '2.0', info: { title: 'PostgREST API' } };
    case 'google':
      return { models: [{ name: 'models/simulated' }] };
    default:
      return { object: 'list', data: [{ id: 'simulated-model', object: 'model' }] };
  }
}
