import { describe, expect, it } from 'vitest';
import { agentProfileSchema } from '../profiles/agent-profile.js';
import { answerQuestionRequestSchema } from './approval-rest.js';
import { evaluateToolPolicy, matchesToolPattern, toolMainInput } from './evaluate-tool-policy.js';
import { toolPolicySchema } from './tool-policy.js';

describe('evaluateToolPolicy', () => {
  it('allows everything without a policy', () => {
    expect(evaluateToolPolicy(undefined, 'Bash', { command: 'rm -rf /' })).toBe('allow');
  });

  it('checks deny, then ask, then allow, then the default', () => {
    const policy = { default: 'ask' as const, allow: ['Read', 'Bash(git status*)'], ask: ['Bash(git push*)'], deny: ['WebFetch', 'Bash(rm *)'] };
    expect(evaluateToolPolicy(policy, 'Read', { file_path: '/w/a' })).toBe('allow');
    expect(evaluateToolPolicy(policy, 'Bash', { command: 'git status --short' })).toBe('allow');
    expect(evaluateToolPolicy(policy, 'Bash', { command: 'git push origin' })).toBe('ask');
    expect(evaluateToolPolicy(policy, 'Bash', { command: 'rm -rf /' })).toBe('deny');
    expect(evaluateToolPolicy(policy, 'WebFetch', { url: 'https://x' })).toBe('deny');
    expect(evaluateToolPolicy(policy, 'Write', { file_path: 'a' })).toBe('ask');
  });

  it('defaults to allow when the policy names no default', () => {
    expect(evaluateToolPolicy({ ask: ['Write'] }, 'Edit', {})).toBe('allow');
    expect(evaluateToolPolicy({ ask: ['Write'] }, 'Write', {})).toBe('ask');
  });
});

describe('matchesToolPattern', () => {
  it('matches names and main inputs with * only', () => {
    expect(matchesToolPattern('mcp__github__*', 'mcp__github__create_issue', {})).toBe(true);
    expect(matchesToolPattern('mcp__github__*', 'mcp__gitlab__x', {})).toBe(false);
    expect(matchesToolPattern('*', 'anything', {})).toBe(true);
    expect(matchesToolPattern('Write(src/*)', 'Write', { file_path: 'src/a.ts' })).toBe(true);
    expect(matchesToolPattern('Write(src/*)', 'Write', { file_path: 'lib/a.ts' })).toBe(false);
    // Regular-expression characters are literal.
    expect(matchesToolPattern('Bash(ls .)', 'Bash', { command: 'ls x' })).toBe(false);
    expect(matchesToolPattern('Bash(ls .)', 'Bash', { command: 'ls .' })).toBe(true);
  });

  it('uses the first known input key, else the JSON of the input', () => {
    expect(toolMainInput({ command: 'ls', path: 'x' })).toBe('ls');
    expect(toolMainInput({ other: 1 })).toBe('{"other":1}');
  });
});

describe('schemas', () => {
  it('takes a tool policy on a profile and refuses unknown fields', () => {
    expect(agentProfileSchema.parse({ id: 'p', name: 'p', toolPolicy: { ask: ['Bash'] } }).toolPolicy).toEqual({
      default: 'allow', allow: [], ask: ['Bash'], deny: [], questions: 'ask',
    });
    expect(toolPolicySchema.safeParse({ always: ['Bash'] }).success).toBe(false);
    expect(toolPolicySchema.safeParse({ ask: ['Bash(('] }).success).toBe(false);
  });

  it('wants either answers or decline on a question answer', () => {
    expect(answerQuestionRequestSchema.safeParse({ answers: { 'Which?': 'A' } }).success).toBe(true);
    expect(answerQuestionRequestSchema.safeParse({ decline: true }).success).toBe(true);
    expect(answerQuestionRequestSchema.safeParse({}).success).toBe(false);
    expect(answerQuestionRequestSchema.safeParse({ answers: {}, decline: true }).success).toBe(false);
  });
});
