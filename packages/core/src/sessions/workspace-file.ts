import { z } from 'zod';
import { workspacePathProblem } from '../paths/workspace-path.js';

/** A relative path inside the session workspace; absolute paths and `..` are refused. */
export const workspacePathSchema = z.string().superRefine((path, context) => {
  const problem = workspacePathProblem(path);
  if (problem) context.addIssue({ code: 'custom', message: `invalid workspace path: ${problem}` });
});

/** A file in the session workspace. */
export const workspaceFileSchema = z.object({
  /** Relative to the workspace root, `/`-separated. */
  path: workspacePathSchema,
  /** UTF-8 text, or base64 when `encoding` is `'base64'`. */
  content: z.string(),
  /** Absent means `'utf8'`. Binary files are stored base64-encoded. */
  encoding: z.enum(['utf8', 'base64']).optional(),
});

export type WorkspaceFile = z.infer<typeof workspaceFileSchema>;
