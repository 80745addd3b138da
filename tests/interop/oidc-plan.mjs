// An independent authorization server for Folio's interop tests: the npm `oidc-provider` package
// (a certified OpenID provider, not written by us) configured the way a US health plan's SMART
// on FHIR authorization server behaves, plus the few FHIR endpoints a test needs.
//
//   node tests/interop/oidc-plan.mjs
//
// Listens on 127.0.0.1 on an ephemeral port, prints ONE line of JSON to stdout when ready
//   {"fhirBase":"http://127.0.0.1:PORT/fhir","issuer":"http://127.0.0.1:PORT",
//    "secrets":{"folio-secret-basic":"…","folio-secret-post":"…"}}
// and runs until SIGTERM/SIGINT or until its stdin closes. Everything else goes to stderr.
//
// What makes it a SMART plan (see shared docs "interop-oidc-provider.md"):
// - one public native client `folio-desktop` (no client authentication, loopback redirect on any
//   port, RFC 8252 §7.3), PKCE S256 required;
// - confidential native clients as a member gets them at a plan's developer portal:
//   `folio-secret-basic` (client_secret_basic) and `folio-secret-post` (client_secret_post), each
//   with a random secret printed in the ready line (with characters that must be form-encoded
//   in a Basic header), and private_key_jwt clients added at runtime with the JWKS Folio printed
//   (`POST /_harness/clients`, JSON `{client_id, jwks}`); which method each client used at the
//   token and revocation endpoints is counted in the stats (`clientAuth`);
// - RFC 7591 open dynamic registration (`registration_endpoint` in the SMART configuration);
//   `POST /_harness/registration` (JSON `{open: false}`) makes the plan refuse registrations as
//   a plan that wants an initial access token from its portal does (401 invalid_token);
//   RFC 7592 registration management (a registered client is read and deleted at its
//   `registration_client_uri` with its registration access token; deletes are counted);
// - `POST /_harness/signing-algs` (JSON `{algs: ["RS384"]}`) sets the algorithms the SMART
//   configuration offers for client assertions, as a plan that takes only RSA does; a client
//   added with `token_endpoint_auth_signing_alg` accepts assertions signed with that one only;
// - `POST /_harness/tokens` (JSON `{refreshTokens: false, accessTokenSecs: 600}`) makes the plan
//   give no refresh token (even with `offline_access` granted) and access tokens that last that
//   many seconds, as plans whose access lasts minutes and is never renewed do;
// - `POST /_harness/clock` (JSON `{aheadSecs}`) sets the plan's clock that far ahead of this
//   computer's, so a five-minute client assertion Folio signs now has already expired there;
// - SMART scopes accepted (v1 `.read` and v2 `.rs`), `fhirUser` as an OpenID claim scope;
// - `offline_access` honoured without the app sending `prompt=consent` (the plan adds it);
// - `aud` required and checked against the FHIR base;
// - RFC 9207 `iss` in authorization responses; refresh tokens rotated (reuse revokes the grant);
// - `patient` (and `need_patient_banner`) in the token response JSON;
// - `{fhirBase}/.well-known/smart-configuration` and `GET {fhirBase}/Patient/{id}` (bearer only).
//
// The member signs in through oidc-provider's built-in development interactions: a login form
// (any login and password) and a consent form, both plain HTML forms a script can post with a
// cookie jar. `GET /_harness/stats` reports what the server saw, for assertions.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider, { errors } from 'oidc-provider';

// oidc-provider prints notices with console.info; stdout carries only the ready line.
console.info = (...args) => console.error(...args);
console.log = (...args) => console.error(...args);

const CLIENT_ID = 'folio-desktop';
// Secrets with `+`, `/` and `=`: RFC 6749 §2.3.1 has them form-encoded inside a Basic header.
const SECRETS = {
  'folio-secret-basic': `${randomBytes(24).toString('base64')}+/=`,
  'folio-secret-post': `${randomBytes(24).toString('base64')}+/=`,
};
const PATIENT_ID = 'interop-patient-1';
const REDIRECT_URIS = ['http://127.0.0.1/cb/oidc-test-plan'];

// The plan's clock: oidc-provider reads the time through Date.now (its epochTime helper).
const realNow = Date.now;
let clockAheadMs = 0;
Date.now = () => realNow() + clockAheadMs;

const SMART_SCOPES = [
  'launch/patient',
  'offline_access',
  'patient/*.rs',
  'patient/*.read',
  'patient/Patient.rs',
  'patient/Patient.read',
  'patient/ExplanationOfBenefit.rs',
  'patient/ExplanationOfBenefit.read',
  'patient/Coverage.rs',
  'patient/Coverage.read',
];

const stats = {
  authorizationRequests: 0,
  tokenResponses: 0,
  refreshes: 0,
  tokenErrors: 0,
  revocations: 0,
  patientReads: 0,
  patientRejected: 0,
  registrations: 0,
  registrationDeletes: 0,
  // Why the token endpoint refused, e.g. "invalid_client: jwt expired" (no secrets in these).
  tokenErrorDetails: [],
  // { token: { clientId: { method: count } }, revocation: { … } }: what each client sent.
  clientAuth: { token: {}, revocation: {} },
};

const nativeClient = (clientId, method, extra = {}) => ({
  client_id: clientId,
  application_type: 'native',
  token_endpoint_auth_method: method,
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: REDIRECT_URIS.map((uri) => uri.replace('oidc-test-plan', clientId)),
  ...extra,
});

const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', resolve);
});
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;
const fhirBase = `${issuer}/fhir`;

const signingKey = {
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
  kid: 'interop-rs256',
  use: 'sig',
  alg: 'RS256',
};

const provider = new Provider(issuer, {
  clients: [
    { ...nativeClient(CLIENT_ID, 'none'), redirect_uris: REDIRECT_URIS },
    nativeClient('folio-secret-basic', 'client_secret_basic', { client_secret: SECRETS['folio-secret-basic'] }),
    nativeClient('folio-secret-post', 'client_secret_post', { client_secret: SECRETS['folio-secret-post'] }),
  ],
  clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
  // SMART's asymmetric client authentication: ES384 or RS384.
  enabledJWA: { clientAuthSigningAlgValues: ['ES384', 'RS384'] },
  scopes: ['openid', ...SMART_SCOPES],
  claims: { openid: ['sub'], fhirUser: ['fhirUser'] },
  async findAccount(_ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return { sub, fhirUser: `${fhirBase}/Patient/${PATIENT_ID}` };
      },
    };
  },
  // SMART's `aud`: required, and exactly the FHIR base the tokens are for.
  extraParams: {
    aud(_ctx, value) {
      if (value !== fhirBase) {
        throw new errors.InvalidRequest(`aud must be this plan's FHIR base (${fhirBase})`);
      }
    },
  },
  pkce: { required: () => true },
  rotateRefreshToken: true,
  // oidc-provider's own rule (a client allowed the grant, offline_access granted), unless the
  // harness switched refresh tokens off.
  issueRefreshToken: async (_ctx, client, source) => issueRefreshTokens
    && client.grantTypeAllowed('refresh_token')
    && source.scopes.has('offline_access'),
  features: {
    devInteractions: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
    // RFC 7591, open: no initial access token.
    registration: { enabled: true },
    // RFC 7592: read and delete a registration with its registration access token.
    registrationManagement: { enabled: true, rotateRegistrationAccessToken: false },
    // RFC 9207 `iss` in authorization responses is always on in oidc-provider 9.
  },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  jwks: { keys: [signingKey] },
  ttl: {
    AccessToken: () => accessTokenSecs,
    AuthorizationCode: 60,
    IdToken: 3600,
    Interaction: 600,
    Session: 3600,
    Grant: 14 * 24 * 3600,
    RefreshToken: 14 * 24 * 3600,
  },
});

provider.on('server_error', (_ctx, err) => console.error('server_error', err));
provider.on('grant.error', (_ctx, err) => {
  stats.tokenErrors += 1;
  stats.tokenErrorDetails.push(`${err.error}: ${err.error_detail ?? err.cause?.message ?? err.error_description}`);
  console.error('token endpoint error:', err.error, err.error_description);
});
provider.on('authorization.error', (_ctx, err) => {
  console.error('authorization error:', err.error, err.error_description);
});
provider.on('grant.revoked', (_ctx, grantId) => console.error('grant revoked:', grantId));

const authPath = new URL(provider.urlFor('authorization')).pathname;
const tokenPath = new URL(provider.urlFor('token')).pathname;
const revocationPath = new URL(provider.urlFor('revocation')).pathname;
const registrationPath = new URL(provider.urlFor('registration')).pathname;
let registrationOpen = true;
// `POST /_harness/tokens`: whether refresh tokens are given, and how long access tokens last.
let issueRefreshTokens = true;
let accessTokenSecs = 3600;
// `token_endpoint_auth_signing_alg_values_supported` in the SMART configuration.
let signingAlgs = ['ES384', 'RS384'];

// The client authentication a request to the token or revocation endpoint carried.
function clientAuthUsed(ctx) {
  if (/^basic /i.test(ctx.headers.authorization ?? '')) return 'client_secret_basic';
  const params = ctx.oidc?.params ?? {};
  if (params.client_assertion) return 'private_key_jwt';
  if (params.client_secret) return 'client_secret_post';
  return 'none';
}

function countClientAuth(ctx, endpoint) {
  const clientId = ctx.oidc?.client?.clientId ?? ctx.oidc?.params?.client_id ?? '(unknown)';
  const seen = stats.clientAuth[endpoint];
  seen[clientId] ??= {};
  const method = clientAuthUsed(ctx);
  seen[clientId][method] = (seen[clientId][method] ?? 0) + 1;
}

provider.use(async (ctx, next) => {
  if (ctx.path === registrationPath && ctx.method === 'POST') {
    stats.registrations += 1;
    if (!registrationOpen) {
      ctx.status = 401;
      ctx.body = {
        error: 'invalid_token',
        error_description: 'this plan registers only apps with an initial access token from its developer portal',
      };
      return;
    }
  }
  // SMART apps do not send prompt=consent; without it OpenID Connect drops offline_access.
  if (ctx.path === authPath && ctx.method === 'GET') {
    stats.authorizationRequests += 1;
    const query = new URLSearchParams(ctx.querystring);
    const prompts = new Set((query.get('prompt') ?? '').split(' ').filter(Boolean));
    if (!prompts.has('none')) {
      prompts.add('consent');
      query.set('prompt', [...prompts].join(' '));
      ctx.querystring = query.toString();
    }
  }
  await next();
  if (ctx.method === 'POST' && (ctx.path === tokenPath || ctx.path === revocationPath)) {
    countClientAuth(ctx, ctx.path === tokenPath ? 'token' : 'revocation');
  }
  if (ctx.path === tokenPath && ctx.method === 'POST' && ctx.status === 200
      && ctx.body && typeof ctx.body === 'object' && ctx.body.access_token) {
    stats.tokenResponses += 1;
    if (ctx.oidc?.params?.grant_type === 'refresh_token') {
      stats.refreshes += 1;
    }
    // SMART launch context in the token response (not an OpenID field).
    ctx.body = { ...ctx.body, patient: PATIENT_ID, need_patient_banner: false };
  }
  if (ctx.path === revocationPath && ctx.method === 'POST' && ctx.status === 200) {
    stats.revocations += 1;
  }
  if (ctx.method === 'DELETE' && ctx.path.startsWith(`${registrationPath}/`) && ctx.status === 204) {
    stats.registrationDeletes += 1;
  }
});

const oidcCallback = provider.callback();

function smartConfiguration() {
  return {
    issuer,
    jwks_uri: provider.urlFor('jwks'),
    authorization_endpoint: provider.urlFor('authorization'),
    token_endpoint: provider.urlFor('token'),
    revocation_endpoint: provider.urlFor('revocation'),
    registration_endpoint: provider.urlFor('registration'),
    introspection_endpoint: provider.urlFor('introspection'),
    grant_types_supported: ['authorization_code', 'refresh_token'],
    response_types_supported: ['code'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: signingAlgs,
    scopes_supported: ['openid', 'fhirUser', ...SMART_SCOPES],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    capabilities: [
      'launch-standalone',
      'client-public',
      'client-confidential-symmetric',
      'client-confidential-asymmetric',
      'context-standalone-patient',
      'permission-patient',
      'permission-offline',
      'permission-v2',
      'permission-v1',
      'sso-openid-connect',
    ],
  };
}

function syntheticPatient() {
  return {
    resourceType: 'Patient',
    id: PATIENT_ID,
    meta: { tag: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HTEST' }] },
    name: [{ family: 'Interop', given: ['Synthetic'] }],
    gender: 'unknown',
    birthDate: '1970-01-01',
  };
}

function send(res, status, body, type = 'application/json') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(text);
}

async function bearerToken(req) {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return undefined;
  const token = await provider.AccessToken.find(m[1]);
  if (!token) return undefined;
  const scopes = (token.scope ?? '').split(' ');
  if (!scopes.some((s) => s.startsWith('patient/'))) return undefined;
  return token;
}

async function fhir(req, res, path) {
  if (req.method !== 'GET') {
    return send(res, 405, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-supported' }] }, 'application/fhir+json');
  }
  if (path === '/.well-known/smart-configuration') {
    return send(res, 200, smartConfiguration());
  }
  if (path === `/Patient/${PATIENT_ID}`) {
    if (!await bearerToken(req)) {
      stats.patientRejected += 1;
      res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
      return send(res, 401, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] }, 'application/fhir+json');
    }
    stats.patientReads += 1;
    return send(res, 200, syntheticPatient(), 'application/fhir+json');
  }
  return send(res, 404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] }, 'application/fhir+json');
}

server.on('request', (req, res) => {
  const { pathname } = new URL(req.url, issuer);
  if (pathname === '/fhir' || pathname.startsWith('/fhir/')) {
    fhir(req, res, pathname.slice('/fhir'.length)).catch((err) => {
      console.error('fhir handler failed', err);
      if (!res.headersSent) send(res, 500, { error: 'server_error' });
    });
    return;
  }
  if (pathname === '/_harness/stats') {
    send(res, 200, stats);
    return;
  }
  if (pathname === '/_harness/registration' && req.method === 'POST') {
    readJson(req).then(
      ({ open }) => {
        registrationOpen = Boolean(open);
        send(res, 200, { open: registrationOpen });
      },
      (err) => send(res, 400, { error: String(err?.message ?? err) }),
    );
    return;
  }
  if (pathname === '/_harness/signing-algs' && req.method === 'POST') {
    readJson(req).then(
      ({ algs }) => {
        signingAlgs = algs.map(String);
        send(res, 200, { algs: signingAlgs });
      },
      (err) => send(res, 400, { error: String(err?.message ?? err) }),
    );
    return;
  }
  if (pathname === '/_harness/tokens' && req.method === 'POST') {
    readJson(req).then(
      ({ refreshTokens, accessTokenSecs: secs }) => {
        issueRefreshTokens = refreshTokens !== false;
        accessTokenSecs = Number.isInteger(secs) && secs > 0 ? secs : 3600;
        send(res, 200, { refreshTokens: issueRefreshTokens, accessTokenSecs });
      },
      (err) => send(res, 400, { error: String(err?.message ?? err) }),
    );
    return;
  }
  if (pathname === '/_harness/clock' && req.method === 'POST') {
    readJson(req).then(
      ({ aheadSecs }) => {
        clockAheadMs = Number(aheadSecs) * 1000;
        send(res, 200, { aheadSecs });
      },
      (err) => send(res, 400, { error: String(err?.message ?? err) }),
    );
    return;
  }
  if (pathname === '/_harness/clients' && req.method === 'POST') {
    addClient(req).then(
      (client) => send(res, 201, client),
      (err) => send(res, 400, { error: String(err?.message ?? err) }),
    );
    return;
  }
  oidcCallback(req, res);
});

// A client registered at the plan's portal after the harness started (a private_key_jwt client
// with the public JWKS Folio printed): stored through the adapter's Client model, which is where
// oidc-provider looks up clients that are not in its static configuration.
async function readJson(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return JSON.parse(text);
}

async function addClient(req) {
  const {
    client_id: clientId,
    jwks,
    token_endpoint_auth_method: method = 'private_key_jwt',
    token_endpoint_auth_signing_alg: alg,
  } = await readJson(req);
  if (!clientId || typeof clientId !== 'string') throw new Error('client_id is required');
  const metadata = nativeClient(clientId, method, {
    ...(jwks ? { jwks } : {}),
    ...(alg ? { token_endpoint_auth_signing_alg: alg } : {}),
  });
  await provider.Client.adapter.upsert(clientId, metadata);
  // Validated as oidc-provider would validate a registration: a bad JWKS is refused here.
  const client = await provider.Client.find(clientId);
  if (!client) throw new Error('the client was not accepted');
  return { client_id: clientId };
}

function stop() {
  server.close();
  server.closeAllConnections?.();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();

process.stdout.write(`${JSON.stringify({ fhirBase, issuer, secrets: SECRETS })}\n`);
