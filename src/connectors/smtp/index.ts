export { smtpConnector, probeSmtp, sendSmtp } from './connector.js';
export { smtpTransportOptions, type SmtpTransportOptions } from './options.js';
export { smtpFailure } from './failure.js';
