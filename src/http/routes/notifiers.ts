import * as v from 'valibot';
import { invalid } from '../../kernel/errors.js';
import { IdParam } from '../../kernel/fields.js';
import { mergePatch, NotifierInput, notifierView, type Notifier } from '../../notify/notifier.js';
import { NotifierView, TestResult, type NotifierService } from '../../notify/notifier-service.js';
import { routeDoc } from '../openapi/route-doc.js';
import { requirePermission } from '../middleware/auth.js';
import { resourceRouter } from './resource-router.js';
import { parseWith } from '../middleware/validate.js';

/**
 * A PATCH body laid over the stored settings, to be checked as a whole. The kind is fixed (the
 * two share few fields), and a broker URL sent back as reads show it (password masked) keeps
 * the stored password.
 */
function patchedInput(stored: Notifier, body: unknown): unknown {
  const patch = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  if (patch && 'kind' in patch && patch.kind !== stored.kind) {
    throw invalid('kind', `cannot be changed; create a new ${String(patch.kind)} notifier instead`);
  }
  const { id: _id, ...config } = stored;
  const masked = patch !== null && stored.kind === 'mqtt' && patch.url === notifierView(stored, null).url;
  return mergePatch(config, masked ? { ...patch, url: stored.url } : body);
}

/** `/api/notifiers` (SPEC 14): admins only, the secret write-only, reads with the live `status`. */
export function notifierRoutes(notifiers: NotifierService) {
  const admin = requirePermission('alarms:admin');
  return resourceRouter({
    name: 'notifier',
    tag: 'notifiers',
    shown: NotifierView,
    read: 'alarms:admin',
    write: 'alarms:admin',
    create: NotifierInput,
    patch: v.pipe(v.unknown(), v.description('Any fields of the notifier but `kind`; the result is checked as a whole, as on a create')),
    list: () => notifiers.list(),
    get: notifiers.get,
    insert: notifiers.create,
    async update(id, body, user) {
      const stored = await notifiers.get(id);
      return notifiers.update(id, parseWith(NotifierInput, patchedInput(stored, body), 'request body'), user);
    },
    remove: (id, _q, user) => notifiers.remove(id, user),
    view: (n: Notifier) => notifierView(n, notifiers.status(n)),
  }).post('/:id/test', routeDoc({ tag: 'notifiers', summary: 'Send a test message', responses: { 200: TestResult } }), admin, async (c) => {
    const id = parseWith(IdParam, c.req.param('id'), 'notifier id');
    return c.json(await notifiers.test(id));
  });
}
