import { toolPolicySchema, type ToolPolicy, type ToolPolicyDecision } from './tool-policy.js';

const MAIN_INPUT_KEYS = ['command', 'file_path', 'path', 'notebook_path', 'url', 'pattern', 'query'] as const;

/** The string a pattern's parenthesised part is matched against (see `toolPatternSchema`). */
export function toolMainInput(input: unknown): string {
  if (input && typeof input === 'object') {
    for (const key of MAIN_INPUT_KEYS) {
      const value = (input as Record<string, unknown>)[key];
      if (typeof value === 'string') return value;
    }
  }
  if (typeof input === 'string') return input;
  return JSON.stringify(input ?? null);
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 's');
}

/** True when `pattern` ("Name" or "Name(input pattern)") matches this call. */
export function matchesToolPattern(pattern: string, toolName: string, input: unknown): boolean {
  const open = pattern.indexOf('(');
  const namePart = open === -1 ? pattern : pattern.slice(0, open);
  if (!globToRegExp(namePart.trim()).test(toolName)) return false;
  if (open === -1) return true;
  const inputPattern = pattern.slice(open + 1, pattern.endsWith(')') ? -1 : undefined);
  return globToRegExp(inputPattern).test(toolMainInput(input));
}

/**
 * What `policy` says about a call: `deny`, then `ask`, then `allow` patterns, else the default.
 * No policy: `allow` (today's behaviour).
 */
export function evaluateToolPolicy(policy: ToolPolicy | undefined, toolName: string, input: unknown): ToolPolicyDecision {
  if (!policy) return 'allow';
  const resolved = toolPolicySchema.parse(policy);
  for (const decision of ['deny', 'ask', 'allow'] as const) {
    if (resolved[decision].some((pattern) => matchesToolPattern(pattern, toolName, input))) return decision;
  }
  return resolved.default;
}
