import { Hono } from 'hono';
import * as v from 'valibot';
import { ClusterNode } from '../../cluster/membership.js';
import { requirePermission, type AuthEnv } from '../middleware/auth.js';
import { routeDoc } from '../openapi/route-doc.js';

/** What `GET /api/cluster` answers (SPEC 12): this node's name and the live nodes. */
export type DescribeCluster = () => Promise<{ self: string; nodes: ClusterNode[] }>;

export function clusterRoutes(describe: DescribeCluster) {
  const doc = routeDoc({
    tag: 'operations',
    summary: "This node's name and the cluster's live nodes with the PLCs each polls",
    responses: { 200: v.strictObject({ self: v.string(), nodes: v.array(ClusterNode) }) },
  });
  return new Hono<AuthEnv>().get('/', doc, requirePermission('alarms:admin'), async (c) => c.json(await describe()));
}
