import { z } from 'zod';

/**
 * One host a sandboxed agent may reach through its sandbox's egress proxy: a host name
 * (`registry.npmjs.org`), a wildcard over subdomains (`*.pythonhosted.org`), either with an
 * optional `:port` (no port: 443 and 80). IP literals are allowed only as written.
 */
export const networkHostPatternSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^(\*\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$/, 'a host name, optionally "*." in front and ":port" behind');

/**
 * What a sandboxed agent may reach on the network besides its model API (which the runtime
 * routes itself). Sandboxes have no network by default; `allowedHosts` opens a door per host,
 * e.g. a package registry. Loopback and link-local addresses stay closed whatever a name resolves to.
 */
export const profileNetworkSchema = z.object({
  allowedHosts: z.array(networkHostPatternSchema).max(100).optional(),
});

export type ProfileNetwork = z.infer<typeof profileNetworkSchema>;
