export {
  Pop3Client,
  type Pop3ClientOptions,
  type MaildropStat,
  type ListEntry,
  type UidlEntry,
} from './client.js';
export { Pop3Error, type Pop3ErrorInfo, type Pop3ErrorKind, type Pop3Phase } from './errors.js';
export { pop3Connector, probePop3, pop3ClientOptions } from './connector.js';
export { pop3Failure } from './failure.js';
export { LineSplitter, MultilineCollector, parseStatusLine, type StatusLine } from './reply-reader.js';
