import { Hono } from 'hono';
import * as v from 'valibot';
import type { AuthEnv } from '../middleware/auth.js';
import { routeDoc, type RouteDoc } from '../openapi/route-doc.js';
import { jsonBody, parseWith, queryOf } from '../middleware/validate.js';
import { IfMatch, Item, ItemBody, ItemChanges, ItemId, ItemsQuery } from '../../items/item.js';
import type { ItemService } from '../../items/item-service.js';

// Wrapped in objects so that a problem's `path` names the parameter or the header.
const IdParam = v.object({ id: ItemId });
const IfMatchHeader = v.object({ 'If-Match': IfMatch });
const IF_MATCH = { name: 'If-Match', description: 'The version the change is meant for: 409 when the item is at another', schema: IfMatch };

/**
 * `/api/items` (SPEC 8): any signed-in user, on their own items only; no permission needed.
 * `GET /` lists live items, `GET /?since=<cursor>` is the change feed, `PUT /:id` creates or
 * replaces (201 / 200), `DELETE /:id` leaves a tombstone (204). `GET /:id` reads one.
 */
export function itemRoutes(items: ItemService) {
  const itemId = (raw: string) => parseWith(IdParam, { id: raw }, 'item id').id;
  const ifMatch = (raw: string | undefined) => parseWith(IfMatchHeader, { 'If-Match': raw }, 'If-Match header')['If-Match'];

  const doc = (summary: string, responses: RouteDoc['responses'], more: Partial<RouteDoc> = {}) =>
    routeDoc({ tag: 'items', summary, signedIn: true, responses, ...more });

  return new Hono<AuthEnv>()
    .get(
      '/',
      doc(
        'Your live items, or with `since` the changes after a cursor',
        { 200: v.union([v.array(Item), ItemChanges]) },
        { query: ItemsQuery },
      ),
      async function listItems(c) {
        const { since } = queryOf(c, ItemsQuery);
        const owner = c.get('user').id;
        return c.json(since === undefined ? await items.list(owner) : await items.changes(owner, since));
      },
    )
    .get('/:id', doc('One of your items', { 200: Item }), async function getItem(c) {
      return c.json(await items.get(c.get('user').id, itemId(c.req.param('id'))));
    })
    .put(
      '/:id',
      doc(
        'Create (201) or replace (200) an item; `If-Match: <version>` makes it conditional (409 on a mismatch)',
        { 200: Item, 201: Item },
        { body: ItemBody, headers: [IF_MATCH] },
      ),
      async function putItem(c) {
        const id = itemId(c.req.param('id'));
        const version = ifMatch(c.req.header('if-match'));
        const body = await jsonBody(c, ItemBody);
        const { item, created } = await items.put(c.get('user').id, id, body, version);
        return c.json(item, created ? 201 : 200);
      },
    )
    .delete(
      '/:id',
      doc('Delete an item (a tombstone stays for the change feed)', { 204: null }, { headers: [IF_MATCH] }),
      async function deleteItem(c) {
        const id = itemId(c.req.param('id'));
        await items.remove(c.get('user').id, id, ifMatch(c.req.header('if-match')));
        return c.body(null, 204);
      },
    );
}
