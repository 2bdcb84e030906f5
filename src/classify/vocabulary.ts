// The classifier's vocabulary: the one file that decides what words mean. To teach keyguard a
// new API or auth library, add its wording here (and a corpus case in test/fixtures/key-errors/);
// the decision in classify.ts reads only these names.

/** What a statement says happened to the key. `absent` is "not found"; `generic` is a rejection that gives no reason. */
export type Cue = 'expired' | 'revoked' | 'missing' | 'malformed' | 'absent' | 'generic';

/**
 * Words for another kind of token: a token named by one of these is not the credential the
 * request carried ("Invalid card token", "Refresh token expired", "Invite token not found").
 */
const OTHER_TOKENS =
  'page|next|continuation|pagination|cursor|sync|registration|device|push|csrf|xsrf|upload|verification|verify|reset|card|payment|captcha|recaptcha|hcaptcha|turnstile|invite|invitation|confirmation|confirm|unsubscribe|subscription|share|sharing|refresh|email|magic|login|signup|activation|password|otp|one-time|2fa|mfa|download|link|state|nonce|id|request|idempotency|client|install|installation|webhook|notification|form|checkout|order|cart|coupon|promo|voucher|gift|ticket|receipt|file|media|stream|room|chat|socket|game|oauth[\\s_-]?state';

/**
 * The statement is about the key: an API key, token, credentials or authentication. A bare "key"
 * counts only as "the/your/this/invalid key", never as a field name ("Unrecognized key: \"color\"").
 * A token counts unless another noun names what kind it is (see OTHER_TOKENS).
 */
export const KEY_SUBJECT = new RegExp(
  [
    String.raw`api[\s_-]?key|apikey|(?:access|secret|subscription|auth)[\s_-]?key`,
    String.raw`(?<![a-z])(?:the|your|this|that|provided|an?|invalid|incorrect|wrong|bad) key(?![a-z])(?!\s*(?:\(s\)|:|['"\x60]))`,
    String.raw`(?<!(?<![a-z])(?:${OTHER_TOKENS})[\s_-]?)token(?![a-z])`,
    '(?<![a-z])jw[stk]', // jwt, JWTExpired, JWSInvalid, JWSSignatureVerificationFailed, jwk
    'credential|authenticat|unauthori[sz]ed|invalid_auth|not_authed|bearer',
    String.raw`(?<![a-z])authori[sz]ation(?![\s_-]?(?:server|code|grant|endpoint|request|url|uri|flow))`,
    String.raw`account[\s_](?:inactive|deactivated|disabled|suspended)`,
    // PyJWT / flask-jwt-extended decode errors name no subject, but only a JWT has segments and this padding.
    'not enough segments|invalid (?:header|crypto|payload) padding',
  ].join('|'),
  'i',
);

/** Class and code names in CamelCase (`TokenExpiredError`, `InvalidApiKey`, `JsonWebTokenError`; not `InvalidNextTokenException`): case-sensitive. */
export const CAMEL_SUBJECT =
  /(?:^|[^A-Za-z]|Access|Auth|Bearer|Web|Expired|Invalid|Revoked|Missing|Malformed|Bad|Unknown)Token(?=[A-Z])|(?:ApiKey|APIKey|AccessKey|Credentials?|Jwt|JWT)(?=[A-Z])|[a-z](?:ApiKey|Credentials?)(?![a-z])/;

/** The statement names another kind of token ("Invalid card token"): alone, it is not about the credential. */
export const OTHER_TOKEN = new RegExp(String.raw`(?<![a-z])(?:${OTHER_TOKENS})[\s_-]?token(?![a-z])`, 'i');

/**
 * On a 401, or under an RFC 6750 `invalid_token` challenge, the status already says the answer
 * is about the credential: a JWT library's wording that names only a part of the token counts too
 * (`'exp' claim timestamp check failed`, `invalid signature`, `Invalid Compact JWS`).
 */
export const TOKEN_PART_SUBJECT =
  /signature|(?<![a-z])claim|(?<![a-z])(?:compact|jws|jwe|alg)(?![a-z])|(?<![a-z])kid(?![a-z])|issuer|audience/i;

/** The statement is about something else: permissions, scopes, restrictions, quota, rate limits, billing. */
export const NOT_THE_KEY =
  /no such [\w ]{1,30}: ?['"`]|permission|scope|not allowed|forbidden to|access to (?:this|the) resource|resource not accessible|insufficient[\s_]|restricted|referr?er|(?<![a-z])ip(?![a-z])|from location|service[\s_]blocked|are blocked|quota|usage limit|reached its (?:usage )?limit|rate[\s_-]?limit|too many requests|too quickly|context length|billing|credit|plan does not|upgrade your plan|payment/i;

/** The statement is about a stored key as a resource (a key-management API), not the credential this request carried. */
export const KEY_RESOURCE =
  /(?:api[\s_-]?key|key|token|credential)s?\s+(?:with\s+(?:the\s+)?)?(?:id|name)\b|(?:key|token)\s+['"`][^'"`]{1,80}['"`]\s+(?:not found|does not exist|doesn't exist)/i;

export const CUES: Record<Cue, RegExp> = {
  expired: /expir(?:ed|y|ation)|(?<![a-z])["'`]?exp["'`]? claim|token is no longer valid because|(?:jwt|token) (?:has )?timed out/i,
  revoked:
    /revoked|disabled|deactivated|inactive|suspended|deleted|blocked|banned|(?:black|block|deny)-?listed|untrusted|no longer active/i,
  missing:
    /missing|not (?:been )?(?:provided|set|sent|supplied|included|present)|(?<![a-z])no (?:api[\s_-]?|auth(?:entication)? |access |bearer )?(?:key|token|credentials?|authentication|authori[sz]ation)(?![a-z])|(?:key|token|credentials|header) (?:is |are |was )?required|must (?:provide|include|supply)|not_authed|did not provide|didn't provide|without (?:an? |any )?(?:api[\s_-]?key|key|token|credentials|authentication)|please use (?:an? |your )?api[\s_-]?key|requires? authentication|authentication is required|(?:credentials|authentication|authori[sz]ation(?: header)?|token) (?:were |was )?not found|(?:no|empty) authori[sz]ation header|credentials_required|must be provided/i,
  malformed:
    /invalid|incorrect|malformed|not valid|isn't valid|unrecogni[sz]ed|unknown (?:api[\s_-]?)?(?:key|token)|wrong|bad (?:api[\s_-]?)?(?:key|token|credential)|(?:could not|couldn't|cannot|can't|unable to|failed to) (?:validate|verify|decode|parse)|verification ?failed|(?:signature|token) mismatch|unsigned|not enough segments|deprecated|not supported|unsupported|(?:remove|drop) the \S{1,20} prefix|use an? (?:api[\s_-]?key|key|token) as|format is authori[sz]ation|bad_(?:scheme|format)/i,
  absent: /not found|does not exist|doesn't exist|no such/i,
  generic:
    /(?:failed to|could not|couldn't|unable to|cannot) authenticate|authentication (?:failed|error)|not authenticated|unauthenticated|unauthori[sz]ed|not authori[sz]ed|access denied|forbidden|no longer valid|rejected/i,
};

/** Causes that beat a bare "invalid": the API said exactly what happened. */
export const STRONG: readonly Cue[] = ['expired', 'revoked', 'missing'];

/** "invalid or expired", "missing/invalid": the API itself does not know which. */
export const ALTERNATIVES = /(?<![a-z])or(?![a-z])|\w\/\w/i;
/** Two ways of reading one token joined by "or" ("unable to parse or verify signature"): not two causes. */
export const READ_VERBS_OR = /(?:parse|decode|read|validate|verify)\s+or\s+(?:parse|decode|read|validate|verify)/gi;

/**
 * Machine codes that name the cause where the text does not (PostgREST, behind Supabase's REST API:
 * PGRST301 "any error related to the verification of the JWT", PGRST302 "a request without
 * authentication when the anonymous role is disabled"). A text that names a cause still wins.
 */
export const CODE_REASONS: ReadonlyMap<string, 'malformed' | 'missing'> = new Map([
  ['PGRST301', 'malformed'],
  ['PGRST302', 'missing'],
]);
export const URL_PATTERN = /\bhttps?:\/\/[^\s"'<>)]*/gi;
/** A web server's or proxy's own error page: these send a bare `Bearer` challenge for any rejection. */
export const PROXY_PAGE =
  /(?<![a-z])(?:nginx|openresty|apache|httpd|envoy|caddy|haproxy|traefik|cloudflare|cloudfront|microsoft-iis|iis|lighttpd|varnish|squid|kong|akamai|awselb|istio)(?![a-z])/i;

/** File paths (a stack trace on a framework's error page): never a statement, and their slashes are not "X/Y" alternatives. */
export const PATH_PATTERN = /(?:[a-z]:)?(?:[\\/][\w.@~-]+){2,}(?::\d+)*/gi;

/**
 * The text is only an HTTP status phrase (`Unauthorized`, `401 Authorization Required`,
 * `Error`): it says nothing the status does not, so a more specific text wins as the message.
 */
export const STATUS_PHRASE =
  /^(?:(?:http\/[\d.]+\s+)?\d{3}\s*[-:]?\s*)?(?:error|unauthori[sz]ed|forbidden|not found|bad request|authori[sz]ation required|authentication required|proxy authentication required|payment required|method not allowed|not acceptable|request timeout|conflict|gone|unprocessable (?:entity|content)|too many requests|internal server error|bad gateway|service unavailable|gateway timeout|access denied)[.!]?$/i;

/** Fields that carry an error's machine code, most specific first. */
export const CODE_FIELDS = ['code', 'error_code', 'errorCode', '__type', 'category', 'reason', 'type', 'status', 'error', 'id'];
/** Fields that carry human text, most specific first. */
export const MESSAGE_FIELDS = [
  'message',
  'detail',
  'error_description',
  'description',
  'error_message',
  'errorMessage',
  'userMessage',
  'user_message',
  'developerMessage',
  'developer_message',
  'msg',
  'errors',
  'error',
  'title',
];
/** A string under a field whose name looks like this is read as a statement about the error. */
export const TEXT_FIELD = /message|msg|detail|description|error|title|reason|code|type|category|^status$|^id$/i;

/**
 * A 2xx envelope says the call failed: `ok: false`, `success: false`, or a `status` / `stat` /
 * `result` such as `error`, `fail`, `REQUEST_DENIED` (Google Maps), `INVALID_KEY`, `UNAUTHORIZED`.
 */
export const FAILED_STATUS =
  /^(?:error|errors|fail|failed|failure|denied|request_denied|access_denied|unauthori[sz]ed|forbidden|rejected)$|invalid|expired|revoked|denied|unauthori[sz]ed/i;
