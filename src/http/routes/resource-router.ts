import { Hono } from 'hono';
import * as v from 'valibot';
import type { Permission } from '../../auth/permissions.js';
import { IdParam } from '../../kernel/fields.js';
import { requirePermission, type AuthEnv } from '../middleware/auth.js';
import { routeDoc, type ApiTag } from '../openapi/route-doc.js';
import { jsonBody, parseWith, queryOf } from '../middleware/validate.js';

const NoQuery = v.strictObject({});

/** The five verbs every plant resource shares (SPEC 3). */
export interface ResourceDefinition<
  Row,
  Create extends v.GenericSchema,
  Patch extends v.GenericSchema,
  ListQ extends v.GenericSchema,
  RemoveQ extends v.GenericSchema,
> {
  name: string;
  /** Where the API reference lists it, and how reads show one (`view` applied). */
  tag: ApiTag;
  shown: v.GenericSchema;
  read: Permission;
  write: Permission;
  create: Create;
  patch: Patch;
  listQuery?: ListQ;
  removeQuery?: RemoveQ;
  list(query: v.InferOutput<ListQ>): Promise<Row[]>;
  get(id: number): Promise<Row>;
  /** `user`: the username of whoever asked, for the journal (SPEC 13). */
  insert(input: v.InferOutput<Create>, user: string): Promise<Row>;
  update(id: number, patch: v.InferOutput<Patch>, user: string): Promise<Row>;
  remove(id: number, query: v.InferOutput<RemoveQ>, user: string): Promise<void>;
  /** Adds what reads show beyond the stored row (live values, status). */
  view?(row: Row): unknown;
}

/** `GET /`, `POST /`, `GET/PATCH/DELETE /:id` for one resource, validated and permission-checked. */
export function resourceRouter<
  Row,
  C extends v.GenericSchema,
  P extends v.GenericSchema,
  L extends v.GenericSchema,
  R extends v.GenericSchema,
>(def: ResourceDefinition<Row, C, P, L, R>) {
  const view = def.view ?? ((row: Row) => row);
  const id = (raw: string) => parseWith(IdParam, raw, `${def.name} id`);
  const read = requirePermission(def.read);
  const write = requirePermission(def.write);
  const { name, tag, shown } = def;
  const listQuery = def.listQuery ?? NoQuery;
  const removeQuery = def.removeQuery ?? NoQuery;

  return new Hono<AuthEnv>()
    .get('/', routeDoc({ tag, summary: `List ${name}s`, query: listQuery, responses: { 200: v.array(shown) } }), read, async (c) => {
      const rows = await def.list(queryOf(c, listQuery));
      return c.json(rows.map(view));
    })
    .post('/', routeDoc({ tag, summary: `Create a ${name}`, body: def.create, responses: { 201: shown } }), write, async (c) =>
      c.json(view(await def.insert(await jsonBody(c, def.create), c.get('user').username)), 201),
    )
    .get('/:id', routeDoc({ tag, summary: `Read a ${name}`, responses: { 200: shown } }), read, async (c) =>
      c.json(view(await def.get(id(c.req.param('id'))))),
    )
    .patch('/:id', routeDoc({ tag, summary: `Change a ${name}`, body: def.patch, responses: { 200: shown } }), write, async (c) => {
      const rowId = id(c.req.param('id'));
      return c.json(view(await def.update(rowId, await jsonBody(c, def.patch), c.get('user').username)));
    })
    .delete('/:id', routeDoc({ tag, summary: `Delete a ${name}`, query: removeQuery, responses: { 204: null } }), write, async (c) => {
      const rowId = id(c.req.param('id'));
      await def.remove(rowId, queryOf(c, removeQuery), c.get('user').username);
      return c.body(null, 204);
    });
}
