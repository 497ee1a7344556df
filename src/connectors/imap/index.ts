export { imapConnector, probeImap } from './connector.js';
export { imapFlowOptions } from './options.js';
export { imapFailure, type ImapProgress } from './failure.js';
