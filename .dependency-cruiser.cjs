/**
 * The layers (issue 16): no import cycles; a pure kernel every layer shares; the engine pure (nothing
 * with I/O, nothing outside it but the kernel); the Modbus poller reaching the rest of the server only
 * through its worker messages.
 * Run: npm run lint (builds first, then cruises dist/src).
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'A cycle makes two concepts one: split out what both need.',
      severity: 'error',
      from: { path: '^dist/src/' },
      to: { circular: true },
    },
    {
      name: 'kernel-stands-alone',
      comment: 'The shared kernel (clock, enums, fields, time) is pure and imports nothing but itself (and valibot), so every layer may use it.',
      severity: 'error',
      from: { path: '^dist/src/kernel/' },
      to: { pathNot: '^(dist/src/kernel/|node_modules/valibot/)' },
    },
    {
      name: 'engine-is-pure',
      comment: 'The rule engine is pure logic: no Node APIs, no database, no network, nothing outside src/engine but the kernel.',
      severity: 'error',
      from: { path: '^dist/src/engine/' },
      to: { pathNot: '^dist/src/(engine|kernel)/' },
    },
    {
      name: 'modbus-through-messages',
      comment:
        'The poller runs in a worker: the rest of the server talks to it through messages. Only the bridge beside it ' +
        '(src/modbus/poller-bridge.ts, on the main thread) takes those messages to the engine, the hub and the trends.',
      severity: 'error',
      from: { path: '^dist/src/modbus/', pathNot: '^dist/src/modbus/poller-bridge\\.js$' },
      to: { path: '^dist/src/', pathNot: '^dist/src/(modbus/|kernel/|log/logger\\.js)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // TypeScript 7 has no compiler API for the cruiser to parse .ts with: it reads the build (tsc).
    // Type-only imports are gone there, so a cycle of types alone is not one at run time either.
  },
};
