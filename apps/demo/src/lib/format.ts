/** "just now", "3 min ago", "2 h ago", or a date. */
export function relativeTime(epochMs: number | undefined, now = Date.now()): string {
  if (epochMs === undefined) return '';
  const seconds = Math.round((now - epochMs) / 1000);
  if (seconds < 10) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return new Date(epochMs).toLocaleDateString();
}

export const ARCHITECTURE_LABELS: Record<string, string> = {
  'claude-agent-sdk': 'Claude Code',
  'gemini-cli': 'Gemini CLI',
};

/** Tool output as text: strings as they are, Claude's content arrays joined, the rest as JSON. */
export function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  if (Array.isArray(output)) {
    const texts = output.map((part) => (typeof part === 'object' && part && 'text' in part ? String((part as { text: unknown }).text) : JSON.stringify(part)));
    return texts.join('\n');
  }
  if (output === undefined || output === null) return '';
  return JSON.stringify(output, null, 2);
}

/** A one-line summary of a tool call's input: the path, the command or the pattern it names. */
export function inputSummary(input: Record<string, unknown>): string {
  for (const key of ['file_path', 'path', 'command', 'pattern', 'description', 'prompt', 'url', 'query']) {
    const value = input[key];
    if (typeof value === 'string' && value.length > 0) {
      // Absolute paths inside the sandbox read better relative to its workspace.
      const short = value.replace(/^\/\S*?\/workspace\//, '');
      return short.length > 120 ? `${short.slice(0, 117)}...` : short;
    }
  }
  return '';
}
