import type { KeyErrorReason } from '../types.js';
import type { ProviderPreset } from './types.js';

// Each preset's `keyCheck` (added in ./index.ts) knows every other preset's formats.

/** Key bodies are URL-safe base64-ish text; only the prefix and the rough length tell providers apart. */
const body = (min: number, max = 512) => new RegExp(`^[A-Za-z0-9_.-]{${min},${max}}$`);

// Every fact below comes from a public source named in the `Sources:` lines of each preset: the
// provider's documentation or official SDK where one says it, else a secondary source marked so. Key bodies are checked loosely (prefix, character set, a
// lower length bound): providers lengthen keys without notice, and a wrong key is the server's
// to reject. What the checks must catch is a key of *another* provider, mode or kind.

export const openai = {
  // Sources: https://platform.openai.com/docs/api-reference/authentication (Bearer, OPENAI_API_KEY, GET /v1/models);
  // https://platform.openai.com/api-keys (keys page); key prefixes sk-proj- / sk-svcacct- / sk-admin- / legacy sk-
  // as tabled in https://authsome.ai/blog/openai-api-key-hygiene-for-ai-agents and
  // https://keyledger.riptides.io/providers/openai/ (secondary sources: no OpenAI page lists them in one place).
  name: 'OpenAI',
  baseUrl: 'https://api.openai.com/v1',
  auth: { type: 'bearer' },
  keyFormats: [
    { label: 'project key', prefix: 'sk-proj-', pattern: body(20), kind: 'secret' },
    { label: 'service account key', prefix: 'sk-svcacct-', pattern: body(20), kind: 'secret' },
    { label: 'admin key', prefix: 'sk-admin-', pattern: body(20), kind: 'admin' },
    { label: 'user key (legacy)', prefix: 'sk-', pattern: body(20), kind: 'secret' },
  ],
  keysUrl: 'https://platform.openai.com/api-keys',
  probe: { method: 'GET', path: '/models' },
  envVar: 'OPENAI_API_KEY',
} as const satisfies ProviderPreset;

export const anthropic = {
  // Sources: https://docs.anthropic.com/en/api/overview (x-api-key header, anthropic-version, request-id);
  // https://docs.anthropic.com/en/api/models-list (GET /v1/models); https://console.anthropic.com/settings/keys;
  // the sk-ant-api03- prefix as described in https://www.blockchain-council.org/ai/anthropic-api-key/ (secondary).
  name: 'Anthropic',
  baseUrl: 'https://api.anthropic.com/v1',
  auth: { type: 'header', name: 'x-api-key' },
  keyFormats: [
    { label: 'API key', prefix: 'sk-ant-api', pattern: body(20), kind: 'secret' },
    { label: 'key', prefix: 'sk-ant-', pattern: body(12), kind: 'secret' },
  ],
  keysUrl: 'https://console.anthropic.com/settings/keys',
  probe: { method: 'GET', path: '/models' },
  envVar: 'ANTHROPIC_API_KEY',
  headers: { 'anthropic-version': '2023-06-01' },
} as const satisfies ProviderPreset;

export const stripe = {
  // Sources: https://docs.stripe.com/keys (secret sk_, publishable pk_, restricted rk_; test vs live mode;
  // https://dashboard.stripe.com/apikeys); https://docs.stripe.com/api/authentication (Bearer);
  // https://docs.stripe.com/api/balance/balance_retrieve (GET /v1/balance); the sk_/rk_ live pattern confirmed by Stripe
  // in https://gitlab.com/gitlab-org/gitlab/-/issues/458019. STRIPE_SECRET_KEY is the stripe-samples convention.
  name: 'Stripe',
  baseUrl: 'https://api.stripe.com/v1',
  auth: { type: 'bearer' },
  keyFormats: [
    { label: 'secret key (live mode)', prefix: 'sk_live_', pattern: body(10), kind: 'secret', mode: 'live' },
    { label: 'secret key (test mode)', prefix: 'sk_test_', pattern: body(10), kind: 'secret', mode: 'test' },
    { label: 'restricted key (live mode)', prefix: 'rk_live_', pattern: body(10), kind: 'restricted', mode: 'live' },
    { label: 'restricted key (test mode)', prefix: 'rk_test_', pattern: body(10), kind: 'restricted', mode: 'test' },
    {
      label: 'publishable key (live mode)',
      prefix: 'pk_live_',
      pattern: body(10),
      kind: 'publishable',
      mode: 'live',
      accepted: false,
      note: 'A publishable key (pk_) is for Stripe.js in the browser; server calls need a secret (sk_) or restricted (rk_) key.',
    },
    {
      label: 'publishable key (test mode)',
      prefix: 'pk_test_',
      pattern: body(10),
      kind: 'publishable',
      mode: 'test',
      accepted: false,
      note: 'A publishable key (pk_) is for Stripe.js in the browser; server calls need a secret (sk_) or restricted (rk_) key.',
    },
  ],
  keysUrl: 'https://dashboard.stripe.com/apikeys',
  probe: { method: 'GET', path: '/balance' },
  envVar: 'STRIPE_SECRET_KEY',
} as const satisfies ProviderPreset;

export const github = {
  // Sources: https://github.blog/changelog/2021-03-31-authentication-token-format-updates-are-generally-available/
  // (ghp_, gho_, ghu_, ghs_, ghr_); https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/about-authentication-to-github#githubs-token-formats
  // (github_pat_); https://docs.github.com/en/rest/authentication/authenticating-to-the-rest-api (Bearer);
  // https://docs.github.com/en/rest/rate-limit (GET /rate_limit, any token type); https://github.com/settings/tokens;
  // GITHUB_TOKEN as read by https://github.com/r-lib/gh (R/gh_token.R).
  name: 'GitHub',
  baseUrl: 'https://api.github.com',
  auth: { type: 'bearer' },
  keyFormats: [
    { label: 'personal access token (classic)', prefix: 'ghp_', pattern: body(20), kind: 'token' },
    { label: 'fine-grained personal access token', prefix: 'github_pat_', pattern: body(20), kind: 'token' },
    { label: 'OAuth access token', prefix: 'gho_', pattern: body(20), kind: 'token' },
    { label: 'GitHub App user-to-server token', prefix: 'ghu_', pattern: body(20), kind: 'token' },
    { label: 'GitHub App installation token', prefix: 'ghs_', pattern: body(20), kind: 'token' },
    {
      label: 'GitHub App refresh token',
      prefix: 'ghr_',
      pattern: body(20),
      kind: 'token',
      accepted: false,
      note: 'A refresh token (ghr_) is exchanged for a user access token; it is not sent to the REST API.',
    },
  ],
  keysUrl: 'https://github.com/settings/tokens',
  probe: { method: 'GET', path: '/rate_limit' },
  envVar: 'GITHUB_TOKEN',
} as const satisfies ProviderPreset;

export const google = {
  // Sources: https://ai.google.dev/gemini-api/docs/api-key (the key in `?key=`, created in Google AI Studio,
  // https://aistudio.google.com/apikey); https://ai.google.dev/api/models#method:-models.list (GET /v1beta/models);
  // GOOGLE_API_KEY from https://ai.google.dev/tutorials/rest_quickstart; the AIza prefix of Google API keys from
  // https://cloud.google.com/docs/authentication/api-keys (example key "AIzaSy…").
  name: 'Google (Gemini API)',
  baseUrl: 'https://generativelanguage.googleapis.com/v1beta',
  auth: { type: 'query', name: 'key' },
  keyFormats: [{ label: 'API key', prefix: 'AIza', pattern: body(20, 100), kind: 'secret' }],
  keysUrl: 'https://aistudio.google.com/apikey',
  probe: { method: 'GET', path: '/models' },
  envVar: 'GOOGLE_API_KEY',
} as const satisfies ProviderPreset;

const SLACK_KEY_ERRORS: Record<string, KeyErrorReason> = {
  not_authed: 'missing',
  invalid_auth: 'malformed',
  not_allowed_token_type: 'malformed',
  token_revoked: 'revoked',
  account_inactive: 'revoked',
  token_expired: 'expired',
};

export const slack = {
  // Sources: https://docs.slack.dev/authentication/tokens (xoxb- bot, xoxp- user, xapp- app-level tokens);
  // https://docs.slack.dev/reference/methods/auth.test (POST /api/auth.test, token in the Authorization header;
  // errors invalid_auth, not_authed, token_revoked in a 200 {"ok":false} body); https://api.slack.com/apps.
  name: 'Slack',
  baseUrl: 'https://slack.com/api',
  auth: { type: 'bearer' },
  keyFormats: [
    { label: 'bot token', prefix: 'xoxb-', pattern: body(10), kind: 'token' },
    { label: 'user token', prefix: 'xoxp-', pattern: body(10), kind: 'token' },
    { label: 'rotating token', prefix: 'xoxe.', pattern: body(10), kind: 'token' },
    {
      label: 'app-level token',
      prefix: 'xapp-',
      pattern: body(10),
      kind: 'token',
      accepted: false,
      note: 'An app-level token (xapp-) only opens Socket Mode connections; Web API methods need a bot (xoxb-) or user (xoxp-) token.',
    },
  ],
  keysUrl: 'https://api.slack.com/apps',
  probe: { method: 'POST', path: '/auth.test' },
  envVar: 'SLACK_BOT_TOKEN',
  // Slack answers a bad token with `200 {"ok":false,"error":"invalid_auth"}`: classify those 2xx envelopes too
  // (error names from the auth.test and token docs above; any other error is not a key error).
  classifyKeyError: (response) => {
    const answer = response.body as { ok?: unknown; error?: unknown } | null;
    if (typeof answer !== 'object' || answer === null || answer.ok !== false) return undefined;
    return SLACK_KEY_ERRORS[String(answer.error)] ?? null;
  },
} as const satisfies ProviderPreset;

export const sendgrid = {
  // Sources: https://www.twilio.com/docs/sendgrid/api-reference/how-to-use-the-sendgrid-v3-api/authentication
  // (Authorization: Bearer, https://api.sendgrid.com/v3); https://www.twilio.com/docs/sendgrid/api-reference/api-keys/create-api-keys
  // (keys are 69 characters, "SG." + id + "." + secret); https://www.twilio.com/docs/sendgrid/api-reference/api-key-permissions
  // (GET /v3/scopes: the scopes of the key used); https://app.sendgrid.com/settings/api_keys.
  name: 'SendGrid',
  baseUrl: 'https://api.sendgrid.com/v3',
  auth: { type: 'bearer' },
  keyFormats: [{ label: 'API key', prefix: 'SG.', pattern: /^SG\.[A-Za-z0-9_-]{10,40}\.[A-Za-z0-9_-]{20,80}$/, kind: 'secret' }],
  keysUrl: 'https://app.sendgrid.com/settings/api_keys',
  probe: { method: 'GET', path: '/scopes' },
  envVar: 'SENDGRID_API_KEY',
} as const satisfies ProviderPreset;

export const cloudflare = {
  // Sources: https://developers.cloudflare.com/api/node/resources/user/subresources/tokens/methods/verify
  // (GET /client/v4/user/tokens/verify, Authorization: Bearer, example token of 40 characters);
  // https://developers.cloudflare.com/fundamentals/api/get-started/create-token/ (https://dash.cloudflare.com/profile/api-tokens);
  // CLOUDFLARE_API_TOKEN from https://developers.cloudflare.com/api/python/resources/user/subresources/tokens/methods/verify.
  name: 'Cloudflare',
  baseUrl: 'https://api.cloudflare.com/client/v4',
  auth: { type: 'bearer' },
  keyFormats: [{ label: 'API token', pattern: /^[A-Za-z0-9_-]{40}$/, kind: 'token' }],
  keysUrl: 'https://dash.cloudflare.com/profile/api-tokens',
  probe: { method: 'GET', path: '/user/tokens/verify' },
  envVar: 'CLOUDFLARE_API_TOKEN',
} as const satisfies ProviderPreset;

export const supabase = {
  // Sources: https://supabase.com/docs/guides/api/api-keys (publishable sb_publishable_, secret sb_secret_,
  // legacy anon / service_role JWTs; the `apikey` header); https://supabase.com/docs/guides/api (REST at
  // https://<project-ref>.supabase.co/rest/v1, apikey + Authorization: Bearer as supabase-js sends them,
  // see https://gist.github.com/TheOtherBrian1/93b5ba56bc64075f628fc2d9e94c33a3); SUPABASE_SECRET_KEY as in
  // https://github.com/supabase/supabase-js/issues/1568. Replace the project ref in baseUrl.
  name: 'Supabase',
  baseUrl: 'https://project-ref.supabase.co/rest/v1',
  auth: [{ type: 'header', name: 'apikey' }, { type: 'bearer' }],
  keyFormats: [
    { label: 'secret key', prefix: 'sb_secret_', pattern: body(10), kind: 'secret' },
    { label: 'publishable key', prefix: 'sb_publishable_', pattern: body(10), kind: 'publishable' },
    {
      label: 'legacy anon or service_role key (JWT)',
      prefix: 'eyJ',
      pattern: /^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/,
      kind: 'secret',
    },
  ],
  keysUrl: 'https://supabase.com/dashboard/project/_/settings/api-keys',
  probe: { method: 'GET', path: '/' },
  envVar: 'SUPABASE_SECRET_KEY',
} as const satisfies ProviderPreset;

export const mistral = {
  // Sources: https://docs.mistral.ai/api/ (https://api.mistral.ai/v1, Authorization: Bearer, GET /v1/models);
  // https://console.mistral.ai/api-keys; MISTRAL_API_KEY and Bearer auth at https://api.mistral.ai as summarised in
  // https://smithery.ai/skills/jeremylongshore/mistral-install-auth (secondary).
  // Mistral documents no key prefix, so no format is checked for its own keys.
  name: 'Mistral AI',
  baseUrl: 'https://api.mistral.ai/v1',
  auth: { type: 'bearer' },
  keyFormats: [],
  keysUrl: 'https://console.mistral.ai/api-keys',
  probe: { method: 'GET', path: '/models' },
  envVar: 'MISTRAL_API_KEY',
} as const satisfies ProviderPreset;

export const groq = {
  // Sources: https://console.groq.com/docs/quickstart (GROQ_API_KEY); https://docs.n8n.io/integrations/builtin/credentials/groq.md
  // (keys page https://console.groq.com/keys); https://console.groq.com/docs/api-reference#models-list (GET /openai/v1/models,
  // Bearer); the gsk_ prefix per https://www.skills.sh/jeremylongshore/claude-code-plugins-plus-skills/groq-security-basics (secondary).
  name: 'Groq',
  baseUrl: 'https://api.groq.com/openai/v1',
  auth: { type: 'bearer' },
  keyFormats: [{ label: 'API key', prefix: 'gsk_', pattern: body(20), kind: 'secret' }],
  keysUrl: 'https://console.groq.com/keys',
  probe: { method: 'GET', path: '/models' },
  envVar: 'GROQ_API_KEY',
} as const satisfies ProviderPreset;

export const huggingface = {
  // Sources: https://huggingface.co/docs/hub/security-tokens (User Access Tokens, hf_ prefix,
  // https://huggingface.co/settings/tokens); https://hexdocs.pm/huggingface_client/HuggingfaceClient.Hub.Auth.html
  // (GET /api/whoami-v2 with an hf_… token); HF_TOKEN per https://rdrr.io/cran/huggingfaceR/man/hf_whoami.html.
  name: 'Hugging Face',
  baseUrl: 'https://huggingface.co/api',
  auth: { type: 'bearer' },
  keyFormats: [{ label: 'user access token', prefix: 'hf_', pattern: body(20), kind: 'token' }],
  keysUrl: 'https://huggingface.co/settings/tokens',
  probe: { method: 'GET', path: '/whoami-v2' },
  envVar: 'HF_TOKEN',
} as const satisfies ProviderPreset;
