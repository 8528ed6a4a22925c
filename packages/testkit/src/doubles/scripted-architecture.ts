import type {
  AgentArchitecture,
  AgentArchitectureType,
  AgentEvent,
  AgentTranscripts,
  AgentTurnContext,
  ConversationBlock,
  ParsedConversations,
} from '@agent-runtime/core';

const TRANSCRIPT_PATH = 'transcript.json';

/** One scripted turn: events after the user message block (a `turn:end` is added when missing). */
export type ScriptedTurn = (context: AgentTurnContext, turnIndex: number) => AsyncIterable<AgentEvent> | AgentEvent[];

export interface ScriptedArchitecture extends AgentArchitecture {
  /** The transcripts `prepare` was given, per call (to check resumes). */
  readonly prepared: (AgentTranscripts | undefined)[];
}

/**
 * A mocked agent for unit tests of the session engine (never for end-to-end tests, which use
 * the real CLIs). Each turn yields a `user_message` block, then the scripted events; its
 * transcript is the JSON list of main-conversation blocks, kept in the sandbox home.
 */
export function createScriptedArchitecture(
  script: ScriptedTurn,
  type: AgentArchitectureType = 'claude-agent-sdk',
): ScriptedArchitecture {
  const prepared: (AgentTranscripts | undefined)[] = [];
  let turnIndex = 0;

  async function readBlocks(context: { sandbox: AgentTurnContext['sandbox'] }): Promise<ConversationBlock[]> {
    try {
      return JSON.parse(new TextDecoder().decode(await context.sandbox.readFile(TRANSCRIPT_PATH, { root: 'home' })));
    } catch {
      return [];
    }
  }

  return {
    type,
    prepared,
    sandboxReadOnlyPaths: () => [],
    sandboxEnv: () => ({}),
    isAgentConfigPath: (path) => path === 'AGENT.md' || path.startsWith('.agent/'),
    async prepare(context) {
      prepared.push(context.transcripts);
      if (context.transcripts?.main !== undefined) {
        await context.sandbox.writeFile(TRANSCRIPT_PATH, context.transcripts.main, { root: 'home' });
      }
    },
    async *runTurn(context) {
      const blocks = await readBlocks(context);
      const user: ConversationBlock = {
        id: `user-${context.turnId}`,
        timestamp: new Date().toISOString(),
        type: 'user_message',
        content: context.message,
      };
      blocks.push(user);
      yield { type: 'block:start', conversationId: 'main', block: user };
      yield { type: 'block:complete', conversationId: 'main', blockId: user.id, block: user };
      let ended = false;
      for await (const event of script(context, turnIndex++)) {
        if (event.type === 'block:complete' && event.conversationId === 'main') blocks.push(event.block);
        if (event.type === 'turn:end') ended = true;
        if (event.type === 'turn:end' || event.type === 'block:complete') {
          await context.sandbox.writeFile(TRANSCRIPT_PATH, JSON.stringify(blocks), { root: 'home' }).catch(() => undefined);
        }
        yield event;
        if (ended) return;
      }
      yield { type: 'turn:end', outcome: context.signal.aborted ? 'interrupted' : 'completed' };
    },
    async readTranscripts(sandbox) {
      try {
        return { main: new TextDecoder().decode(await sandbox.readFile(TRANSCRIPT_PATH, { root: 'home' })), subagents: [] };
      } catch {
        return { subagents: [] };
      }
    },
    parseTranscripts(transcripts): ParsedConversations {
      return { main: transcripts.main ? JSON.parse(transcripts.main) : [], subagents: [] };
    },
  };
}
