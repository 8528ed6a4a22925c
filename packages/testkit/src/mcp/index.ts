export * from './mcp-http-server.js';
export * from './mcp-shout-tool.js';
