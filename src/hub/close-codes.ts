/** Every WebSocket close code the server uses (SPEC 6), in one place. */
export const CLOSE = {
  goingAway: 1001,
  policyViolation: 1008, // message flood
  tooBig: 1009,
  internal: 1011,
  unauthenticated: 4401,
  forbidden: 4403,
  slowConsumer: 4008,
  tooManyStreams: 4429, // MAX_STREAMS_PER_USER (SPEC 10)
} as const;
