import type { RequestView } from './request-view.js';
import type { TextMatcher, ToolResultMatch, TurnMatch } from './scenario.js';

/** Tests `text` against a substring, a RegExp or a `{ regex, flags }` matcher. */
export function matchesText(matcher: TextMatcher, text: string): boolean {
  if (typeof matcher === 'string') return text.includes(matcher);
  const pattern = matcher instanceof RegExp ? matcher : new RegExp(matcher.regex, matcher.flags);
  // A fresh copy without g/y so repeated tests don't depend on lastIndex.
  return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')).test(text);
}

function matchesToolResult(matcher: ToolResultMatch | true, view: RequestView): boolean {
  if (matcher === true) return view.toolResults.length > 0;
  return view.toolResults.some(
    (result) =>
      (matcher.name === undefined || result.name === matcher.name) &&
      (matcher.id === undefined || result.id === matcher.id) &&
      (matcher.isError === undefined || result.isError === matcher.isError) &&
      (matcher.output === undefined || matchesText(matcher.output, result.output)),
  );
}

/** True when every condition of `match` holds for the request. An absent match holds always. */
export function matchesTurn(match: TurnMatch | undefined, view: RequestView): boolean {
  if (match === undefined) return true;
  if (match.api !== undefined && match.api !== view.api) return false;
  if (match.fresh !== undefined && match.fresh !== view.fresh) return false;
  if (match.stream !== undefined && match.stream !== view.stream) return false;
  if (match.hasTool !== undefined && !view.toolNames.includes(match.hasTool)) return false;
  if (match.lastUserText !== undefined && !matchesText(match.lastUserText, view.lastUserText)) return false;
  if (match.system !== undefined && !matchesText(match.system, view.system)) return false;
  if (match.model !== undefined && !matchesText(match.model, view.model)) return false;
  if (match.taskNotification !== undefined) {
    const notification = view.taskNotification;
    if (typeof match.taskNotification === 'boolean') {
      if (match.taskNotification !== (notification !== undefined)) return false;
    } else if (notification === undefined || !matchesText(match.taskNotification, notification)) {
      return false;
    }
  }
  if (match.lastToolResult !== undefined && !matchesToolResult(match.lastToolResult, view)) return false;
  return true;
}
