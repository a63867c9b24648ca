// The application functions the README's samples call: yours, not ours.
declare function markReady(documentId: number): Promise<void>;
declare function alertOps(name: string, error: string): Promise<void>;
