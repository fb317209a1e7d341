import type { Hono } from 'hono';
import { openAPIRouteHandler } from 'hono-openapi';
import { API_TAGS } from './route-doc.js';

/**
 * `GET /openapi.json`: the OpenAPI 3.1 document of `app` at the package's `version`, built from the routes' own schemas and
 * permission checks the first time it is asked for. Pages and static files are not in it.
 */
export function openApiDocument(app: Hono, version: string) {
  return openAPIRouteHandler(app, {
    excludeStaticFile: false,
    documentation: {
      info: {
        title: 'Plant alarm server',
        version,
        description:
          'REST API of the alarm server. Errors answer `{ "error": { "code", "message", "details" } }` (SPEC 2). ' +
          'Sign in with `POST /api/auth/login` and send `Authorization: Bearer <access_token>`. ' +
          'Routes that need a permission say which in `x-permission`.',
      },
      tags: API_TAGS.map((t) => ({ ...t })),
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          ticket: { type: 'apiKey', in: 'query', name: 'ticket', description: 'A one-time stream ticket (POST /api/auth/ticket)' },
          session: { type: 'apiKey', in: 'cookie', name: 'session', description: 'The cookie sign-in sets (streams and pages only)' },
        },
      },
    },
  });
}
