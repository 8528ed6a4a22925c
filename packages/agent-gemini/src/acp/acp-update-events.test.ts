import { describe, expect, it } from 'vitest';
import { acpUpdateEvents, toolNameOfCallId } from './acp-update-events.js';

const at = '2026-12-01T00:00:00.000Z';

describe('ACP session/update → stream-json events', () => {
  it('maps text chunks; drops thoughts, empty text and command updates', () => {
    const started = new Set<string>();
    expect(acpUpdateEvents({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'Hi' } }, started, at)).toEqual([
      { type: 'message', role: 'assistant', content: 'Hi', delta: true, timestamp: at },
    ]);
    expect(acpUpdateEvents({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: '' } }, started, at)).toEqual([]);
    expect(acpUpdateEvents({ sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text: '**Plan** x' } }, started, at)).toEqual([]);
    expect(acpUpdateEvents({ sessionUpdate: 'available_commands_update', availableCommands: [] }, started, at)).toEqual([]);
  });

  it('maps tool_call / tool_call_update; an update without a tool_call (approved edit) gets its tool_use first', () => {
    const started = new Set<string>();
    expect(acpUpdateEvents({ sessionUpdate: 'tool_call', toolCallId: 'run_shell_command__call_1', title: 'ls', kind: 'execute', status: 'in_progress' }, started, at)).toEqual([
      { type: 'tool_use', tool_name: 'run_shell_command', tool_id: 'run_shell_command__call_1', parameters: {}, timestamp: at },
    ]);
    expect(
      acpUpdateEvents({ sessionUpdate: 'tool_call_update', toolCallId: 'run_shell_command__call_1', status: 'completed', content: [{ type: 'content', content: { type: 'text', text: 'out' } }] }, started, at),
    ).toEqual([{ type: 'tool_result', tool_id: 'run_shell_command__call_1', status: 'success', output: 'out', timestamp: at }]);
    expect(acpUpdateEvents({ sessionUpdate: 'tool_call_update', toolCallId: 'write_file__call_2', status: 'failed', content: [{ type: 'content', content: { type: 'text', text: 'boom' } }] }, started, at)).toEqual([
      { type: 'tool_use', tool_name: 'write_file', tool_id: 'write_file__call_2', parameters: {}, timestamp: at },
      { type: 'tool_result', tool_id: 'write_file__call_2', status: 'error', error: { message: 'boom' }, timestamp: at },
    ]);
    expect(acpUpdateEvents({ sessionUpdate: 'tool_call_update', toolCallId: 'write_file__call_3', status: 'in_progress' }, started, at)).toEqual([]);
  });

  it('reads the tool name from the CLI call id (<tool>__<id>)', () => {
    expect(toolNameOfCallId('mcp_server_tool__synth_1')).toBe('mcp_server_tool');
    expect(toolNameOfCallId('odd-id')).toBe('odd-id');
  });
});
