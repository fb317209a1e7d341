import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiDocument } from './helpers/openapi-check.js';
import { startRestApp, type TestApp } from './helpers/test-app.js';

// The API reference (issue 16): every route is in /openapi.json and every schema in it is one a
// validator can use. That each answer matches its schema is checked by every suite: the test
// app's `call` validates what it receives against this document.

let t: TestApp;
let doc: ApiDocument & { openapi: string; info: { version: string }; tags: { name: string }[] };

beforeAll(async () => {
  t = await startRestApp();
  const res = await t.call('GET', '/openapi.json');
  expect(res.status).toBe(200);
  doc = res.json;
});
afterAll(() => t.stop());

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const openApiPath = (honoPath: string) => honoPath.replace(/:([A-Za-z_]+)/g, '{$1}');

/** `METHOD /path` of every route the app answers (middleware is registered as ALL, not a route). */
function appRoutes(): string[] {
  const routes = t.app.routes.filter((r) => METHODS.includes(r.method.toLowerCase()));
  return [...new Set(routes.map((r) => `${r.method.toUpperCase()} ${openApiPath(r.path)}`))].sort();
}

function documented(): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document anyone may read, with the version of the package', async () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
    const anonymous = await t.app.request('/openapi.json');
    expect(anonymous.status).toBe(200);
  });

  it('covers every route of the app, and documents no route the app does not have', () => {
    const routes = appRoutes();
    expect(routes.length).toBeGreaterThan(55);
    expect(documented()).toEqual(routes);
  });

  it('gives each operation a summary and a known tag', () => {
    const tags = new Set(doc.tags.map((tag) => tag.name));
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(op.summary, `${method} ${path}`).toBeTruthy();
        expect(op.tags?.length, `${method} ${path}`).toBe(1);
        expect(tags.has(op.tags![0]!), `${method} ${path} tag ${op.tags![0]}`).toBe(true);
      }
    }
  });

  it('names the permission each route enforces, as the route enforces it', async () => {
    const op = (method: string, path: string) => doc.paths[path]![method] as unknown as Record<string, unknown>;
    expect(op('post', '/api/plcs')['x-permission']).toBe('alarms:admin');
    expect(op('get', '/api/plcs')['x-permission']).toBe('alarms:read');
    expect(op('post', '/api/alarms/{rule_id}/ack')['x-permission']).toBe('alarms:ack');
    expect(op('get', '/api/users')['x-permission']).toBe('users:admin');
    expect(op('get', '/api/items')['security']).toEqual([{ bearer: [] }]);
    expect(op('post', '/api/auth/login')['security']).toBeUndefined();
    // What the document says is what happens: a viewer may list PLCs and may not create one.
    const viewer = await t.userWithRole('viewer', await t.login());
    expect((await t.call('GET', '/api/plcs', { token: viewer })).status).toBe(200);
    expect((await t.call('POST', '/api/plcs', { token: viewer, body: { name: 'x', host: '127.0.0.1' } })).status).toBe(403);
  });

  it('has request and response schemas a JSON Schema 2020-12 validator compiles', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    let schemas = 0;
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops) as unknown as Record<string, any>[]) {
        const bodies = [op.requestBody, ...Object.values(op.responses ?? {})].flatMap((r: any) => Object.values(r?.content ?? {}));
        for (const media of bodies as { schema?: object }[]) {
          if (!media.schema) continue;
          expect(() => ajv.compile(media.schema!)).not.toThrow();
          schemas++;
        }
      }
    }
    expect(schemas).toBeGreaterThan(100);
  });

  it('describes a body as the route parses it: required fields, defaults, bounds', () => {
    const plc = (doc.paths['/api/plcs'] as any).post.requestBody.content['application/json'].schema;
    expect(plc.required).toEqual(['name', 'host']);
    expect(plc.properties.port).toMatchObject({ type: 'integer', minimum: 1, maximum: 65535, default: 502 });
    expect(plc.additionalProperties).toBe(false);
    const history = (doc.paths['/api/alarms/history'] as any).get.parameters.map((p: { name: string }) => p.name);
    expect(history).toEqual(expect.arrayContaining(['rule_id', 'from', 'to', 'after_id', 'limit', 'format']));
  });
});

describe('GET /docs', () => {
  it('leads to the reference page, served from this origin under the pages CSP', async () => {
    const res = await t.app.request('/docs');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/docs.html');
  });
});
