/**
 * The package's entry point (`require('ipcd')`): the orchestrator-side client. It loads nothing of
 * the server (no Express, node-soap, TypeORM or PGlite); the server starts from dist/src/server.js.
 */
export * from './client';
