// A local stand-in for the Convex client type used by the reference README's Convex example.
declare module 'convex/browser' {
  export class ConvexHttpClient {
    constructor(address: string);
    query(name: string, args?: Record<string, unknown>): Promise<any>;
    mutation(name: string, args?: Record<string, unknown>): Promise<any>;
  }
}
