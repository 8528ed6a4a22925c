import { asArray, asRecord, type RequestView, type ToolResultView } from './request-view.js';

const contextPattern = /^\s*<session_context>[\s\S]*?<\/session_context>\s*/;

function textOf(parts: Record<string, unknown>[]): string {
  return parts
    .filter((part) => typeof part.text === 'string' && part.thought !== true)
    .map((part) => (part.text as string).replace(contextPattern, '').trim())
    .filter((text) => text !== '')
    .join('\n');
}

function toolResultOf(part: Record<string, unknown>): ToolResultView | undefined {
  if (part.functionResponse === undefined) return undefined;
  const functionResponse = asRecord(part.functionResponse);
  const response = asRecord(functionResponse.response);
  const isError = response.error !== undefined;
  const raw = isError ? response.error : response.output;
  return {
    id: typeof functionResponse.id === 'string' ? functionResponse.id : undefined,
    name: typeof functionResponse.name === 'string' ? functionResponse.name : undefined,
    output: typeof raw === 'string' ? raw : JSON.stringify(raw ?? response),
    isError,
  };
}

/**
 * Extracts the matching facts from a Gemini `generateContent` / `streamGenerateContent` request.
 * The "last user message" is the last `role: "user"` content with text (minus the
 * `<session_context>` part Gemini CLI prepends) or function responses.
 * @see https://ai.google.dev/api/generate-content
 */
export function viewGeminiRequest(body: Record<string, unknown>, model: string, stream: boolean): RequestView {
  const contents = asArray(body.contents).map(asRecord);
  let lastUserText = '';
  let toolResults: ToolResultView[] = [];
  for (let index = contents.length - 1; index >= 0; index--) {
    const content = contents[index]!;
    if (content.role === 'model') break;
    if (content.role !== undefined && content.role !== 'user') continue;
    const parts = asArray(content.parts).map(asRecord);
    const text = textOf(parts);
    const results = parts.map(toolResultOf).filter((result) => result !== undefined);
    if (text === '' && results.length === 0) continue;
    lastUserText = text;
    toolResults = results;
    break;
  }
  const toolNames = asArray(body.tools)
    .map(asRecord)
    .flatMap((tool) => asArray(tool.functionDeclarations).map(asRecord))
    .map((declaration) => String(declaration.name ?? ''));
  return {
    api: 'gemini',
    model,
    stream,
    fresh: !contents.some((content) => content.role === 'model'),
    lastUserText,
    toolResults,
    taskNotification: undefined,
    system: textOf(asArray(asRecord(body.systemInstruction).parts).map(asRecord)),
    toolNames,
    messageCount: contents.length,
  };
}
