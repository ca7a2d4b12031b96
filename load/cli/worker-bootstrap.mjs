// A generator thread in source mode: Node 20 workers do not inherit tsx's loader, so this
// plain module registers it and then imports the TypeScript entry that started the run
// (cli/entry.ts sends its URL). A bundle needs none of this: it is its own worker script.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
