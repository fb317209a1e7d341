import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import * as v from 'valibot';
import type { ConfigIoService } from '../../config-io/config-io-service.js';
import { ImportReport } from '../../config-io/import-report.js';
import { PlantFile } from '../../config-io/plant-file.js';
import { AppError } from '../../kernel/errors.js';
import { QueryFlag } from '../../kernel/fields.js';
import { requirePermission, type AuthEnv } from '../middleware/auth.js';
import { routeDoc } from '../openapi/route-doc.js';
import { queryOf, readJson } from '../middleware/validate.js';

/** A plant file of 10k rules is about 4 MiB: the API's 1 MiB limit would not take it. */
export const MAX_PLANT_FILE_BYTES = 32 * 1024 * 1024;

const ImportQuery = v.strictObject({ dry_run: QueryFlag, prune: QueryFlag });

/**
 * `GET /api/config`: the configuration as a plant file; `PUT /api/config?dry_run=1&prune=1`:
 * imports one (README, "Config as files"). Admins only. Mounted ahead of the API's 1 MiB body
 * limit with a limit of its own, so it authenticates by itself, and checks the permission
 * before a byte of the body is read.
 */
export function configRoutes(config: ConfigIoService, authenticate: MiddlewareHandler<AuthEnv>) {
  return new Hono<AuthEnv>()
    .use(authenticate, requirePermission('alarms:admin'))
    .use(
      bodyLimit({
        maxSize: MAX_PLANT_FILE_BYTES,
        onError: () => {
          throw new AppError('payload_too_large', 'A plant file is limited to 32 MiB', [], { connection: 'close' });
        },
      }),
    )
    .get(
      '/',
      routeDoc({ tag: 'operations', summary: 'Export the configuration as a plant file', responses: { 200: PlantFile } }),
      async (c) => c.json(await config.exportFile()),
    )
    .put(
      '/',
      routeDoc({
        tag: 'operations',
        summary: 'Import a plant file: all or nothing, matched by name',
        description:
          '`dry_run=1` reports what would change and changes nothing; `prune=1` also deletes what the file leaves out. Up to 32 MiB.',
        query: ImportQuery,
        body: PlantFile,
        responses: { 200: ImportReport },
      }),
      async (c) => {
        const query = queryOf(c, ImportQuery);
        const body = await readJson(c);
        return c.json(await config.importFile(body, { dryRun: query.dry_run, prune: query.prune }, c.get('user').username));
      },
    );
}
