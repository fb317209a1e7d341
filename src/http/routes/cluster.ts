import { Hono } from 'hono';
import type { ClusterNode } from '../../cluster/membership.js';
import { requirePermission, type AuthEnv } from '../auth-middleware.js';

/** What `GET /api/cluster` answers (SPEC 12): this node's name and the live nodes. */
export type DescribeCluster = () => Promise<{ self: string; nodes: ClusterNode[] }>;

export function clusterRoutes(describe: DescribeCluster) {
  return new Hono<AuthEnv>().get('/', requirePermission('alarms:admin'), async (c) => c.json(await describe()));
}
