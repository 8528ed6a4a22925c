import { SESSION_TAG } from './modal-sandbox-options.js';

/** Label key that stands for the session tag (`list({ sessionId })` and `SandboxInfo.labels`). */
const SESSION_LABEL = 'sessionId';

/** Modal tags for labels: the `sessionId` label becomes the `agent-runtime.session` tag. */
export function labelsToTags(labels: Record<string, string> = {}): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) tags[key === SESSION_LABEL ? SESSION_TAG : key] = value;
  return tags;
}

/** Labels for Modal tags: the inverse of `labelsToTags`. */
export function tagsToLabels(tags: Record<string, string>): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags)) labels[key === SESSION_TAG ? SESSION_LABEL : key] = value;
  return labels;
}
