// Stand-ins for the placeholders the reference README's examples use.
declare interface YourDatabase {
  sessions: { findAll(): Promise<any>; findById(id: string): Promise<any>; insert(row: unknown): Promise<void>; update(id: string, updates: unknown): Promise<void> };
  transcripts: { upsert(row: unknown): Promise<void> };
  files: { upsert(row: unknown): Promise<void>; delete(row: unknown): Promise<void> };
  agentProfiles: { findAll(): Promise<any>; findById(id: string): Promise<any> };
}

declare const myDatabase: YourDatabase;
