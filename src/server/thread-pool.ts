// libuv's thread pool serves the whole process, the poller worker included: scrypt, file system
// calls and dns.lookup share it (4 threads by default). Password checks take at most two of
// them (src/auth/password-gate.ts), so six leave four for everything else, whatever sign-ins
// are doing. It must be set before the pool's first use: import this module first.
process.env['UV_THREADPOOL_SIZE'] ??= '6';

export {};
