#!/usr/bin/env node
// Validates what tests/helm/render (helm-render) produced.
//
//   validate.cjs values   --modules DIR --schema values.schema.json --values values.json [--expect-reject]
//   validate.cjs manifests --modules DIR --manifests manifests.json --values values.json --case NAME
//
// `values` checks the coalesced values against the chart's JSON schema with ajv, as `helm install` does
// before rendering (Helm uses draft-07 semantics; so does ajv's default export).
//
// `manifests` checks every rendered object three ways:
//   1. the kubernetes-models / @kubernetes-models/keda / @kubernetes-models/prometheus-operator model's
//      validate(): the JSON schema of the API (types, required fields, enums);
//   2. TypeScript excess-property checks against the same packages' type declarations: an unknown or
//      misplaced field fails, as the API server's strict field validation (kubectl default) would;
//   3. the chart's own promises (security defaults, probes, grace period, selectors, references,
//      autoscaling capped at the partition count).
// DIR is where `npm ci` installed package.json's dependencies (tests/helm/run.sh does it).
'use strict';

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { createRequire } = require('module');
const { execFileSync } = require('child_process');

function parseArgs(argv) {
  const args = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) {
      const key = argv[i].slice(2);
      if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) args[key] = argv[++i];
      else args[key] = true;
    } else {
      args._.push(argv[i]);
    }
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
const modulesDir = path.resolve(args.modules || '.');
const req = createRequire(path.join(modulesDir, 'package.json'));
const readJSON = (p) => JSON.parse(fs.readFileSync(p, 'utf8'));
const failures = [];
const fail = (msg) => failures.push(msg);

function finish(what) {
  if (failures.length) {
    for (const f of failures) console.error(`FAIL ${f}`);
    console.error(`${what}: ${failures.length} problem(s)`);
    process.exit(1);
  }
  console.log(`${what}: ok`);
}

function validateValues() {
  const Ajv = req('ajv');
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(readJSON(args.schema));
  const ok = validate(readJSON(args.values));
  const errors = (validate.errors || []).map((e) => `${e.instancePath || '/'} ${e.message}`);
  if (args['expect-reject']) {
    if (ok) fail(`${args.values}: values.schema.json accepted values it must reject`);
    else console.log(`rejected as expected: ${errors.join('; ')}`);
  } else if (!ok) {
    for (const e of errors) fail(`${args.values}: values.schema.json: ${e}`);
  }
  finish('values');
}

// apiVersion -> module prefix of the package that models it.
function modelModule(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === 'monitoring.coreos.com') return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  if (group === 'keda.sh') return `@kubernetes-models/keda/${apiVersion}/${kind}`;
  if (group === '') return `kubernetes-models/${version}/${kind}`;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

function schemaCheck(items) {
  items.forEach(({ source, doc }, i) => {
    const where = `${source} ${doc.kind}/${doc.metadata && doc.metadata.name}`;
    if (!doc.apiVersion || !doc.kind) return fail(`${source} #${i}: object without apiVersion or kind`);
    let Model;
    try {
      Model = req(modelModule(doc.apiVersion, doc.kind))[doc.kind];
    } catch (e) {
      return fail(`${where}: no model for ${doc.apiVersion} ${doc.kind} (${e.code || e.message})`);
    }
    try {
      new Model(doc).validate();
    } catch (e) {
      fail(`${where}: ${e.message}`);
    }
  });
}

// Writes one TypeScript file that assigns every object to its API type and lets tsc judge it.
function strictFieldCheck(items, caseName) {
  const lines = [];
  const starts = [];
  const imports = new Map();
  items.forEach(({ doc }) => {
    const mod = modelModule(doc.apiVersion, doc.kind);
    if (!imports.has(mod)) imports.set(mod, `T${imports.size}`);
  });
  for (const [mod, alias] of imports) lines.push(`import type { I${mod.split('/').pop()} as ${alias} } from "${mod}";`);
  items.forEach(({ doc }, i) => {
    starts.push(lines.length + 1);
    const body = JSON.stringify(doc, null, 2).split('\n');
    lines.push(`export const m${i}: ${imports.get(modelModule(doc.apiVersion, doc.kind))} = ${body[0]}`);
    lines.push(...body.slice(1));
    lines[lines.length - 1] += ';';
  });
  const file = path.join(modulesDir, `strict-${caseName}.ts`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const tsc = path.join(modulesDir, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--module', 'node16',
      '--moduleResolution', 'node16', '--target', 'es2020', file], { cwd: modulesDir, encoding: 'utf8' });
  } catch (e) {
    const out = `${e.stdout || ''}${e.stderr || ''}`;
    for (const line of out.split('\n').filter((l) => l.includes('error TS'))) {
      const m = line.match(/\((\d+),\d+\)/);
      const lineNo = m ? Number(m[1]) : 0;
      let idx = 0;
      while (idx + 1 < starts.length && starts[idx + 1] <= lineNo) idx++;
      const { source, doc } = items[idx];
      const msg = line.replace(/^.*error TS\d+: /, "");
      fail(`${source} ${doc.kind}/${doc.metadata && doc.metadata.name}: line ${lineNo} of ${path.basename(file)}: ` +
        `'${(lines[lineNo - 1] || "").trim()}': ${msg.length > 240 ? msg.slice(0, 240) + "..." : msg}`);
    }
    if (!out.includes('error TS')) fail(`tsc failed: ${out || e.message}`);
  }
}

// What the chart promises beyond the API schemas.
function chartChecks(items, values) {
  const byKind = (kind) => items.map((x) => x.doc).filter((d) => d.kind === kind);
  const [deployment] = byKind('Deployment');
  if (!deployment || byKind('Deployment').length !== 1) return fail('expected exactly one Deployment');
  const podSpec = deployment.spec.template.spec;
  const podLabels = deployment.spec.template.metadata.labels || {};
  const [container] = podSpec.containers;
  const matches = (selector) => Object.entries(selector || {}).every(([k, v]) => podLabels[k] === v);

  // Security defaults.
  const psc = podSpec.securityContext || {};
  const csc = container.securityContext || {};
  if (psc.runAsNonRoot !== true) fail('pod securityContext.runAsNonRoot is not true');
  if (!psc.seccompProfile || psc.seccompProfile.type !== 'RuntimeDefault') fail('seccompProfile is not RuntimeDefault');
  if (csc.readOnlyRootFilesystem !== true) fail('readOnlyRootFilesystem is not true');
  if (csc.allowPrivilegeEscalation !== false) fail('allowPrivilegeEscalation is not false');
  if (!(csc.capabilities && (csc.capabilities.drop || []).includes('ALL'))) fail('capabilities do not drop ALL');
  if (podSpec.automountServiceAccountToken !== false) fail('the pod mounts a service-account token');
  if (!container.resources || !container.resources.requests || !container.resources.limits) fail('resources unset');

  // Probes on the admin port.
  const probePath = (p) => p && p.httpGet && p.httpGet.path;
  if (values.livenessProbe.enabled && probePath(container.livenessProbe) !== '/healthz') fail('liveness is not /healthz');
  if (values.readinessProbe.enabled && probePath(container.readinessProbe) !== '/readyz') fail('readiness is not /readyz');
  const adminPort = (container.ports || []).find((p) => p.name === 'admin');
  if (!adminPort) fail('container has no port named admin');

  // The config the pods read, and the grace period against its shutdown grace.
  const configMap = byKind('ConfigMap').find((c) => c.data && c.data['ingestd.yaml']);
  if (!configMap) return fail('no ConfigMap with ingestd.yaml');
  const configText = configMap.data['ingestd.yaml'];
  const num = (key) => Number((configText.match(new RegExp(`^\\s*${key}:\\s*(\\d+)\\s*$`, 'm')) || [])[1]);
  const needed = num('shutdown_grace_ms') / 1000;
  if (!(podSpec.terminationGracePeriodSeconds > needed)) {
    fail(`terminationGracePeriodSeconds ${podSpec.terminationGracePeriodSeconds} is not above ${needed} s`);
  }
  if (adminPort && num('port') !== adminPort.containerPort) fail('admin.port in the config differs from the container port');
  if (!/^\s*address: 0\.0\.0\.0\s*$/m.test(configText)) fail('admin.address is not 0.0.0.0');
  if (/password:\s*(?!\$\{)\S/.test(configText)) {
    fail('a password is written into the ConfigMap');
  }
  const sum = crypto.createHash('sha256').update(configText.replace(/\n$/, '')).digest('hex');
  if (deployment.spec.template.metadata.annotations['checksum/config'] !== sum) {
    fail('checksum/config does not match the rendered config');
  }

  // References: volumes, env and the Service / monitor wiring.
  const rendered = (kind, name) => byKind(kind).some((d) => d.metadata.name === name);
  const external = new Set([values.kafka.auth.existingSecret, values.kafka.tls.caSecret,
    values.taxonomy.existingConfigMap].filter(Boolean));
  for (const v of podSpec.volumes || []) {
    if (v.configMap && !rendered('ConfigMap', v.configMap.name) && !external.has(v.configMap.name)) {
      fail(`volume ${v.name} refers to ConfigMap ${v.configMap.name}, which is neither rendered nor given`);
    }
    if (v.secret && !rendered('Secret', v.secret.secretName) && !external.has(v.secret.secretName)) {
      fail(`volume ${v.name} refers to Secret ${v.secret.secretName}, which is neither rendered nor given`);
    }
  }
  const mounted = new Set((container.volumeMounts || []).map((m) => m.name));
  for (const v of podSpec.volumes || []) if (!mounted.has(v.name)) fail(`volume ${v.name} is never mounted`);
  for (const e of container.env || []) {
    const ref = e.valueFrom && e.valueFrom.secretKeyRef;
    if (ref && !rendered('Secret', ref.name) && !external.has(ref.name)) fail(`env ${e.name}: Secret ${ref.name} missing`);
  }
  if (!matches(deployment.spec.selector.matchLabels)) fail('Deployment selector does not match its pod labels');
  for (const s of byKind('Service')) {
    if (!matches(s.spec.selector)) fail(`Service ${s.metadata.name} does not select the pods`);
    if (!s.spec.ports.some((p) => p.targetPort === 'admin')) fail(`Service ${s.metadata.name} misses the admin port`);
  }
  for (const pdb of byKind('PodDisruptionBudget')) {
    if (!matches(pdb.spec.selector.matchLabels)) fail('PodDisruptionBudget does not select the pods');
  }
  for (const np of byKind('NetworkPolicy')) {
    if (!matches(np.spec.podSelector.matchLabels)) fail('NetworkPolicy does not select the pods');
  }
  for (const sm of byKind('ServiceMonitor')) {
    const svc = byKind('Service').find((s) => Object.entries(sm.spec.selector.matchLabels)
      .every(([k, v]) => (s.metadata.labels || {})[k] === v));
    if (!svc) fail('ServiceMonitor selects no rendered Service');
    else if (!sm.spec.endpoints.every((ep) => svc.spec.ports.some((p) => p.name === ep.port))) {
      fail('ServiceMonitor endpoint port is not a port of the Service');
    }
  }
  for (const pr of byKind('PrometheusRule')) {
    if (!pr.spec.groups.length || !pr.spec.groups.every((g) => g.rules && g.rules.length)) fail('PrometheusRule is empty');
  }
  for (const cm of byKind('ConfigMap').filter((c) => c.data && c.data['ingestd.json'])) {
    try {
      const dash = JSON.parse(cm.data['ingestd.json']);
      if (!Array.isArray(dash.panels) || !dash.panels.length) fail('dashboard has no panels');
    } catch (e) {
      fail(`dashboard JSON does not parse: ${e.message}`);
    }
    if ((cm.metadata.labels || {})[values.dashboard.label] !== values.dashboard.labelValue) {
      fail('dashboard ConfigMap lacks the sidecar label');
    }
  }

  // Autoscaling never above the partition count, never two autoscalers, no fixed replicas under one.
  const partitions = values.kafka.inputPartitions;
  const scalers = [...byKind('HorizontalPodAutoscaler'), ...byKind('ScaledObject')];
  if (scalers.length > 1) fail('more than one autoscaler');
  for (const h of byKind('HorizontalPodAutoscaler')) {
    if (h.spec.maxReplicas > partitions) fail(`HPA maxReplicas ${h.spec.maxReplicas} > ${partitions} partitions`);
    if (h.spec.scaleTargetRef.name !== deployment.metadata.name) fail('HPA targets another Deployment');
  }
  for (const so of byKind('ScaledObject')) {
    if (so.spec.maxReplicaCount > partitions) fail(`ScaledObject maxReplicaCount ${so.spec.maxReplicaCount} > ${partitions}`);
    if (so.spec.scaleTargetRef.name !== deployment.metadata.name) fail('ScaledObject targets another Deployment');
    for (const t of so.spec.triggers.filter((x) => x.authenticationRef)) {
      if (!rendered('TriggerAuthentication', t.authenticationRef.name)) fail('ScaledObject refers to a missing TriggerAuthentication');
    }
  }
  if (scalers.length && deployment.spec.replicas !== undefined) fail('Deployment sets replicas under an autoscaler');

  // Every object in the release namespace (or the dashboard's), labelled as the chart's.
  for (const { doc } of items) {
    const labels = doc.metadata.labels || {};
    if (labels['app.kubernetes.io/managed-by'] !== 'Helm') fail(`${doc.kind}/${doc.metadata.name} lacks the chart labels`);
    if (!doc.metadata.namespace) fail(`${doc.kind}/${doc.metadata.name} has no namespace`);
  }
}

function validateManifests() {
  const items = readJSON(args.manifests);
  const values = readJSON(args.values);
  if (!items.length) fail('nothing rendered');
  schemaCheck(items);
  strictFieldCheck(items, args.case || 'manifests');
  chartChecks(items, values);
  const kinds = items.map(({ doc }) => doc.kind).join(', ');
  finish(`manifests (${items.length}: ${kinds})`);
}

const command = args._[0];
if (command === 'values') validateValues();
else if (command === 'manifests') validateManifests();
else {
  console.error('usage: validate.cjs values|manifests --modules DIR ...');
  process.exit(2);
}
