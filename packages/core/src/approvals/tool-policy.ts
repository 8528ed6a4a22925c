import { z } from 'zod';

/** What a tool policy says about one tool call. */
export const toolPolicyDecisionSchema = z.enum(['allow', 'ask', 'deny']);

/**
 * A tool pattern: a tool name, optionally with a pattern on its main input in parentheses.
 * `*` matches any run of characters (in the name and in the input pattern), nothing else is special.
 *
 *   "Write"                 every Write call
 *   "Bash(git status*)"     Bash calls whose command starts with "git status"
 *   "mcp__github__*"        every tool of the `github` MCP server
 *   "*"                     every tool
 *
 * The main input is the first string among `command`, `file_path`, `path`, `notebook_path`,
 * `url`, `pattern`, `query` of the tool's input, else the input as JSON.
 */
export const toolPatternSchema = z
  .string()
  .min(1)
  .max(500)
  .regex(/^[^()]+(\(.*\))?$/s, 'a tool pattern is "Name" or "Name(input pattern)"');

/**
 * Per-tool `allow` / `ask` / `deny` for an agent profile. A call is checked against `deny`, then
 * `ask`, then `allow` (the first list with a matching pattern decides), else `default`.
 * `ask` turns the call into a pending request that a person answers
 * (`session:permission:request`); nothing runs until then.
 */
export const toolPolicySchema = z
  .object({
    /** For calls no pattern matches. Default `allow` (everything is allowed inside the sandbox). */
    default: toolPolicyDecisionSchema.default('allow'),
    allow: z.array(toolPatternSchema).max(200).default([]),
    ask: z.array(toolPatternSchema).max(200).default([]),
    deny: z.array(toolPatternSchema).max(200).default([]),
    /**
     * How long a request waits for an answer before it is answered `deny` (never allow) with a
     * reason the agent sees. Default 30 minutes; at most 7 days.
     */
    requestTimeoutMs: z.number().int().min(1000).max(7 * 24 * 3600 * 1000).optional(),
    /**
     * Agent questions (Claude's AskUserQuestion...): `ask` presents them to people
     * (`session:question:request`, the default), `deny` declines them at once so the agent goes on
     * without an answer.
     */
    questions: z.enum(['ask', 'deny']).default('ask'),
  })
  .strict();

export type ToolPolicyDecision = z.infer<typeof toolPolicyDecisionSchema>;
export type ToolPolicy = z.input<typeof toolPolicySchema>;
export type ResolvedToolPolicy = z.output<typeof toolPolicySchema>;

/** Thirty minutes: how long a pending request waits by default. */
export const DEFAULT_APPROVAL_TIMEOUT_MS = 30 * 60 * 1000;
