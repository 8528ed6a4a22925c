/**
 * Every real-CLI scenario of gemini-architecture.test.ts (tool loop, resume in a new sandbox,
 * HTTP 500, interrupt, profile fields, subagent links, images), run again in warm mode: the
 * architecture made there reads AGENT_RUNTIME_GEMINI_PROCESS (this test file has its own worker).
 */
process.env.AGENT_RUNTIME_GEMINI_PROCESS = 'warm';
export {};
await import('../gemini-architecture.test.js');
