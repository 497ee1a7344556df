/**
 * The one way to imapflow's ImapFlow class: quiet-fetch-log.ts has to be in
 * place before imapflow's modules load, so imapflow is required here, after
 * it, rather than imported (imports run first, and bundlers hoist them).
 * Types may still be imported from 'imapflow' directly.
 */
import { createRequire } from 'node:module';
import type * as Imapflow from 'imapflow';
import { quietenFetchLogging } from './quiet-fetch-log.js';

quietenFetchLogging();

const require = createRequire(import.meta.url);

export const ImapFlow: typeof Imapflow.ImapFlow = (require('imapflow') as typeof Imapflow).ImapFlow;
export type ImapFlow = Imapflow.ImapFlow;
