import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startRestApp, type TestApp } from '../helpers/test-app.js';
import { launchBrowser, openPage, screenshot } from './browser-harness.js';

// The API reference page in a real Chromium, without signing in: it lists every operation of
// /openapi.json, shows who may call each, renders the schemas as field tables, filters, opens
// deep links, and keeps to the strict CSP.
let t: TestApp;
let browser: Browser;
let base: string;
let doc: any;

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options', 'trace'];

/** `METHOD path` of every operation in the document, in document order. */
function documentOperations(): { method: string; path: string; op: any }[] {
  return Object.entries<any>(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: item[method] })),
  );
}

/** The page, opened anonymously, once the operations are drawn; console errors collected. */
async function openDocs(path = '/docs.html') {
  const opened = await openPage(browser);
  const consoleErrors: string[] = [];
  opened.page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  await opened.page.goto(`${base}${path}`);
  await opened.page.locator('#docs-operations details.op').first().waitFor();
  return { ...opened, consoleErrors };
}

const visibleOperations = (page: Page) => page.locator('#docs-operations details.op:visible').evaluateAll((els) => els.map((el) => el.id));

beforeAll(async () => {
  [browser, t] = await Promise.all([launchBrowser(), startRestApp()]);
  base = t.app.url;
  const res = await fetch(`${base}/openapi.json`);
  expect(res.status).toBe(200);
  doc = await res.json();
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('the API reference page', () => {
  it('lists every operation of /openapi.json by tag, with who may call it, and needs no session', async () => {
    const { context, page, seen, consoleErrors } = await openDocs();
    expect(page.url()).toBe(`${base}/docs.html`); // not sent to sign in

    const expected = documentOperations();
    const rendered = await page
      .locator('#docs-operations details.op')
      .evaluateAll((els) => els.map((el) => `${(el as any).dataset.method} ${(el as any).dataset.path}`));
    expect(rendered).toHaveLength(expected.length);
    expect([...rendered].sort()).toEqual(expected.map((e) => `${e.method} ${e.path}`).sort());
    expect(await page.locator('#docs-toc li[data-operation]').count()).toBe(expected.length);
    expect(await page.locator('#docs-count').textContent()).toBe(`${expected.length} operations`);
    expect(await page.locator('main').textContent()).not.toContain('[object ');

    // Tags in the document's order; the title and description come from `info`.
    const usedTags = new Set(expected.map((e) => e.op.tags?.[0]));
    const tagOrder = doc.tags.map((tag: any) => tag.name).filter((name: string) => usedTags.has(name));
    expect(await page.locator('#docs-operations > section.docs-tag > h2').allTextContents()).toEqual(tagOrder);
    expect(await page.locator('#docs-title').textContent()).toBe(doc.info.title);
    expect(await page.locator('#docs-intro').textContent()).toBe(doc.info.description.replaceAll('`', ''));
    expect(await page.locator('#docs-intro code').first().textContent()).toBe('{ "error": { "code", "message", "details" } }');

    // Who may call: a permission, any signed-in user, or anyone; in the section and in the contents.
    expect(await page.locator('#post-api-plcs .op-head .access').textContent()).toBe('alarms:admin');
    expect(await page.locator('#docs-toc li[data-operation="post-api-plcs"] .access').textContent()).toBe('alarms:admin');
    expect(await page.locator('#get-api-auth-me .op-head .access').textContent()).toBe('signed-in');
    expect(await page.locator('#get-healthz .op-head .access').textContent()).toBe('public');
    for (const { method, path, op } of expected) {
      const want = op['x-permission'] ?? (op.security?.length ? 'signed-in' : 'public');
      const id = `${method}-${path}`
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '');
      expect(await page.locator(`[id="${id}"] .op-head .access`).textContent(), `${method} ${path}`).toBe(want);
    }

    expect(seen.csp).toEqual([]);
    expect(seen.errors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await context.close();
  });

  it('renders the PLC create body and responses as field tables, and an example curl the server accepts', async () => {
    const { context, page, seen, consoleErrors } = await openDocs('/docs.html#post-api-plcs');
    const op = page.locator('#post-api-plcs');
    await expect.poll(() => op.getAttribute('open')).toBe('');
    const body = op.locator('[data-part="body"] tbody');
    expect(await body.locator('tr').evaluateAll((rows) => rows.map((r) => (r as any).dataset.path))).toEqual(
      Object.keys(
        documentOperations().find((e) => e.method === 'post' && e.path === '/api/plcs')!.op.requestBody.content['application/json'].schema
          .properties,
      ),
    );
    const host = body.locator('tr[data-path="host"]');
    expect(await host.locator('.schema-required').textContent()).toBe('required');
    expect(await host.locator('.schema-type').textContent()).toBe('string');
    expect(await host.locator('[data-rule="length"] code').textContent()).toBe('1 … 253');
    const port = body.locator('tr[data-path="port"]');
    expect(await port.locator('.schema-required').textContent()).toBe('optional');
    expect(await port.locator('.schema-type').textContent()).toBe('integer');
    expect(await port.locator('[data-rule="default"] code').textContent()).toBe('502');
    expect(await port.locator('[data-rule="range"] code').textContent()).toBe('1 … 65535');
    expect(await body.locator('tr[data-path="name"] .schema-required').textContent()).toBe('required');

    // The 201 answer: a nested object indented under its field, a nullable string shown as such.
    const created = op.locator('details.response[data-status="201"]');
    expect(await created.getAttribute('open')).toBe('');
    const lastOk = created.locator('tr[data-path="status.last_ok_at"]');
    expect(await lastOk.locator('.schema-type').textContent()).toBe('stringnullable');
    const indent = async (path: string) =>
      Number.parseFloat(
        await created
          .locator(`tr[data-path="${path}"] .schema-name`)
          .evaluate((td: any) => td.ownerDocument.defaultView.getComputedStyle(td).paddingLeft as string),
      );
    expect(await indent('status.connected')).toBeGreaterThan(await indent('status'));
    // Errors are there, closed, with the shared error body.
    const forbidden = op.locator('details.response[data-status="403"]');
    expect(await forbidden.getAttribute('open')).toBeNull();
    expect(await forbidden.locator('summary').textContent()).toContain('alarms:admin');
    expect(await forbidden.locator('tr[data-path="error.code"] [data-rule="one of"]').textContent()).toContain('"forbidden"');

    // A union body: each variant named by its discriminator, its fields under it; an array's item enum listed.
    const notifier = page.locator('#post-api-notifiers [data-part="body"] tbody');
    expect(await notifier.locator('tr[data-path="(1)"] .schema-name').textContent()).toBe('kind = "webhook"');
    expect(await notifier.locator('tr[data-path="(2)"] .schema-name').textContent()).toBe('kind = "mqtt"');
    const events = notifier.locator('tr[data-path="(1).events"]');
    expect(await events.locator('.schema-type').textContent()).toBe('array of string');
    expect(await events.locator('[data-rule="each one of"] code').allTextContents()).toContain('"alarm_escalated"');

    // Enums of a query parameter, listed.
    const order = page.locator('#get-api-alarms-history .param-table tr[data-name="order"]');
    expect(await order.locator('td').nth(1).textContent()).toBe('query');
    expect(await order.locator('[data-rule="one of"] code').allTextContents()).toEqual(['"asc"', '"desc"']);

    // The example: the bearer header, and a body of the required fields that the server takes.
    const curl = (await op.locator('.curl code').textContent())!;
    expect(curl).toContain(`curl -X POST "${base}/api/plcs"`);
    expect(curl).toContain('-H "Authorization: Bearer $TOKEN"');
    const example = JSON.parse(/-d '(.*)'$/.exec(curl)![1]!);
    expect(example).toEqual({ name: 'name', host: 'host' });
    const token = await t.login(ADMIN.username, ADMIN.password);
    expect((await t.call('POST', '/api/plcs', { token, body: { ...example, enabled: false } })).status).toBe(201);
    expect(await page.locator('#get-healthz .curl code').textContent()).toBe(`curl "${base}/healthz"`);
    expect(await page.locator('#get-api-plcs-id .curl code').textContent()).toContain(`"${base}/api/plcs/$ID"`);
    await screenshot(page, 'docs');

    expect(seen.csp).toEqual([]);
    expect(seen.errors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await context.close();
  });

  it('narrows the operations by text', async () => {
    const { context, page, seen, consoleErrors } = await openDocs();
    const filter = page.getByLabel('Filter operations');
    const all = documentOperations();

    await filter.fill('plcs delete');
    expect(await visibleOperations(page)).toEqual(['delete-api-plcs-id']);
    expect(await page.locator('#docs-toc li[data-operation]:visible').count()).toBe(1);
    expect(await page.locator('#docs-count').textContent()).toBe(`1 of ${all.length} operations`);
    expect(await page.locator('#docs-operations section.docs-tag:visible > h2').allTextContents()).toEqual(['plant']);

    await filter.fill('ALARMS:ADMIN');
    const admin = all.filter((e) => e.op['x-permission'] === 'alarms:admin');
    expect((await visibleOperations(page)).length).toBe(admin.length);
    expect(await page.locator('#docs-operations details.op:visible .op-head .access').allTextContents()).toEqual(
      admin.map(() => 'alarms:admin'),
    );

    await filter.fill('no such operation anywhere');
    expect(await visibleOperations(page)).toEqual([]);
    await page.locator('#docs-none').waitFor();

    await filter.fill('');
    expect((await visibleOperations(page)).length).toBe(all.length);
    expect(await page.locator('#docs-none').isHidden()).toBe(true);

    expect(seen.csp).toEqual([]);
    expect(seen.errors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await context.close();
  });

  it('opens the operation a link names, raw or sanitized, and from the contents', async () => {
    const { context, page, seen, consoleErrors } = await openDocs('/docs.html#get-api-plcs-id');
    const target = page.locator('#get-api-plcs-id');
    await expect.poll(() => target.getAttribute('open')).toBe('');
    expect(await page.locator('#docs-operations details.op[open]').count()).toBe(1);
    expect(await target.locator('.op-head .op-summary').textContent()).toBe('Read a PLC');
    await expect.poll(() => target.evaluate((el) => Math.round(el.getBoundingClientRect().top))).toBeLessThan(50);

    // The raw form of the same link, as a reader might type it.
    await page.goto(`${base}/docs.html#get-/api/rules/{id}`);
    await expect.poll(() => page.locator('#get-api-rules-id').getAttribute('open')).toBe('');

    // From the contents of a filtered list; then a link to an operation the filter hides: the filter gives way.
    const filter = page.getByLabel('Filter operations');
    await filter.fill('users');
    await page.locator('#docs-toc a[href="#delete-api-users-id"]').click();
    await expect.poll(() => page.locator('#delete-api-users-id').getAttribute('open')).toBe('');
    expect(page.url()).toBe(`${base}/docs.html#delete-api-users-id`);
    expect(await page.locator('#post-api-alarms-rule-id-ack').isHidden()).toBe(true);
    await page.evaluate(`location.hash = '#post-api-alarms-rule-id-ack'`); // same document: no reload
    await expect.poll(() => page.locator('#post-api-alarms-rule-id-ack').getAttribute('open')).toBe('');
    expect(await filter.inputValue()).toBe('');
    expect(await page.locator('#post-api-alarms-rule-id-ack').isVisible()).toBe(true);

    expect(seen.csp).toEqual([]);
    expect(seen.errors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await context.close();
  });

  it('shows markup in the document as text, never as HTML', async () => {
    // The real document with hostile text where a careless page would use innerHTML.
    const hostile = structuredClone(doc);
    const HOSTILE = '<img src=x onerror=alert(1)>';
    hostile.info.description = `${HOSTILE} and \`<b>code</b>\``;
    hostile.tags[0].description = HOSTILE;
    hostile.paths['/api/plcs'].post.summary = HOSTILE;
    hostile.paths['/api/plcs'].post.requestBody.content['application/json'].schema.properties.host.description = HOSTILE;
    const opened = await openPage(browser);
    await opened.context.route(`${base}/openapi.json`, (route) => route.fulfill({ json: hostile }));
    await opened.page.goto(`${base}/docs.html#post-api-plcs`);
    const { page, seen } = opened;
    await page.locator('#post-api-plcs[open]').waitFor();
    expect(await page.locator('#post-api-plcs .op-summary').textContent()).toBe(HOSTILE);
    expect(await page.locator('#post-api-plcs tr[data-path="host"] .schema-description').textContent()).toBe(HOSTILE);
    expect(await page.locator('#docs-intro code').textContent()).toBe('<b>code</b>');
    expect(await page.locator('main img, main b').count()).toBe(0);
    expect(seen.dialogs).toEqual([]);
    expect(seen.csp).toEqual([]);
    expect(seen.errors).toEqual([]);
    await opened.context.close();
  });

  it('is what /docs leads to', async () => {
    const { context, page, seen, consoleErrors } = await openDocs('/docs');
    expect(page.url()).toBe(`${base}/docs.html`);
    expect(await page.locator('#docs-operations details.op').count()).toBe(documentOperations().length);
    expect(seen.csp).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await context.close();
  });
});
