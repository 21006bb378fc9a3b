// The fileX + FIP test server is the sandbox's own (src/sandbox/filex-server.ts), so the
// tests and `batchprep sandbox` cannot drift apart. Tests keep importing it from here.
export * from '../../src/sandbox/filex-server.js';
