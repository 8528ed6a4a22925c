/**
 * Block ids for Gemini conversations. They are derived from the session file so that the
 * stream reducer and the file parser compute the same ids:
 *
 * - a user prompt block has the prompt record's own id;
 * - the blocks of the model's k-th response to a prompt are keyed by `<promptId>:<k>`, because
 *   the stream carries no message ids and the response's record id is only written once the
 *   response has streamed;
 * - tool blocks add the tool call id, which the stream (`tool_id`) and the file share.
 */
export const geminiBlockIds = {
  user: (messageId: string) => messageId,
  text: (promptId: string, response: number) => `${promptId}:${response}:text`,
  thought: (promptId: string, response: number, index: number) => `${promptId}:${response}:thought:${index}`,
  toolUse: (promptId: string, response: number, toolCallId: string) => `${promptId}:${response}:tool:${toolCallId}`,
  toolResult: (promptId: string, response: number, toolCallId: string) =>
    `${promptId}:${response}:result:${toolCallId}`,
  system: (messageId: string) => messageId,
};

/** Prompt key used for model responses that precede any user prompt in a file. */
export const PREAMBLE_PROMPT_ID = 'preamble';
